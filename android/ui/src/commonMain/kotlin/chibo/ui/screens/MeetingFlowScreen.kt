package chibo.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.automirrored.filled.ArrowForward
import androidx.compose.material.icons.filled.Check
import androidx.compose.material.icons.filled.Create
import androidx.compose.material.icons.filled.Done
import androidx.compose.material.icons.filled.PhotoCamera
import androidx.compose.material.icons.filled.Lock
import androidx.compose.material.icons.filled.PlayArrow
import androidx.compose.material.icons.filled.Share
import androidx.compose.material.icons.filled.EditNote
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.TextButton
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import chibo.presentation.common.SyncUi
import chibo.presentation.common.Tone
import chibo.presentation.meeting.EXCUSE_REASONS
import chibo.presentation.meeting.FlowStep
import chibo.presentation.meeting.Mark
import chibo.presentation.meeting.MeetingFlowState
import chibo.presentation.meeting.PersonChoice
import chibo.presentation.meeting.RollCallRow
import chibo.ui.components.ChiboScreen
import chibo.ui.components.Choice
import chibo.ui.components.ChoiceRow
import chibo.ui.components.LabeledValue
import chibo.ui.components.Loading
import chibo.ui.components.MessageBox
import chibo.ui.components.PrimaryButton
import chibo.ui.components.SecondaryButton
import chibo.ui.components.SectionCard
import chibo.ui.components.Stepper
import chibo.ui.components.TextInput
import chibo.ui.components.ToneLabel
import chibo.ui.theme.TouchTarget
import chibo.ui.theme.background
import chibo.ui.theme.color

/** Everything the meeting flow screen can ask for. */
interface MeetingFlowActions {
    fun back()
    fun next()
    fun previousStep()
    fun goTo(step: FlowStep)
    fun dismissError()
    fun noticeToMembers(sent: Boolean)
    fun noticeToCadre(sent: Boolean)
    fun documentsDaysBefore(days: Int?)
    fun startNow()
    fun chair(memberId: String)
    fun minuteTaker(memberId: String)
    fun mark(memberId: String, mark: Mark, reason: String?)
    fun markRestPresent()
    fun speaker(id: String)
    fun gist(text: String)
    fun addSpeech()
    fun review(taskId: String, outcomeLabel: String)
    fun taskText(text: String)
    fun assignee(memberId: String)
    fun deadline(isoDate: String)
    fun addTask()
    fun voteQuestion(text: String)
    fun changeVote(inFavor: Int, against: Int, abstain: Int)
    fun recordVote()
    fun petitionText(text: String)
    fun petitionCategory(label: String)
    fun raisePetition()
    fun score(key: String, value: Int)
    fun conclusion(text: String)
    fun endNow()
    fun takePhoto()
    fun sign()
    fun presenceCode()
    fun share()
    fun guestName(text: String) {}
    fun guestTitle(text: String) {}
    fun addGuest(delegate: Boolean) {}
    fun removeGuest(name: String) {}
    fun approveMinutes(approved: Boolean) {}
    fun startCorrection() {}
}

@Composable
fun MeetingFlowScreen(state: MeetingFlowState, sync: SyncUi?, onSync: () -> Unit, actions: MeetingFlowActions) {
    ChiboScreen(
        title = state.title.ifEmpty { "Sinh hoạt chi bộ" },
        onBack = actions::back,
        sync = sync,
        onSync = onSync,
        bottomBar = { if (!state.loading) FlowButtons(state, actions) },
    ) {
        if (state.loading) return@ChiboScreen Loading()
        StepperBar(state, actions::goTo)
        Text("Bước ${state.step.number}/7: ${state.step.title}", style = MaterialTheme.typography.headlineSmall)
        Text(state.subtitle, style = MaterialTheme.typography.bodyMedium)
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = actions::dismissError) }
        if (state.signed && state.step != FlowStep.Sign) {
            MessageBox(listOf("Biên bản đã ký: không sửa được nữa. Muốn sửa, hãy lập bản đính chính."), Tone.Neutral)
            CorrectionButton(actions)
        }
        if (state.step != FlowStep.Sign) MessageBox(state.blockers, Tone.Warning, title = "Cần làm trước khi sang bước sau")
        when (state.step) {
            FlowStep.Prepare -> PrepareStep(state, actions)
            FlowStep.Open -> OpenStep(state, actions)
            FlowStep.Body -> BodyStep(state, actions)
            FlowStep.Closing -> ClosingStep(state, actions)
            FlowStep.Photos -> PhotosStep(state, actions)
            FlowStep.Review -> ReviewStep(state, actions)
            FlowStep.Sign -> SignStep(state, actions)
        }
    }
}

@Composable
private fun StepperBar(state: MeetingFlowState, onStep: (FlowStep) -> Unit) {
    Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(2.dp)) {
        FlowStep.entries.forEach { step ->
            val current = step == state.step
            val done = step in state.completed
            val tone = when {
                current -> MaterialTheme.colorScheme.primary
                done -> Tone.Good.color()
                else -> MaterialTheme.colorScheme.outline
            }
            Box(
                Modifier.weight(1f).height(TouchTarget).clickable(role = Role.Tab) { onStep(step) }
                    .semantics { contentDescription = "Bước ${step.number}: ${step.title}" + if (done) ", đã xong" else "" },
                contentAlignment = Alignment.Center,
            ) {
                Box(
                    Modifier.width(40.dp).height(40.dp).background(if (current || done) tone else Color.White, CircleShape).border(2.dp, tone, CircleShape),
                    contentAlignment = Alignment.Center,
                ) {
                    if (done && !current) Icon(Icons.Filled.Check, null, tint = Color.White)
                    else Text("${step.number}", style = MaterialTheme.typography.titleMedium, color = if (current) Color.White else tone)
                }
            }
        }
    }
}

@Composable
private fun FlowButtons(state: MeetingFlowState, actions: MeetingFlowActions) {
    Surface(shadowElevation = 8.dp) {
        Row(Modifier.fillMaxWidth().padding(12.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            if (state.step != FlowStep.Prepare) {
                SecondaryButton("Bước trước", null, actions::previousStep, Modifier.weight(1f))
            }
            if (state.step != FlowStep.Sign) {
                PrimaryButton("Tiếp theo", Icons.AutoMirrored.Filled.ArrowForward, actions::next, Modifier.weight(1f), enabled = state.blockers.isEmpty())
            }
        }
    }
}

@Composable
private fun ColumnScope.PrepareStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val p = state.prepare
    SectionCard("Thông báo họp") {
        SwitchRow("Đã báo thời gian, địa điểm, nội dung cho đảng viên", p.noticeToMembers, a::noticeToMembers)
        SwitchRow("Đã báo đồng chí cấp ủy viên phụ trách", p.noticeToCadre, a::noticeToCadre)
    }
    SectionCard("Tài liệu gửi đảng viên") {
        val options = listOf("Chưa gửi" to null, "Trước 1 ngày" to 1, "Trước 2 ngày" to 2, "Trước 3 ngày" to 3)
        ChoiceRow(options.map { it.first }, options.firstOrNull { it.second == p.documentsDaysBefore }?.first ?: "Chưa gửi", { label ->
            a.documentsDaysBefore(options.first { it.first == label }.second)
        })
    }
    SectionCard("Định hướng của Đảng ủy xã") {
        if (p.guidance.isEmpty()) Text("Chưa nhận được định hướng tháng này.", style = MaterialTheme.typography.bodyLarge)
        p.guidance.forEach { Text("• $it", style = MaterialTheme.typography.bodyLarge) }
    }
}

@Composable
private fun SwitchRow(text: String, checked: Boolean, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).clickable(role = Role.Switch) { onChange(!checked) },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(text, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
        Spacer(Modifier.width(8.dp))
        Text(if (checked) "Có" else "Chưa", style = MaterialTheme.typography.labelLarge)
        Spacer(Modifier.width(6.dp))
        Switch(checked = checked, onCheckedChange = onChange)
    }
}

@Composable
private fun ColumnScope.OpenStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val o = state.open
    SectionCard("Khai mạc") {
        if (o.startedAt == null) PrimaryButton("Bắt đầu họp ngay", Icons.Filled.PlayArrow, a::startNow)
        else LabeledValue("Bắt đầu lúc", o.startedAt!!)
        Box(Modifier.testTag("chair")) {
            PersonPicker("Người chủ trì", o.candidates, o.chair, a::chair)
        }
        Box(Modifier.testTag("minuteTaker")) {
            PersonPicker("Thư ký ghi biên bản", o.candidates, o.minuteTaker, a::minuteTaker)
        }
    }
    SectionCard("Khách mời, đại biểu cấp trên (${o.guests.size})") {
        o.guests.forEach { g ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Column(Modifier.weight(1f)) {
                    Text(g.name, style = MaterialTheme.typography.titleSmall)
                    Text(g.title + if (g.delegate) " · đại biểu cấp trên" else "", style = MaterialTheme.typography.bodySmall)
                }
                TextButton(onClick = { a.removeGuest(g.name) }, modifier = Modifier.heightIn(min = TouchTarget)) { Text("Bỏ", style = MaterialTheme.typography.labelLarge) }
            }
        }
        TextInput("Họ tên khách mời", o.draftGuestName, a::guestName)
        TextInput("Chức vụ (không bắt buộc)", o.draftGuestTitle, a::guestTitle)
        SecondaryButton("Thêm đại biểu cấp trên", Icons.Filled.Add, { a.addGuest(true) }, Modifier.fillMaxWidth())
        SecondaryButton("Thêm khách mời khác", Icons.Filled.Add, { a.addGuest(false) }, Modifier.fillMaxWidth())
    }
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text("Điểm danh: ${o.presentSummary}", style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
    }
    SecondaryButton("Mã xác nhận cho cấp ủy viên", null, a::presenceCode, Modifier.fillMaxWidth())
    if (o.rollCall.any { it.mark == null }) SecondaryButton("Những người còn lại có mặt", Icons.Filled.Done, a::markRestPresent, Modifier.fillMaxWidth())
    o.rollCall.forEach { row -> RollCallItem(row, o.marks, a) }
}

@Composable
private fun RollCallItem(row: RollCallRow, marks: Map<Mark, String>, a: MeetingFlowActions) {
    var choosing by remember(row.memberId) { mutableStateOf(false) }
    val tone = when (row.mark) {
        Mark.Present, Mark.Late -> Tone.Good
        Mark.Unexcused -> Tone.Problem
        Mark.Excused -> Tone.Warning
        else -> Tone.Neutral
    }
    Column(
        Modifier.fillMaxWidth().testTag("roll:${row.memberId}")
            .background(if (row.mark == null) MaterialTheme.colorScheme.surfaceVariant else tone.background(), RoundedCornerShape(12.dp)).padding(10.dp),
        verticalArrangement = Arrangement.spacedBy(6.dp),
    ) {
        Text(row.name, style = MaterialTheme.typography.titleMedium)
        Text(row.detail, style = MaterialTheme.typography.bodySmall)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
            Choice(marks[Mark.Present].orEmpty(), row.mark == Mark.Present, { a.mark(row.memberId, Mark.Present, null); choosing = false }, tone = Tone.Good)
            Choice("Vắng", row.mark == Mark.Excused || row.mark == Mark.Unexcused, { choosing = !choosing }, tone = if (row.mark == Mark.Unexcused) Tone.Problem else Tone.Warning)
            if (row.mark != null && row.mark != Mark.Present) {
                Text(marks[row.mark!!].orEmpty() + (row.reason?.let { ": $it" } ?: ""), style = MaterialTheme.typography.bodyMedium, color = tone.color(), modifier = Modifier.weight(1f))
            }
        }
        if (choosing) {
            Text("Vắng có lý do:", style = MaterialTheme.typography.labelLarge)
            ChoiceRow(EXCUSE_REASONS, row.reason.takeIf { row.mark == Mark.Excused }, { reason -> a.mark(row.memberId, Mark.Excused, reason); choosing = false }, tone = Tone.Warning)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Choice(marks[Mark.Unexcused].orEmpty(), row.mark == Mark.Unexcused, { a.mark(row.memberId, Mark.Unexcused, null); choosing = false }, tone = Tone.Problem)
                Choice(marks[Mark.Late].orEmpty(), row.mark == Mark.Late, { a.mark(row.memberId, Mark.Late, null); choosing = false }, tone = Tone.Good)
            }
        }
    }
}

@Composable
private fun ColumnScope.BodyStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val b = state.body
    SectionCard("Đánh giá nhiệm vụ tháng trước") {
        if (b.previousTasks.isEmpty()) Text("Tháng trước không giao nhiệm vụ nào.", style = MaterialTheme.typography.bodyLarge)
        b.previousTasks.forEach { t ->
            Text(t.description, style = MaterialTheme.typography.titleSmall)
            Text("${t.assignee} · hạn ${t.deadline}", style = MaterialTheme.typography.bodySmall)
            ChoiceRow(listOf("Đã xong", "Làm một phần", "Chưa làm"), t.outcome, { a.review(t.taskId, it) })
            HorizontalDivider()
        }
    }
    SectionCard("Ý kiến phát biểu (${b.speeches.size})") {
        b.speeches.forEach { s ->
            Text(s.speaker, style = MaterialTheme.typography.titleSmall)
            Text(s.gist, style = MaterialTheme.typography.bodyLarge)
        }
        Text("Người phát biểu", style = MaterialTheme.typography.labelLarge)
        ChoiceRow(b.speakers.map { it.name }, b.speakers.firstOrNull { it.id == b.draftSpeakerId }?.name, { name -> a.speaker(b.speakers.first { it.name == name }.id) })
        TextInput("Tóm tắt ý kiến", b.draftGist, a::gist, minLines = 2)
        PrimaryButton("Thêm ý kiến", Icons.Filled.Add, a::addSpeech)
    }
}

@Composable
private fun ColumnScope.ClosingStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val c = state.closing
    SectionCard("Giao nhiệm vụ (${c.tasks.size})") {
        c.tasks.forEach { t ->
            Text(t.description, style = MaterialTheme.typography.titleSmall)
            Text("${t.assignee} · hạn ${t.deadline}", style = MaterialTheme.typography.bodySmall)
        }
        TextInput("Nội dung nhiệm vụ", c.draftTask, a::taskText)
        Text("Người thực hiện", style = MaterialTheme.typography.labelLarge)
        Box(Modifier.testTag("closing-assignees")) {
            ChoiceRow(c.assignees.map { it.name }, c.assignees.firstOrNull { it.id == c.draftAssigneeId }?.name, { name -> a.assignee(c.assignees.first { it.name == name }.id) })
        }
        Text("Thời hạn", style = MaterialTheme.typography.labelLarge)
        ChoiceRow(c.deadlines.map { it.label }, c.deadlines.firstOrNull { it.isoDate == c.draftDeadline }?.label, { label -> a.deadline(c.deadlines.first { it.label == label }.isoDate) })
        PrimaryButton("Giao nhiệm vụ", Icons.Filled.Add, a::addTask)
    }
    SectionCard("Biểu quyết") {
        c.votes.forEach { v ->
            Text(v.question, style = MaterialTheme.typography.titleSmall)
            ToneLabel(v.tally, Tone.Good)
        }
        TextInput("Nội dung biểu quyết", c.voteQuestion, a::voteQuestion)
        Text("${c.voters} đảng viên chính thức có mặt được biểu quyết", style = MaterialTheme.typography.bodySmall)
        Stepper("Tán thành", c.inFavor, { a.changeVote(-1, 0, 0) }, { a.changeVote(1, 0, 0) })
        Stepper("Không tán thành", c.against, { a.changeVote(0, -1, 0) }, { a.changeVote(0, 1, 0) })
        Stepper("Không biểu quyết", c.abstain, { a.changeVote(0, 0, -1) }, { a.changeVote(0, 0, 1) })
        PrimaryButton("Ghi kết quả biểu quyết", Icons.Filled.Done, a::recordVote)
    }
    SectionCard("Kiến nghị (${c.petitions.size})") {
        c.petitions.forEach { p ->
            Text(p.content, style = MaterialTheme.typography.bodyLarge)
            Text("${p.category} · ${p.status}", style = MaterialTheme.typography.bodySmall)
        }
        TextInput("Nội dung kiến nghị", c.draftPetition, a::petitionText)
        ChoiceRow(c.categories, c.draftCategory, a::petitionCategory)
        SecondaryButton("Ghi kiến nghị", Icons.Filled.Add, a::raisePetition, Modifier.fillMaxWidth())
    }
    SectionCard("Chi bộ tự chấm điểm" + if (c.scoresSaved) " (đã lưu)" else "") {
        c.scores.forEach { s -> Stepper(s.label, s.value, { a.score(s.key, s.value - 1) }, { a.score(s.key, s.value + 1) }, max = s.max) }
    }
    SectionCard("Kết luận và kết thúc") {
        TextInput("Kết luận của chủ trì", c.conclusion, a::conclusion, minLines = 2)
        var asking by remember { mutableStateOf(false) }
        if (c.endedAt == null) PrimaryButton("Kết thúc họp", Icons.Filled.Lock, { asking = true })
        else LabeledValue("Kết thúc lúc", c.endedAt!!)
        if (asking) {
            Confirm(
                title = "Kết thúc buổi họp?",
                text = "Giờ kết thúc được ghi là bây giờ và tính vào thời lượng buổi họp.",
                confirm = "Kết thúc ngay",
                dismiss = "Chưa",
                onConfirm = { asking = false; a.endNow() },
                onDismiss = { asking = false },
            )
        }
    }
}

@Composable
private fun ColumnScope.PhotosStep(state: MeetingFlowState, a: MeetingFlowActions) {
    Text("Chụp 1–3 ảnh toàn cảnh buổi họp. Ảnh được thu nhỏ và xóa thông tin vị trí trước khi lưu.", style = MaterialTheme.typography.bodyLarge)
    PrimaryButton(if (state.photos.busy) "Đang xử lý ảnh…" else "Chụp ảnh", Icons.Filled.PhotoCamera, a::takePhoto, enabled = !state.photos.busy && !state.signed)
    if (state.photos.photos.isEmpty()) Text("Chưa có ảnh nào.", style = MaterialTheme.typography.bodyLarge)
    state.photos.photos.forEach { ToneLabel(it.label, Tone.Good) }
}

@Composable
private fun ColumnScope.ReviewStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val r = state.review
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
        ToneLabel("Xếp loại: ${r.grade}", r.gradeTone)
        Text(r.score, style = MaterialTheme.typography.titleMedium)
    }
    if (r.attendance.isNotEmpty()) Text(r.attendance, style = MaterialTheme.typography.bodyLarge)
    MessageBox(r.warnings.map { it.message }, Tone.Warning, title = "Lưu ý theo quy định")
    SectionCard("Biên bản (đọc lại trước chi bộ)") {
        Text(r.minutes, style = MaterialTheme.typography.bodyMedium.copy(fontFamily = MaterialTheme.typography.bodyMedium.fontFamily ?: FontFamily.Default))
    }
    SectionCard("Thông qua biên bản") {
        if (r.minutesApproved) {
            ToneLabel("Chi bộ đã nghe đọc lại và thông qua biên bản", Tone.Good)
            if (!state.signed) TextButton(onClick = { a.approveMinutes(false) }, modifier = Modifier.heightIn(min = TouchTarget)) { Text("Chưa thông qua", style = MaterialTheme.typography.labelLarge) }
        } else {
            Text("Thư ký đọc lại biên bản trước chi bộ; khi chi bộ nhất trí, bấm nút dưới.", style = MaterialTheme.typography.bodyLarge)
            PrimaryButton("Đã đọc lại, chi bộ thông qua", Icons.Filled.Done, { a.approveMinutes(true) }, enabled = !state.signed)
        }
    }
}

/** "Lập bản đính chính", asked once more: it makes a new revision of the signed minutes. */
@Composable
private fun CorrectionButton(a: MeetingFlowActions) {
    var asking by remember { mutableStateOf(false) }
    SecondaryButton("Lập bản đính chính", Icons.Filled.EditNote, { asking = true }, Modifier.fillMaxWidth())
    if (asking) {
        Confirm(
            title = "Lập bản đính chính?",
            text = "Biên bản đã ký được giữ nguyên. Bản đính chính là một bản mới, ghi lại và ký lại, gửi kèm bản cũ về xã.",
            confirm = "Lập bản đính chính",
            dismiss = "Không",
            onConfirm = { asking = false; a.startCorrection() },
            onDismiss = { asking = false },
        )
    }
}

/** A yes/no question before something that cannot be undone, with the consequence named. */
@Composable
fun Confirm(title: String, text: String, confirm: String, dismiss: String, onConfirm: () -> Unit, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(title, style = MaterialTheme.typography.titleLarge) },
        text = { Text(text, style = MaterialTheme.typography.bodyLarge) },
        confirmButton = { Button(onClick = onConfirm, modifier = Modifier.heightIn(min = TouchTarget)) { Text(confirm, style = MaterialTheme.typography.labelLarge) } },
        dismissButton = { TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = TouchTarget)) { Text(dismiss, style = MaterialTheme.typography.labelLarge) } },
    )
}

/**
 * Any member as chair or minute-taker: the chosen one, and on tap a list of every member
 * with a search box (names are long and cells have up to 60 members).
 */
@Composable
private fun PersonPicker(label: String, candidates: List<PersonChoice>, chosen: PersonChoice?, onPick: (String) -> Unit) {
    var open by remember { mutableStateOf(false) }
    var query by remember { mutableStateOf("") }
    Text(label, style = MaterialTheme.typography.titleSmall)
    Choice(chosen?.name ?: "Chọn…", selected = chosen != null, onClick = { open = !open })
    if (open) {
        if (candidates.size > 6) TextInput("Tìm theo tên", query, { query = it })
        val shown = candidates.filter { query.isBlank() || foldForSearch(it.name).contains(foldForSearch(query)) }
        Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
            shown.forEach { person ->
                Choice(person.name, person.id == chosen?.id, { onPick(person.id); open = false; query = "" })
            }
            if (shown.isEmpty()) Text("Không có ai tên như vậy.", style = MaterialTheme.typography.bodyMedium)
        }
    }
}

/** Lower case without tone marks, so "hung" finds "Hùng" and "Đ" is "d". */
private fun foldForSearch(text: String): String =
    java.text.Normalizer.normalize(text.lowercase().replace('đ', 'd'), java.text.Normalizer.Form.NFD).replace(Regex("\\p{M}+"), "")

@Composable
private fun ColumnScope.SignStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val s = state.sign
    SectionCard("Người ký biên bản") {
        LabeledValue("Chủ trì", s.chair)
        LabeledValue("Thư ký", s.minuteTaker)
    }
    if (state.signed) {
        MessageBox(listOf("Biên bản đã ký lúc ${s.signedAt}. Biên bản được lưu và sẽ gửi về Đảng ủy xã khi có mạng."), Tone.Good)
        PrimaryButton("Chia sẻ biên bản, nghị quyết", Icons.Filled.Share, a::share)
        CorrectionButton(a)
    } else {
        var asking by remember { mutableStateOf(false) }
        Text("Sau khi ký, biên bản không sửa được nữa.", style = MaterialTheme.typography.bodyLarge)
        PrimaryButton("Ký biên bản", Icons.Filled.Create, { asking = true })
        if (asking) {
            Confirm(
                title = "Ký biên bản?",
                text = "Sau khi ký, biên bản được khóa: không sửa được nữa, chỉ lập được bản đính chính.",
                confirm = "Ký, khóa biên bản",
                dismiss = "Chưa ký",
                onConfirm = { asking = false; a.sign() },
                onDismiss = { asking = false },
            )
        }
    }
    SecondaryButton("Mã xác nhận cho cấp ủy viên", null, a::presenceCode, Modifier.fillMaxWidth())
}
