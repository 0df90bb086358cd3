import ChiboCore
import Foundation
import Presentation

/// An in-memory core for the state holders' tests: it keeps records the way the real one does
/// (a signed meeting is frozen, unknown ids are not found), but judges nothing: warnings,
/// score and verdicts are whatever the test sets.
public final class FakeCore: CellCore, MeetingCore, VisitsCore, PetitionsCore, GuidanceCore {
    public let demo: DemoCell
    private let now: () -> Int64

    public var records: [String: MeetingRecord] = [:]
    private var order: [String] = []
    public var photosByMeeting: [String: [PhotoAttachment]] = [:]
    public var previous: [String: [ChiboCore.Task]] = [:]
    public var warnings: [Warning] = []
    public var quality: UInt32 = 82
    public var grade = QualityGrade.fair
    public var pendingChanges: UInt64 = 0
    public var failNextWrite: String?
    public var responses: [PetitionResponse] = []
    public var guidanceItems: [Guidance] = []
    public var checkIns: [CheckInRow] = []
    public var observations: [Observation] = []
    public var lastCheckInRequests: [CheckInRequest] = []
    public lazy var verdictFor: (CheckInRequest) -> Verdict = { [unowned self] _ in
        Verdict(
            status: .provisional, reasons: [],
            unchecked: [VerdictReason(code: .presenceCodeUnchecked, message: "Máy chủ sẽ kiểm tra mã xác nhận")],
            effectiveTime: now(), review: nil
        )
    }
    public lazy var compliance = CellCompliance(
        cellId: demo.cell.id, verifiedThisMonth: 0, needsReviewThisMonth: 0, requiredThisMonth: 1, verifiedThisYear: 4,
        needsReviewThisYear: 1, requiredThisYear: 12
    )

    public init(demo: DemoCell = DemoCell(), now: @escaping () -> Int64 = { vn(2026, 11, 24, 21, 0) }) {
        self.demo = demo
        self.now = now
    }

    private func write() throws {
        if let message = failNextWrite {
            failNextWrite = nil
            throw CoreError(message, kind: .storage)
        }
        pendingChanges += 1
    }

    private func rec(_ id: String) throws -> MeetingRecord {
        guard let r = records[id] else { throw CoreError("Không tìm thấy buổi họp", kind: .notFound) }
        return r
    }

    private func edit(_ id: String, _ change: (inout MeetingRecord) throws -> Void) throws {
        var r = try rec(id)
        if r.meeting.status == .signed { throw CoreError("Biên bản đã ký, không sửa được. Hãy lập bản đính chính.", kind: .frozen) }
        try write()
        try change(&r)
        if r.meeting.actualStart == nil && r.rollCall.isEmpty {
            r.meeting.status = .planned
        } else if r.meeting.actualEnd == nil {
            r.meeting.status = .inProgress
        } else {
            r.meeting.status = .recorded
        }
        records[id] = r
    }

    private var names: [String: String] { Dictionary(uniqueKeysWithValues: demo.all.map { ($0.id, $0.fullName) }) }

    private func counts(_ r: MeetingRecord) -> (present: UInt32, expected: UInt32) {
        let present = r.rollCall.filter { $0.attendance == .present || $0.attendance == .late }.count
        let expected = r.rollCall.filter { $0.attendance != .exempt && $0.attendance != .attachedElsewhere }.count
        return (UInt32(present), UInt32(expected))
    }

    // CellCore

    public func cell(_ cellId: String) throws -> Cell {
        guard demo.cell.id == cellId else { throw CoreError("Không tìm thấy chi bộ", kind: .notFound) }
        return demo.cell
    }

    public func members(_ cellId: String) throws -> [Member] { demo.all.filter { $0.cellId == cellId } }

    public func home(_ cellId: String) throws -> HomeSummary {
        let meetings: [Meeting] = order.compactMap { records[$0]?.meeting }
        let upcoming = meetings.filter { $0.status == .planned || $0.status == .inProgress }
        let next = upcoming.min { $0.plannedStart < $1.plannedStart }
        let held = try history(cellId).filter { $0.status == .signed || $0.status == .recorded }
        let last = held.max { $0.plannedStart < $1.plannedStart }
        var open: [OpenTask] = []
        if let last {
            let names = self.names
            for task in try rec(last.meetingId).tasks {
                let overdue = task.deadline < "2026-11-24"
                open.append(OpenTask(task: task, assigneeName: names[task.assigneeId] ?? "?", meetingId: last.meetingId, overdue: overdue))
            }
        }
        return HomeSummary(
            cell: try cell(cellId), nextMeeting: next, lastMeeting: last, lastMeetingWarnings: last == nil ? [] : warnings, openTasks: open,
            membersByStatus: MemberStatus.allCases.map { st in StatusCount(status: st, count: UInt32(demo.all.filter { $0.status == st }.count)) },
            viability: CellViability(fullMembers: 11, totalMembers: 12, viable: true, committeeAllowed: true, warnings: []),
            pendingChanges: pendingChanges
        )
    }

    public func history(_ cellId: String) throws -> [MeetingSummary] {
        order.compactMap { records[$0] }.map { r in
            let (present, expected) = counts(r)
            let held = r.meeting.status == .signed || r.meeting.status == .recorded
            let duration = r.meeting.actualStart.flatMap { s in r.meeting.actualEnd.map { ($0 - s) / 60_000 } }
            return MeetingSummary(
                meetingId: r.meeting.id, kind: r.meeting.kind, status: r.meeting.status, revision: r.meeting.revision,
                plannedStart: r.meeting.plannedStart, actualStart: r.meeting.actualStart, durationMinutes: duration, present: present,
                expected: expected, attendanceRatePercent: expected > 0 ? Double(present) * 100 / Double(expected) : nil,
                qualityTotal: held ? quality : nil, grade: held ? grade : nil
            )
        }.sorted { $0.plannedStart > $1.plannedStart }
    }

    // MeetingCore

    public func plan(cellId: String, kind: MeetingKind, start: Int64, place: String) throws -> Meeting {
        try write()
        let m = Meeting(
            id: fakeId(), cellId: cellId, kind: kind, status: .planned, revision: 1, revisionOf: nil, plannedStart: start, plannedPlace: place,
            actualStart: nil, actualEnd: nil, chairId: nil, minuteTakerId: nil, guests: [], thematicTopic: nil,
            preparation: Preparation(noticeSentToMembers: false, noticeSentToCadre: false, documentsSentAt: nil), partyFeeNote: nil,
            conclusion: nil, resolution: nil, minutesApproved: false, secretaryJudgement: nil, finalDocumentsSentAt: nil, signature: nil
        )
        records[m.id] = MeetingRecord(meeting: m, rollCall: [], agenda: [], speeches: [], taskReviews: [], tasks: [], votes: [], petitions: [])
        order.append(m.id)
        return m
    }

    public func record(_ meetingId: String) throws -> MeetingRecord { try rec(meetingId) }
    public func meetingRecord(_ meetingId: String) throws -> MeetingRecord { try rec(meetingId) }

    public func updateMeeting(_ meeting: Meeting) throws {
        try edit(meeting.id) { r in
            var m = meeting
            m.status = r.meeting.status
            m.signature = r.meeting.signature
            m.secretaryJudgement = r.meeting.secretaryJudgement
            r.meeting = m
        }
    }

    public func markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?) throws {
        try edit(meetingId) { r in
            guard demo.all.contains(where: { $0.id == memberId }) else { throw CoreError("Đảng viên thuộc chi bộ khác") }
            r.rollCall.removeAll { $0.memberId == memberId }
            r.rollCall.append(RollCallEntry(memberId: memberId, attendance: attendance, reason: reason))
        }
    }

    public func addSpeech(meetingId: String, speaker: Speaker, gist: String) throws -> Speech {
        let s = Speech(id: fakeId(), speaker: speaker, gist: gist)
        try edit(meetingId) { $0.speeches.append(s) }
        return s
    }

    public func previousTasks(_ meetingId: String) throws -> [ChiboCore.Task] { previous[meetingId] ?? [] }

    public func reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome) throws {
        try edit(meetingId) { r in
            r.taskReviews.removeAll { $0.taskId == taskId }
            r.taskReviews.append(TaskReview(taskId: taskId, outcome: outcome, note: nil))
        }
    }

    public func addTask(meetingId: String, description: String, assigneeId: String, deadline: String) throws -> ChiboCore.Task {
        let t = ChiboCore.Task(id: fakeId(), description: description, assigneeId: assigneeId, deadline: deadline)
        try edit(meetingId) { $0.tasks.append(t) }
        return t
    }

    public func recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int) throws -> VoteTally {
        let v = VoteTally(id: fakeId(), question: question, kind: kind, inFavor: UInt32(inFavor), against: UInt32(against), abstain: UInt32(abstain))
        try edit(meetingId) { $0.votes.append(v) }
        return v
    }

    public func raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String) throws -> Petition {
        let p = Petition(
            id: fakeId(), cellId: try rec(meetingId).meeting.cellId, meetingId: meetingId, content: content, category: category,
            raisedBy: raisedBy, status: .raised, raisedAt: now()
        )
        try edit(meetingId) { $0.petitions.append(p) }
        return p
    }

    public func setSecretaryScore(meetingId: String, scores: JudgedScores) throws {
        try edit(meetingId) { $0.meeting.secretaryJudgement = scores }
    }

    public func assess(_ meetingId: String) throws -> MeetingAssessment {
        let r = try rec(meetingId)
        let (present, expected) = counts(r)
        let duration = r.meeting.actualStart.flatMap { s in r.meeting.actualEnd.map { ($0 - s) / 60_000 } }
        return MeetingAssessment(
            attendance: AttendanceSummary(
                totalMembers: 12, fullMembers: 11, probationaryMembers: 1, exempt: 1, attachedElsewhere: 1, expected: expected,
                present: present, late: 0, absentExcused: 0, absentUnexcused: 0, exemptPresent: 0,
                ratePercent: expected > 0 ? Double(present) * 100 / Double(expected) : nil, absentees: []
            ),
            durationMinutes: duration, requiredMinutes: 90, speakingSharePercent: nil, taskResults: nil, votes: [],
            goodMeeting: GoodMeetingCheck(passed: warnings.isEmpty, shortfalls: warnings.map(\.message)),
            quality: QualityScore(items: [], total: quality, grade: grade, judgedEntered: r.meeting.secretaryJudgement != nil),
            removalWatch: [], viability: CellViability(fullMembers: 11, totalMembers: 12, viable: true, committeeAllowed: true, warnings: []),
            warnings: warnings
        )
    }

    public func minutesText(_ meetingId: String) throws -> String {
        let r = try rec(meetingId)
        var lines = [
            "ĐẢNG BỘ XÃ XUÂN HÒA", "CHI BỘ BẢN NÀ HẨU", "BIÊN BẢN SINH HOẠT CHI BỘ",
            "Chủ trì: \(r.meeting.chairId.flatMap { names[$0] } ?? "…"); thư ký: \(r.meeting.minuteTakerId.flatMap { names[$0] } ?? "…")",
        ]
        for s in r.speeches {
            switch s.speaker {
            case .member(let id): lines.append("- \(names[id] ?? "?"): \(s.gist)")
            case .guest(let name): lines.append("- \(name): \(s.gist)")
            }
        }
        for t in r.tasks { lines.append("Nhiệm vụ: \(t.description) (\(names[t.assigneeId] ?? "?"), hạn \(t.deadline))") }
        return lines.joined(separator: "\n")
    }

    public func sign(_ meetingId: String) throws -> MeetingRecord {
        var r = try rec(meetingId)
        if r.meeting.status == .signed { throw CoreError("Biên bản đã ký", kind: .frozen) }
        guard let chair = r.meeting.chairId, let taker = r.meeting.minuteTakerId else {
            throw CoreError("Biên bản cần chủ trì và thư ký ký tên")
        }
        try write()
        r.meeting.status = .signed
        r.meeting.signature = Signature(signedAt: now(), chairName: names[chair] ?? "?", minuteTakerName: names[taker] ?? "?")
        records[meetingId] = r
        return r
    }

    public func attachPhoto(meetingId: String, cameraFile: String) throws -> PhotoAttachment {
        if try rec(meetingId).meeting.status == .signed { throw CoreError("Biên bản đã ký", kind: .frozen) }
        try write()
        let p = PhotoAttachment(
            sha256: Self.fakeHash(cameraFile), meetingId: meetingId, checkInId: nil, width: 1600, height: 1200, byteSize: 245_000, attachedAt: now()
        )
        photosByMeeting[meetingId, default: []].append(p)
        return p
    }

    public func photos(_ meetingId: String) throws -> [PhotoAttachment] { photosByMeeting[meetingId] ?? [] }

    public func presenceCode(_ meetingId: String) throws -> PresenceCode {
        PresenceCode(code: "482913", step: 5_000_000, validFrom: now(), validUntil: now() + 5 * 60_000, qrPayload: "chibo:presence:\(meetingId):482913")
    }

    public func setStandardAgenda(meetingId: String, kind: MeetingKind) throws {
        try edit(meetingId) { r in
            r.agenda = [
                AgendaItem(section: .opening, title: "Khai mạc", conclusion: nil), AgendaItem(section: .body, title: "Nội dung", conclusion: nil),
                AgendaItem(section: .closing, title: "Bế mạc", conclusion: nil),
            ]
        }
    }

    // VisitsCore

    public lazy var assignedMeetings: () -> [Meeting] = { [unowned self] in
        order.compactMap { records[$0]?.meeting }.filter { $0.status != .signed }
    }

    public func overview(_ cadreId: String) throws -> CadreOverview {
        let c = compliance
        let behind: UInt32 = c.verifiedThisMonth + c.needsReviewThisMonth < c.requiredThisMonth ? 1 : 0
        return CadreOverview(
            cadre: demo.cadre, cells: [AssignedCell(cellId: demo.cell.id, cell: demo.cell, plannedMeetings: assignedMeetings())],
            compliance: CadreCompliance(
                cadreId: cadreId, year: 2026, month: 11, perCell: [c],
                totals: ComplianceTotals(
                    verifiedThisMonth: c.verifiedThisMonth, needsReviewThisMonth: c.needsReviewThisMonth, requiredThisMonth: c.requiredThisMonth,
                    verifiedThisYear: c.verifiedThisYear, needsReviewThisYear: c.needsReviewThisYear, requiredThisYear: c.requiredThisYear,
                    cellsBehind: behind
                )
            )
        )
    }

    public func myCheckIns(_ cadreId: String) throws -> [CheckInRow] { checkIns }

    public func processPhoto(cameraFile: String) throws -> PhotoInfo {
        if cameraFile.hasSuffix(".broken") { throw CoreError("Ảnh bị hỏng, không đọc được. Hãy chụp lại.") }
        return PhotoInfo(
            sha256: Self.fakeHash(cameraFile), width: 1600, height: 1200, byteSize: 245_000, path: cameraFile + ".jpg",
            thumbnailPath: cameraFile + ".thumb.jpg", thumbnailWidth: 320, thumbnailHeight: 240
        )
    }

    public func checkIn(_ request: CheckInRequest, keystore: DeviceKeystore) throws -> CheckInRow {
        lastCheckInRequests.append(request)
        let signature = try keystore.sign(payload: Data(request.presenceCode.utf8))
        let row = CheckInRow(
            checkIn: CheckIn(
                id: fakeId(), meetingId: request.meetingId, cellId: request.cellId, cadreId: request.cadreId, deviceId: "device",
                photoSha256: request.photo?.sha256, gps: request.gps, deviceWallTime: request.deviceWallTime, monotonicMs: request.monotonicMs,
                serverOffsetMs: request.serverOffsetMs, presenceCode: request.presenceCode, publicKeyHex: String(repeating: "00", count: 32),
                signatureHex: signature.map { String(format: "%02x", $0) }.joined()
            ),
            verdict: verdictFor(request)
        )
        checkIns.append(row)
        return row
    }

    public func recordObservation(_ observation: Observation) throws -> Observation {
        var saved = observation
        saved.id = fakeId()
        observations.append(saved)
        return saved
    }

    // PetitionsCore, GuidanceCore

    public func petitions(_ cellId: String) throws -> [PetitionThread] {
        order.compactMap { records[$0] }.flatMap(\.petitions).map { p in
            PetitionThread(petition: p, responses: responses.filter { $0.petitionId == p.id })
        }
    }

    public func guidance(_ cellId: String) throws -> [Guidance] {
        guidanceItems.filter { $0.cellIds.isEmpty || $0.cellIds.contains(cellId) }
    }

    static func fakeHash(_ text: String) -> String {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return String(repeating: String(format: "%016llx", h), count: 4)
    }
}
