import ChiboCore

/// Every word the screens show for a value of the record comes from the core, through this
/// one file: a copy in Swift would drift from the Android app, the dashboard and the core.
public enum Labels {
    public static func grade(_ grade: QualityGrade) -> String { gradeLabel(grade: grade) }
    public static func meetingKind(_ kind: MeetingKind) -> String { pending(kind) }
    public static func meetingStatus(_ status: MeetingStatus) -> String { pending(status) }
    public static func attendance(_ attendance: Attendance) -> String { pending(attendance) }
    public static func memberStatus(_ status: MemberStatus) -> String { pending(status) }
    public static func membership(_ kind: MembershipKind) -> String { pending(kind) }
    /// nil for an ordinary member.
    public static func memberRole(_ role: MemberRole) -> String? { role == .member ? nil : pending(role) }
    public static func petitionCategory(_ category: PetitionCategory) -> String { pending(category) }
    public static func petitionStatus(_ status: PetitionStatus) -> String { pending(status) }
    public static func taskOutcome(_ outcome: TaskOutcome) -> String { pending(outcome) }
    public static func voteKind(_ kind: VoteKind) -> String { pending(kind) }
    public static func guidanceKind(_ kind: GuidanceKind) -> String { pending(kind) }
    public static func verdictStatus(_ status: VerdictStatus) -> String { pending(status) }
    /// A check-in as the cadre reads it: the office's decision once it made one, else the
    /// automatic verdict.
    public static func checkInVerdict(_ verdict: Verdict) -> String { verdict.review.map { pending($0.decision) } ?? pending(verdict.status) }

    /// The judged parts of Guideline 42's score: what each awards and its maximum.
    public static func judgedParts() -> [ScorePart] { ScorePart.all }

    // The core does not export these words yet (only grade_label): until it does, the value's
    // own name is shown rather than a Swift copy of the Vietnamese.
    private static func pending<T>(_ value: T) -> String { String(describing: value) }
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

/// One judged part of the score: its words, its maximum, and where it lives in `JudgedScores`.
public struct ScorePart {
    public let key: String
    public let label: String
    public let max: Int
    private let field: WritableKeyPath<JudgedScores, UInt8>

    static let fields: [(String, WritableKeyPath<JudgedScores, UInt8>)] = [
        ("contentPrepared", \.contentPrepared), ("orientationAndDraft", \.orientationAndDraft),
        ("committeePremeeting", \.committeePremeeting), ("fullProcedure", \.fullProcedure),
        ("regularContent", \.regularContent), ("thematicPart", \.thematicPart),
        ("praiseAndCriticism", \.praiseAndCriticism), ("ideologyTime", \.ideologyTime),
        ("documentsPosted", \.documentsPosted), ("chairing", \.chairing), ("principles", \.principles),
        ("conclusionAdopted", \.conclusionAdopted), ("minutesAdoptedAndTasks", \.minutesAdoptedAndTasks),
    ]

    // Until the core exports the score table, no words and no maximum below the field's own.
    static var all: [ScorePart] { fields.map { ScorePart(key: $0.0, label: $0.0, max: Int(UInt8.max), field: $0.1) } }

    public func points(in scores: JudgedScores) -> Int { Int(scores[keyPath: field]) }

    /// `scores` with this part's points set, kept within 0…max.
    public func setting(_ points: Int, in scores: JudgedScores) -> JudgedScores {
        var changed = scores
        changed[keyPath: field] = UInt8(Swift.min(Swift.max(points, 0), max))
        return changed
    }

    public static let zero = JudgedScores(
        contentPrepared: 0, orientationAndDraft: 0, committeePremeeting: 0, fullProcedure: 0, regularContent: 0,
        thematicPart: 0, praiseAndCriticism: 0, ideologyTime: 0, documentsPosted: 0, chairing: 0, principles: 0,
        conclusionAdopted: 0, minutesAdoptedAndTasks: 0
    )
}
