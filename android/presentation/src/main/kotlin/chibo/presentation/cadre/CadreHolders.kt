package chibo.presentation.cadre

import chibo.presentation.api.PermissionDenied
import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.api.Camera
import chibo.presentation.api.Clock
import chibo.presentation.api.Fix
import chibo.presentation.api.Labels
import chibo.presentation.api.LocationReading
import chibo.presentation.api.LocationSource
import chibo.presentation.api.QrScanner
import chibo.presentation.api.TextDrafts
import chibo.presentation.api.VisitsCore
import chibo.presentation.common.StateHolder
import chibo.presentation.meeting.NO_SCORES
import chibo.presentation.meeting.scoreItems
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.PhotoRef
import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.GpsFix
import uniffi.chibo_domain.JudgedPart
import uniffi.chibo_domain.Observation
import uniffi.chibo_domain.PetitionCategory

// ---------------------------------------------------------------------- assigned cells

data class AssignedMeetingUi(val meetingId: String, val title: String, val whenAndWhere: String)
data class AssignedCellUi(
    val cellId: String,
    val name: String,
    /** "1/1 lần tháng này". */
    val visits: String,
    val behind: Boolean,
    val awaitingReview: Int,
    val meetings: List<AssignedMeetingUi>,
)

data class CadreHomeState(
    val loading: Boolean = true,
    val cadreName: String = "",
    val month: String = "",
    val totals: String = "",
    val cells: List<AssignedCellUi> = emptyList(),
    val error: String? = null,
)

class CadreHomeStateHolder(private val visits: VisitsCore, private val clock: Clock, private val cadreId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<CadreHomeState>(CadreHomeState(), scope, work), Labels by visits {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val o = visits.overview(cadreId)
        val t = o.compliance.totals
        update {
            CadreHomeState(
                loading = false,
                cadreName = o.cadre?.fullName.orEmpty(),
                month = monthLabel(clock.now()),
                totals = str(Str.thang_nay_lan_du_hop, t.verifiedThisMonth + t.needsReviewThisMonth, t.requiredThisMonth) +
                    if (t.needsReviewThisMonth > 0u) str(Str.cho_xac_nhan, t.needsReviewThisMonth) else "",
                cells = o.cells.map { c ->
                    val comp = o.compliance.perCell.firstOrNull { it.cellId == c.cellId }
                    val done = (comp?.verifiedThisMonth ?: 0u) + (comp?.needsReviewThisMonth ?: 0u)
                    val required = comp?.requiredThisMonth ?: 0u
                    AssignedCellUi(
                        c.cellId, c.cell?.name ?: str(Str.chi_bo_chua_dong_bo),
                        str(Str.lan_thang_nay, done, required), done < required, (comp?.needsReviewThisMonth ?: 0u).toInt(),
                        c.plannedMeetings.map { m -> AssignedMeetingUi(m.id, "${m.kind.label()} · ${monthLabel(m.plannedStart)}", "${timeAndDate(m.plannedStart)} · ${m.plannedPlace}") },
                    )
                },
            )
        }
    }
}

// ---------------------------------------------------------------------- check-in

enum class CheckInStep(val title: String) { Photo(str(Str.chup_anh)), Location(str(Str.vi_tri)), Code(str(Str.ma_xac_nhan)), Result(str(Str.ket_qua)), Observe(str(Str.ghi_nhan)) }

/** What the location indicator says before the first fix. */
val SEARCHING: String get() = str(Str.dang_tim_vi_tri)

data class LocationUi(
    /** How good the last fix is, by the core's rule; null while there is none yet. */
    val accuracy: FixQuality? = null,
    /** The core's words for [accuracy], or that the phone is still looking. */
    val accuracyLabel: String = SEARCHING,
    /** "± 12 m". */
    val accuracyText: String = "",
    val mock: Boolean = false,
    val problem: String? = null,
    /** What the person can do about [problem]: open the app's or the location settings. */
    val fix: LocationFix? = null,
    /** Only an approximate location was allowed: said plainly, and accepted. */
    val approximateNote: String? = null,
)

enum class LocationFix(val label: String) { AppSettings(str(Str.mo_cai_dat_quyen_cua)), LocationSettings(str(Str.bat_dinh_vi)) }

data class CheckInState(
    val step: CheckInStep = CheckInStep.Photo,
    val meetingTitle: String = "",
    val cellName: String = "",
    val photo: String? = null,
    val location: LocationUi = LocationUi(),
    val code: String = "",
    val busy: Boolean = false,
    val verdict: VerdictUi? = null,
    val guidanceGiven: String = "",
    val lessons: String = "",
    /** The judged parts, in the core's words (filled by the holder). */
    val scores: List<chibo.presentation.meeting.ScoreItem> = emptyList(),
    val petitionDraft: String = "",
    /** The camera was refused: [error] says so, and the screen offers the app's settings. */
    val askAppSettings: Boolean = false,
    val petitionCategory: String? = null,
    val categories: List<String> = emptyList(),
    val petitionsRaised: List<String> = emptyList(),
    val observationSaved: Boolean = false,
    val error: String? = null,
)

/** A check-in not started: the judged parts at 0 and the petition categories, in the core's words. */
private fun emptyCheckIn(labels: Labels) = with(labels) {
    CheckInState(scores = scoreItems(null), categories = PetitionCategory.entries.map { it.label() })
}

/**
 * Photo, live location, code (typed or scanned), then the signed check-in and its verdict,
 * then observations and petitions. The keystore signs; the key never leaves it.
 */
class CheckInStateHolder(
    private val visits: VisitsCore,
    private val location: LocationSource,
    private val camera: Camera,
    private val scanner: QrScanner?,
    private val clock: Clock,
    private val keystore: DeviceKeystore,
    private val drafts: TextDrafts,
    private val cadreId: String,
    private val meetingId: String,
    private val cellId: String,
    scope: CoroutineScope,
    work: CoroutineDispatcher,
    /** Server clock minus this device's, from the last sync (null: never synced). */
    private val serverOffsetMs: () -> Long? = { null },
    private val settings: chibo.presentation.api.SystemSettings? = null,
) : StateHolder<CheckInState>(emptyCheckIn(visits), scope, work), Labels by visits {
    private var photo: PhotoRef? = null
    private var fix: Fix? = null
    private var locating: Job? = null

    private fun key(f: String) = "checkin:$meetingId:$f"

    fun load() = launchWork(::fail) {
        val rec = visits.meetingRecord(meetingId)
        val cell = visits.overview(cadreId).cells.firstOrNull { it.cellId == cellId }?.cell
        // A photo taken before the app was killed (or while the screen was away) is kept.
        val kept = keptPhoto(drafts, meetingId)
        if (kept != null && photo == null) {
            photo = kept
            update { it.copy(photo = photoLabel(kept), step = CheckInStep.Location) }
            startLocating()
        }
        update {
            it.copy(
                meetingTitle = "${rec.meeting.kind.label()} · ${monthLabel(rec.meeting.plannedStart)}",
                cellName = cell?.name.orEmpty(),
                guidanceGiven = drafts.get(key("guidance")),
                lessons = drafts.get(key("lessons")),
                petitionDraft = drafts.get(key("petition")),
            )
        }
    }

    fun takePhoto() = launchWork(::fail) {
        update { it.copy(busy = true) }
        try {
            val file = camera.capture() ?: return@launchWork
            val info = visits.processPhoto(file)
            val ref = keepPhoto(drafts, meetingId, info)
            photo = ref
            update { it.copy(photo = photoLabel(ref), step = CheckInStep.Location) }
            startLocating()
        } finally {
            update { it.copy(busy = false) }
        }
    }

    /** Follows the platform's fixes; the indicator updates with every one. */
    fun startLocating() {
        locating?.cancel()
        locating = scope.launch(work) {
            location.readings().collect { reading ->
                when (reading) {
                    is LocationReading.Located -> {
                        fix = reading.fix
                        val acc = reading.fix.accuracyM
                        val quality = visits.fixQuality(acc)
                        update {
                            it.copy(
                                location = LocationUi(
                                    accuracy = quality,
                                    accuracyLabel = quality.label(),
                                    accuracyText = "± ${distance(acc)}",
                                    mock = reading.fix.mock,
                                    problem = if (reading.fix.mock) str(Str.may_dang_dung_vi_tri) else null,
                                    approximateNote = if (reading.fix.approximate) {
                                        str(Str.may_chi_cho_phep_vi, distance(acc))
                                    } else null,
                                    fix = if (reading.fix.approximate) LocationFix.AppSettings else null,
                                ),
                            )
                        }
                    }
                    LocationReading.Searching -> update { it.copy(location = it.location.copy(problem = null)) }
                    LocationReading.PermissionDenied -> update {
                        it.copy(location = LocationUi(problem = str(Str.chua_cho_phep_ung_dung), fix = LocationFix.AppSettings))
                    }
                    LocationReading.Disabled -> update {
                        it.copy(location = LocationUi(problem = str(Str.dinh_vi_dang_tat_hay), fix = LocationFix.LocationSettings))
                    }
                }
            }
        }
    }

    /** Stops the platform's location updates (the screen went away, or the fix is taken). */
    fun stopLocating() {
        locating?.cancel()
        locating = null
    }

    /** The way forward for a location problem; fixes are followed again on return. */
    fun fixLocation() {
        when (current.location.fix) {
            LocationFix.AppSettings -> settings?.openAppSettings()
            LocationFix.LocationSettings -> settings?.openLocationSettings()
            null -> {}
        }
    }

    /** Asks the platform again (after the person came back from the settings). */
    fun retryLocation() {
        if (current.step == CheckInStep.Location) startLocating()
    }

    /** Goes on with the best fix so far (a check-in without a fix is allowed, and flagged). */
    fun acceptLocation() {
        stopLocating()
        update { it.copy(step = CheckInStep.Code) }
    }

    fun typeCode(text: String) = update { it.copy(code = text.filter(Char::isDigit).take(6)) }

    fun scanCode() = launchWork(::fail) {
        val payload = scanner?.scan() ?: return@launchWork
        // chibo:presence:<meeting>:<code>; the core checks the meeting matches.
        update { it.copy(code = payload.substringAfterLast(':').filter(Char::isDigit).take(6)) }
    }

    fun submit() = launchWork(::fail) {
        val s = current
        if (s.code.length != 6) return@launchWork fail(str(Str.nhap_du_6_so_cua))
        update { it.copy(busy = true) }
        try {
            val f = fix
            val row = visits.checkIn(
                CheckInRequest(
                    meetingId = meetingId, cellId = cellId, cadreId = cadreId, photo = photo,
                    gps = f?.let { GpsFix(it.latitude, it.longitude, it.accuracyM, it.fixTime, it.mock) },
                    deviceWallTime = clock.now(), monotonicMs = clock.monotonicMs(), serverOffsetMs = serverOffsetMs(),
                    presenceCode = s.code,
                ),
                keystore,
            )
            locating?.cancel()
            drafts.put(photoKey(meetingId), "")
            update {
                it.copy(
                    step = CheckInStep.Result,
                    verdict = row.verdict.toUi(this@CheckInStateHolder),
                )
            }
        } finally {
            update { it.copy(busy = false) }
        }
    }

    fun toObservations() = update { it.copy(step = CheckInStep.Observe) }

    fun editGuidance(text: String) { drafts.put(key("guidance"), text); update { it.copy(guidanceGiven = text) } }
    fun editLessons(text: String) { drafts.put(key("lessons"), text); update { it.copy(lessons = text) } }
    fun setScore(key: String, value: Int) = update { s ->
        s.copy(scores = s.scores.map { if (it.key == key) it.copy(value = value.coerceIn(0, it.max)) else it })
    }

    fun saveObservation() = launchWork(::fail) {
        val s = current
        var judged = NO_SCORES
        for (item in s.scores) judged = judged.withPoints(JudgedPart.valueOf(item.key), item.value)
        visits.recordObservation(Observation("", meetingId, cadreId, judged, s.guidanceGiven.trim(), s.lessons.trim(), clock.now()))
        drafts.put(key("guidance"), "")
        drafts.put(key("lessons"), "")
        update { it.copy(observationSaved = true) }
    }

    fun editPetition(text: String) { drafts.put(key("petition"), text); update { it.copy(petitionDraft = text) } }
    fun choosePetitionCategory(label: String) = update { it.copy(petitionCategory = label) }

    fun raisePetition() = launchWork(::fail) {
        val s = current
        if (s.petitionDraft.isBlank()) return@launchWork fail(str(Str.ghi_noi_dung_kien_nghi))
        val category = PetitionCategory.entries.firstOrNull { it.label() == s.petitionCategory } ?: PetitionCategory.OTHER
        val p = visits.raisePetition(meetingId, s.petitionDraft.trim(), category, visits.raisedByThePeople(s.cellName))
        drafts.put(key("petition"), "")
        update { it.copy(petitionDraft = "", petitionCategory = null, petitionsRaised = it.petitionsRaised + p.content) }
    }

    fun dismissError() = update { it.copy(error = null, askAppSettings = false) }

    override fun permissionDenied(e: PermissionDenied): Boolean {
        update { it.copy(error = e.message, askAppSettings = true, busy = false) }
        return true
    }

    /** The way forward after the camera was refused: this app's page in the system settings. */
    fun openAppSettings() {
        update { it.copy(error = null, askAppSettings = false) }
        settings?.openAppSettings()
    }

    private fun fail(message: String) = update { it.copy(error = message, busy = false) }

    private fun photoLabel(ref: PhotoRef) = "${ref.width}×${ref.height} · ${bytesLabel(ref.byteSize.toLong())}"

    companion object {
        private fun photoKey(meetingId: String) = "checkin:$meetingId:photo"

        /** Keeps the check-in's processed photo in the drafts until the check-in is signed. */
        fun keepPhoto(drafts: TextDrafts, meetingId: String, info: uniffi.chibo_core.PhotoInfo): PhotoRef {
            drafts.put(photoKey(meetingId), listOf(info.sha256, info.width, info.height, info.byteSize).joinToString("|"))
            return PhotoRef(info.sha256, info.width, info.height, info.byteSize)
        }

        fun keptPhoto(drafts: TextDrafts, meetingId: String): PhotoRef? {
            val parts = drafts.get(photoKey(meetingId)).split('|')
            if (parts.size != 4) return null
            return runCatching { PhotoRef(parts[0], parts[1].toUInt(), parts[2].toUInt(), parts[3].toULong()) }.getOrNull()
        }
    }
}

// ---------------------------------------------------------------------- my check-ins

data class MyCheckInUi(val id: String, val cellName: String, val at: String, val verdict: VerdictUi)
data class MyCheckInsState(val loading: Boolean = true, val rows: List<MyCheckInUi> = emptyList(), val error: String? = null)

class MyCheckInsStateHolder(private val visits: VisitsCore, private val cadreId: String, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<MyCheckInsState>(MyCheckInsState(), scope, work), Labels by visits {
    fun load() = launchWork({ m -> update { it.copy(loading = false, error = m) } }) {
        val names = visits.overview(cadreId).cells.associate { it.cellId to (it.cell?.name ?: str(Str.chi_bo)) }
        val rows = visits.myCheckIns(cadreId).sortedByDescending { it.verdict.effectiveTime }.map { r ->
            MyCheckInUi(
                r.checkIn.id, names[r.checkIn.cellId] ?: str(Str.chi_bo), timeAndDate(r.verdict.effectiveTime), r.verdict.toUi(this@MyCheckInsStateHolder),
            )
        }
        update { MyCheckInsState(loading = false, rows = rows) }
    }
}
