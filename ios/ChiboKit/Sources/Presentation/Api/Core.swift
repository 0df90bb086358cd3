import ChiboCore
import Foundation

// Small protocols over the core, in the core's own record types (plain Swift structs, so
// fakes need no native code). The implementations on the generated bindings are in Impl/;
// the state holders see only these. The same split as the Android app's api/impl.

/// Any refusal or failure of the core, with its Vietnamese message for the user.
public struct CoreError: Error, Equatable {
    public enum Kind: Equatable { case validation, notFound, frozen, storage, network, unauthorized, unavailable }

    public let message: String
    public let kind: Kind

    public init(_ message: String, kind: Kind = .validation) {
        self.message = message
        self.kind = kind
    }

    /// The words to show for any error a state holder catches.
    static func message(of error: Error) -> String {
        if let core = error as? CoreError { return core.message.isEmpty ? StateHolder<Int>.unknownError : core.message }
        return StateHolder<Int>.unknownError
    }
}

/// The secretary's cell: roster, home figures, history.
public protocol CellCore: AnyObject {
    func cell(_ cellId: String) throws -> Cell
    func members(_ cellId: String) throws -> [Member]
    func home(_ cellId: String) throws -> HomeSummary
    func history(_ cellId: String) throws -> [MeetingSummary]
}

/// The meeting flow. Every call writes through the core's one write path at once.
public protocol MeetingCore: AnyObject {
    func plan(cellId: String, kind: MeetingKind, start: Int64, place: String) throws -> Meeting
    func record(_ meetingId: String) throws -> MeetingRecord
    func updateMeeting(_ meeting: Meeting) throws
    func markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?) throws
    func addSpeech(meetingId: String, speaker: Speaker, gist: String) throws -> Speech
    func previousTasks(_ meetingId: String) throws -> [Task]
    func reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome) throws
    func addTask(meetingId: String, description: String, assigneeId: String, deadline: String) throws -> Task
    func recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int) throws -> VoteTally
    func raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String) throws -> Petition
    func setSecretaryScore(meetingId: String, scores: JudgedScores) throws
    func assess(_ meetingId: String) throws -> MeetingAssessment
    func minutesText(_ meetingId: String) throws -> String
    func sign(_ meetingId: String) throws -> MeetingRecord
    /// Processes a camera file through the core's photo pipeline and attaches it.
    func attachPhoto(meetingId: String, cameraFile: String) throws -> PhotoAttachment
    func photos(_ meetingId: String) throws -> [PhotoAttachment]
    func presenceCode(_ meetingId: String) throws -> PresenceCode
    /// The standard agenda of Guideline 42, set when the meeting opens.
    func setStandardAgenda(meetingId: String, kind: MeetingKind) throws
}

/// A petition with the answers that came back.
public struct PetitionThread: Equatable {
    public let petition: Petition
    public let responses: [PetitionResponse]
    public init(petition: Petition, responses: [PetitionResponse]) {
        self.petition = petition
        self.responses = responses
    }
}

public protocol PetitionsCore: AnyObject {
    func petitions(_ cellId: String) throws -> [PetitionThread]
}

public protocol GuidanceCore: AnyObject {
    func guidance(_ cellId: String) throws -> [Guidance]
}

/// A rendered document to hand to the platform's share sheet.
public struct RenderedDocument: Equatable {
    public let path: String
    public let fileName: String
    public let mimeType: String
    public init(path: String, fileName: String, mimeType: String) {
        self.path = path
        self.fileName = fileName
        self.mimeType = mimeType
    }
}

public enum DocumentKind: Equatable { case minutes, resolution }

public protocol DocumentsCore: AnyObject {
    /// The signed minutes or resolution as a DOCX file; a meeting not signed yet is refused.
    func renderDocx(meetingId: String, kind: DocumentKind) throws -> RenderedDocument
}

/// The visiting cadre's side.
public protocol VisitsCore: AnyObject {
    func overview(_ cadreId: String) throws -> CadreOverview
    func myCheckIns(_ cadreId: String) throws -> [CheckInRow]
    func meetingRecord(_ meetingId: String) throws -> MeetingRecord
    /// Processes the camera file; returns the photo's reference fields.
    func processPhoto(cameraFile: String) throws -> PhotoInfo
    func checkIn(_ request: CheckInRequest, keystore: DeviceKeystore) throws -> CheckInRow
    func recordObservation(_ observation: Observation) throws -> Observation
    func raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String) throws -> Petition
}

/// A change the server refused, and what to do about it.
public struct AttentionItem: Equatable {
    public let id: String
    public let what: String
    public let reason: String
    public let whatToDo: String
    public init(id: String, what: String, reason: String, whatToDo: String) {
        self.id = id
        self.what = what
        self.reason = reason
        self.whatToDo = whatToDo
    }
}

public struct SyncState: Equatable {
    public var pendingChanges: Int64
    public var pendingPhotos: Int64
    public var lastSuccessAt: Int64?
    /// In Vietnamese, as the core words it.
    public var lastError: String?
    public var needsAttention: [AttentionItem]
    public init(pendingChanges: Int64, pendingPhotos: Int64, lastSuccessAt: Int64?, lastError: String?, needsAttention: [AttentionItem]) {
        self.pendingChanges = pendingChanges
        self.pendingPhotos = pendingPhotos
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.needsAttention = needsAttention
    }
}

public protocol SyncCore: AnyObject {
    func status() throws -> SyncState
    /// One round of push, pull and photo uploads now; returns the status after it.
    func syncNow() throws -> SyncState
    /// Takes an entry off the needs-attention list once dealt with.
    func dismiss(_ id: String) throws
}

/// Who this device belongs to after enrolment.
public struct Enrollment: Equatable {
    public enum Role: Equatable { case secretary, cadre }
    public let role: Role
    public let personId: String
    public let personName: String
    public let cellId: String?
    public let communeName: String
    public init(role: Role, personId: String, personName: String, cellId: String?, communeName: String) {
        self.role = role
        self.personId = personId
        self.personName = personName
        self.cellId = cellId
        self.communeName = communeName
    }
}

public protocol EnrollmentCore: AnyObject {
    func current() throws -> Enrollment?
    /// Enrols with a typed code at `serverUrl`, or with a scanned QR payload (which carries
    /// its server's address; `serverUrl` is then empty).
    func enroll(serverUrl: String, codeOrQr: String) throws -> Enrollment
    /// The address saved for the typed-code path (or the enrolled server's), nil if none.
    func savedServerAddress() throws -> String?
    /// Checks and keeps the typed address (https, or http to this machine only); returns it
    /// normalised.
    func saveServerAddress(_ address: String) throws -> String
}
