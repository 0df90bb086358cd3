import ChiboCore
import Foundation

// MARK: - home

public struct NextMeetingUi: Equatable {
    public let meetingId: String
    public let title: String
    public let whenAndWhere: String
    public let inProgress: Bool
}

public struct OpenTaskUi: Equatable {
    public let description: String
    public let assignee: String
    public let deadline: String
    public let overdue: Bool
}

public struct LastMeetingUi: Equatable {
    public let meetingId: String
    public let title: String
    public let grade: String?
    public let gradeTone: Tone
    public let detail: String
}

public struct HomeState: Equatable {
    public var loading = true
    public var cellName = ""
    public var communeName = ""
    public var next: NextMeetingUi?
    public var last: LastMeetingUi?
    public var lastWarnings: [String] = []
    public var openTasks: [OpenTaskUi] = []
    public var members = ""
    public var viabilityWarning: String?
    public var error: String?
    public init() {}
}

/// "Thường kỳ · Tháng 11/2026".
func meetingTitle(_ kind: MeetingKind, _ plannedStart: Int64) -> String {
    "\(Labels.meetingKind(kind)) · \(Format.monthLabel(plannedStart))"
}

/// The secretary's home: the next meeting, the last one's grade and warnings, open tasks.
public final class HomeStateHolder: StateHolder<HomeState> {
    private let cells: CellCore
    private let meetings: MeetingCore
    private let scheduler: Scheduler?
    private let clock: DeviceClock
    private let cellId: String

    public init(cells: CellCore, meetings: MeetingCore, scheduler: Scheduler?, clock: DeviceClock, cellId: String, work: Work) {
        self.cells = cells
        self.meetings = meetings
        self.scheduler = scheduler
        self.clock = clock
        self.cellId = cellId
        super.init(HomeState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: fail) { [self] in try reload() }
    }

    private func reload() throws {
        let home = try cells.home(cellId)
        let total = home.membersByStatus.reduce(0) { $0 + Int($1.count) }
        let away = home.membersByStatus.filter { $0.status != .active && $0.count > 0 }
            .map { "\($0.count) \(Labels.memberStatus($0.status).lowercased())" }
            .joined(separator: ", ")
        var s = HomeState()
        s.loading = false
        s.cellName = home.cell.name
        s.communeName = home.cell.communeName
        s.next = home.nextMeeting.map { m in
            NextMeetingUi(
                meetingId: m.id, title: meetingTitle(m.kind, m.plannedStart),
                whenAndWhere: "\(Format.timeAndDate(m.plannedStart)) · \(m.plannedPlace)", inProgress: m.actualStart != nil
            )
        }
        s.last = home.lastMeeting.map { m in
            var detail: [String] = []
            if let total = m.qualityTotal { detail.append("\(total)/100 điểm") }
            if let rate = m.attendanceRatePercent { detail.append("dự họp \(Format.percent(rate))") }
            detail.append(Labels.meetingStatus(m.status))
            return LastMeetingUi(
                meetingId: m.meetingId, title: meetingTitle(m.kind, m.plannedStart), grade: m.grade.map(Labels.grade),
                gradeTone: m.grade?.tone ?? .neutral, detail: detail.joined(separator: " · ")
            )
        }
        s.lastWarnings = home.lastMeetingWarnings.map(\.message)
        s.openTasks = home.openTasks.map {
            OpenTaskUi(description: $0.task.description, assignee: $0.assigneeName, deadline: Format.isoDateLabel($0.task.deadline), overdue: $0.overdue)
        }
        s.members = "\(total) đảng viên" + (away.isEmpty ? "" : " (\(away))")
        s.viabilityWarning = home.viability.warnings.first?.message
        update { $0 = s }
    }

    /// Plans the cell's next regular meeting when the core's schedule rule says (the cell's
    /// fixed day this month, or next month's once it has passed, at the usual evening hour),
    /// and asks for a reminder the day before.
    public func planNextMeeting(_ onPlanned: @escaping (String) -> Void) {
        launch(onError: fail) { [self] in
            let cell = try cells.cell(cellId)
            let start = nextMeetingStartFrom(cell: cell, now: clock.now())
            let place = cell.meetingPlace?.label ?? "Nhà văn hóa"
            let meeting = try meetings.plan(cellId: cellId, kind: .regular, start: start, place: place)
            scheduler?.remindBefore(meetingId: meeting.id, title: "\(cell.name): sinh hoạt \(Format.monthLabel(start).lowercased())", meetingStart: start)
            try reload()
            work.main { onPlanned(meeting.id) }
        }
    }

    private func fail(_ message: String) {
        update {
            $0.loading = false
            $0.error = message
        }
    }
}

// MARK: - roster

public struct MemberUi: Equatable {
    public let id: String
    public let name: String
    public let role: String?
    public let membership: String
    public let status: String?
    public let statusReason: String?
}

public struct RosterState: Equatable {
    public var loading = true
    public var cellName = ""
    public var summary = ""
    public var members: [MemberUi] = []
    public var viabilityWarning: String?
    public var error: String?
    public init() {}
}

public final class RosterStateHolder: StateHolder<RosterState> {
    private let cells: CellCore
    private let cellId: String

    public init(cells: CellCore, cellId: String, work: Work) {
        self.cells = cells
        self.cellId = cellId
        super.init(RosterState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let cell = try cells.cell(cellId)
            let members = try cells.members(cellId)
            let home = try cells.home(cellId)
            let full = members.filter { $0.membership == .full }.count
            var s = RosterState()
            s.loading = false
            s.cellName = cell.name
            s.summary = "\(members.count) đảng viên: \(full) chính thức, \(members.count - full) dự bị"
            s.members = members.map {
                MemberUi(
                    id: $0.id, name: $0.fullName, role: Labels.memberRole($0.role), membership: Labels.membership($0.membership),
                    status: $0.status == .active ? nil : Labels.memberStatus($0.status), statusReason: $0.statusReason
                )
            }
            // Whether the cell can still meet as one is the core's rule.
            s.viabilityWarning = home.viability.warnings.first?.message
            update { $0 = s }
        }
    }
}

// MARK: - presence code

public struct PresenceState: Equatable {
    /// "482 913".
    public var code = ""
    /// What the QR code encodes (the screen draws it).
    public var qrPayload = ""
    public var validUntil = ""
    public var validUntilMs: Int64 = 0
    public var error: String?
    public init() {}
}

/// The rotating code; the screen calls `refresh` when the shown code's span ends.
public final class PresenceCodeStateHolder: StateHolder<PresenceState> {
    private let meetings: MeetingCore
    private let meetingId: String

    public init(meetings: MeetingCore, meetingId: String, work: Work) {
        self.meetings = meetings
        self.meetingId = meetingId
        super.init(PresenceState(), work: work)
    }

    public func refresh() {
        launch(onError: { [weak self] m in self?.update { $0.error = m } }) { [self] in
            let code = try meetings.presenceCode(meetingId)
            var s = PresenceState()
            s.code = stride(from: 0, to: code.code.count, by: 3).map { i -> String in
                let start = code.code.index(code.code.startIndex, offsetBy: i)
                let end = code.code.index(start, offsetBy: 3, limitedBy: code.code.endIndex) ?? code.code.endIndex
                return String(code.code[start..<end])
            }.joined(separator: " ")
            s.qrPayload = code.qrPayload
            s.validUntil = "Mã đổi lúc \(Format.timeOf(code.validUntil))"
            s.validUntilMs = code.validUntil
            update { $0 = s }
        }
    }
}

// MARK: - history

public struct HistoryRow: Equatable {
    public let meetingId: String
    public let title: String
    public let detail: String
    public let grade: String?
    public let gradeTone: Tone
    public let status: String
}

public struct HistoryState: Equatable {
    public var loading = true
    public var rows: [HistoryRow] = []
    public var error: String?
    public init() {}
}

public final class HistoryStateHolder: StateHolder<HistoryState> {
    private let cells: CellCore
    private let cellId: String

    public init(cells: CellCore, cellId: String, work: Work) {
        self.cells = cells
        self.cellId = cellId
        super.init(HistoryState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let rows = try cells.history(cellId).map { s -> HistoryRow in
                var detail = [Format.dateOf(s.actualStart ?? s.plannedStart)]
                if let minutes = s.durationMinutes { detail.append("\(minutes) phút") }
                if s.expected > 0 { detail.append("\(s.present)/\(s.expected) có mặt") }
                if let total = s.qualityTotal { detail.append("\(total) điểm") }
                let correction = s.revision > 1 ? " (đính chính lần \(s.revision - 1))" : ""
                return HistoryRow(
                    meetingId: s.meetingId, title: meetingTitle(s.kind, s.plannedStart) + correction,
                    detail: detail.joined(separator: " · "), grade: s.grade.map(Labels.grade), gradeTone: s.grade?.tone ?? .neutral,
                    status: Labels.meetingStatus(s.status)
                )
            }
            update {
                $0.loading = false
                $0.rows = rows
                $0.error = nil
            }
        }
    }
}

// MARK: - petitions

public struct AnswerUi: Equatable {
    public let status: String
    public let text: String
    public let responder: String
    public let at: String
}

public struct PetitionRow: Equatable {
    public let id: String
    public let content: String
    public let category: String
    public let raisedBy: String
    public let raisedAt: String
    public let status: String
    public let statusTone: Tone
    public let answers: [AnswerUi]
}

public struct PetitionsState: Equatable {
    public var loading = true
    public var rows: [PetitionRow] = []
    /// Petitions not settled yet (the core's rule: resolved and declined are final).
    public var waiting = 0
    public var error: String?
    public init() {}
}

public final class PetitionsStateHolder: StateHolder<PetitionsState> {
    private let petitions: PetitionsCore
    private let cellId: String

    public init(petitions: PetitionsCore, cellId: String, work: Work) {
        self.petitions = petitions
        self.cellId = cellId
        super.init(PetitionsState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let threads = try petitions.petitions(cellId).sorted { $0.petition.raisedAt > $1.petition.raisedAt }
            func latest(_ t: PetitionThread) -> PetitionStatus {
                t.responses.max { $0.respondedAt < $1.respondedAt }?.status ?? t.petition.status
            }
            let rows = threads.map { t -> PetitionRow in
                let status = latest(t)
                let tone: Tone
                switch status {
                case .answered, .resolved: tone = .good
                case .declined: tone = .warning
                case .raised, .forwarded: tone = .neutral
                }
                return PetitionRow(
                    id: t.petition.id, content: t.petition.content, category: Labels.petitionCategory(t.petition.category),
                    raisedBy: t.petition.raisedBy, raisedAt: Format.dateOf(t.petition.raisedAt), status: Labels.petitionStatus(status),
                    statusTone: tone,
                    answers: t.responses.sorted { $0.respondedAt < $1.respondedAt }.map {
                        AnswerUi(status: Labels.petitionStatus($0.status), text: $0.text, responder: $0.responder, at: Format.dateOf($0.respondedAt))
                    }
                )
            }
            let waiting = threads.filter { petitionIsOpen(status: latest($0)) }.count
            update {
                $0.loading = false
                $0.rows = rows
                $0.waiting = waiting
                $0.error = nil
            }
        }
    }
}

// MARK: - guidance

public struct GuidanceUi: Equatable {
    public let id: String
    public let kind: String
    public let title: String
    public let body: String
    public let period: String
    public let published: String
    public let attachments: [String]
}

public struct GuidanceState: Equatable {
    public var loading = true
    public var items: [GuidanceUi] = []
    public var error: String?
    public init() {}
}

/// Guidance and notices the commune sent down for the cell, newest first.
public final class GuidanceStateHolder: StateHolder<GuidanceState> {
    private let guidance: GuidanceCore
    private let cellId: String

    public init(guidance: GuidanceCore, cellId: String, work: Work) {
        self.guidance = guidance
        self.cellId = cellId
        super.init(GuidanceState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let items = try guidance.guidance(cellId).sorted { $0.publishedAt > $1.publishedAt }.map { g in
                GuidanceUi(
                    id: g.id, kind: Labels.guidanceKind(g.kind), title: g.title, body: g.body, period: Format.guidancePeriod(g.period),
                    published: Format.dateOf(g.publishedAt), attachments: g.attachments.map(\.fileName)
                )
            }
            update {
                $0.loading = false
                $0.items = items
                $0.error = nil
            }
        }
    }
}

// MARK: - share

public struct ShareState: Equatable {
    public var busy = false
    /// Why sharing is not possible on this build, said plainly.
    public var unavailable: String?
    public var ready: RenderedDocument?
    public var error: String?
    public init() {}
}

/// The signed minutes and resolution as Word files for the share sheet.
public final class ShareStateHolder: StateHolder<ShareState> {
    private let documents: DocumentsCore
    private let meetingId: String

    public init(documents: DocumentsCore, meetingId: String, work: Work) {
        self.documents = documents
        self.meetingId = meetingId
        super.init(ShareState(), work: work)
    }

    public func render(_ kind: DocumentKind) {
        update {
            $0.busy = true
            $0.error = nil
            $0.ready = nil
        }
        work.background { [self] in
            do {
                let doc = try documents.renderDocx(meetingId: meetingId, kind: kind)
                update {
                    $0.busy = false
                    $0.ready = doc
                }
            } catch let e as CoreError where e.kind == .unavailable {
                update {
                    $0.busy = false
                    $0.unavailable = e.message
                }
            } catch {
                let message = CoreError.message(of: error)
                update {
                    $0.busy = false
                    $0.error = message
                }
            }
        }
    }
}
