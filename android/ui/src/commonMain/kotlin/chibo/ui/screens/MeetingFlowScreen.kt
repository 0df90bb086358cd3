package chibo.ui.screens

import chibo.presentation.common.Str
import chibo.presentation.common.str
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
import androidx.compose.material.icons.filled.Settings
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
    fun openAppSettings() {}
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
        title = state.title.ifEmpty { str(Str.sinh_hoat_chi_bo) },
        onBack = actions::back,
        sync = sync,
        onSync = onSync,
        bottomBar = { if (!state.loading) FlowButtons(state, actions) },
    ) {
        if (state.loading) return@ChiboScreen Loading()
        StepperBar(state, actions::goTo)
        Text(str(Str.buoc_tren_7, state.step.number, state.step.title), style = MaterialTheme.typography.headlineSmall)
        Text(state.subtitle, style = MaterialTheme.typography.bodyMedium)
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = actions::dismissError) }
        if (state.askAppSettings) SecondaryButton(str(Str.mo_cai_dat_quyen_cua), Icons.Filled.Settings, actions::openAppSettings, Modifier.fillMaxWidth())
        if (state.signed && state.step != FlowStep.Sign) {
            MessageBox(listOf(str(Str.bien_ban_da_ky_khong)), Tone.Neutral)
            CorrectionButton(actions)
        }
        if (state.step != FlowStep.Sign) MessageBox(state.blockers, Tone.Warning, title = str(Str.can_lam_truoc_khi_sang))
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
                    .semantics { contentDescription = str(Str.buoc_so, step.number, step.title) + if (done) str(Str.dau_phay_da_xong) else "" },
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
                SecondaryButton(str(Str.buoc_truoc), null, actions::previousStep, Modifier.weight(1f))
            }
            if (state.step != FlowStep.Sign) {
                PrimaryButton(str(Str.tiep_theo), Icons.AutoMirrored.Filled.ArrowForward, actions::next, Modifier.weight(1f), enabled = state.blockers.isEmpty())
            }
        }
    }
}

@Composable
private fun ColumnScope.PrepareStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val p = state.prepare
    SectionCard(str(Str.thong_bao_hop)) {
        SwitchRow(str(Str.da_bao_thoi_gian_dia), p.noticeToMembers, a::noticeToMembers)
        SwitchRow(str(Str.da_bao_dong_chi_cap), p.noticeToCadre, a::noticeToCadre)
    }
    SectionCard(str(Str.tai_lieu_gui_dang_vien)) {
        val options = listOf(str(Str.chua_gui) to null, str(Str.truoc_1_ngay) to 1, str(Str.truoc_2_ngay) to 2, str(Str.truoc_3_ngay) to 3)
        ChoiceRow(options.map { it.first }, options.firstOrNull { it.second == p.documentsDaysBefore }?.first ?: str(Str.chua_gui), { label ->
            a.documentsDaysBefore(options.first { it.first == label }.second)
        })
    }
    SectionCard(str(Str.dinh_huong_cua_dang_uy)) {
        if (p.guidance.isEmpty()) Text(str(Str.chua_nhan_duoc_dinh_huong), style = MaterialTheme.typography.bodyLarge)
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
        Text(if (checked) str(Str.co) else str(Str.chua), style = MaterialTheme.typography.labelLarge)
        Spacer(Modifier.width(6.dp))
        Switch(checked = checked, onCheckedChange = onChange)
    }
}

@Composable
private fun ColumnScope.OpenStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val o = state.open
    SectionCard(str(Str.khai_mac)) {
        if (o.startedAt == null) PrimaryButton(str(Str.bat_dau_hop_ngay), Icons.Filled.PlayArrow, a::startNow)
        else LabeledValue(str(Str.bat_dau_luc), o.startedAt!!)
        Box(Modifier.testTag("chair")) {
            PersonPicker(str(Str.nguoi_chu_tri), o.candidates, o.chair, a::chair)
        }
        Box(Modifier.testTag("minuteTaker")) {
            PersonPicker(str(Str.thu_ky_ghi_bien_ban), o.candidates, o.minuteTaker, a::minuteTaker)
        }
    }
    SectionCard(str(Str.khach_moi_dai_bieu_cap, o.guests.size)) {
        o.guests.forEach { g ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Column(Modifier.weight(1f)) {
                    Text(g.name, style = MaterialTheme.typography.titleSmall)
                    Text(g.title + if (g.delegate) str(Str.dai_bieu_cap_tren) else "", style = MaterialTheme.typography.bodySmall)
                }
                TextButton(onClick = { a.removeGuest(g.name) }, modifier = Modifier.heightIn(min = TouchTarget)) { Text(str(Str.bo), style = MaterialTheme.typography.labelLarge) }
            }
        }
        TextInput(str(Str.ho_ten_khach_moi), o.draftGuestName, a::guestName)
        TextInput(str(Str.chuc_vu_khong_bat_buoc), o.draftGuestTitle, a::guestTitle)
        SecondaryButton(str(Str.them_dai_bieu_cap_tren), Icons.Filled.Add, { a.addGuest(true) }, Modifier.fillMaxWidth())
        SecondaryButton(str(Str.them_khach_moi_khac), Icons.Filled.Add, { a.addGuest(false) }, Modifier.fillMaxWidth())
    }
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(str(Str.diem_danh, o.presentSummary), style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
    }
    SecondaryButton(str(Str.ma_xac_nhan_cho_cap), null, a::presenceCode, Modifier.fillMaxWidth())
    if (o.rollCall.any { it.mark == null }) SecondaryButton(str(Str.nhung_nguoi_con_lai_co), Icons.Filled.Done, a::markRestPresent, Modifier.fillMaxWidth())
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
            Choice(str(Str.vang), row.mark == Mark.Excused || row.mark == Mark.Unexcused, { choosing = !choosing }, tone = if (row.mark == Mark.Unexcused) Tone.Problem else Tone.Warning)
            if (row.mark != null && row.mark != Mark.Present) {
                Text(marks[row.mark!!].orEmpty() + (row.reason?.let { ": $it" } ?: ""), style = MaterialTheme.typography.bodyMedium, color = tone.color(), modifier = Modifier.weight(1f))
            }
        }
        if (choosing) {
            Text(str(Str.vang_co_ly_do), style = MaterialTheme.typography.labelLarge)
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
    SectionCard(str(Str.danh_gia_nhiem_vu_thang)) {
        if (b.previousTasks.isEmpty()) Text(str(Str.thang_truoc_khong_giao_nhiem), style = MaterialTheme.typography.bodyLarge)
        b.previousTasks.forEach { t ->
            Text(t.description, style = MaterialTheme.typography.titleSmall)
            Text(str(Str.nguoi_han, t.assignee, t.deadline), style = MaterialTheme.typography.bodySmall)
            ChoiceRow(listOf(str(Str.da_xong), str(Str.lam_mot_phan), str(Str.chua_lam)), t.outcome, { a.review(t.taskId, it) })
            HorizontalDivider()
        }
    }
    SectionCard(str(Str.y_kien_phat_bieu, b.speeches.size)) {
        b.speeches.forEach { s ->
            Text(s.speaker, style = MaterialTheme.typography.titleSmall)
            Text(s.gist, style = MaterialTheme.typography.bodyLarge)
        }
        Text(str(Str.nguoi_phat_bieu), style = MaterialTheme.typography.labelLarge)
        ChoiceRow(b.speakers.map { it.name }, b.speakers.firstOrNull { it.id == b.draftSpeakerId }?.name, { name -> a.speaker(b.speakers.first { it.name == name }.id) })
        TextInput(str(Str.tom_tat_y_kien), b.draftGist, a::gist, minLines = 2)
        PrimaryButton(str(Str.them_y_kien), Icons.Filled.Add, a::addSpeech)
    }
}

@Composable
private fun ColumnScope.ClosingStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val c = state.closing
    SectionCard(str(Str.giao_nhiem_vu_so, c.tasks.size)) {
        c.tasks.forEach { t ->
            Text(t.description, style = MaterialTheme.typography.titleSmall)
            Text(str(Str.nguoi_han, t.assignee, t.deadline), style = MaterialTheme.typography.bodySmall)
        }
        TextInput(str(Str.noi_dung_nhiem_vu), c.draftTask, a::taskText)
        Text(str(Str.nguoi_thuc_hien), style = MaterialTheme.typography.labelLarge)
        Box(Modifier.testTag("closing-assignees")) {
            ChoiceRow(c.assignees.map { it.name }, c.assignees.firstOrNull { it.id == c.draftAssigneeId }?.name, { name -> a.assignee(c.assignees.first { it.name == name }.id) })
        }
        Text(str(Str.thoi_han), style = MaterialTheme.typography.labelLarge)
        ChoiceRow(c.deadlines.map { it.label }, c.deadlines.firstOrNull { it.isoDate == c.draftDeadline }?.label, { label -> a.deadline(c.deadlines.first { it.label == label }.isoDate) })
        PrimaryButton(str(Str.giao_nhiem_vu), Icons.Filled.Add, a::addTask)
    }
    SectionCard(str(Str.bieu_quyet)) {
        c.votes.forEach { v ->
            Text(v.question, style = MaterialTheme.typography.titleSmall)
            ToneLabel(v.tally, Tone.Good)
        }
        TextInput(str(Str.noi_dung_bieu_quyet), c.voteQuestion, a::voteQuestion)
        Text(str(Str.dang_vien_chinh_thuc_co, c.voters), style = MaterialTheme.typography.bodySmall)
        Stepper(str(Str.tan_thanh), c.inFavor, { a.changeVote(-1, 0, 0) }, { a.changeVote(1, 0, 0) })
        Stepper(str(Str.khong_tan_thanh), c.against, { a.changeVote(0, -1, 0) }, { a.changeVote(0, 1, 0) })
        Stepper(str(Str.khong_bieu_quyet), c.abstain, { a.changeVote(0, 0, -1) }, { a.changeVote(0, 0, 1) })
        PrimaryButton(str(Str.ghi_ket_qua_bieu_quyet), Icons.Filled.Done, a::recordVote)
    }
    SectionCard(str(Str.kien_nghi, c.petitions.size)) {
        c.petitions.forEach { p ->
            Text(p.content, style = MaterialTheme.typography.bodyLarge)
            Text("${p.category} · ${p.status}", style = MaterialTheme.typography.bodySmall)
        }
        TextInput(str(Str.noi_dung_kien_nghi), c.draftPetition, a::petitionText)
        ChoiceRow(c.categories, c.draftCategory, a::petitionCategory)
        SecondaryButton(str(Str.ghi_kien_nghi), Icons.Filled.Add, a::raisePetition, Modifier.fillMaxWidth())
    }
    SectionCard(str(Str.chi_bo_tu_cham_diem) + if (c.scoresSaved) str(Str.da_luu) else "") {
        c.scores.forEach { s -> Stepper(s.label, s.value, { a.score(s.key, s.value - 1) }, { a.score(s.key, s.value + 1) }, max = s.max) }
    }
    SectionCard(str(Str.ket_luan_va_ket_thuc)) {
        TextInput(str(Str.ket_luan_cua_chu_tri), c.conclusion, a::conclusion, minLines = 2)
        var asking by remember { mutableStateOf(false) }
        if (c.endedAt == null) PrimaryButton(str(Str.ket_thuc_hop), Icons.Filled.Lock, { asking = true })
        else LabeledValue(str(Str.ket_thuc_luc), c.endedAt!!)
        if (asking) {
            Confirm(
                title = str(Str.ket_thuc_buoi_hop),
                text = str(Str.gio_ket_thuc_duoc_ghi),
                confirm = str(Str.ket_thuc_ngay),
                dismiss = str(Str.chua),
                onConfirm = { asking = false; a.endNow() },
                onDismiss = { asking = false },
            )
        }
    }
}

@Composable
private fun ColumnScope.PhotosStep(state: MeetingFlowState, a: MeetingFlowActions) {
    Text(str(Str.chup_1_3_anh_toan), style = MaterialTheme.typography.bodyLarge)
    PrimaryButton(if (state.photos.busy) str(Str.dang_xu_ly_anh) else str(Str.chup_anh), Icons.Filled.PhotoCamera, a::takePhoto, enabled = !state.photos.busy && !state.signed)
    if (state.photos.photos.isEmpty()) Text(str(Str.chua_co_anh_nao), style = MaterialTheme.typography.bodyLarge)
    state.photos.photos.forEach { ToneLabel(it.label, Tone.Good) }
}

@Composable
private fun ColumnScope.ReviewStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val r = state.review
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
        ToneLabel(str(Str.xep_loai, r.grade), r.gradeTone)
        Text(r.score, style = MaterialTheme.typography.titleMedium)
    }
    if (r.attendance.isNotEmpty()) Text(r.attendance, style = MaterialTheme.typography.bodyLarge)
    MessageBox(r.warnings.map { it.message }, Tone.Warning, title = str(Str.luu_y_theo_quy_dinh))
    SectionCard(str(Str.bien_ban_doc_lai_truoc)) {
        Text(r.minutes, style = MaterialTheme.typography.bodyMedium.copy(fontFamily = MaterialTheme.typography.bodyMedium.fontFamily ?: FontFamily.Default))
    }
    SectionCard(str(Str.thong_qua_bien_ban)) {
        if (r.minutesApproved) {
            ToneLabel(str(Str.chi_bo_da_nghe_doc), Tone.Good)
            if (!state.signed) TextButton(onClick = { a.approveMinutes(false) }, modifier = Modifier.heightIn(min = TouchTarget)) { Text(str(Str.chua_thong_qua), style = MaterialTheme.typography.labelLarge) }
        } else {
            Text(str(Str.thu_ky_doc_lai_bien), style = MaterialTheme.typography.bodyLarge)
            PrimaryButton(str(Str.da_doc_lai_chi_bo), Icons.Filled.Done, { a.approveMinutes(true) }, enabled = !state.signed)
        }
    }
}

/** "Lập bản đính chính", asked once more: it makes a new revision of the signed minutes. */
@Composable
private fun CorrectionButton(a: MeetingFlowActions) {
    var asking by remember { mutableStateOf(false) }
    SecondaryButton(str(Str.lap_ban_dinh_chinh), Icons.Filled.EditNote, { asking = true }, Modifier.fillMaxWidth())
    if (asking) {
        Confirm(
            title = str(Str.hoi_lap_ban_dinh_chinh),
            text = str(Str.bien_ban_da_ky_duoc),
            confirm = str(Str.lap_ban_dinh_chinh),
            dismiss = str(Str.khong),
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
    Choice(chosen?.name ?: str(Str.chon), selected = chosen != null, onClick = { open = !open })
    if (open) {
        if (candidates.size > 6) TextInput(str(Str.tim_theo_ten), query, { query = it })
        val shown = candidates.filter { query.isBlank() || foldForSearch(it.name).contains(foldForSearch(query)) }
        Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
            shown.forEach { person ->
                Choice(person.name, person.id == chosen?.id, { onPick(person.id); open = false; query = "" })
            }
            if (shown.isEmpty()) Text(str(Str.khong_co_ai_ten_nhu), style = MaterialTheme.typography.bodyMedium)
        }
    }
}

/** Lower case without tone marks, so "hung" finds "Hùng" and "Đ" is "d". */
private fun foldForSearch(text: String): String =
    java.text.Normalizer.normalize(text.lowercase().replace('đ', 'd'), java.text.Normalizer.Form.NFD).replace(Regex("\\p{M}+"), "")

@Composable
private fun ColumnScope.SignStep(state: MeetingFlowState, a: MeetingFlowActions) {
    val s = state.sign
    SectionCard(str(Str.nguoi_ky_bien_ban)) {
        LabeledValue(str(Str.chu_tri), s.chair)
        LabeledValue(str(Str.thu_ky), s.minuteTaker)
    }
    if (state.signed) {
        MessageBox(listOf(str(Str.bien_ban_da_ky_luc, s.signedAt)), Tone.Good)
        PrimaryButton(str(Str.chia_se_bien_ban_nghi), Icons.Filled.Share, a::share)
        CorrectionButton(a)
    } else {
        var asking by remember { mutableStateOf(false) }
        Text(str(Str.sau_khi_ky_khong_sua), style = MaterialTheme.typography.bodyLarge)
        PrimaryButton(str(Str.ky_bien_ban), Icons.Filled.Create, { asking = true })
        if (asking) {
            Confirm(
                title = str(Str.hoi_ky_bien_ban),
                text = str(Str.sau_khi_ky_bien_ban),
                confirm = str(Str.ky_khoa_bien_ban),
                dismiss = str(Str.chua_ky),
                onConfirm = { asking = false; a.sign() },
                onDismiss = { asking = false },
            )
        }
    }
    SecondaryButton(str(Str.ma_xac_nhan_cho_cap), null, a::presenceCode, Modifier.fillMaxWidth())
}
