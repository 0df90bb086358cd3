package chibo.presentation.meeting

import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.api.Camera
import chibo.presentation.api.CellCore
import chibo.presentation.api.Clock
import chibo.presentation.api.GuidanceCore
import chibo.presentation.api.Labels
import chibo.presentation.api.MeetingCore
import chibo.presentation.api.TextDrafts
import chibo.presentation.common.StateHolder
import chibo.presentation.common.Tone
import chibo.presentation.common.localDate
import chibo.presentation.common.tone
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.JudgedPart
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.MeetingAssessment
import uniffi.chibo_domain.MeetingRecord
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.Speaker
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind

/**
 * The secretary's meeting flow. Every tap is written through the core at once and the
 * state is rebuilt from the core's record, so the same code restores the flow after the
 * process was killed: [load] reads the record and opens the first step still missing
 * something. Text typed but not yet added (a speech, a task) lives in [drafts].
 */
class MeetingFlowStateHolder(
    private val meetings: MeetingCore,
    private val cells: CellCore,
    private val guidance: GuidanceCore?,
    private val camera: Camera,
    private val clock: Clock,
    private val drafts: TextDrafts,
    scope: CoroutineScope,
    work: CoroutineDispatcher,
    private val settings: chibo.presentation.api.SystemSettings? = null,
) : StateHolder<MeetingFlowState>(MeetingFlowState(), scope, work), Labels by meetings {

    private var record: MeetingRecord? = null
    private var members: List<Member> = emptyList()
    private var previous: List<Task> = emptyList()
    private var assessment: MeetingAssessment? = null
    private var minutes: String = ""

    private fun draftKey(field: String) = "meeting:${current.meetingId}:$field"

    fun load(meetingId: String) = work {
        val rec = meetings.record(meetingId)
        members = cells.members(rec.meeting.cellId)
        previous = meetings.previousTasks(meetingId)
        record = rec
        val cell = cells.cell(rec.meeting.cellId)
        val guidanceLines = guidance?.let { g ->
            runCatching { g.guidance(rec.meeting.cellId) }.getOrDefault(emptyList())
                .filter { it.period.startsWith(localDate(rec.meeting.plannedStart).toString().take(7)) || it.period.contains("Q") }
                .map { it.title }
        }.orEmpty()
        update {
            it.copy(
                meetingId = meetingId,
                title = cell.name,
                subtitle = "${rec.meeting.kind.label()} · ${monthLabel(rec.meeting.plannedStart)}",
                prepare = it.prepare.copy(guidance = guidanceLines),
            )
        }
        rebuild(restoreStep = true)
    }

    // ------------------------------------------------------------------ navigation

    fun next() {
        val s = current
        if (s.blockers.isNotEmpty() || s.step == FlowStep.Sign) return
        commitTextDrafts()
        moveTo(FlowStep.entries[s.step.ordinal + 1])
    }

    fun back(): Boolean {
        val s = current
        if (s.step == FlowStep.Prepare) return false
        commitTextDrafts()
        moveTo(FlowStep.entries[s.step.ordinal - 1])
        return true
    }

    /** Jumps to a step from the stepper bar: back always, forward only past complete steps. */
    fun goTo(step: FlowStep) {
        if (step.ordinal > current.step.ordinal) {
            val rec = record ?: return
            val blocked = FlowStep.entries.take(step.ordinal).firstOrNull { blockersOf(it, rec).isNotEmpty() }
            if (blocked != null) return
        }
        commitTextDrafts()
        moveTo(step)
    }

    private fun moveTo(step: FlowStep) = work {
        if (step == FlowStep.Review || step == FlowStep.Sign) refreshAssessment()
        drafts.put(draftKey("step"), step.name)
        update { it.copy(step = step) }
        rebuild(restoreStep = false)
    }

    fun dismissError() = update { it.copy(error = null, askAppSettings = false) }

    override fun permissionDenied(e: chibo.presentation.api.PermissionDenied): Boolean {
        update { it.copy(error = e.message, askAppSettings = true) }
        return true
    }

    /** The way forward after the camera was refused: this app's page in the system settings. */
    fun openAppSettings() {
        update { it.copy(error = null, askAppSettings = false) }
        settings?.openAppSettings()
    }

    // ------------------------------------------------------------------ 1 prepare

    fun setNoticeToMembers(sent: Boolean) = editMeeting { m -> m.copy(preparation = m.preparation.copy(noticeSentToMembers = sent)) }
    fun setNoticeToCadre(sent: Boolean) = editMeeting { m -> m.copy(preparation = m.preparation.copy(noticeSentToCadre = sent)) }

    /** Documents reached the members [days] before the start; null: not sent. */
    fun setDocumentsDaysBefore(days: Int?) = editMeeting { m ->
        m.copy(preparation = m.preparation.copy(documentsSentAt = days?.let { m.plannedStart - it * DAY_MS }))
    }

    // ------------------------------------------------------------------ 2 open

    /** Records the start now, sets the standard agenda and marks who is not expected. */
    fun startNow() = work {
        val rec = requireRecord()
        meetings.updateMeeting(rec.meeting.copy(actualStart = clock.now()))
        if (rec.agenda.isEmpty()) meetings.setStandardAgenda(rec.meeting.id, rec.meeting.kind)
        for (member in members) {
            if (rec.rollCall.any { it.memberId == member.id }) continue
            when (member.status) {
                MemberStatus.EXEMPT -> meetings.markAttendance(rec.meeting.id, member.id, Attendance.EXEMPT, member.statusReason)
                MemberStatus.ATTACHED_ELSEWHERE -> meetings.markAttendance(rec.meeting.id, member.id, Attendance.ATTACHED_ELSEWHERE, member.statusReason)
                else -> {}
            }
        }
        reload()
    }

    fun editGuestName(text: String) = update { it.copy(open = it.open.copy(draftGuestName = text)) }
    fun editGuestTitle(text: String) = update { it.copy(open = it.open.copy(draftGuestTitle = text)) }

    /** Adds a guest; [delegate] marks the upper-level committee's delegate. */
    fun addGuest(delegate: Boolean) = work {
        val o = current.open
        if (o.draftGuestName.isBlank()) return@work fail(str(Str.ghi_ho_ten_khach_moi))
        val title = o.draftGuestTitle.trim().ifEmpty { if (delegate) str(Str.dang_uy_vien_phu_trach) else str(Str.khach_moi) }
        val guest = uniffi.chibo_domain.Guest(o.draftGuestName.trim(), title, delegate)
        val meeting = requireRecord().meeting
        meetings.updateMeeting(meeting.copy(guests = meeting.guests + guest))
        update { it.copy(open = it.open.copy(draftGuestName = "", draftGuestTitle = "")) }
        reload()
    }

    fun removeGuest(name: String) = editMeeting { m -> m.copy(guests = m.guests.filterNot { it.name == name }) }

    fun chooseChair(memberId: String) = editMeeting { it.copy(chairId = memberId) }
    fun chooseMinuteTaker(memberId: String) = editMeeting { it.copy(minuteTakerId = memberId) }

    /** One tap per member; an excused absence takes a reason from [EXCUSE_REASONS]. */
    fun mark(memberId: String, mark: Mark, reason: String? = null) = work {
        meetings.markAttendance(current.meetingId, memberId, mark.attendance, if (mark == Mark.Excused) reason else null)
        reload()
    }

    /** Marks everyone not yet marked as present: the usual case, in one tap. */
    fun markRestPresent() = work {
        val rec = requireRecord()
        for (member in members) {
            if (rec.rollCall.none { it.memberId == member.id }) {
                meetings.markAttendance(rec.meeting.id, member.id, Attendance.PRESENT, null)
            }
        }
        reload()
    }

    // ------------------------------------------------------------------ 3 body

    fun chooseSpeaker(memberId: String) {
        drafts.put(draftKey("speaker"), memberId)
        update { it.copy(body = it.body.copy(draftSpeakerId = memberId)) }
    }

    fun editGist(text: String) {
        drafts.put(draftKey("gist"), text)
        update { it.copy(body = it.body.copy(draftGist = text)) }
    }

    fun addSpeech() = work {
        val body = current.body
        val speakerId = body.draftSpeakerId ?: return@work fail(str(Str.chon_nguoi_phat_bieu))
        if (body.draftGist.isBlank()) return@work fail(str(Str.ghi_tom_tat_y_kien))
        val speaker = if (speakerId.startsWith(GUEST_PREFIX)) Speaker.Guest(speakerId.removePrefix(GUEST_PREFIX)) else Speaker.Member(speakerId)
        meetings.addSpeech(current.meetingId, speaker, body.draftGist.trim())
        drafts.put(draftKey("gist"), "")
        drafts.put(draftKey("speaker"), "")
        update { it.copy(body = it.body.copy(draftGist = "", draftSpeakerId = null)) }
        reload()
    }

    fun reviewTask(taskId: String, outcome: TaskOutcome) = work {
        meetings.reviewTask(current.meetingId, taskId, outcome)
        reload()
    }

    // ------------------------------------------------------------------ 4 closing

    fun editTask(text: String) {
        drafts.put(draftKey("task"), text)
        update { it.copy(closing = it.closing.copy(draftTask = text)) }
    }

    fun chooseAssignee(memberId: String) {
        drafts.put(draftKey("assignee"), memberId)
        update { it.copy(closing = it.closing.copy(draftAssigneeId = memberId)) }
    }

    fun chooseDeadline(isoDate: String) {
        drafts.put(draftKey("deadline"), isoDate)
        update { it.copy(closing = it.closing.copy(draftDeadline = isoDate)) }
    }

    fun addTask() = work {
        val c = current.closing
        if (c.draftTask.isBlank()) return@work fail(str(Str.ghi_noi_dung_nhiem_vu))
        val assignee = c.draftAssigneeId ?: return@work fail(str(Str.chon_nguoi_thuc_hien))
        val deadline = c.draftDeadline ?: return@work fail(str(Str.chon_thoi_han))
        meetings.addTask(current.meetingId, c.draftTask.trim(), assignee, deadline)
        listOf("task", "assignee", "deadline").forEach { drafts.put(draftKey(it), "") }
        update { it.copy(closing = it.closing.copy(draftTask = "", draftAssigneeId = null, draftDeadline = null)) }
        reload()
    }

    fun editVoteQuestion(text: String) = update { it.copy(closing = it.closing.copy(voteQuestion = text)) }

    /** The tally by taps: +1 / -1 on each count, never below 0. */
    fun changeVote(inFavor: Int = 0, against: Int = 0, abstain: Int = 0) = update {
        val c = it.closing
        it.copy(
            closing = c.copy(
                inFavor = (c.inFavor + inFavor).coerceAtLeast(0),
                against = (c.against + against).coerceAtLeast(0),
                abstain = (c.abstain + abstain).coerceAtLeast(0),
            ),
        )
    }

    fun recordVote() = work {
        val c = current.closing
        if (c.voteQuestion.isBlank()) return@work fail(str(Str.ghi_noi_dung_bieu_quyet))
        meetings.recordVote(current.meetingId, c.voteQuestion.trim(), VoteKind.ORDINARY, c.inFavor, c.against, c.abstain)
        reload()
    }

    fun editPetition(text: String) {
        drafts.put(draftKey("petition"), text)
        update { it.copy(closing = it.closing.copy(draftPetition = text)) }
    }

    fun choosePetitionCategory(label: String) = update { it.copy(closing = it.closing.copy(draftCategory = label)) }

    fun raisePetition() = work {
        val c = current.closing
        if (c.draftPetition.isBlank()) return@work fail(str(Str.ghi_noi_dung_kien_nghi))
        val category = PetitionCategory.entries.firstOrNull { it.label() == c.draftCategory } ?: PetitionCategory.OTHER
        meetings.raisePetition(current.meetingId, c.draftPetition.trim(), category, meetings.raisedByThePeople(current.title))
        drafts.put(draftKey("petition"), "")
        update { it.copy(closing = it.closing.copy(draftPetition = "", draftCategory = null)) }
        reload()
    }

    /** Sets one judged criterion of the self-score (its key: a [JudgedPart] name); written through at once. */
    fun setScore(key: String, value: Int) = work {
        val rec = requireRecord()
        val part = JudgedPart.valueOf(key)
        val max = judgedItems().first { it.part == part }.max.toInt()
        val scores = rec.meeting.secretaryJudgement ?: NO_SCORES
        meetings.setSecretaryScore(rec.meeting.id, scores.withPoints(part, value.coerceIn(0, max)))
        reload()
    }

    fun editConclusion(text: String) {
        drafts.put(draftKey("conclusion"), text)
        update { it.copy(closing = it.closing.copy(conclusion = text)) }
    }

    /** Ends the meeting now. The minutes are not approved yet: that is read back at step 6. */
    fun endNow() = work {
        commitConclusion()
        meetings.updateMeeting(requireRecord().meeting.copy(actualEnd = clock.now()))
        reload()
    }

    /** The minute-taker has read the minutes back and the cell adopted them (step 6). */
    fun approveMinutes(approved: Boolean) = editMeeting { it.copy(minutesApproved = approved) }

    /**
     * A signed meeting is never edited in place: this makes its correction, a new linked
     * revision, and asks the screen to open it.
     */
    fun startCorrection() = work {
        val correction = meetings.startCorrection(current.meetingId)
        update { it.copy(openCorrection = correction.id) }
    }

    fun correctionOpened() = update { it.copy(openCorrection = null) }

    // ------------------------------------------------------------------ 5 photos

    fun takePhoto() = work {
        update { it.copy(photos = it.photos.copy(busy = true)) }
        try {
            val file = camera.capture() ?: return@work
            meetings.attachPhoto(current.meetingId, file)
        } finally {
            update { it.copy(photos = it.photos.copy(busy = false)) }
        }
        reload()
    }

    // ------------------------------------------------------------------ 7 sign

    fun sign() = work {
        commitConclusion()
        meetings.sign(current.meetingId)
        reload()
        update { it.copy(step = FlowStep.Sign) }
    }

    // ------------------------------------------------------------------ internals

    private fun work(block: suspend () -> Unit) = launchWork(::fail) { block() }

    private fun fail(message: String) = update { it.copy(error = message) }

    private fun requireRecord(): MeetingRecord = record ?: error(str(Str.chua_mo_buoi_hop))

    private fun editMeeting(change: (uniffi.chibo_domain.Meeting) -> uniffi.chibo_domain.Meeting) = work {
        meetings.updateMeeting(change(requireRecord().meeting))
        reload()
    }

    private fun commitTextDrafts() = work { commitConclusion() }

    private fun commitConclusion() {
        val rec = record ?: return
        val typed = drafts.get(draftKey("conclusion"))
        if (typed.isNotBlank() && typed != rec.meeting.conclusion && rec.meeting.status != MeetingStatus.SIGNED) {
            meetings.updateMeeting(rec.meeting.copy(conclusion = typed))
            drafts.put(draftKey("conclusion"), "")
            record = meetings.record(rec.meeting.id)
        }
    }

    private fun reload() {
        record = meetings.record(current.meetingId)
        if (current.step.ordinal >= FlowStep.Review.ordinal) refreshAssessment()
        rebuild(restoreStep = false)
    }

    private fun refreshAssessment() {
        assessment = meetings.assess(current.meetingId)
        minutes = meetings.minutesText(current.meetingId)
    }

    private fun rebuild(restoreStep: Boolean) {
        val rec = record ?: return
        val photos = meetings.photos(rec.meeting.id)
        val step = if (restoreStep) restoredStep(rec, photos.isNotEmpty()) else current.step
        if (restoreStep && step.ordinal >= FlowStep.Review.ordinal) refreshAssessment()
        val byId = members.associateBy { it.id }
        fun name(id: String?) = id?.let { byId[it]?.fullName }
        val present = rec.rollCall.filter { it.attendance == Attendance.PRESENT || it.attendance == Attendance.LATE }
            .mapNotNull { byId[it.memberId] }
        val guestSpeakers = rec.meeting.guests.map { PersonChoice(GUEST_PREFIX + it.name, it.name, it.title) }
        val everyone = members.map { PersonChoice(it.id, it.fullName, it.role.title()) }
        val meeting = rec.meeting
        val expectedRows = members.map { member -> rollCallRow(member, rec) }
        val expectedCount = expectedRows.count { it.expected }
        val presentCount = expectedRows.count { it.expected && (it.mark == Mark.Present || it.mark == Mark.Late) }
        val voters = meetings.votersPresent(members, rec.rollCall)
        val scores = meeting.secretaryJudgement
        val a = assessment
        update { s ->
            s.copy(
                loading = false,
                step = step,
                signed = meeting.status == MeetingStatus.SIGNED,
                prepare = s.prepare.copy(
                    noticeToMembers = meeting.preparation.noticeSentToMembers,
                    noticeToCadre = meeting.preparation.noticeSentToCadre,
                    documentsDaysBefore = meeting.preparation.documentsSentAt?.let { ((meeting.plannedStart - it) / DAY_MS).toInt() },
                ),
                open = s.open.copy(
                    startedAt = meeting.actualStart?.let(::timeAndDate),
                    guests = meeting.guests.map { GuestUi(it.name, it.title, it.upperLevel) },
                    chair = meeting.chairId?.let { id -> everyone.firstOrNull { it.id == id } },
                    minuteTaker = meeting.minuteTakerId?.let { id -> everyone.firstOrNull { it.id == id } },
                    candidates = everyone,
                    rollCall = expectedRows,
                    presentSummary = str(Str.co_mat, presentCount, expectedCount),
                    marks = Mark.entries.associateWith { it.attendance.label() },
                ),
                body = s.body.copy(
                    speakers = present.map { PersonChoice(it.id, it.fullName, it.role.title()) } + guestSpeakers,
                    speeches = rec.speeches.map { sp ->
                        val who = when (val speaker = sp.speaker) {
                            is Speaker.Member -> name(speaker.memberId) ?: "?"
                            is Speaker.Guest -> speaker.name
                        }
                        SpeechUi(sp.id, who, sp.gist)
                    },
                    draftSpeakerId = drafts.get(draftKey("speaker")).ifBlank { null },
                    draftGist = drafts.get(draftKey("gist")),
                    previousTasks = previous.map { t ->
                        ReviewRow(
                            t.id, t.description, name(t.assigneeId) ?: "?", isoDateLabel(t.deadline),
                            rec.taskReviews.lastOrNull { it.taskId == t.id }?.outcome?.label(),
                        )
                    },
                ),
                closing = s.closing.copy(
                    tasks = rec.tasks.map { TaskUi(it.id, it.description, name(it.assigneeId) ?: "?", isoDateLabel(it.deadline)) },
                    draftTask = drafts.get(draftKey("task")),
                    draftAssigneeId = drafts.get(draftKey("assignee")).ifBlank { null },
                    draftDeadline = drafts.get(draftKey("deadline")).ifBlank { null },
                    assignees = present.map { PersonChoice(it.id, it.fullName, it.role.title()) },
                    deadlines = deadlineChoices(meeting.actualStart ?: meeting.plannedStart),
                    votes = rec.votes.map { VoteUi(it.id, it.question, str(Str.tan_thanh_khong_tan_thanh, it.inFavor, it.against, it.abstain)) },
                    voteQuestion = s.closing.voteQuestion.ifBlank { str(Str.thong_qua_nghi_quyet, monthLabel(meeting.plannedStart).lowercase()) },
                    inFavor = if (s.closing.voters == 0 && s.closing.inFavor == 0) voters else s.closing.inFavor,
                    voters = voters,
                    petitions = rec.petitions.map { PetitionUi(it.id, it.content, it.category.label(), it.raisedBy, it.status.label()) },
                    draftPetition = drafts.get(draftKey("petition")),
                    categories = PetitionCategory.entries.map { it.label() },
                    scores = scoreItems(scores),
                    scoresSaved = scores != null,
                    conclusion = drafts.get(draftKey("conclusion")).ifBlank { meeting.conclusion.orEmpty() },
                    endedAt = meeting.actualEnd?.let(::timeOf),
                ),
                photos = s.photos.copy(
                    photos = photos.mapIndexed { i, p -> PhotoUi(p.sha256, str(Str.anh_so_kich_thuoc, i + 1, p.width, p.height, bytesLabel(p.byteSize.toLong()))) },
                ),
                review = if (a == null) s.review.copy(minutesApproved = meeting.minutesApproved) else ReviewUi(
                    minutesApproved = meeting.minutesApproved,
                    minutes = minutes,
                    warnings = a.warnings.map { WarningUi(it.message) } +
                        (if (photos.isEmpty()) listOf(WarningUi(str(Str.chua_co_anh_buoi_hop), Tone.Neutral)) else emptyList()),
                    score = str(Str.t_100_diem, a.quality.total),
                    grade = a.quality.grade.label(),
                    gradeTone = a.quality.grade.tone(),
                    attendance = a.attendance.ratePercent?.let { str(Str.ty_le_du_hop, percent(it)) } ?: "",
                ),
                sign = SignUi(
                    chair = name(meeting.chairId) ?: str(Str.chua_chon),
                    minuteTaker = name(meeting.minuteTakerId) ?: str(Str.chua_chon),
                    signedAt = meeting.signature?.signedAt?.let(::timeAndDate),
                ),
                blockers = blockersOf(step, rec),
                completed = FlowStep.entries.filter { it.ordinal < FlowStep.Sign.ordinal && blockersOf(it, rec).isEmpty() && it.ordinal < step.ordinal }.toSet(),
            )
        }
    }

    /** Deadlines as choices: two weeks, one month, the end of next month. */
    private fun deadlineChoices(from: Long): List<DeadlineChoice> {
        val day = localDate(from)
        val endOfNext = day.plusMonths(1).withDayOfMonth(day.plusMonths(1).lengthOfMonth())
        return listOf(
            DeadlineChoice(str(Str.t_2_tuan, isoDateLabel(day.plusWeeks(2).toString())), day.plusWeeks(2).toString()),
            DeadlineChoice(str(Str.t_1_thang, isoDateLabel(day.plusMonths(1).toString())), day.plusMonths(1).toString()),
            DeadlineChoice(str(Str.cuoi_thang_sau, isoDateLabel(endOfNext.toString())), endOfNext.toString()),
        )
    }

    /** A member's role beside their name; none for a plain member. */
    private fun MemberRole.title(): String? = takeIf { it != MemberRole.MEMBER }?.label()

    private fun rollCallRow(member: Member, rec: MeetingRecord): RollCallRow {
        val entry = rec.rollCall.firstOrNull { it.memberId == member.id }
        val mark = Mark.entries.firstOrNull { it.attendance == entry?.attendance }
        val detail = listOfNotNull(member.role.title(), member.membership.label(), member.status.takeIf { it != MemberStatus.ACTIVE }?.label())
            .joinToString(" · ")
        val expected = member.status == MemberStatus.ACTIVE || member.status == MemberStatus.WORKING_AWAY
        return RollCallRow(member.id, member.fullName, detail, mark, entry?.reason, expected)
    }

    /** What keeps [step] from being complete, in the secretary's words. */
    private fun blockersOf(step: FlowStep, rec: MeetingRecord): List<String> {
        val m = rec.meeting
        return when (step) {
            FlowStep.Open -> buildList {
                if (m.actualStart == null) add(str(Str.chua_bam_gio_bat_dau))
                if (m.chairId == null) add(str(Str.chua_chon_nguoi_chu_tri))
                if (m.minuteTakerId == null) add(str(Str.chua_chon_thu_ky))
                val unmarked = members.count { mem -> rec.rollCall.none { it.memberId == mem.id } }
                if (unmarked > 0) add(str(Str.con_dang_vien_chua_diem, unmarked))
                rec.rollCall.filter { it.attendance == Attendance.ABSENT_EXCUSED && it.reason.isNullOrBlank() }.forEach { e ->
                    add(str(Str.chua_chon_ly_do_vang, members.firstOrNull { it.id == e.memberId }?.fullName ?: "?"))
                }
            }
            FlowStep.Body -> {
                val open = previous.count { t -> rec.taskReviews.none { it.taskId == t.id } }
                if (open > 0) listOf(str(Str.con_nhiem_vu_thang_truoc, open)) else emptyList()
            }
            FlowStep.Closing -> buildList {
                if (rec.tasks.isEmpty()) add(str(Str.chua_giao_nhiem_vu_nao))
                if (rec.votes.isEmpty()) add(str(Str.chua_ghi_ket_qua_bieu))
                if (m.secretaryJudgement == null) add(str(Str.chua_tu_cham_diem))
                if (m.actualEnd == null) add(str(Str.chua_bam_gio_ket_thuc))
            }
            FlowStep.Review -> if (m.minutesApproved || m.status == MeetingStatus.SIGNED) emptyList() else listOf(str(Str.chua_doc_lai_va_thong))
            FlowStep.Sign -> if (m.status == MeetingStatus.SIGNED) emptyList() else listOf(str(Str.chua_ky_bien_ban))
            else -> emptyList()
        }
    }

    /**
     * Where a reopened flow starts: the step the secretary was on (kept with the drafts),
     * unless an earlier step is missing something; without that, the first step missing
     * something.
     */
    private fun restoredStep(rec: MeetingRecord, hasPhotos: Boolean): FlowStep {
        if (rec.meeting.status == MeetingStatus.SIGNED) return FlowStep.Sign
        val firstOpen = listOf(FlowStep.Open, FlowStep.Body, FlowStep.Closing).firstOrNull { blockersOf(it, rec).isNotEmpty() }
        val saved = FlowStep.entries.firstOrNull { it.name == drafts.get(draftKey("step")) }
        if (saved != null) return if (firstOpen != null && firstOpen < saved) firstOpen else saved
        if (rec.meeting.actualStart == null && rec.rollCall.isEmpty()) return FlowStep.Prepare
        return firstOpen ?: if (hasPhotos) FlowStep.Review else FlowStep.Photos
    }

    companion object {
        const val DAY_MS = 24 * 60 * 60 * 1000L
        const val GUEST_PREFIX = "guest:"
    }
}

/** No judged marks yet: every part at 0. */
val NO_SCORES = JudgedScores(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u)

/** The 13 judged parts of Guideline 42's score as steppers, in the core's words, with [scores]' marks (none: 0). Keys are [JudgedPart] names. */
fun Labels.scoreItems(scores: JudgedScores?): List<ScoreItem> =
    judgedItems().map { ScoreItem(it.part.name, it.label, scores?.points(it.part) ?: 0, it.max.toInt()) }
