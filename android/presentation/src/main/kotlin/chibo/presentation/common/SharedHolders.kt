package chibo.presentation.common

import chibo.presentation.api.AttentionItem
import chibo.presentation.api.Enrollment
import chibo.presentation.api.EnrollmentCore
import chibo.presentation.api.Labels
import chibo.presentation.api.Settings
import chibo.presentation.api.SettingsStore
import chibo.presentation.api.SyncCore
import chibo.presentation.api.SyncStatus
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope

// ---------------------------------------------------------------------- sync

data class SyncUi(
    /** Short, for the indicator: "Đã gửi hết", "Chưa gửi 12 thay đổi", "Lỗi gửi". */
    val headline: String = str(Str.dang_kiem_tra),
    val tone: Tone = Tone.Neutral,
    val detail: String = "",
    val lastError: String? = null,
    val attention: List<AttentionItem> = emptyList(),
    val running: Boolean = false,
)

/**
 * The sync banner. It follows the core's live status (the core calls after every write
 * and every round), so it needs no refresh; "Gửi ngay" only asks the [scheduler] for a
 * round, which runs on the scheduler's worker: the UI never waits on the network.
 */
class SyncStateHolder(
    private val sync: SyncCore,
    private val scheduler: chibo.presentation.api.Scheduler?,
    scope: CoroutineScope,
    work: CoroutineDispatcher,
) : StateHolder<SyncUi>(SyncUi(), scope, work), AutoCloseable, Labels by sync {
    private val subscription: AutoCloseable = sync.observe { status -> show(status) }

    fun refresh() = launchWork(::fail) { show(sync.status()) }

    /** Asks for a round now; the banner shows it running as soon as the core starts it. */
    fun syncNow() {
        update { it.copy(running = true) }
        scheduler?.requestSyncNow() ?: launchWork(::fail) { show(sync.syncNow()) }
    }

    fun dismiss(id: String) = launchWork(::fail) {
        sync.dismiss(id)
        show(sync.status())
    }

    override fun close() = subscription.close()

    private fun fail(message: String) = update { it.copy(running = false, tone = Tone.Problem, headline = str(Str.loi_dong_bo), lastError = message) }

    private fun show(s: SyncStatus) = update { toUi(s, this) }

    companion object {
        fun toUi(s: SyncStatus, labels: Labels): SyncUi {
            val pending = s.pendingChanges + s.pendingPhotos
            val headline = when {
                s.needsAttention.isNotEmpty() -> str(Str.muc_can_xu_ly, s.needsAttention.size)
                s.lastError != null -> if (pending > 0) str(Str.chua_gui_duoc_muc, pending) else str(Str.loi_dong_bo)
                pending > 0 -> str(Str.cho_gui_muc, pending)
                else -> str(Str.da_gui_het)
            }
            val tone = when {
                s.needsAttention.isNotEmpty() -> Tone.Problem
                s.lastError != null -> Tone.Warning
                pending > 0 -> Tone.Neutral
                else -> Tone.Good
            }
            val detail = listOfNotNull(
                if (s.pendingChanges > 0) str(Str.thay_doi, s.pendingChanges) else null,
                if (s.pendingPhotos > 0) str(Str.so_anh, s.pendingPhotos) else null,
                s.lastSuccessAt?.let { str(Str.lan_gui_cuoi, labels.timeAndDate(it)) } ?: str(Str.chua_gui_lan_nao),
            ).joinToString(" · ")
            return SyncUi(headline, tone, detail, s.lastError, s.needsAttention, s.running)
        }
    }
}

// ---------------------------------------------------------------------- settings

data class SettingsUi(val textScale: Float = 1f, val scales: List<Pair<String, Float>> = TEXT_SCALES, val photosOnWifiOnly: Boolean = false)

val TEXT_SCALES = listOf(str(Str.vua) to 1f, str(Str.lon) to 1.3f, str(Str.rat_lon) to 1.6f)

class SettingsStateHolder(private val store: SettingsStore, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<SettingsUi>(SettingsUi(), scope, work) {
    fun load() = store.load().let { s -> update { it.copy(textScale = s.textScale, photosOnWifiOnly = s.photosOnWifiOnly) } }
    fun setTextScale(scale: Float) = save { it.copy(textScale = scale) }
    /** Photos wait for Wi-Fi (they are large on prepaid data); the record still goes on any network. */
    fun setPhotosOnWifiOnly(wifiOnly: Boolean) = save { it.copy(photosOnWifiOnly = wifiOnly) }
    private fun save(change: (Settings) -> Settings) {
        val s = change(store.load())
        store.save(s)
        update { it.copy(textScale = s.textScale, photosOnWifiOnly = s.photosOnWifiOnly) }
    }
}

// ---------------------------------------------------------------------- enrollment

data class EnrollmentUi(
    val code: String = "",
    /** The commune server's address for the typed-code path (a QR carries its own). */
    val serverAddress: String = "",
    val busy: Boolean = false,
    val enrolled: Enrollment? = null,
    val error: String? = null,
    /** The camera was refused: [error] says so, and the screen offers the app's settings. */
    val askAppSettings: Boolean = false,
)

/**
 * Enrolment. The office's QR carries the server's address and the code, so a scan needs
 * nothing else; the short code needs the address once, prefilled with the saved one or
 * the province's default ([defaultServer], set by the build or a config file).
 */
class EnrollmentStateHolder(
    private val core: EnrollmentCore,
    private val defaultServer: String,
    private val scanner: chibo.presentation.api.QrScanner?,
    scope: CoroutineScope,
    work: CoroutineDispatcher,
    private val settings: chibo.presentation.api.SystemSettings? = null,
) : StateHolder<EnrollmentUi>(EnrollmentUi(serverAddress = defaultServer), scope, work) {
    fun load() = launchWork(::fail) {
        val saved = core.savedServerAddress()
        if (saved != null) update { it.copy(serverAddress = saved) }
    }

    /** Codes are printed in groups; spaces and dashes are ignored, letters upper-cased. */
    fun typeCode(text: String) = update { it.copy(code = text.uppercase().filter { c -> c.isLetterOrDigit() }.take(16), error = null) }

    fun typeServerAddress(text: String) = update { it.copy(serverAddress = text.trim(), error = null) }

    /** Scans the office's QR and enrols with what it carries (address and code). */
    fun scan() = launchWork(::fail) {
        val payload = scanner?.scan() ?: return@launchWork
        enrollWith("", payload)
    }

    /** Enrols with the typed code and the address in the field (kept for next time). */
    fun enroll() {
        if (current.code.length < 6) return fail(str(Str.ma_dang_ky_gom_it))
        if (current.serverAddress.isBlank()) return fail(str(Str.nhap_dia_chi_may_chu))
        launchWork(::fail) {
            val address = core.saveServerAddress(current.serverAddress)
            update { it.copy(serverAddress = address) }
            enrollWith(address, current.code)
        }
    }

    private fun enrollWith(serverUrl: String, codeOrQr: String) {
        update { it.copy(busy = true, error = null) }
        val e = core.enroll(serverUrl, codeOrQr)
        update { it.copy(busy = false, enrolled = e) }
    }

    private fun fail(message: String) = update { it.copy(busy = false, error = message, askAppSettings = false) }

    override fun permissionDenied(e: chibo.presentation.api.PermissionDenied): Boolean {
        update { it.copy(busy = false, error = e.message, askAppSettings = true) }
        return true
    }

    /** The way forward after the camera was refused: this app's page in the system settings. */
    fun openAppSettings() {
        update { it.copy(error = null, askAppSettings = false) }
        settings?.openAppSettings()
    }
}
