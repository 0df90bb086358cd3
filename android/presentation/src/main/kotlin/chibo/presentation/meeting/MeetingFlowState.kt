package chibo.presentation.meeting

import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.common.Tone
import uniffi.chibo_domain.Attendance

/** The seven steps of the meeting flow, in the order of Guideline 42's procedure. */
enum class FlowStep(val number: Int, val title: String) {
    Prepare(1, str(Str.chuan_bi)),
    Open(2, str(Str.khai_mac_diem_danh)),
    Body(3, str(Str.noi_dung)),
    Closing(4, str(Str.be_mac)),
    Photos(5, str(Str.buoc_anh)),
    Review(6, str(Str.xem_bien_ban)),
    Sign(7, str(Str.ky_bien_ban)),
}

/** A member as a choice (chair, speaker, assignee). */
data class PersonChoice(val id: String, val name: String, val detail: String? = null)

/** A roll-call mark as the screen offers it; its words are the core's ([OpenUi.marks]). */
enum class Mark(val attendance: Attendance) {
    Present(Attendance.PRESENT), Late(Attendance.LATE), Excused(Attendance.ABSENT_EXCUSED), Unexcused(Attendance.ABSENT_UNEXCUSED),
    Exempt(Attendance.EXEMPT), Elsewhere(Attendance.ATTACHED_ELSEWHERE),
}

data class RollCallRow(
    val memberId: String,
    val name: String,
    /** "Chính thức", "Dự bị · Đi làm ăn xa"… */
    val detail: String,
    val mark: Mark?,
    val reason: String?,
    /** Counted in the attendance base (not exempt, not attached elsewhere). */
    val expected: Boolean,
)

data class PrepareUi(
    val noticeToMembers: Boolean = false,
    val noticeToCadre: Boolean = false,
    /** Days before the start that documents reached members; null: not sent. */
    val documentsDaysBefore: Int? = null,
    val guidance: List<String> = emptyList(),
)

data class GuestUi(val name: String, val title: String, val delegate: Boolean)

data class OpenUi(
    val startedAt: String? = null,
    val chair: PersonChoice? = null,
    val minuteTaker: PersonChoice? = null,
    /** Every member, for the searchable chair and minute-taker lists. */
    val candidates: List<PersonChoice> = emptyList(),
    /** Guests, the upper-level delegate among them. */
    val guests: List<GuestUi> = emptyList(),
    val draftGuestName: String = "",
    val draftGuestTitle: String = "",
    val rollCall: List<RollCallRow> = emptyList(),
    /** "8/10 có mặt". */
    val presentSummary: String = "",
    /** Each mark in the core's words ("Có mặt", "Vắng có lý do"…). */
    val marks: Map<Mark, String> = emptyMap(),
)

data class SpeechUi(val id: String, val speaker: String, val gist: String)
data class ReviewRow(val taskId: String, val description: String, val assignee: String, val deadline: String, val outcome: String?)
data class TaskUi(val id: String, val description: String, val assignee: String, val deadline: String)
data class VoteUi(val id: String, val question: String, val tally: String)
data class PetitionUi(val id: String, val content: String, val category: String, val raisedBy: String, val status: String)
data class ScoreItem(val key: String, val label: String, val value: Int, val max: Int)

data class DeadlineChoice(val label: String, val isoDate: String)

data class BodyUi(
    val speakers: List<PersonChoice> = emptyList(),
    val speeches: List<SpeechUi> = emptyList(),
    val draftSpeakerId: String? = null,
    val draftGist: String = "",
    val previousTasks: List<ReviewRow> = emptyList(),
)

data class ClosingUi(
    val tasks: List<TaskUi> = emptyList(),
    val draftTask: String = "",
    val draftAssigneeId: String? = null,
    val draftDeadline: String? = null,
    val assignees: List<PersonChoice> = emptyList(),
    val deadlines: List<DeadlineChoice> = emptyList(),
    val votes: List<VoteUi> = emptyList(),
    val voteQuestion: String = "",
    val inFavor: Int = 0,
    val against: Int = 0,
    val abstain: Int = 0,
    /** Full members present who may vote (probationary members do not). */
    val voters: Int = 0,
    val petitions: List<PetitionUi> = emptyList(),
    val draftPetition: String = "",
    val draftCategory: String? = null,
    val categories: List<String> = emptyList(),
    val scores: List<ScoreItem> = emptyList(),
    val scoresSaved: Boolean = false,
    val conclusion: String = "",
    val endedAt: String? = null,
)

data class PhotoUi(val sha256: String, val label: String)

data class PhotosUi(val photos: List<PhotoUi> = emptyList(), val busy: Boolean = false)

data class WarningUi(val message: String, val tone: Tone = Tone.Warning)

data class ReviewUi(
    /** The minute-taker read the minutes back and the cell adopted them. */
    val minutesApproved: Boolean = false,
    val minutes: String = "",
    val warnings: List<WarningUi> = emptyList(),
    val score: String = "",
    val grade: String = "",
    val gradeTone: Tone = Tone.Neutral,
    val attendance: String = "",
)

data class SignUi(
    val chair: String = "",
    val minuteTaker: String = "",
    val signedAt: String? = null,
)

data class MeetingFlowState(
    val loading: Boolean = true,
    val meetingId: String = "",
    val title: String = "",
    val subtitle: String = "",
    val step: FlowStep = FlowStep.Prepare,
    /** Why the current step cannot be left forward yet; empty when it can. */
    val blockers: List<String> = emptyList(),
    val completed: Set<FlowStep> = emptySet(),
    val prepare: PrepareUi = PrepareUi(),
    val open: OpenUi = OpenUi(),
    val body: BodyUi = BodyUi(),
    val closing: ClosingUi = ClosingUi(),
    val photos: PhotosUi = PhotosUi(),
    val review: ReviewUi = ReviewUi(),
    val sign: SignUi = SignUi(),
    val signed: Boolean = false,
    /** Set when a correction was made: the flow to open for it. */
    val openCorrection: String? = null,
    val error: String? = null,
    /** The camera was refused: [error] says so, and the screen offers the app's settings. */
    val askAppSettings: Boolean = false,
)

/** Excuse reasons offered as choices; typing stays possible for anything else. */
val EXCUSE_REASONS = listOf(str(Str.om), str(Str.di_lam_an_xa), str(Str.viec_gia_dinh), str(Str.di_cong_tac), str(Str.tuoi_cao_suc_yeu))
