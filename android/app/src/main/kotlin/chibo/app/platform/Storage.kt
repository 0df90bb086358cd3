package chibo.app.platform

import android.content.Context
import android.os.SystemClock
import chibo.presentation.api.Clock
import chibo.presentation.api.Settings
import chibo.presentation.api.SettingsStore

/** The app's settings (not the record: drafts of text live in the core's encrypted store). */
class PrefsSettings(context: Context) : SettingsStore {
    private val prefs = context.getSharedPreferences("settings", Context.MODE_PRIVATE)
    override fun load() = Settings(
        textScale = prefs.getFloat("textScale", 1f),
        photosOnWifiOnly = prefs.getBoolean("photosOnWifiOnly", false),
    )
    override fun save(settings: Settings) {
        prefs.edit().putFloat("textScale", settings.textScale).putBoolean("photosOnWifiOnly", settings.photosOnWifiOnly).apply()
    }
}

/** Wall clock for the record; elapsed time since boot for the check-in's monotonic time. */
object SystemClocks : Clock {
    override fun now() = System.currentTimeMillis()
    override fun monotonicMs() = SystemClock.elapsedRealtime()
}
