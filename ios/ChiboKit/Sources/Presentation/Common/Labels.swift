import ChiboCore

/// Every word the screens show for a value of the record comes from the core
/// (chibo_domain::labels, through the bindings), through this one file: a copy in Swift
/// would drift from the Android app, the dashboard and the minutes.
public enum Labels {
    public static func grade(_ grade: QualityGrade) -> String { qualityGradeLabel(grade: grade) }
    public static func meetingKind(_ kind: MeetingKind) -> String { meetingKindLabel(kind: kind) }
    public static func meetingStatus(_ status: MeetingStatus) -> String { meetingStatusLabel(status: status) }
    public static func attendance(_ attendance: Attendance) -> String { attendanceLabel(attendance: attendance) }
    public static func memberStatus(_ status: MemberStatus) -> String { memberStatusLabel(status: status) }
    public static func membership(_ kind: MembershipKind) -> String { membershipLabel(membership: kind) }
    /// nil for an ordinary member (the roster shows no role for them).
    public static func memberRole(_ role: MemberRole) -> String? { role == .member ? nil : memberRoleLabel(role: role) }
    public static func petitionCategory(_ category: PetitionCategory) -> String { petitionCategoryLabel(category: category) }
    public static func petitionStatus(_ status: PetitionStatus) -> String { petitionStatusLabel(status: status) }
    public static func taskOutcome(_ outcome: TaskOutcome) -> String { taskOutcomeLabel(outcome: outcome) }
    public static func voteKind(_ kind: VoteKind) -> String { voteKindLabel(kind: kind) }
    public static func guidanceKind(_ kind: GuidanceKind) -> String { guidanceKindLabel(kind: kind) }
    public static func verdictStatus(_ status: VerdictStatus) -> String { verdictStatusLabel(status: status) }
    /// A check-in as the cadre reads it: the office's decision once it made one, else the
    /// automatic verdict.
    public static func checkInVerdict(_ verdict: Verdict) -> String { checkInVerdictLabel(verdict: verdict) }

    /// The judged parts of Guideline 42's score, in the guideline's order, with the core's
    /// words and maxima.
    public static func judgedParts() -> [ScorePart] { judgedItems().map(ScorePart.init) }
}

/// How a UI shows a judgement: good, neutral, a warning or a problem.
public enum Tone: Equatable { case good, neutral, warning, problem }

extension QualityGrade {
    public var tone: Tone {
        switch self {
        case .good: return .good
        case .fair: return .neutral
        case .average: return .warning
        case .poor: return .problem
        }
    }
}

/// One judged part of the score: the core's words and maximum, read and set in
/// `JudgedScores` by the core.
public struct ScorePart {
    /// The part's name in the bindings ("chairing"), stable across languages.
    public let key: String
    public let label: String
    public let max: Int
    private let part: JudgedPart

    init(_ item: JudgedItem) {
        key = String(describing: item.part)
        label = item.label
        max = Int(item.max)
        part = item.part
    }

    public func points(in scores: JudgedScores) -> Int { Int(judgedPoints(scores: scores, part: part)) }

    /// `scores` with this part's points set, kept within 0…max.
    public func setting(_ points: Int, in scores: JudgedScores) -> JudgedScores {
        withJudgedPoints(scores: scores, part: part, points: UInt8(Swift.min(Swift.max(points, 0), max)))
    }

    public static let zero = JudgedScores(
        contentPrepared: 0, orientationAndDraft: 0, committeePremeeting: 0, fullProcedure: 0, regularContent: 0,
        thematicPart: 0, praiseAndCriticism: 0, ideologyTime: 0, documentsPosted: 0, chairing: 0, principles: 0,
        conclusionAdopted: 0, minutesAdoptedAndTasks: 0
    )
}
