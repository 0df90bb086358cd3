package chibo.app.platform

import android.content.Context
import android.os.SystemClock
import chibo.presentation.api.Clock
import chibo.presentation.api.Language
import chibo.presentation.api.Settings
import chibo.presentation.api.SettingsStore
import chibo.presentation.api.TextDrafts

/** Typed text not yet in the core, written at once (commit: it must survive a kill). */
class PrefsDrafts(context: Context) : TextDrafts {
    private val prefs = context.getSharedPreferences("drafts", Context.MODE_PRIVATE)
    override fun get(key: String): String = prefs.getString(key, "") ?: ""
    override fun put(key: String, value: String) {
        prefs.edit().apply { if (value.isEmpty()) remove(key) else putString(key, value) }.commit()
    }
}

class PrefsSettings(context: Context) : SettingsStore {
    private val prefs = context.getSharedPreferences("settings", Context.MODE_PRIVATE)
    override fun load() = Settings(
        textScale = prefs.getFloat("textScale", 1f),
        language = Language.entries.firstOrNull { it.name == prefs.getString("language", null) } ?: Language.Vietnamese,
    )
    override fun save(settings: Settings) {
        prefs.edit().putFloat("textScale", settings.textScale).putString("language", settings.language.name).apply()
    }
}

/** Wall clock for the record; elapsed time since boot for the check-in's monotonic time. */
object SystemClocks : Clock {
    override fun now() = System.currentTimeMillis()
    override fun monotonicMs() = SystemClock.elapsedRealtime()
}
