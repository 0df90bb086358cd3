package chibo.presentation.api

import uniffi.chibo_core.CadreOverview
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_core.CheckInRow
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.HomeSummary
import uniffi.chibo_core.MeetingSummary
import uniffi.chibo_domain.Cell
import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.Guidance
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.Meeting
import uniffi.chibo_domain.MeetingAssessment
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingRecord
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.Observation
import uniffi.chibo_domain.Petition
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionResponse
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.PhotoAttachment
import uniffi.chibo_domain.PresenceCode
import uniffi.chibo_domain.RollCallEntry
import uniffi.chibo_domain.RuleSettings
import uniffi.chibo_domain.Speaker
import uniffi.chibo_domain.Speech
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind
import uniffi.chibo_domain.VoteTally
import uniffi.chibo_domain.Attendance

// Small interfaces over the core, in the core's own record types (they are plain Kotlin data
// classes, so fakes need no native code). The implementations on the generated bindings are
// in chibo.presentation.impl; the screens' state holders see only these.

/** Any refusal or failure of the core, with its Vietnamese message for the user. */
class CoreException(message: String, val kind: Kind = Kind.Validation, cause: Throwable? = null) :
    Exception(message, cause) {
    enum class Kind { Validation, NotFound, Frozen, Storage, Network, Unauthorized, Unavailable }
}

/** The secretary's cell: roster, home figures, history. */
interface CellCore : Labels {
    fun cell(cellId: String): Cell
    fun members(cellId: String): List<Member>
    fun home(cellId: String): HomeSummary
    fun history(cellId: String): List<MeetingSummary>
    /** When the cell's next regular meeting after [now] is planned (its meeting day at 19:30 Vietnam time), by the core's rule. */
    fun nextMeetingStart(cell: Cell, now: Long): Long
    /** The commune's rule settings as the office set them (read-only on the phone). */
    fun ruleSettings(communeId: String): RuleSettings
}

/** The meeting flow. Every call writes through the core's one write path at once. */
interface MeetingCore : Labels {
    fun plan(cellId: String, kind: MeetingKind, start: Long, place: String): Meeting
    fun record(meetingId: String): MeetingRecord
    fun updateMeeting(meeting: Meeting)
    fun markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?)
    fun addSpeech(meetingId: String, speaker: Speaker, gist: String): Speech
    fun previousTasks(meetingId: String): List<Task>
    fun reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome)
    fun addTask(meetingId: String, description: String, assigneeId: String, deadline: String): Task
    fun recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int): VoteTally
    fun raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String): Petition
    /** Who raised a concern the meeting relays from the village ("Nhân dân bản Nà Hẩu"), by the core's rule. */
    fun raisedByThePeople(cellName: String): String
    /** The full members present, who may vote (the vote form's default in favour), by the core's rule. */
    fun votersPresent(roster: List<Member>, rollCall: List<RollCallEntry>): Int
    fun setSecretaryScore(meetingId: String, scores: JudgedScores)
    fun assess(meetingId: String): MeetingAssessment
    fun minutesText(meetingId: String): String
    fun sign(meetingId: String): MeetingRecord
    /** A signed meeting's correction ("bản đính chính"): a new, linked revision to edit. */
    fun startCorrection(meetingId: String): Meeting
    /** Processes a camera file through the core's photo pipeline and attaches it. */
    fun attachPhoto(meetingId: String, cameraFile: String): PhotoAttachment
    fun photos(meetingId: String): List<PhotoAttachment>
    fun presenceCode(meetingId: String): PresenceCode
    /** The standard agenda of Guideline 42, set when the meeting opens. */
    fun setStandardAgenda(meetingId: String, kind: MeetingKind)
}

/** A petition with the answers that came back. */
data class PetitionThread(val petition: Petition, val responses: List<PetitionResponse>)

interface PetitionsCore : Labels {
    fun petitions(cellId: String): List<PetitionThread>
    /** Whether a petition in [status] may still move (only resolved and declined are settled), by the core's rule. */
    fun petitionIsOpen(status: PetitionStatus): Boolean
}

interface GuidanceCore : Labels {
    fun guidance(cellId: String): List<Guidance>
}

/** A rendered document to hand to the platform's share sheet. */
data class RenderedDocument(val path: String, val fileName: String, val mimeType: String)

interface DocumentsCore {
    /** The signed minutes or resolution as a DOCX file; a meeting not signed yet is refused ([CoreException] of kind Validation). */
    fun renderDocx(meetingId: String, kind: DocumentKind): RenderedDocument
}

enum class DocumentKind { Minutes, Resolution }

/** The visiting cadre's side. */
interface VisitsCore : Labels {
    fun overview(cadreId: String): CadreOverview
    fun myCheckIns(cadreId: String): List<CheckInRow>
    fun meetingRecord(meetingId: String): MeetingRecord
    /** Processes the camera file; returns the photo's reference fields. */
    fun processPhoto(cameraFile: String): uniffi.chibo_core.PhotoInfo
    fun checkIn(request: CheckInRequest, keystore: DeviceKeystore): CheckInRow
    fun recordObservation(observation: Observation): Observation
    fun raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String): Petition
    /** Who raised a concern relayed from the village ("Nhân dân bản Nà Hẩu"), by the core's rule. */
    fun raisedByThePeople(cellName: String): String
    /** How good a fix with this accuracy radius (metres) is, by the core's rule (30/100 m). */
    fun fixQuality(accuracyM: Double): FixQuality
}

/** A change the server refused, and what to do about it. */
data class AttentionItem(val id: String, val what: String, val reason: String, val whatToDo: String)

data class SyncStatus(
    val pendingChanges: Long,
    val pendingPhotos: Long,
    val lastSuccessAt: Long?,
    /** In Vietnamese, as the core words it. */
    val lastError: String?,
    val needsAttention: List<AttentionItem>,
    val running: Boolean = false,
)

interface SyncCore : Labels {
    fun status(): SyncStatus
    /**
     * One round of push, pull and (unless [uploadPhotos] is false) photo uploads, on the
     * caller's thread: the background worker's, never the UI's. While a round runs, a
     * second call joins it (the core runs one at a time). Returns the status after it.
     */
    fun syncNow(uploadPhotos: Boolean = true): SyncStatus
    /** Takes an entry off the needs-attention list once dealt with. */
    fun dismiss(id: String)
    /**
     * Calls [listener] with the status after every change written on this device and
     * after every sync round (as it starts and as it ends), on the thread that wrote.
     * Closing the handle stops it.
     */
    fun observe(listener: (SyncStatus) -> Unit): AutoCloseable
}

/** Who this device belongs to after enrollment. */
data class Enrollment(val role: Role, val personId: String, val personName: String, val cellId: String?, val communeName: String)

enum class Role { Secretary, Cadre }

interface EnrollmentCore {
    fun current(): Enrollment?
    /**
     * Enrols with a scanned QR (which carries the server's address; [serverUrl] may be
     * empty) or a typed code (the address the person gave, kept for next time).
     */
    fun enroll(serverUrl: String, codeOrQr: String): Enrollment
    /** The address saved before, if any (the enrolled server's, or the one typed last). */
    fun savedServerAddress(): String?
    /** Checks and keeps the typed address; refused (in Vietnamese) unless https://. */
    fun saveServerAddress(address: String): String
}
