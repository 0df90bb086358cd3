import ChiboCore
import Foundation

/// The secretary's meeting flow. Every tap is written through the core at once and the state
/// is rebuilt from the core's record, so the same code restores the flow after the app was
/// killed: `load` reads the record and opens the step the secretary was on (or the first one
/// still missing something). Text typed but not added yet (a speech, a task) lives in `drafts`.
public final class MeetingFlowStateHolder: StateHolder<MeetingFlowState> {
    static let dayMs: Int64 = 24 * 60 * 60 * 1000
    static let guestPrefix = "guest:"

    private let meetings: MeetingCore
    private let cells: CellCore
    private let guidance: GuidanceCore?
    private let camera: Camera
    private let clock: DeviceClock
    private let drafts: TextDrafts

    // Touched only by background jobs, which run one at a time.
    private var record: MeetingRecord?
    private var members: [Member] = []
    private var previous: [ChiboCore.Task] = []
    private var assessment: MeetingAssessment?
    private var minutes = ""

    public init(
        meetings: MeetingCore, cells: CellCore, guidance: GuidanceCore?, camera: Camera, clock: DeviceClock,
        drafts: TextDrafts, work: Work
    ) {
        self.meetings = meetings
        self.cells = cells
        self.guidance = guidance
        self.camera = camera
        self.clock = clock
        self.drafts = drafts
        super.init(MeetingFlowState(), work: work)
    }

    private func draftKey(_ field: String) -> String { "meeting:\(state.meetingId):\(field)" }

    public func load(_ meetingId: String) {
        run { [self] in
            let rec = try meetings.record(meetingId)
            members = try cells.members(rec.meeting.cellId)
            previous = try meetings.previousTasks(meetingId)
            record = rec
            let cell = try cells.cell(rec.meeting.cellId)
            let month = String(Format.isoDate(rec.meeting.plannedStart).prefix(7))
            let lines = ((try? guidance?.guidance(rec.meeting.cellId)) ?? [])
                .filter { $0.period.hasPrefix(month) || $0.period.contains("Q") }
                .map(\.title)
            update {
                $0.meetingId = meetingId
                $0.title = cell.name
                $0.subtitle = meetingTitle(rec.meeting.kind, rec.meeting.plannedStart)
                $0.prepare.guidance = lines
            }
            try rebuild(restoreStep: true)
        }
    }

    // MARK: navigation

    public func next() {
        let s = state
        guard s.blockers.isEmpty, let following = FlowStep(rawValue: s.step.rawValue + 1) else { return }
        commitTextDrafts()
        moveTo(following)
    }

    /// Returns false on the first step, where the screen should leave the flow.
    @discardableResult
    public func back() -> Bool {
        guard let before = FlowStep(rawValue: state.step.rawValue - 1) else { return false }
        commitTextDrafts()
        moveTo(before)
        return true
    }

    /// Jumps to a step from the stepper bar: back always, forward only past complete steps.
    public func goTo(_ step: FlowStep) {
        run { [self] in
            if step > state.step {
                guard let rec = record else { return }
                if FlowStep.allCases.prefix(step.rawValue).contains(where: { !blockers(of: $0, rec).isEmpty }) { return }
            }
            try commitConclusion()
            try move(to: step)
        }
    }

    private func moveTo(_ step: FlowStep) {
        run { [self] in try move(to: step) }
    }

    private func move(to step: FlowStep) throws {
        if step >= .review { try refreshAssessment() }
        drafts.put(draftKey("step"), step.name)
        update { $0.step = step }
        try rebuild(restoreStep: false)
    }

    public func dismissError() { update { $0.error = nil } }

    // MARK: 1 prepare

    public func setNoticeToMembers(_ sent: Bool) { editMeeting { $0.preparation.noticeSentToMembers = sent } }
    public func setNoticeToCadre(_ sent: Bool) { editMeeting { $0.preparation.noticeSentToCadre = sent } }

    /// Documents reached the members `days` before the start; nil: not sent.
    public func setDocumentsDaysBefore(_ days: Int?) {
        editMeeting { m in m.preparation.documentsSentAt = days.map { m.plannedStart - Int64($0) * Self.dayMs } }
    }

    // MARK: 2 open

    /// Records the start now, sets the standard agenda and marks who is not expected.
    public func startNow() {
        run { [self] in
            let rec = try requireRecord()
            var meeting = rec.meeting
            meeting.actualStart = clock.now()
            try meetings.updateMeeting(meeting)
            if rec.agenda.isEmpty { try meetings.setStandardAgenda(meetingId: meeting.id, kind: meeting.kind) }
            for member in members where !rec.rollCall.contains(where: { $0.memberId == member.id }) {
                switch member.status {
                case .exempt: try meetings.markAttendance(meetingId: meeting.id, memberId: member.id, attendance: .exempt, reason: member.statusReason)
                case .attachedElsewhere:
                    try meetings.markAttendance(meetingId: meeting.id, memberId: member.id, attendance: .attachedElsewhere, reason: member.statusReason)
                case .active, .workingAway: break
                }
            }
            try reload()
        }
    }

    public func chooseChair(_ memberId: String) { editMeeting { $0.chairId = memberId } }
    public func chooseMinuteTaker(_ memberId: String) { editMeeting { $0.minuteTakerId = memberId } }

    /// One tap per member; an excused absence takes a reason from `excuseReasons`.
    public func mark(_ memberId: String, _ attendance: Attendance, reason: String? = nil) {
        run { [self] in
            try meetings.markAttendance(
                meetingId: state.meetingId, memberId: memberId, attendance: attendance,
                reason: attendance == .absentExcused ? reason : nil
            )
            try reload()
        }
    }

    /// Marks everyone not yet marked as present: the usual case, in one tap.
    public func markRestPresent() {
        run { [self] in
            let rec = try requireRecord()
            for member in members where !rec.rollCall.contains(where: { $0.memberId == member.id }) {
                try meetings.markAttendance(meetingId: rec.meeting.id, memberId: member.id, attendance: .present, reason: nil)
            }
            try reload()
        }
    }

    // MARK: 3 body

    public func chooseSpeaker(_ id: String) {
        drafts.put(draftKey("speaker"), id)
        update { $0.body.draftSpeakerId = id }
    }

    public func editGist(_ text: String) {
        drafts.put(draftKey("gist"), text)
        update { $0.body.draftGist = text }
    }

    public func addSpeech() {
        run { [self] in
            let body = state.body
            guard let speakerId = body.draftSpeakerId else { throw CoreError("Chọn người phát biểu") }
            let gist = body.draftGist.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !gist.isEmpty else { throw CoreError("Ghi tóm tắt ý kiến") }
            let speaker: Speaker = speakerId.hasPrefix(Self.guestPrefix)
                ? .guest(name: String(speakerId.dropFirst(Self.guestPrefix.count)))
                : .member(memberId: speakerId)
            _ = try meetings.addSpeech(meetingId: state.meetingId, speaker: speaker, gist: gist)
            drafts.put(draftKey("gist"), "")
            drafts.put(draftKey("speaker"), "")
            update {
                $0.body.draftGist = ""
                $0.body.draftSpeakerId = nil
            }
            try reload()
        }
    }

    public func reviewTask(_ taskId: String, _ outcome: TaskOutcome) {
        run { [self] in
            try meetings.reviewTask(meetingId: state.meetingId, taskId: taskId, outcome: outcome)
            try reload()
        }
    }

    // MARK: 4 closing

    public func editTask(_ text: String) {
        drafts.put(draftKey("task"), text)
        update { $0.closing.draftTask = text }
    }

    public func chooseAssignee(_ memberId: String) {
        drafts.put(draftKey("assignee"), memberId)
        update { $0.closing.draftAssigneeId = memberId }
    }

    public func chooseDeadline(_ isoDate: String) {
        drafts.put(draftKey("deadline"), isoDate)
        update { $0.closing.draftDeadline = isoDate }
    }

    public func addTask() {
        run { [self] in
            let c = state.closing
            let text = c.draftTask.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw CoreError("Ghi nội dung nhiệm vụ") }
            guard let assignee = c.draftAssigneeId else { throw CoreError("Chọn người thực hiện") }
            guard let deadline = c.draftDeadline else { throw CoreError("Chọn thời hạn") }
            _ = try meetings.addTask(meetingId: state.meetingId, description: text, assigneeId: assignee, deadline: deadline)
            for field in ["task", "assignee", "deadline"] { drafts.put(draftKey(field), "") }
            update {
                $0.closing.draftTask = ""
                $0.closing.draftAssigneeId = nil
                $0.closing.draftDeadline = nil
            }
            try reload()
        }
    }

    public func editVoteQuestion(_ text: String) { update { $0.closing.voteQuestion = text } }

    /// The tally by taps: +1 / -1 on each count, never below 0.
    public func changeVote(inFavor: Int = 0, against: Int = 0, abstain: Int = 0) {
        update {
            $0.closing.inFavor = max(0, $0.closing.inFavor + inFavor)
            $0.closing.against = max(0, $0.closing.against + against)
            $0.closing.abstain = max(0, $0.closing.abstain + abstain)
        }
    }

    public func recordVote() {
        run { [self] in
            let c = state.closing
            let question = c.voteQuestion.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !question.isEmpty else { throw CoreError("Ghi nội dung biểu quyết") }
            _ = try meetings.recordVote(
                meetingId: state.meetingId, question: question, kind: .ordinary, inFavor: c.inFavor, against: c.against, abstain: c.abstain
            )
            try reload()
        }
    }

    public func editPetition(_ text: String) {
        drafts.put(draftKey("petition"), text)
        update { $0.closing.draftPetition = text }
    }

    public func choosePetitionCategory(_ category: PetitionCategory) { update { $0.closing.draftCategory = category } }

    public func raisePetition() {
        run { [self] in
            let c = state.closing
            let content = c.draftPetition.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !content.isEmpty else { throw CoreError("Ghi nội dung kiến nghị") }
            _ = try meetings.raisePetition(
                meetingId: state.meetingId, content: content, category: c.draftCategory ?? .other,
                raisedBy: raisedByThePeople(cellName: state.title)
            )
            drafts.put(draftKey("petition"), "")
            update {
                $0.closing.draftPetition = ""
                $0.closing.draftCategory = nil
            }
            try reload()
        }
    }

    /// Sets one judged part of the self-score, within its maximum; written through at once.
    public func setScore(_ key: String, _ value: Int) {
        run { [self] in
            let rec = try requireRecord()
            guard let part = Labels.judgedParts().first(where: { $0.key == key }) else { return }
            let scores = part.setting(value, in: rec.meeting.secretaryJudgement ?? ScorePart.zero)
            try meetings.setSecretaryScore(meetingId: rec.meeting.id, scores: scores)
            try reload()
        }
    }

    public func editConclusion(_ text: String) {
        drafts.put(draftKey("conclusion"), text)
        update { $0.closing.conclusion = text }
    }

    public func endNow() {
        run { [self] in
            try commitConclusion()
            var meeting = try requireRecord().meeting
            meeting.actualEnd = clock.now()
            meeting.minutesApproved = true
            try meetings.updateMeeting(meeting)
            try reload()
        }
    }

    // MARK: 5 photos

    public func takePhoto() {
        update { $0.photos.busy = true }
        camera.capture { [weak self] file in self?.attach(file) }
    }

    private func attach(_ file: String?) {
        guard let file else { return update { $0.photos.busy = false } }
        run { [self] in
            defer { update { $0.photos.busy = false } }
            _ = try meetings.attachPhoto(meetingId: state.meetingId, cameraFile: file)
            try reload()
        }
    }

    // MARK: 7 sign

    public func sign() {
        run { [self] in
            try commitConclusion()
            _ = try meetings.sign(state.meetingId)
            try reload()
            update { $0.step = .sign }
        }
    }

    // MARK: internals

    private func run(_ block: @escaping () throws -> Void) {
        launch(onError: { [weak self] message in self?.update { $0.error = message } }, block)
    }

    private func requireRecord() throws -> MeetingRecord {
        guard let record else { throw CoreError("Chưa mở buổi họp") }
        return record
    }

    private func editMeeting(_ change: @escaping (inout Meeting) -> Void) {
        run { [self] in
            var meeting = try requireRecord().meeting
            change(&meeting)
            try meetings.updateMeeting(meeting)
            try reload()
        }
    }

    private func commitTextDrafts() {
        run { [self] in try commitConclusion() }
    }

    private func commitConclusion() throws {
        guard let rec = record else { return }
        let typed = drafts.get(draftKey("conclusion"))
        guard !typed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, typed != rec.meeting.conclusion,
              rec.meeting.status != .signed else { return }
        var meeting = rec.meeting
        meeting.conclusion = typed
        try meetings.updateMeeting(meeting)
        drafts.put(draftKey("conclusion"), "")
        record = try meetings.record(rec.meeting.id)
    }

    private func reload() throws {
        record = try meetings.record(state.meetingId)
        if state.step >= .review { try refreshAssessment() }
        try rebuild(restoreStep: false)
    }

    private func refreshAssessment() throws {
        assessment = try meetings.assess(state.meetingId)
        minutes = try meetings.minutesText(state.meetingId)
    }

    private func rebuild(restoreStep: Bool) throws {
        guard let rec = record else { return }
        let photos = try meetings.photos(rec.meeting.id)
        let step = restoreStep ? restoredStep(rec, hasPhotos: !photos.isEmpty) : state.step
        if restoreStep && step >= .review { try refreshAssessment() }
        // The roll call's counts are the core's rule (who is expected, who counts as present).
        let attendance = try meetings.assess(rec.meeting.id).attendance
        let byId = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0) })
        func name(_ id: String?) -> String? { id.flatMap { byId[$0]?.fullName } }
        let present = rec.rollCall.filter { $0.attendance == .present || $0.attendance == .late }.compactMap { byId[$0.memberId] }
        let everyone = members.map { PersonChoice(id: $0.id, name: $0.fullName, detail: Labels.memberRole($0.role)) }
        let guests = rec.meeting.guests.map { PersonChoice(id: Self.guestPrefix + $0.name, name: $0.name, detail: $0.title) }
        let meeting = rec.meeting
        let scores = meeting.secretaryJudgement
        let judged = Labels.judgedParts()
        let a = assessment
        let draftSpeaker = drafts.get(draftKey("speaker"))
        let draftAssignee = drafts.get(draftKey("assignee"))
        let draftDeadline = drafts.get(draftKey("deadline"))
        let draftConclusion = drafts.get(draftKey("conclusion"))
        let draftTask = drafts.get(draftKey("task"))
        let draftGist = drafts.get(draftKey("gist"))
        let draftPetition = drafts.get(draftKey("petition"))
        let blockers = self.blockers(of: step, rec)
        let completed = Set(FlowStep.allCases.filter { $0 < .sign && $0 < step && self.blockers(of: $0, rec).isEmpty })
        // Who may raise a hand is the core's rule (late members vote; probationary ones never).
        let voters = Int(votersPresent(roster: members, rollCall: rec.rollCall))
        let rollCall = members.map { rollCallRow($0, rec) }

        update { s in
            s.loading = false
            s.step = step
            s.signed = meeting.status == .signed
            s.prepare.noticeToMembers = meeting.preparation.noticeSentToMembers
            s.prepare.noticeToCadre = meeting.preparation.noticeSentToCadre
            s.prepare.documentsDaysBefore = meeting.preparation.documentsSentAt.map { Int((meeting.plannedStart - $0) / Self.dayMs) }

            s.open.startedAt = meeting.actualStart.map(Format.timeAndDate)
            s.open.chair = meeting.chairId.flatMap { id in everyone.first { $0.id == id } }
            s.open.minuteTaker = meeting.minuteTakerId.flatMap { id in everyone.first { $0.id == id } }
            s.open.candidates = everyone
            s.open.rollCall = rollCall
            s.open.marks = Attendance.allCases.map { MarkChoice(attendance: $0, label: Labels.attendance($0)) }
            s.open.presentSummary = "\(attendance.present)/\(attendance.expected) có mặt"

            s.body.speakers = present.map { PersonChoice(id: $0.id, name: $0.fullName, detail: Labels.memberRole($0.role)) } + guests
            s.body.speeches = rec.speeches.map { sp in
                switch sp.speaker {
                case .member(let memberId): return SpeechUi(id: sp.id, speaker: name(memberId) ?? "?", gist: sp.gist)
                case .guest(let guest): return SpeechUi(id: sp.id, speaker: guest, gist: sp.gist)
                }
            }
            s.body.draftSpeakerId = draftSpeaker.isEmpty ? nil : draftSpeaker
            s.body.draftGist = draftGist
            s.body.previousTasks = previous.map { t in
                ReviewRow(
                    taskId: t.id, description: t.description, assignee: name(t.assigneeId) ?? "?",
                    deadline: Format.isoDateLabel(t.deadline),
                    outcome: rec.taskReviews.first { $0.taskId == t.id }.map { Labels.taskOutcome($0.outcome) }
                )
            }
            s.body.outcomes = TaskOutcome.allCases.map { OutcomeChoice(outcome: $0, label: Labels.taskOutcome($0)) }

            s.closing.tasks = rec.tasks.map {
                TaskUi(id: $0.id, description: $0.description, assignee: name($0.assigneeId) ?? "?", deadline: Format.isoDateLabel($0.deadline))
            }
            s.closing.draftTask = draftTask
            s.closing.draftAssigneeId = draftAssignee.isEmpty ? nil : draftAssignee
            s.closing.draftDeadline = draftDeadline.isEmpty ? nil : draftDeadline
            s.closing.assignees = present.map { PersonChoice(id: $0.id, name: $0.fullName, detail: Labels.memberRole($0.role)) }
            s.closing.deadlines = Self.deadlineChoices(from: meeting.actualStart ?? meeting.plannedStart)
            s.closing.votes = rec.votes.map {
                VoteUi(id: $0.id, question: $0.question, tally: "Tán thành \($0.inFavor) · Không tán thành \($0.against) · Không biểu quyết \($0.abstain)")
            }
            if s.closing.voteQuestion.isEmpty {
                s.closing.voteQuestion = "Thông qua nghị quyết \(Format.monthLabel(meeting.plannedStart).lowercased())"
            }
            // The tally starts with every voter in favour, the usual outcome.
            if s.closing.voters == 0 && s.closing.inFavor == 0 { s.closing.inFavor = voters }
            s.closing.voters = voters
            s.closing.petitions = rec.petitions.map {
                PetitionUi(
                    id: $0.id, content: $0.content, category: Labels.petitionCategory($0.category), raisedBy: $0.raisedBy,
                    status: Labels.petitionStatus($0.status)
                )
            }
            s.closing.draftPetition = draftPetition
            s.closing.categories = PetitionCategory.allCases.map { CategoryChoice(category: $0, label: Labels.petitionCategory($0)) }
            s.closing.scores = judged.map { item in
                ScoreItem(key: item.key, label: item.label, value: scores.map { item.points(in: $0) } ?? 0, max: item.max)
            }
            s.closing.scoresSaved = scores != nil
            s.closing.conclusion = draftConclusion.isEmpty ? (meeting.conclusion ?? "") : draftConclusion
            s.closing.endedAt = meeting.actualEnd.map(Format.timeOf)

            s.photos.photos = photos.enumerated().map { i, p in
                PhotoUi(sha256: p.sha256, label: "Ảnh \(i + 1) · \(p.width)×\(p.height) · \(Format.bytesLabel(p.byteSize))")
            }

            if let a {
                var warnings = a.warnings.map { WarningUi(message: $0.message, tone: .warning) }
                if photos.isEmpty { warnings.append(WarningUi(message: "Chưa có ảnh buổi họp", tone: .neutral)) }
                s.review = ReviewUi(
                    minutes: minutes, warnings: warnings, score: "\(a.quality.total)/100 điểm", grade: Labels.grade(a.quality.grade),
                    gradeTone: a.quality.grade.tone,
                    attendance: a.attendance.ratePercent.map { "Tỷ lệ dự họp \(Format.percent($0))" } ?? ""
                )
            }
            s.sign = SignUi(
                chair: name(meeting.chairId) ?? "Chưa chọn", minuteTaker: name(meeting.minuteTakerId) ?? "Chưa chọn",
                signedAt: meeting.signature.map { Format.timeAndDate($0.signedAt) }
            )
            s.blockers = blockers
            s.completed = completed
        }
    }

    private func rollCallRow(_ member: Member, _ rec: MeetingRecord) -> RollCallRow {
        let entry = rec.rollCall.first { $0.memberId == member.id }
        let detail = [Labels.memberRole(member.role), Labels.membership(member.membership), member.status == .active ? nil : Labels.memberStatus(member.status)]
            .compactMap { $0 }
            .joined(separator: " · ")
        return RollCallRow(
            memberId: member.id, name: member.fullName, detail: detail, mark: entry?.attendance,
            markLabel: entry.map { Labels.attendance($0.attendance) }, reason: entry?.reason
        )
    }

    /// What keeps `step` from being complete, in the secretary's words.
    private func blockers(of step: FlowStep, _ rec: MeetingRecord) -> [String] {
        let m = rec.meeting
        switch step {
        case .open:
            var out: [String] = []
            if m.actualStart == nil { out.append("Chưa bấm giờ bắt đầu") }
            if m.chairId == nil { out.append("Chưa chọn người chủ trì") }
            if m.minuteTakerId == nil { out.append("Chưa chọn thư ký") }
            let unmarked = members.filter { mem in !rec.rollCall.contains { $0.memberId == mem.id } }.count
            if unmarked > 0 { out.append("Còn \(unmarked) đảng viên chưa điểm danh") }
            for e in rec.rollCall where e.attendance == .absentExcused && (e.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                out.append("Chưa chọn lý do vắng của \(members.first { $0.id == e.memberId }?.fullName ?? "?")")
            }
            return out
        case .body:
            let open = previous.filter { t in !rec.taskReviews.contains { $0.taskId == t.id } }.count
            return open > 0 ? ["Còn \(open) nhiệm vụ tháng trước chưa đánh giá"] : []
        case .closing:
            var out: [String] = []
            if rec.tasks.isEmpty { out.append("Chưa giao nhiệm vụ nào") }
            if rec.votes.isEmpty { out.append("Chưa ghi kết quả biểu quyết") }
            if m.secretaryJudgement == nil { out.append("Chưa tự chấm điểm") }
            if m.actualEnd == nil { out.append("Chưa bấm giờ kết thúc") }
            return out
        case .sign:
            return m.status == .signed ? [] : ["Chưa ký biên bản"]
        case .prepare, .photos, .review:
            return []
        }
    }

    /// Where a reopened flow starts: the step the secretary was on (kept with the drafts),
    /// unless an earlier step is missing something; without that, the first step missing
    /// something.
    private func restoredStep(_ rec: MeetingRecord, hasPhotos: Bool) -> FlowStep {
        if rec.meeting.status == .signed { return .sign }
        let firstOpen = [FlowStep.open, .body, .closing].first { !blockers(of: $0, rec).isEmpty }
        let savedName = drafts.get(draftKey("step"))
        if let saved = FlowStep.allCases.first(where: { $0.name == savedName }) {
            if let firstOpen, firstOpen < saved { return firstOpen }
            return saved
        }
        if rec.meeting.actualStart == nil && rec.rollCall.isEmpty { return .prepare }
        return firstOpen ?? (hasPhotos ? .review : .photos)
    }

    /// Deadlines as choices: two weeks, one month, the end of next month.
    public static func deadlineChoices(from epochMs: Int64) -> [DeadlineChoice] {
        let cal = Format.calendar
        let day = cal.startOfDay(for: Format.instant(epochMs))
        let twoWeeks = cal.date(byAdding: .day, value: 14, to: day)!
        let month = cal.date(byAdding: .month, value: 1, to: day)!
        let nextMonthStart = cal.date(from: cal.dateComponents([.year, .month], from: month))!
        let endOfNext = cal.date(byAdding: DateComponents(month: 1, day: -1), to: nextMonthStart)!
        func iso(_ d: Date) -> String { Format.isoDate(Int64((d.timeIntervalSince1970 * 1000).rounded())) }
        return [
            DeadlineChoice(label: "2 tuần (\(Format.isoDateLabel(iso(twoWeeks))))", isoDate: iso(twoWeeks)),
            DeadlineChoice(label: "1 tháng (\(Format.isoDateLabel(iso(month))))", isoDate: iso(month)),
            DeadlineChoice(label: "Cuối tháng sau (\(Format.isoDateLabel(iso(endOfNext))))", isoDate: iso(endOfNext)),
        ]
    }
}
