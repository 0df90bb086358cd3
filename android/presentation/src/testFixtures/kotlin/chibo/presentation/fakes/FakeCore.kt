package chibo.presentation.fakes

import chibo.presentation.api.CellCore
import chibo.presentation.api.CoreException
import chibo.presentation.api.GuidanceCore
import chibo.presentation.api.Labels
import chibo.presentation.impl.BindingsLabels
import chibo.presentation.api.MeetingCore
import chibo.presentation.api.PetitionThread
import chibo.presentation.api.PetitionsCore
import chibo.presentation.api.VisitsCore
import uniffi.chibo_core.AssignedCell
import uniffi.chibo_core.CadreOverview
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_core.CheckInRow
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.HomeSummary
import uniffi.chibo_core.MeetingSummary
import uniffi.chibo_core.OpenTask
import uniffi.chibo_core.PhotoInfo
import uniffi.chibo_core.StatusCount
import uniffi.chibo_domain.AgendaItem
import uniffi.chibo_domain.AgendaSection
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.AttendanceSummary
import uniffi.chibo_domain.CadreCompliance
import uniffi.chibo_domain.CellCompliance
import uniffi.chibo_domain.CellViability
import uniffi.chibo_domain.CheckIn
import uniffi.chibo_domain.ComplianceTotals
import uniffi.chibo_domain.GoodMeetingCheck
import uniffi.chibo_domain.Guidance
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.Meeting
import uniffi.chibo_domain.MeetingAssessment
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingRecord
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.Observation
import uniffi.chibo_domain.Petition
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionResponse
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.PhotoAttachment
import uniffi.chibo_domain.Preparation
import uniffi.chibo_domain.PresenceCode
import uniffi.chibo_domain.QualityGrade
import uniffi.chibo_domain.QualityScore
import uniffi.chibo_domain.RollCallEntry
import uniffi.chibo_domain.Signature
import uniffi.chibo_domain.Speaker
import uniffi.chibo_domain.Speech
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.TaskReview
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictReason
import uniffi.chibo_domain.VerdictStatus
import uniffi.chibo_domain.VoteKind
import uniffi.chibo_domain.VoteTally
import uniffi.chibo_domain.Warning
import uniffi.chibo_domain.Cell
import uniffi.chibo_domain.RuleSettings
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.nextMeetingStartFrom
import uniffi.chibo_domain.fixQuality as coreFixQuality
import uniffi.chibo_domain.petitionIsOpen as corePetitionIsOpen
import uniffi.chibo_domain.raisedByThePeople as coreRaisedByThePeople
import uniffi.chibo_domain.votersPresent as coreVotersPresent

/**
 * An in-memory core for the state holders' tests and the screenshots: it keeps records the
 * way the real one does (a signed meeting is frozen, unknown ids are not found), but judges
 * nothing: warnings, score and verdicts are whatever the test sets. Its words and formats
 * are the real core's ([BindingsLabels], through JNA), never a copy.
 */
class FakeCore(val demo: DemoCell = DemoCell(), private val now: () -> Long = { vn(2026, 11, 24, 21, 0) }) :
    CellCore, MeetingCore, VisitsCore, PetitionsCore, GuidanceCore, Labels by BindingsLabels {

    val records = linkedMapOf<String, MeetingRecord>()
    val photosByMeeting = mutableMapOf<String, MutableList<PhotoAttachment>>()
    val previous = mutableMapOf<String, List<Task>>()
    var warnings: List<Warning> = emptyList()
    var quality = 82u
    var grade = QualityGrade.FAIR
    var pendingChanges = 0L
    var failNextWrite: String? = null
    val responses = mutableListOf<PetitionResponse>()
    val guidanceItems = mutableListOf<Guidance>()
    val checkIns = mutableListOf<CheckInRow>()
    var verdictFor: (CheckInRequest) -> Verdict = { Verdict(VerdictStatus.PROVISIONAL, emptyList(), listOf(VerdictReason(uniffi.chibo_domain.VerdictCode.PRESENCE_CODE_UNCHECKED, "Máy chủ sẽ kiểm tra mã xác nhận")), now()) }
    val observations = mutableListOf<Observation>()
    val lastCheckInRequests = mutableListOf<CheckInRequest>()

    private fun write() {
        failNextWrite?.let { failNextWrite = null; throw CoreException(it, CoreException.Kind.Storage) }
        pendingChanges++
    }

    private fun rec(id: String) = records[id] ?: throw CoreException("Không tìm thấy buổi họp", CoreException.Kind.NotFound)

    private fun edit(id: String, change: (MeetingRecord) -> MeetingRecord) {
        val r = rec(id)
        if (r.meeting.status == MeetingStatus.SIGNED) throw CoreException("Biên bản đã ký, không sửa được. Hãy lập bản đính chính.", CoreException.Kind.Frozen)
        write()
        val next = change(r)
        val status = when {
            next.meeting.actualStart == null && next.rollCall.isEmpty() -> MeetingStatus.PLANNED
            next.meeting.actualEnd == null -> MeetingStatus.IN_PROGRESS
            else -> MeetingStatus.RECORDED
        }
        records[id] = next.copy(meeting = next.meeting.copy(status = status))
    }

    // CellCore
    override fun cell(cellId: String) = demo.cell.takeIf { it.id == cellId } ?: throw CoreException("Không tìm thấy chi bộ", CoreException.Kind.NotFound)
    override fun members(cellId: String) = demo.all.filter { it.cellId == cellId }
    /** The core's own rule, not a copy. */
    override fun nextMeetingStart(cell: Cell, now: Long): Long = nextMeetingStartFrom(cell, now)
    /** What the office set for the commune, as the test wants it. */
    var communeRules = RuleSettings(9u, 60u)
    override fun ruleSettings(communeId: String) = communeRules
    override fun home(cellId: String): HomeSummary {
        val next = records.values.map { it.meeting }.filter { it.status != MeetingStatus.SIGNED && it.status != MeetingStatus.RECORDED }.minByOrNull { it.plannedStart }
        val last = history(cellId).filter { it.status == MeetingStatus.SIGNED || it.status == MeetingStatus.RECORDED }.maxByOrNull { it.plannedStart }
        val open = last?.let { s -> rec(s.meetingId).tasks.map { OpenTask(it, demo.all.first { m -> m.id == it.assigneeId }.fullName, s.meetingId, it.deadline < "2026-11-24") } }.orEmpty()
        return HomeSummary(
            cell(cellId), next, last, if (last != null) warnings else emptyList(), open,
            MemberStatus.entries.map { st -> StatusCount(st, demo.all.count { it.status == st }.toUInt()) },
            CellViability(11u, 12u, true, true, emptyList()), pendingChanges.toULong(),
        )
    }
    override fun history(cellId: String) = records.values.map { r ->
        val present = r.rollCall.count { it.attendance == Attendance.PRESENT || it.attendance == Attendance.LATE }.toUInt()
        val expected = r.rollCall.count { it.attendance.let { a -> a != Attendance.EXEMPT && a != Attendance.ATTACHED_ELSEWHERE } }.toUInt()
        val held = r.meeting.status == MeetingStatus.SIGNED || r.meeting.status == MeetingStatus.RECORDED
        MeetingSummary(
            r.meeting.id, r.meeting.kind, r.meeting.status, r.meeting.revision, r.meeting.plannedStart, r.meeting.actualStart,
            r.meeting.actualStart?.let { s -> r.meeting.actualEnd?.let { (it - s) / 60_000 } }, present, expected,
            if (expected > 0u) present.toDouble() * 100 / expected.toDouble() else null, if (held) quality else null, if (held) grade else null,
        )
    }.sortedByDescending { it.plannedStart }

    // MeetingCore
    override fun plan(cellId: String, kind: MeetingKind, start: Long, place: String): Meeting {
        write()
        val m = Meeting(fakeId(), cellId, kind, MeetingStatus.PLANNED, 1u, null, start, place, null, null, null, null, emptyList(), null,
            Preparation(false, false, null), null, null, null, false, null, null, null)
        records[m.id] = MeetingRecord(m, emptyList(), emptyList(), emptyList(), emptyList(), emptyList(), emptyList(), emptyList())
        return m
    }
    override fun record(meetingId: String) = rec(meetingId)
    override fun meetingRecord(meetingId: String) = rec(meetingId)
    override fun updateMeeting(meeting: Meeting) = edit(meeting.id) { r ->
        r.copy(meeting = meeting.copy(status = r.meeting.status, signature = r.meeting.signature, secretaryJudgement = r.meeting.secretaryJudgement))
    }
    override fun markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?) = edit(meetingId) { r ->
        if (demo.all.none { it.id == memberId }) throw CoreException("Đảng viên thuộc chi bộ khác", CoreException.Kind.Validation)
        r.copy(rollCall = r.rollCall.filter { it.memberId != memberId } + RollCallEntry(memberId, attendance, reason))
    }
    override fun addSpeech(meetingId: String, speaker: Speaker, gist: String): Speech {
        val s = Speech(fakeId(), speaker, gist)
        edit(meetingId) { it.copy(speeches = it.speeches + s) }
        return s
    }
    override fun previousTasks(meetingId: String) = previous[meetingId].orEmpty()
    override fun reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome) = edit(meetingId) { r ->
        r.copy(taskReviews = r.taskReviews.filter { it.taskId != taskId } + TaskReview(taskId, outcome, null))
    }
    override fun addTask(meetingId: String, description: String, assigneeId: String, deadline: String): Task {
        val t = Task(fakeId(), description, assigneeId, deadline)
        edit(meetingId) { it.copy(tasks = it.tasks + t) }
        return t
    }
    override fun recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int): VoteTally {
        val v = VoteTally(fakeId(), question, kind, inFavor.toUInt(), against.toUInt(), abstain.toUInt())
        edit(meetingId) { it.copy(votes = it.votes + v) }
        return v
    }
    override fun raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String): Petition {
        val p = Petition(fakeId(), rec(meetingId).meeting.cellId, meetingId, content, category, raisedBy, PetitionStatus.RAISED, now())
        edit(meetingId) { it.copy(petitions = it.petitions + p) }
        return p
    }
    /** The core's own rules, not copies. */
    override fun raisedByThePeople(cellName: String) = coreRaisedByThePeople(cellName)
    override fun votersPresent(roster: List<Member>, rollCall: List<RollCallEntry>) = coreVotersPresent(roster, rollCall).toInt()
    override fun fixQuality(accuracyM: Double) = coreFixQuality(accuracyM)
    override fun petitionIsOpen(status: PetitionStatus) = corePetitionIsOpen(status)
    override fun setSecretaryScore(meetingId: String, scores: JudgedScores) = edit(meetingId) { it.copy(meeting = it.meeting.copy(secretaryJudgement = scores)) }
    override fun assess(meetingId: String): MeetingAssessment {
        val r = rec(meetingId)
        val present = r.rollCall.count { it.attendance == Attendance.PRESENT || it.attendance == Attendance.LATE }.toUInt()
        val expected = r.rollCall.count { it.attendance != Attendance.EXEMPT && it.attendance != Attendance.ATTACHED_ELSEWHERE }.toUInt()
        return MeetingAssessment(
            AttendanceSummary(12u, 11u, 1u, 1u, 1u, expected, present, 0u, 0u, 0u, 0u, if (expected > 0u) present.toDouble() * 100 / expected.toDouble() else null, emptyList()),
            r.meeting.actualStart?.let { s -> r.meeting.actualEnd?.let { (it - s) / 60_000 } }, 90u, null, null, emptyList(),
            GoodMeetingCheck(warnings.isEmpty(), warnings.map { it.message }), QualityScore(emptyList(), quality, grade, r.meeting.secretaryJudgement != null),
            emptyList(), CellViability(11u, 12u, true, true, emptyList()), warnings,
        )
    }
    override fun minutesText(meetingId: String): String {
        val r = rec(meetingId)
        val names = demo.all.associate { it.id to it.fullName }
        return buildString {
            appendLine("ĐẢNG BỘ XÃ XUÂN HÒA")
            appendLine("CHI BỘ BẢN NÀ HẨU")
            appendLine("BIÊN BẢN SINH HOẠT CHI BỘ")
            appendLine("Chủ trì: ${names[r.meeting.chairId] ?: "…"}; thư ký: ${names[r.meeting.minuteTakerId] ?: "…"}")
            r.speeches.forEach { s -> appendLine("- ${(s.speaker as? Speaker.Member)?.let { names[it.memberId] } ?: (s.speaker as? Speaker.Guest)?.name}: ${s.gist}") }
            r.tasks.forEach { appendLine("Nhiệm vụ: ${it.description} (${names[it.assigneeId]}, hạn ${it.deadline})") }
        }
    }
    override fun sign(meetingId: String): MeetingRecord {
        val r = rec(meetingId)
        if (r.meeting.status == MeetingStatus.SIGNED) throw CoreException("Biên bản đã ký", CoreException.Kind.Frozen)
        if (r.meeting.chairId == null || r.meeting.minuteTakerId == null) throw CoreException("Biên bản cần chủ trì và thư ký ký tên", CoreException.Kind.Validation)
        write()
        val names = demo.all.associate { it.id to it.fullName }
        val signed = r.copy(meeting = r.meeting.copy(status = MeetingStatus.SIGNED, signature = Signature(now(), names.getValue(r.meeting.chairId!!), names.getValue(r.meeting.minuteTakerId!!))))
        records[meetingId] = signed
        return signed
    }
    /** As the core: a new planned revision linked to the signed one, same roster and agenda. */
    override fun startCorrection(meetingId: String): Meeting {
        val r = rec(meetingId)
        if (r.meeting.status != MeetingStatus.SIGNED) throw CoreException("Chỉ lập bản đính chính cho biên bản đã ký", CoreException.Kind.Validation)
        val id = fakeId()
        val revision = r.meeting.copy(id = id, status = MeetingStatus.IN_PROGRESS, revision = r.meeting.revision + 1u, revisionOf = meetingId, signature = null)
        records[id] = r.copy(meeting = revision)
        return revision
    }

    override fun attachPhoto(meetingId: String, cameraFile: String): PhotoAttachment {
        if (rec(meetingId).meeting.status == MeetingStatus.SIGNED) throw CoreException("Biên bản đã ký", CoreException.Kind.Frozen)
        write()
        val p = PhotoAttachment("%064x".format(cameraFile.hashCode()), meetingId, null, 1600u, 1200u, 245_000u, now())
        photosByMeeting.getOrPut(meetingId) { mutableListOf() }.add(p)
        return p
    }
    override fun photos(meetingId: String) = photosByMeeting[meetingId].orEmpty().toList()
    override fun presenceCode(meetingId: String) = PresenceCode("482913", 5_000_000L, now(), now() + 5 * 60_000, "chibo:presence:$meetingId:482913")
    override fun setStandardAgenda(meetingId: String, kind: MeetingKind) = edit(meetingId) { r ->
        r.copy(agenda = listOf(AgendaItem(AgendaSection.OPENING, "Khai mạc", null), AgendaItem(AgendaSection.BODY, "Nội dung", null), AgendaItem(AgendaSection.CLOSING, "Bế mạc", null)))
    }

    // VisitsCore
    var assignedMeetings: () -> List<Meeting> = { records.values.map { it.meeting }.filter { it.status != MeetingStatus.SIGNED } }
    var compliance = CellCompliance(demo.cell.id, 0u, 0u, 1u, 4u, 1u, 12u)
    override fun overview(cadreId: String) = CadreOverview(
        demo.cadre, listOf(AssignedCell(demo.cell.id, demo.cell, assignedMeetings())),
        CadreCompliance(cadreId, 2026, 11u, listOf(compliance), ComplianceTotals(compliance.verifiedThisMonth, compliance.needsReviewThisMonth, compliance.requiredThisMonth, compliance.verifiedThisYear, compliance.needsReviewThisYear, compliance.requiredThisYear, if (compliance.verifiedThisMonth + compliance.needsReviewThisMonth < compliance.requiredThisMonth) 1u else 0u)),
    )
    override fun myCheckIns(cadreId: String) = checkIns.toList()
    override fun processPhoto(cameraFile: String): PhotoInfo {
        if (cameraFile.endsWith(".broken")) throw CoreException("Ảnh bị hỏng, không đọc được. Hãy chụp lại.", CoreException.Kind.Validation)
        return PhotoInfo("%064x".format(cameraFile.hashCode()), 1600u, 1200u, 245_000u, "$cameraFile.jpg", "$cameraFile.thumb.jpg", 320u, 240u)
    }
    override fun checkIn(request: CheckInRequest, keystore: DeviceKeystore): CheckInRow {
        lastCheckInRequests += request
        val sig = keystore.sign(request.presenceCode.toByteArray())
        val row = CheckInRow(
            CheckIn(fakeId(), request.meetingId, request.cellId, request.cadreId, "device", request.photo?.sha256, request.gps, request.deviceWallTime, request.monotonicMs,
                request.serverOffsetMs, request.presenceCode, "00".repeat(32), sig.joinToString("") { "%02x".format(it) }),
            verdictFor(request),
        )
        checkIns += row
        return row
    }
    override fun recordObservation(observation: Observation): Observation = observation.copy(id = fakeId()).also { observations += it }

    // PetitionsCore, GuidanceCore
    override fun petitions(cellId: String) = records.values.flatMap { it.petitions }.map { p -> PetitionThread(p, responses.filter { it.petitionId == p.id }) }
    override fun guidance(cellId: String) = guidanceItems.filter { it.cellIds.isEmpty() || cellId in it.cellIds }
}
