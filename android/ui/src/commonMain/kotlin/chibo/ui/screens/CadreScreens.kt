package chibo.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.FactCheck
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.automirrored.filled.ArrowForward
import androidx.compose.material.icons.filled.Done
import androidx.compose.material.icons.filled.PhotoCamera
import androidx.compose.material.icons.automirrored.filled.List
import androidx.compose.material.icons.filled.LocationOn
import androidx.compose.material.icons.filled.Place
import androidx.compose.material.icons.filled.QrCodeScanner
import androidx.compose.material.icons.filled.Send
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import chibo.presentation.cadre.CadreHomeState
import chibo.presentation.cadre.CheckInState
import chibo.presentation.cadre.CheckInStep
import chibo.presentation.cadre.MyCheckInsState
import chibo.presentation.cadre.VerdictUi
import chibo.presentation.common.SyncUi
import chibo.presentation.common.Tone
import chibo.presentation.common.tone
import chibo.ui.components.ChiboScreen
import chibo.ui.components.ChoiceRow
import chibo.ui.components.EmptyState
import chibo.ui.components.LabeledValue
import chibo.ui.components.Loading
import chibo.ui.components.MessageBox
import chibo.ui.components.PrimaryButton
import chibo.ui.components.SecondaryButton
import chibo.ui.components.SectionCard
import chibo.ui.components.Stepper
import chibo.ui.components.TextInput
import chibo.ui.components.ToneLabel
import chibo.ui.theme.color
import uniffi.chibo_domain.FixQuality

class CadreHomeActions(
    val checkIn: (meetingId: String, cellId: String) -> Unit = { _, _ -> },
    val myCheckIns: () -> Unit = {},
    val needsAttention: () -> Unit = {},
    val settings: () -> Unit = {},
    val sync: () -> Unit = {},
)

@Composable
fun CadreHomeScreen(state: CadreHomeState, sync: SyncUi?, a: CadreHomeActions) {
    ChiboScreen("Chi bộ phụ trách", onBack = null, sync = sync, onSync = a.sync) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text("Đồng chí ${state.cadreName}", style = MaterialTheme.typography.titleLarge)
        Text("${state.month} · ${state.totals}", style = MaterialTheme.typography.bodyLarge)
        if (state.cells.isEmpty()) EmptyState("Chưa được phân công chi bộ nào. Phân công sẽ về máy khi đồng bộ với xã.")
        state.cells.forEach { c ->
            SectionCard(c.name) {
                ToneLabel("Đã dự ${c.visits}", if (c.behind) Tone.Warning else Tone.Good)
                if (c.awaitingReview > 0) Text("${c.awaitingReview} lần chờ xã xác nhận", style = MaterialTheme.typography.bodyMedium)
                if (c.meetings.isEmpty()) Text("Chưa có lịch họp mới.", style = MaterialTheme.typography.bodyLarge)
                c.meetings.forEach { m ->
                    HorizontalDivider()
                    Text(m.title, style = MaterialTheme.typography.titleSmall)
                    Text(m.whenAndWhere, style = MaterialTheme.typography.bodyMedium)
                    PrimaryButton("Điểm danh dự họp", Icons.Filled.Place, { a.checkIn(m.meetingId, c.cellId) })
                }
            }
        }
        SectionCard(null) {
            MenuLine(Icons.AutoMirrored.Filled.List, "Các lần điểm danh của tôi", onClick = a.myCheckIns)
            HorizontalDivider()
            MenuLine(Icons.Filled.FactCheck, "Cần xử lý", onClick = a.needsAttention)
            HorizontalDivider()
            MenuLine(Icons.Filled.Settings, "Cài đặt", "Cỡ chữ, gửi ảnh qua Wi-Fi", a.settings)
        }
    }
}

interface CheckInActions {
    fun back()
    fun takePhoto()
    fun acceptLocation()
    fun typeCode(text: String)
    fun scanCode()
    fun submit()
    fun toObservations()
    fun guidance(text: String)
    fun lessons(text: String)
    fun score(key: String, value: Int)
    fun saveObservation()
    fun petitionText(text: String)
    fun petitionCategory(label: String)
    fun raisePetition()
    fun dismissError()
    fun fixLocation() {}
}

@Composable
fun CheckInScreen(state: CheckInState, a: CheckInActions) {
    ChiboScreen("Điểm danh dự họp", a::back) {
        Text(state.cellName, style = MaterialTheme.typography.titleLarge)
        Text(state.meetingTitle, style = MaterialTheme.typography.bodyLarge)
        Text("Bước ${state.step.ordinal + 1}/5: ${state.step.title}", style = MaterialTheme.typography.headlineSmall)
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = a::dismissError) }
        when (state.step) {
            CheckInStep.Photo -> {
                Text("Chụp một ảnh buổi họp có đồng chí trong ảnh hoặc toàn cảnh hội trường.", style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(if (state.busy) "Đang xử lý ảnh…" else "Chụp ảnh", Icons.Filled.PhotoCamera, a::takePhoto, enabled = !state.busy)
            }
            CheckInStep.Location -> {
                state.photo?.let { ToneLabel("Đã có ảnh: $it", Tone.Good) }
                AccuracyIndicator(state)
                state.location.problem?.let { MessageBox(listOf(it), Tone.Warning) }
                state.location.approximateNote?.let { MessageBox(listOf(it), Tone.Neutral) }
                state.location.fix?.let { fix -> SecondaryButton(fix.label, Icons.Filled.Settings, a::fixLocation, Modifier.fillMaxWidth()) }
                PrimaryButton("Dùng vị trí này", Icons.AutoMirrored.Filled.ArrowForward, a::acceptLocation, enabled = state.location.accuracy != null || state.location.problem != null)
            }
            CheckInStep.Code -> {
                Text("Nhập 6 số trên máy của bí thư chi bộ, hoặc quét mã QR.", style = MaterialTheme.typography.bodyLarge)
                PrimaryButton("Quét mã QR", Icons.Filled.QrCodeScanner, a::scanCode)
                TextInput("Mã xác nhận (6 số)", state.code, a::typeCode, keyboard = chibo.ui.components.Keyboards.Digits)
                PrimaryButton(if (state.busy) "Đang ký…" else "Xác nhận dự họp", Icons.Filled.Done, a::submit, enabled = !state.busy && state.code.length == 6)
            }
            CheckInStep.Result -> {
                val v = state.verdict
                if (v != null) VerdictDetails(v)
                PrimaryButton("Ghi nhận xét, kiến nghị", Icons.AutoMirrored.Filled.ArrowForward, a::toObservations)
            }
            CheckInStep.Observe -> ObserveStep(state, a)
        }
    }
}

@Composable
private fun AccuracyIndicator(state: CheckInState) {
    val loc = state.location
    SectionCard("Vị trí") {
        if (loc.accuracyText.isNotEmpty()) {
            Text("Sai số ${loc.accuracyText}", style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { contentDescription = "Sai số ${loc.accuracyText}" })
        }
        ToneLabel(loc.accuracyLabel, loc.accuracy.tone())
        val fill = when (loc.accuracy) {
            null -> 0f
            FixQuality.POOR -> 0.25f
            FixQuality.FAIR -> 0.6f
            FixQuality.GOOD -> 1f
        }
        if (loc.accuracy == null) LinearProgressIndicator(Modifier.fillMaxWidth().height(10.dp))
        else LinearProgressIndicator(progress = { fill }, modifier = Modifier.fillMaxWidth().height(10.dp), color = loc.accuracy.tone().color())
        Text("Đứng ngoài trời hoặc gần cửa sổ để định vị nhanh hơn.", style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun ObserveStep(state: CheckInState, a: CheckInActions) {
    SectionCard("Nhận xét buổi họp") {
        TextInput("Nội dung đã định hướng cho chi bộ", state.guidanceGiven, a::guidance, minLines = 2)
        TextInput("Rút kinh nghiệm với bí thư", state.lessons, a::lessons, minLines = 2)
    }
    SectionCard("Chấm điểm của cấp ủy viên") {
        state.scores.forEach { s -> Stepper(s.label, s.value, { a.score(s.key, s.value - 1) }, { a.score(s.key, s.value + 1) }, max = s.max) }
    }
    if (state.observationSaved) ToneLabel("Đã lưu nhận xét", Tone.Good)
    else PrimaryButton("Lưu nhận xét", Icons.Filled.Done, a::saveObservation)
    SectionCard("Kiến nghị vượt thẩm quyền chi bộ") {
        state.petitionsRaised.forEach { ToneLabel(it, Tone.Good) }
        TextInput("Nội dung kiến nghị", state.petitionDraft, a::petitionText)
        ChoiceRow(state.categories, state.petitionCategory, a::petitionCategory)
        SecondaryButton("Ghi kiến nghị", Icons.Filled.Add, a::raisePetition, Modifier.fillMaxWidth())
    }
}

@Composable
fun MyCheckInsScreen(state: MyCheckInsState, onBack: () -> Unit) {
    ChiboScreen("Các lần điểm danh", onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        if (state.rows.isEmpty()) EmptyState("Chưa điểm danh lần nào.")
        state.rows.forEach { r ->
            Column(Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.surfaceVariant, RoundedCornerShape(12.dp)).padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(r.cellName, style = MaterialTheme.typography.titleMedium)
                Text(r.at, style = MaterialTheme.typography.bodyMedium)
                ToneLabel(r.verdict.status, r.verdict.tone)
                r.verdict.detail.forEach { Text(it, style = MaterialTheme.typography.bodyLarge) }
                if (r.verdict.reasons.isNotEmpty()) Text(r.verdict.reasonsTitle, style = MaterialTheme.typography.titleSmall)
                r.verdict.reasons.forEach { Text("• $it", style = MaterialTheme.typography.bodyMedium) }
            }
        }
    }
}

/** The verdict, the office's decision with its note, then the failed and pending checks. */
@Composable
private fun VerdictDetails(v: VerdictUi) {
    ToneLabel(v.status, v.tone)
    v.detail.forEach { Text(it, style = MaterialTheme.typography.bodyLarge) }
    MessageBox(v.reasons, v.reasonsTone, title = v.reasonsTitle)
    if (v.pending.isNotEmpty()) MessageBox(v.pending, Tone.Neutral, title = "Máy chủ xã sẽ kiểm tra")
}
