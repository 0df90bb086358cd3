import ChiboCore

/// The seven steps of the meeting flow, in the order of Guideline 42's procedure.
public enum FlowStep: Int, CaseIterable, Equatable, Comparable {
    case prepare, open, body, closing, photos, review, sign

    public var number: Int { rawValue + 1 }

    public var title: String {
        switch self {
        case .prepare: return "Chuẩn bị"
        case .open: return "Khai mạc, điểm danh"
        case .body: return "Nội dung"
        case .closing: return "Bế mạc"
        case .photos: return "Ảnh"
        case .review: return "Xem biên bản"
        case .sign: return "Ký biên bản"
        }
    }

    var name: String { String(describing: self) }

    public static func < (a: FlowStep, b: FlowStep) -> Bool { a.rawValue < b.rawValue }
}

/// A member (or guest) as a choice: chair, speaker, assignee.
public struct PersonChoice: Equatable {
    public let id: String
    public let name: String
    public let detail: String?
}

/// A mark the secretary can give with one tap, with the core's words for it.
public struct MarkChoice: Equatable {
    public let attendance: Attendance
    public let label: String
}

public struct RollCallRow: Equatable {
    public let memberId: String
    public let name: String
    /// The member's role, membership and standing, in the core's words.
    public let detail: String
    public let mark: Attendance?
    public let markLabel: String?
    public let reason: String?
}

public struct PrepareUi: Equatable {
    public var noticeToMembers = false
    public var noticeToCadre = false
    /// Days before the start that documents reached members; nil: not sent.
    public var documentsDaysBefore: Int?
    public var guidance: [String] = []
}

public struct OpenUi: Equatable {
    public var startedAt: String?
    public var chair: PersonChoice?
    public var minuteTaker: PersonChoice?
    public var candidates: [PersonChoice] = []
    public var rollCall: [RollCallRow] = []
    public var marks: [MarkChoice] = []
    /// "8/10 có mặt", counted by the core's attendance rule.
    public var presentSummary = ""
}

public struct SpeechUi: Equatable {
    public let id: String
    public let speaker: String
    public let gist: String
}

public struct ReviewRow: Equatable {
    public let taskId: String
    public let description: String
    public let assignee: String
    public let deadline: String
    public let outcome: String?
}

public struct TaskUi: Equatable {
    public let id: String
    public let description: String
    public let assignee: String
    public let deadline: String
}

public struct VoteUi: Equatable {
    public let id: String
    public let question: String
    public let tally: String
}

public struct PetitionUi: Equatable {
    public let id: String
    public let content: String
    public let category: String
    public let raisedBy: String
    public let status: String
}

public struct ScoreItem: Equatable {
    public let key: String
    public let label: String
    public var value: Int
    public let max: Int
}

public struct DeadlineChoice: Equatable {
    public let label: String
    public let isoDate: String
}

public struct OutcomeChoice: Equatable {
    public let outcome: TaskOutcome
    public let label: String
}

public struct CategoryChoice: Equatable {
    public let category: PetitionCategory
    public let label: String
}

public struct BodyUi: Equatable {
    public var speakers: [PersonChoice] = []
    public var speeches: [SpeechUi] = []
    public var draftSpeakerId: String?
    public var draftGist = ""
    public var previousTasks: [ReviewRow] = []
    public var outcomes: [OutcomeChoice] = []
}

public struct ClosingUi: Equatable {
    public var tasks: [TaskUi] = []
    public var draftTask = ""
    public var draftAssigneeId: String?
    public var draftDeadline: String?
    public var assignees: [PersonChoice] = []
    public var deadlines: [DeadlineChoice] = []
    public var votes: [VoteUi] = []
    public var voteQuestion = ""
    public var inFavor = 0
    public var against = 0
    public var abstain = 0
    /// Full members present, who may vote (probationary members do not).
    public var voters = 0
    public var petitions: [PetitionUi] = []
    public var draftPetition = ""
    public var draftCategory: PetitionCategory?
    public var categories: [CategoryChoice] = []
    public var scores: [ScoreItem] = []
    public var scoresSaved = false
    public var conclusion = ""
    public var endedAt: String?
}

public struct PhotoUi: Equatable {
    public let sha256: String
    public let label: String
}

public struct PhotosUi: Equatable {
    public var photos: [PhotoUi] = []
    public var busy = false
}

public struct WarningUi: Equatable {
    public let message: String
    public let tone: Tone
}

public struct ReviewUi: Equatable {
    public var minutes = ""
    public var warnings: [WarningUi] = []
    public var score = ""
    public var grade = ""
    public var gradeTone = Tone.neutral
    public var attendance = ""
}

public struct SignUi: Equatable {
    public var chair = ""
    public var minuteTaker = ""
    public var signedAt: String?
}

public struct MeetingFlowState: Equatable {
    public var loading = true
    public var meetingId = ""
    public var title = ""
    public var subtitle = ""
    public var step = FlowStep.prepare
    /// Why the current step cannot be left forward yet; empty when it can.
    public var blockers: [String] = []
    public var completed: Set<FlowStep> = []
    public var prepare = PrepareUi()
    public var open = OpenUi()
    public var body = BodyUi()
    public var closing = ClosingUi()
    public var photos = PhotosUi()
    public var review = ReviewUi()
    public var sign = SignUi()
    public var signed = false
    public var error: String?
    public init() {}
}

/// Excuse reasons offered as choices; typing stays possible for anything else.
public let excuseReasons = ["Ốm", "Đi làm ăn xa", "Việc gia đình", "Đi công tác", "Tuổi cao, sức yếu"]
