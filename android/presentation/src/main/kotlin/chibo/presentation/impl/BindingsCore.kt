package chibo.presentation.impl

import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.api.CellCore
import chibo.presentation.api.CoreException
import chibo.presentation.api.DocumentKind
import chibo.presentation.api.DocumentsCore
import chibo.presentation.api.Enrollment
import chibo.presentation.api.EnrollmentCore
import chibo.presentation.api.GuidanceCore
import chibo.presentation.api.Labels
import chibo.presentation.api.MeetingCore
import chibo.presentation.api.PetitionThread
import chibo.presentation.api.PetitionsCore
import chibo.presentation.api.RenderedDocument
import chibo.presentation.api.SyncCore
import chibo.presentation.api.SyncStatus
import chibo.presentation.api.VisitsCore
import uniffi.chibo_core.ChiboException
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_core.EnrolledAs
import uniffi.chibo_core.EnrolledRole
import chibo.presentation.api.AttentionItem
import chibo.presentation.api.Role
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.KeystoreException
import uniffi.chibo_core.standardAgenda
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.Cell
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.Meeting
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.Observation
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.RollCallEntry
import uniffi.chibo_domain.Speaker
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind
import uniffi.chibo_domain.fixQuality as coreFixQuality
import uniffi.chibo_domain.nextMeetingStartFrom
import uniffi.chibo_domain.petitionIsOpen as corePetitionIsOpen
import uniffi.chibo_domain.raisedByThePeople as coreRaisedByThePeople
import uniffi.chibo_domain.votersPresent as coreVotersPresent

/** Turns the core's typed errors into [CoreException] with the same Vietnamese message. */
internal inline fun <T> core(block: () -> T): T = try {
    block()
} catch (e: ChiboException) {
    val kind = when (e) {
        is ChiboException.Validation -> CoreException.Kind.Validation
        is ChiboException.NotFound -> CoreException.Kind.NotFound
        is ChiboException.Frozen -> CoreException.Kind.Frozen
        is ChiboException.Storage -> CoreException.Kind.Storage
        // Network and Unauthorized come with the sync engine's façade.
        else -> when (e.javaClass.simpleName) {
            "Network" -> CoreException.Kind.Network
            "Unauthorized" -> CoreException.Kind.Unauthorized
            else -> CoreException.Kind.Storage
        }
    }
    throw CoreException(e.message ?: "", kind, e)
} catch (e: KeystoreException) {
    val message = (e as? KeystoreException.Unavailable)?.v1 ?: str(Str.kho_khoa_cua_may_khong)
    throw CoreException(message, CoreException.Kind.Storage, e)
}

/**
 * The interfaces over one [ChiboStore] (the generated bindings, loaded through JNA).
 * Argument conversion only; the core decides everything.
 */
class BindingsCore(private val store: ChiboStore) :
    CellCore, MeetingCore, VisitsCore, PetitionsCore, GuidanceCore, Labels by BindingsLabels {
    override fun cell(cellId: String) = core { store.cell(cellId) }
    override fun members(cellId: String) = core { store.members(cellId) }
    override fun home(cellId: String) = core { store.home(cellId) }
    override fun history(cellId: String) = core { store.meetingHistory(cellId) }
    override fun nextMeetingStart(cell: Cell, now: Long): Long = nextMeetingStartFrom(cell, now)
    override fun ruleSettings(communeId: String) = core { store.ruleSettings(communeId) }

    override fun plan(cellId: String, kind: MeetingKind, start: Long, place: String) = core { store.planMeeting(cellId, kind, start, place) }
    override fun record(meetingId: String) = core { store.meetingRecord(meetingId) }
    override fun meetingRecord(meetingId: String) = record(meetingId)
    override fun updateMeeting(meeting: Meeting) = core { store.updateMeeting(meeting) }
    override fun markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?) =
        core { store.markAttendance(meetingId, memberId, attendance, reason) }
    override fun addSpeech(meetingId: String, speaker: Speaker, gist: String) = core { store.addSpeech(meetingId, speaker, gist) }
    override fun previousTasks(meetingId: String) = core { store.previousTasks(meetingId) }
    override fun reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome) = core { store.reviewTask(meetingId, taskId, outcome, null) }
    override fun addTask(meetingId: String, description: String, assigneeId: String, deadline: String) =
        core { store.addTask(meetingId, description, assigneeId, deadline) }
    override fun recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int) =
        core { store.recordVote(meetingId, question, kind, inFavor.toUInt(), against.toUInt(), abstain.toUInt()) }
    override fun raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String) =
        core { store.raisePetition(meetingId, content, category, raisedBy) }
    override fun raisedByThePeople(cellName: String) = coreRaisedByThePeople(cellName)
    override fun votersPresent(roster: List<Member>, rollCall: List<RollCallEntry>) = coreVotersPresent(roster, rollCall).toInt()
    override fun fixQuality(accuracyM: Double) = coreFixQuality(accuracyM)
    override fun petitionIsOpen(status: PetitionStatus) = corePetitionIsOpen(status)
    override fun setSecretaryScore(meetingId: String, scores: JudgedScores) = core { store.setSecretaryScore(meetingId, scores) }
    override fun assess(meetingId: String) = core { store.assessMeeting(meetingId) }
    override fun minutesText(meetingId: String) = core { store.minutesText(meetingId) }
    override fun sign(meetingId: String) = core { store.signMeeting(meetingId) }
    override fun startCorrection(meetingId: String) = core { store.startCorrection(meetingId) }
    override fun attachPhoto(meetingId: String, cameraFile: String) = core {
        val info = store.processPhoto(cameraFile, true)
        store.attachMeetingPhoto(meetingId, uniffi.chibo_core.photoRef(info))
    }
    override fun photos(meetingId: String) = core { store.meetingPhotos(meetingId) }
    override fun presenceCode(meetingId: String) = core { store.presenceCode(meetingId) }
    override fun setStandardAgenda(meetingId: String, kind: MeetingKind) = core { store.setAgenda(meetingId, standardAgenda(kind)) }

    override fun overview(cadreId: String) = core { store.cadreOverview(cadreId) }
    override fun myCheckIns(cadreId: String) = core { store.myCheckIns(cadreId) }
    override fun processPhoto(cameraFile: String) = core { store.processPhoto(cameraFile, true) }
    override fun checkIn(request: CheckInRequest, keystore: DeviceKeystore) = core { store.checkIn(request, keystore) }
    override fun recordObservation(observation: Observation) = core { store.recordObservation(observation) }

    /** The cell's petitions, newest first, with the commune's answers. */
    override fun petitions(cellId: String): List<PetitionThread> = core {
        store.petitionsOfCell(cellId).map { PetitionThread(it.petition, it.responses) }
    }

    /** Guidance and notices that synced down for the cell. */
    override fun guidance(cellId: String) = core { store.guidanceForCell(cellId) }
}

/**
 * The signed minutes and resolution as Word files, rendered by the core (the same renderer
 * the commune dashboard serves) and written into [outDir] for the share sheet. The core
 * refuses a meeting that is not signed yet, in Vietnamese.
 */
class BindingsDocuments(private val store: ChiboStore, private val outDir: java.io.File) : DocumentsCore {
    override fun renderDocx(meetingId: String, kind: DocumentKind): RenderedDocument = core {
        val bytes = when (kind) {
            DocumentKind.Minutes -> store.minutesDocx(meetingId)
            DocumentKind.Resolution -> store.resolutionDocx(meetingId)
        }
        val meeting = store.meeting(meetingId)
        val name = docxFileName(kind, store.cell(meeting.cellId).name, meeting.actualStart ?: meeting.plannedStart)
        outDir.mkdirs()
        // Written beside, then renamed: a share never picks up half a file.
        val part = java.io.File(outDir, "$name.part")
        part.writeBytes(bytes)
        val file = java.io.File(outDir, name)
        if (!part.renameTo(file)) {
            file.delete()
            if (!part.renameTo(file)) throw CoreException(str(Str.khong_luu_duoc_tep_vao, name), CoreException.Kind.Storage)
        }
        RenderedDocument(file.path, name, DOCX_MIME_TYPE)
    }

    companion object {
        const val DOCX_MIME_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

        /** "Bien-ban-Chi-bo-ban-Na-Hau-11-2026.docx": ASCII, so every app that receives it keeps the name. */
        fun docxFileName(kind: DocumentKind, cellName: String, atMs: Long): String {
            val date = java.time.Instant.ofEpochMilli(atMs).atOffset(java.time.ZoneOffset.ofHours(7))
            val prefix = when (kind) {
                DocumentKind.Minutes -> "Bien-ban"
                DocumentKind.Resolution -> "Nghi-quyet"
            }
            val cell = java.text.Normalizer.normalize(cellName.replace('đ', 'd').replace('Đ', 'D'), java.text.Normalizer.Form.NFD)
                .replace(Regex("\\p{M}+"), "")
                .replace(Regex("[^A-Za-z0-9]+"), "-")
                .trim('-')
            return "$prefix-$cell-%02d-%d.docx".format(date.monthValue, date.year)
        }
    }
}

/**
 * The sync engine behind the façade: push, pull and photo uploads in one call, one round
 * at a time (the core joins a second call to the running round). The core tells one
 * listener about every write and round; this fans it out to the app's observers.
 */
class BindingsSync(private val store: ChiboStore) : SyncCore, Labels by BindingsLabels {
    private val observers = java.util.concurrent.CopyOnWriteArrayList<(SyncStatus) -> Unit>()
    private val fanOut = object : uniffi.chibo_core.StatusListener {
        override fun onStatus(status: uniffi.chibo_core.SyncStatus) {
            val mapped = status.toApi()
            observers.forEach { it(mapped) }
        }
    }

    init {
        store.setStatusListener(fanOut)
    }

    override fun status(): SyncStatus = core { store.syncStatus() }.toApi()
    @Volatile private var lastFailure: CoreException.Kind? = null

    override fun syncNow(uploadPhotos: Boolean): SyncStatus {
        // A failed run is recorded in the status (last error); the status says what happened.
        lastFailure = null
        runCatching { core { store.syncWith(uploadPhotos) } }.onFailure {
            if (it !is CoreException) throw it
            lastFailure = it.kind
        }
        return status()
    }

    /** The last round failed for the network or the server's health: worth retrying later. */
    fun lastErrorIsTransient(): Boolean = lastFailure == CoreException.Kind.Network
    override fun dismiss(id: String) = core { store.dismissNeedsAttention(id.toLong()) }
    override fun observe(listener: (SyncStatus) -> Unit): AutoCloseable {
        observers += listener
        return AutoCloseable { observers -= listener }
    }
    /** Server clock minus this device's, for check-ins. */
    fun serverOffsetMs(): Long? = core { store.syncStatus() }.serverOffsetMs
}

/**
 * Drafts of text being typed, in the core's (encrypted) store rather than in plain
 * preferences. Typing updates memory at once and reaches the store [delayMs] after the
 * last keystroke, so a crash or a flat battery loses at most that much; [flush] writes
 * what is waiting (the app calls it when it goes to the background).
 */
class CoreDrafts(
    private val store: ChiboStore,
    private val delayMs: Long = 800,
    private val timer: java.util.concurrent.ScheduledExecutorService =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor { r -> Thread(r, "chibo-drafts").apply { isDaemon = true } },
) : chibo.presentation.api.TextDrafts {
    private val pending = java.util.concurrent.ConcurrentHashMap<String, String>()
    private var scheduled: java.util.concurrent.ScheduledFuture<*>? = null

    override fun get(key: String): String = pending[key] ?: core { store.draft(key) }

    override fun put(key: String, value: String) {
        pending[key] = value
        synchronized(this) {
            scheduled?.cancel(false)
            scheduled = timer.schedule({ flush() }, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS)
        }
    }

    /** Writes every waiting draft now. */
    fun flush() {
        for (key in pending.keys.toList()) {
            val value = pending[key] ?: continue
            core { store.saveDraft(key, value) }
            pending.remove(key, value)
        }
    }
}

private fun uniffi.chibo_core.SyncStatus.toApi() = SyncStatus(
    pendingChanges = pendingChanges.toLong(),
    pendingPhotos = pendingPhotos.toLong(),
    lastSuccessAt = lastSuccessAt,
    lastError = listOfNotNull(lastError, clockWarning).joinToString(" ").ifEmpty { null },
    needsAttention = needsAttention.map { AttentionItem(it.id.toString(), it.what, it.reason, it.advice) },
    running = running,
)

/** Enrolment with the one-time code; the keystore's public key becomes the device's identity. */
class BindingsEnrollment(private val store: ChiboStore, private val keystore: DeviceKeystore, private val deviceLabel: String) : EnrollmentCore {
    override fun current(): Enrollment? = core { store.syncStatus() }.enrolledAs?.toApi()
    override fun enroll(serverUrl: String, codeOrQr: String): Enrollment = core { store.enroll(serverUrl, codeOrQr, deviceLabel, keystore) }.toApi()
    override fun savedServerAddress(): String? = core { store.serverAddress() }
    override fun saveServerAddress(address: String): String = core { store.setServerAddress(address) }

    private fun EnrolledAs.toApi(): Enrollment = when (val r = role) {
        is EnrolledRole.Secretary -> Enrollment(Role.Secretary, personId, fullName, r.cellId, communeName)
        is EnrolledRole.Cadre -> Enrollment(Role.Cadre, r.cadreId, fullName, null, communeName)
        is EnrolledRole.Office -> throw CoreException(
            str(Str.tai_khoan_cua_van_phong),
            CoreException.Kind.Validation,
        )
    }
}
