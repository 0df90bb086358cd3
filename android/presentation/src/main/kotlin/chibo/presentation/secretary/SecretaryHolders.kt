package chibo.presentation.secretary

import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.api.CellCore
import chibo.presentation.api.Clock
import chibo.presentation.api.CoreException
import chibo.presentation.api.DocumentKind
import chibo.presentation.api.DocumentsCore
import chibo.presentation.api.GuidanceCore
import chibo.presentation.api.Labels
import chibo.presentation.api.MeetingCore
import chibo.presentation.api.PetitionThread
import chibo.presentation.api.PetitionsCore
import chibo.presentation.api.Scheduler
import chibo.presentation.common.StateHolder
import chibo.presentation.common.Tone
import chibo.presentation.common.tone
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.PetitionStatus

// ---------------------------------------------------------------------- home

data class NextMeetingUi(val meetingId: String, val title: String, val whenAndWhere: String, val inProgress: Boolean)
data class OpenTaskUi(val description: String, val assignee: String, val deadline: String, val overdue: Boolean)
data class LastMeetingUi(val meetingId: String, val title: String, val grade: String?, val gradeTone: Tone, val detail: String)

data class HomeState(
    val loading: Boolean = true,
    val cellName: String = "",
    val communeName: String = "",
    val next: NextMeetingUi? = null,
    val last: LastMeetingUi? = null,
    val lastWarnings: List<String> = emptyList(),
    val openTasks: List<OpenTaskUi> = emptyList(),
    val members: String = "",
    val viabilityWarning: String? = null,
    val error: String? = null,
)

class HomeStateHolder(
    private val cells: CellCore,
    private val meetings: MeetingCore,
    private val scheduler: Scheduler?,
    private val clock: Clock,
    private val cellId: String,
    scope: CoroutineScope,
    work: CoroutineDispatcher,
) : StateHolder<HomeState>(HomeState(), scope, work), Labels by cells {

    fun load() = launchWork(::fail) {
        val home = cells.home(cellId)
        val total = home.membersByStatus.sumOf { it.count.toInt() }
        val away = home.membersByStatus.filter { it.status != MemberStatus.ACTIVE && it.count > 0u }
            .joinToString(", ") { "${it.count} ${it.status.label().lowercase()}" }
        update {
            HomeState(
                loading = false,
                cellName = home.cell.name,
                communeName = home.cell.communeName,
                next = home.nextMeeting?.let { m ->
                    NextMeetingUi(
                        m.id, "${m.kind.label()} · ${monthLabel(m.plannedStart)}", "${timeAndDate(m.plannedStart)} · ${m.plannedPlace}",
                        m.actualStart != null,
                    )
                },
                last = home.lastMeeting?.let { s ->
                    LastMeetingUi(
                        s.meetingId, "${s.kind.label()} · ${monthLabel(s.plannedStart)}", s.grade?.label(), s.grade?.tone() ?: Tone.Neutral,
                        listOfNotNull(
                            s.qualityTotal?.let { str(Str.t_100_diem, it) },
                            s.attendanceRatePercent?.let { str(Str.du_hop, percent(it)) },
                            s.status.label(),
                        ).joinToString(" · "),
                    )
                },
                lastWarnings = home.lastMeetingWarnings.map { it.message },
                openTasks = home.openTasks.map { OpenTaskUi(it.task.description, it.assigneeName, isoDateLabel(it.task.deadline), it.overdue) },
                members = str(Str.dang_vien, total) + if (away.isNotEmpty()) " ($away)" else "",
                viabilityWarning = home.viability.warnings.firstOrNull()?.message,
            )
        }
    }

    /** Plans the next regular meeting on the cell's meeting day at the usual hour (the core's rule). */
    fun planNextMeeting(onPlanned: (String) -> Unit) = launchWork(::fail) {
        val cell = cells.cell(cellId)
        val start = cells.nextMeetingStart(cell, clock.now())
        val place = cell.meetingPlace?.label ?: str(Str.nha_van_hoa)
        val meeting = meetings.plan(cellId, MeetingKind.REGULAR, start, place)
        // Reminders come from the core's planned meetings: plan them again now.
        scheduler?.rescheduleReminders()
        load()
        onPlanned(meeting.id)
    }

    private fun fail(message: String) = update { it.copy(loading = false, error = message) }
}

// ---------------------------------------------------------------------- roster

data class MemberUi(val id: String, val name: String, val role: String?, val membership: String, val status: String?, val statusReason: String?)
data class RosterState(
    val loading: Boolean = true, val cellName: String = "", val summary: String = "", val members: List<MemberUi> = emptyList(), val viabilityWarning: String? = null,
    /** The commune's rule settings, read-only: only the office changes them. */
    val communeRules: List<String> = emptyList(),
    val error: String? = null,
)

class RosterStateHolder(private val cells: CellCore, private val cellId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<RosterState>(RosterState(), scope, work), Labels by cells {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val cell = cells.cell(cellId)
        val members = cells.members(cellId)
        val full = members.count { it.membership == uniffi.chibo_domain.MembershipKind.FULL }
        val viability = cells.home(cellId).viability
        val rules = ruleSettingsText(cells.ruleSettings(cell.communeId))
        update {
            RosterState(
                loading = false,
                cellName = cell.name,
                summary = str(Str.dang_vien_chinh_thuc_du, members.size, full, members.size - full),
                members = members.map {
                    MemberUi(it.id, it.fullName, it.role.takeIf { r -> r != MemberRole.MEMBER }?.label(), it.membership.label(), it.status.takeIf { s -> s != MemberStatus.ACTIVE }?.label(), it.statusReason)
                },
                viabilityWarning = viability.warnings.firstOrNull()?.message,
                communeRules = rules,
            )
        }
    }
}

// ---------------------------------------------------------------------- presence code

data class PresenceState(val code: String = "", val qr: chibo.presentation.common.QrMatrix? = null, val validUntil: String = "", val error: String? = null)

/** The rotating code; the screen calls [refresh] when the shown code's span ends. */
class PresenceCodeStateHolder(private val meetings: MeetingCore, private val meetingId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<PresenceState>(PresenceState(), scope, work), Labels by meetings {
    var validUntilMs: Long = 0
        private set

    fun refresh() = launchWork({ m -> update { it.copy(error = m) } }) {
        val code = meetings.presenceCode(meetingId)
        validUntilMs = code.validUntil
        update { PresenceState(code.code.chunked(3).joinToString(" "), chibo.presentation.common.QrMatrix.encode(code.qrPayload), str(Str.ma_doi_luc, timeOf(code.validUntil))) }
    }
}

// ---------------------------------------------------------------------- history

data class HistoryRow(val meetingId: String, val title: String, val detail: String, val grade: String?, val gradeTone: Tone, val status: String)
data class HistoryState(val loading: Boolean = true, val rows: List<HistoryRow> = emptyList(), val error: String? = null)

class HistoryStateHolder(private val cells: CellCore, private val cellId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<HistoryState>(HistoryState(), scope, work), Labels by cells {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val rows = cells.history(cellId).map { s ->
            HistoryRow(
                s.meetingId,
                "${s.kind.label()} · ${monthLabel(s.plannedStart)}" + if (s.revision > 1u) str(Str.dinh_chinh_lan, s.revision - 1u) else "",
                listOfNotNull(
                    dateOf(s.actualStart ?: s.plannedStart),
                    s.durationMinutes?.let { str(Str.so_phut, it) },
                    if (s.expected > 0u) str(Str.co_mat, s.present, s.expected) else null,
                    s.qualityTotal?.let { str(Str.so_diem, it) },
                ).joinToString(" · "),
                s.grade?.label(), s.grade?.tone() ?: Tone.Neutral, s.status.label(),
            )
        }
        update { HistoryState(loading = false, rows = rows) }
    }
}

// ---------------------------------------------------------------------- petitions

data class AnswerUi(val status: String, val text: String, val responder: String, val at: String)
data class PetitionRow(val id: String, val content: String, val category: String, val raisedBy: String, val raisedAt: String, val status: String, val statusTone: Tone, val answers: List<AnswerUi>)
data class PetitionsState(val loading: Boolean = true, val rows: List<PetitionRow> = emptyList(), val waiting: Int = 0, val error: String? = null)

class PetitionsStateHolder(private val petitions: PetitionsCore, private val cellId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<PetitionsState>(PetitionsState(), scope, work), Labels by petitions {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val threads = petitions.petitions(cellId).sortedByDescending { it.petition.raisedAt }
        update {
            PetitionsState(
                loading = false,
                rows = threads.map { t ->
                    val status = t.latestStatus()
                    PetitionRow(
                        t.petition.id, t.petition.content, t.petition.category.label(), t.petition.raisedBy, dateOf(t.petition.raisedAt),
                        status.label(),
                        when (status) {
                            PetitionStatus.ANSWERED, PetitionStatus.RESOLVED -> Tone.Good
                            PetitionStatus.DECLINED -> Tone.Warning
                            else -> Tone.Neutral
                        },
                        t.responses.sortedBy { it.respondedAt }.map { AnswerUi(it.status.label(), it.text, it.responder, dateOf(it.respondedAt)) },
                    )
                },
                waiting = threads.count { petitions.petitionIsOpen(it.latestStatus()) },
            )
        }
    }

    /** Where the petition stands: the commune's latest answer, else as it was raised. */
    private fun PetitionThread.latestStatus() = responses.maxByOrNull { it.respondedAt }?.status ?: petition.status
}

// ---------------------------------------------------------------------- guidance

data class GuidanceUi(val id: String, val kind: String, val title: String, val body: String, val period: String, val published: String, val attachments: List<String>)
data class GuidanceState(val loading: Boolean = true, val items: List<GuidanceUi> = emptyList(), val error: String? = null)

class GuidanceStateHolder(private val guidance: GuidanceCore, private val cellId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<GuidanceState>(GuidanceState(), scope, work), Labels by guidance {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val items = guidance.guidance(cellId).sortedByDescending { it.publishedAt }.map { g ->
            GuidanceUi(
                g.id, g.kind.label(), g.title, g.body, periodLabel(g.period),
                dateOf(g.publishedAt), g.attachments.map { it.fileName },
            )
        }
        update { GuidanceState(loading = false, items = items) }
    }
}

// ---------------------------------------------------------------------- share

data class ShareState(
    val busy: Boolean = false,
    /** Why sharing is not possible on this build, said plainly. */
    val unavailable: String? = null,
    val ready: ReadyDocument? = null,
    val error: String? = null,
)

data class ReadyDocument(val path: String, val fileName: String, val mimeType: String)

class ShareStateHolder(private val documents: DocumentsCore, private val meetingId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<ShareState>(ShareState(), scope, work) {
    fun render(kind: DocumentKind) {
        update { it.copy(busy = true, error = null, ready = null) }
        scope.launchSafely {
            try {
                val doc = documents.renderDocx(meetingId, kind)
                update { it.copy(busy = false, ready = ReadyDocument(doc.path, doc.fileName, doc.mimeType)) }
            } catch (e: CoreException) {
                update {
                    if (e.kind == CoreException.Kind.Unavailable) it.copy(busy = false, unavailable = e.message)
                    else it.copy(busy = false, error = e.message)
                }
            }
        }
    }

    private fun CoroutineScope.launchSafely(block: suspend () -> Unit) = launchWork({ m -> update { it.copy(busy = false, error = m) } }, block)
}
