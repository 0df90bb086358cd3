package chibo.ui.screens

import chibo.presentation.common.Str
import chibo.presentation.common.str
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
    ChiboScreen(str(Str.chi_bo_phu_trach), onBack = null, sync = sync, onSync = a.sync) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text(str(Str.dong_chi, state.cadreName), style = MaterialTheme.typography.titleLarge)
        Text("${state.month} · ${state.totals}", style = MaterialTheme.typography.bodyLarge)
        if (state.cells.isEmpty()) EmptyState(str(Str.chua_duoc_phan_cong_chi))
        state.cells.forEach { c ->
            SectionCard(c.name) {
                ToneLabel(str(Str.da_du, c.visits), if (c.behind) Tone.Warning else Tone.Good)
                if (c.awaitingReview > 0) Text(str(Str.lan_cho_xa_xac_nhan, c.awaitingReview), style = MaterialTheme.typography.bodyMedium)
                if (c.meetings.isEmpty()) Text(str(Str.chua_co_lich_hop_moi), style = MaterialTheme.typography.bodyLarge)
                c.meetings.forEach { m ->
                    HorizontalDivider()
                    Text(m.title, style = MaterialTheme.typography.titleSmall)
                    Text(m.whenAndWhere, style = MaterialTheme.typography.bodyMedium)
                    PrimaryButton(str(Str.diem_danh_du_hop), Icons.Filled.Place, { a.checkIn(m.meetingId, c.cellId) })
                }
            }
        }
        SectionCard(null) {
            MenuLine(Icons.AutoMirrored.Filled.List, str(Str.cac_lan_diem_danh_cua), onClick = a.myCheckIns)
            HorizontalDivider()
            MenuLine(Icons.Filled.FactCheck, str(Str.can_xu_ly), onClick = a.needsAttention)
            HorizontalDivider()
            MenuLine(Icons.Filled.Settings, str(Str.cai_dat), str(Str.co_chu_gui_anh_qua), a.settings)
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
    fun openAppSettings() {}
}

@Composable
fun CheckInScreen(state: CheckInState, a: CheckInActions) {
    ChiboScreen(str(Str.diem_danh_du_hop), a::back) {
        Text(state.cellName, style = MaterialTheme.typography.titleLarge)
        Text(state.meetingTitle, style = MaterialTheme.typography.bodyLarge)
        Text(str(Str.buoc_tren_5, state.step.ordinal + 1, state.step.title), style = MaterialTheme.typography.headlineSmall)
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = a::dismissError) }
        if (state.askAppSettings) SecondaryButton(str(Str.mo_cai_dat_quyen_cua), Icons.Filled.Settings, a::openAppSettings, Modifier.fillMaxWidth())
        when (state.step) {
            CheckInStep.Photo -> {
                Text(str(Str.chup_mot_anh_buoi_hop), style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(if (state.busy) str(Str.dang_xu_ly_anh) else str(Str.chup_anh), Icons.Filled.PhotoCamera, a::takePhoto, enabled = !state.busy)
            }
            CheckInStep.Location -> {
                state.photo?.let { ToneLabel(str(Str.da_co_anh, it), Tone.Good) }
                AccuracyIndicator(state)
                state.location.problem?.let { MessageBox(listOf(it), Tone.Warning) }
                state.location.approximateNote?.let { MessageBox(listOf(it), Tone.Neutral) }
                state.location.fix?.let { fix -> SecondaryButton(fix.label, Icons.Filled.Settings, a::fixLocation, Modifier.fillMaxWidth()) }
                PrimaryButton(str(Str.dung_vi_tri_nay), Icons.AutoMirrored.Filled.ArrowForward, a::acceptLocation, enabled = state.location.accuracy != null || state.location.problem != null)
            }
            CheckInStep.Code -> {
                Text(str(Str.nhap_6_so_tren_may), style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(str(Str.quet_ma_qr), Icons.Filled.QrCodeScanner, a::scanCode)
                TextInput(str(Str.ma_xac_nhan_6_so), state.code, a::typeCode, keyboard = chibo.ui.components.Keyboards.Digits)
                PrimaryButton(if (state.busy) str(Str.dang_ky_ten) else str(Str.xac_nhan_du_hop), Icons.Filled.Done, a::submit, enabled = !state.busy && state.code.length == 6)
            }
            CheckInStep.Result -> {
                val v = state.verdict
                if (v != null) VerdictDetails(v)
                PrimaryButton(str(Str.ghi_nhan_xet_kien_nghi), Icons.AutoMirrored.Filled.ArrowForward, a::toObservations)
            }
            CheckInStep.Observe -> ObserveStep(state, a)
        }
    }
}

@Composable
private fun AccuracyIndicator(state: CheckInState) {
    val loc = state.location
    SectionCard(str(Str.vi_tri)) {
        if (loc.accuracyText.isNotEmpty()) {
            Text(str(Str.sai_so, loc.accuracyText), style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { contentDescription = str(Str.sai_so, loc.accuracyText) })
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
        Text(str(Str.dung_ngoai_troi_hoac_gan), style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun ObserveStep(state: CheckInState, a: CheckInActions) {
    SectionCard(str(Str.nhan_xet_buoi_hop)) {
        TextInput(str(Str.noi_dung_da_dinh_huong), state.guidanceGiven, a::guidance, minLines = 2)
        TextInput(str(Str.rut_kinh_nghiem_voi_bi), state.lessons, a::lessons, minLines = 2)
    }
    SectionCard(str(Str.cham_diem_cua_cap_uy)) {
        state.scores.forEach { s -> Stepper(s.label, s.value, { a.score(s.key, s.value - 1) }, { a.score(s.key, s.value + 1) }, max = s.max) }
    }
    if (state.observationSaved) ToneLabel(str(Str.da_luu_nhan_xet), Tone.Good)
    else PrimaryButton(str(Str.luu_nhan_xet), Icons.Filled.Done, a::saveObservation)
    SectionCard(str(Str.kien_nghi_vuot_tham_quyen)) {
        state.petitionsRaised.forEach { ToneLabel(it, Tone.Good) }
        TextInput(str(Str.noi_dung_kien_nghi), state.petitionDraft, a::petitionText)
        ChoiceRow(state.categories, state.petitionCategory, a::petitionCategory)
        SecondaryButton(str(Str.ghi_kien_nghi), Icons.Filled.Add, a::raisePetition, Modifier.fillMaxWidth())
    }
}

@Composable
fun MyCheckInsScreen(state: MyCheckInsState, onBack: () -> Unit) {
    ChiboScreen(str(Str.cac_lan_diem_danh), onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        if (state.rows.isEmpty()) EmptyState(str(Str.chua_diem_danh_lan_nao))
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
    if (v.pending.isNotEmpty()) MessageBox(v.pending, Tone.Neutral, title = str(Str.may_chu_xa_se_kiem))
}
