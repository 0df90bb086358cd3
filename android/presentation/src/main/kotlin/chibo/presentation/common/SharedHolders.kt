package chibo.presentation.common

import chibo.presentation.api.AttentionItem
import chibo.presentation.api.Enrollment
import chibo.presentation.api.EnrollmentCore
import chibo.presentation.api.Labels
import chibo.presentation.api.Language
import chibo.presentation.api.Settings
import chibo.presentation.api.SettingsStore
import chibo.presentation.api.SyncCore
import chibo.presentation.api.SyncStatus
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope

// ---------------------------------------------------------------------- sync

data class SyncUi(
    /** Short, for the indicator: "Đã gửi hết", "Chưa gửi 12 thay đổi", "Lỗi gửi". */
    val headline: String = "Đang kiểm tra…",
    val tone: Tone = Tone.Neutral,
    val detail: String = "",
    val lastError: String? = null,
    val attention: List<AttentionItem> = emptyList(),
    val running: Boolean = false,
)

class SyncStateHolder(private val sync: SyncCore, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<SyncUi>(SyncUi(), scope, work), Labels by sync {
    fun refresh() = launchWork(::fail) { show(sync.status()) }

    fun syncNow() {
        update { it.copy(running = true) }
        launchWork(::fail) { show(sync.syncNow()) }
    }

    fun dismiss(id: String) = launchWork(::fail) {
        sync.dismiss(id)
        show(sync.status())
    }

    private fun fail(message: String) = update { it.copy(running = false, tone = Tone.Problem, headline = "Lỗi đồng bộ", lastError = message) }

    private fun show(s: SyncStatus) = update { toUi(s, this) }

    companion object {
        fun toUi(s: SyncStatus, labels: Labels): SyncUi {
            val pending = s.pendingChanges + s.pendingPhotos
            val headline = when {
                s.needsAttention.isNotEmpty() -> "${s.needsAttention.size} mục cần xử lý"
                s.lastError != null -> if (pending > 0) "Chưa gửi được $pending mục" else "Lỗi đồng bộ"
                pending > 0 -> "Chờ gửi $pending mục"
                else -> "Đã gửi hết"
            }
            val tone = when {
                s.needsAttention.isNotEmpty() -> Tone.Problem
                s.lastError != null -> Tone.Warning
                pending > 0 -> Tone.Neutral
                else -> Tone.Good
            }
            val detail = listOfNotNull(
                if (s.pendingChanges > 0) "${s.pendingChanges} thay đổi" else null,
                if (s.pendingPhotos > 0) "${s.pendingPhotos} ảnh" else null,
                s.lastSuccessAt?.let { "Lần gửi cuối: ${labels.timeAndDate(it)}" } ?: "Chưa gửi lần nào",
            ).joinToString(" · ")
            return SyncUi(headline, tone, detail, s.lastError, s.needsAttention, s.running)
        }
    }
}

// ---------------------------------------------------------------------- settings

data class SettingsUi(val textScale: Float = 1f, val scales: List<Pair<String, Float>> = TEXT_SCALES, val language: Language = Language.Vietnamese, val languages: List<Language> = Language.entries)

val TEXT_SCALES = listOf("Vừa" to 1f, "Lớn" to 1.3f, "Rất lớn" to 1.6f)

class SettingsStateHolder(private val store: SettingsStore, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<SettingsUi>(SettingsUi(), scope, work) {
    fun load() = store.load().let { s -> update { it.copy(textScale = s.textScale, language = s.language) } }
    fun setTextScale(scale: Float) = save { it.copy(textScale = scale) }
    fun setLanguage(language: Language) = save { it.copy(language = language) }
    private fun save(change: (Settings) -> Settings) {
        val s = change(store.load())
        store.save(s)
        update { it.copy(textScale = s.textScale, language = s.language) }
    }
}

// ---------------------------------------------------------------------- enrollment

data class EnrollmentUi(val code: String = "", val busy: Boolean = false, val enrolled: Enrollment? = null, val error: String? = null)

class EnrollmentStateHolder(private val core: EnrollmentCore, private val serverUrl: String, private val scanner: chibo.presentation.api.QrScanner?, scope: CoroutineScope, work: CoroutineDispatcher) :
    StateHolder<EnrollmentUi>(EnrollmentUi(), scope, work) {
    /** Codes are printed in groups; spaces and dashes are ignored, letters upper-cased. */
    fun typeCode(text: String) = update { it.copy(code = text.uppercase().filter { c -> c.isLetterOrDigit() }.take(16), error = null) }

    fun scan() = launchWork(::fail) {
        val payload = scanner?.scan() ?: return@launchWork
        typeCode(payload.substringAfterLast(':'))
        enroll()
    }

    fun enroll() {
        if (current.code.length < 6) return fail("Mã đăng ký gồm ít nhất 6 ký tự")
        update { it.copy(busy = true, error = null) }
        launchWork(::fail) {
            val e = core.enroll(serverUrl, current.code)
            update { it.copy(busy = false, enrolled = e) }
        }
    }

    private fun fail(message: String) = update { it.copy(busy = false, error = message) }
}
