package chibo.presentation.api

import kotlinx.coroutines.flow.Flow

/** A location fix as the platform reports it. */
data class Fix(val latitude: Double, val longitude: Double, val accuracyM: Double, val fixTime: Long, val mock: Boolean)

sealed interface LocationReading {
    data object Searching : LocationReading
    data object PermissionDenied : LocationReading
    data object Disabled : LocationReading
    data class Located(val fix: Fix) : LocationReading
}

/** Live fixes from the platform (Android: LocationManager, no Play services). */
interface LocationSource {
    fun readings(): Flow<LocationReading>
}

/** Takes a photo into an app-private file; null when the user cancelled. */
interface Camera {
    suspend fun capture(): String?
}

interface Clock {
    fun now(): Long
    fun monotonicMs(): Long
}

/**
 * Text being typed that the core does not hold yet (a speech before "Thêm"): kept on disk
 * so that nothing typed is lost if the app is killed. Android: SharedPreferences.
 */
interface TextDrafts {
    fun get(key: String): String
    fun put(key: String, value: String)
}

data class Settings(val textScale: Float = 1f, val language: Language = Language.Vietnamese)

enum class Language(val label: String) { Vietnamese("Tiếng Việt"), English("English") }

interface SettingsStore {
    fun load(): Settings
    fun save(settings: Settings)
}

/** Reads a QR code with the camera; null when cancelled. */
interface QrScanner {
    suspend fun scan(): String?
}

/** Schedules background sync and reminders (Android: WorkManager, notifications). */
interface Scheduler {
    fun requestSyncNow()
    fun remindBefore(meetingId: String, title: String, meetingStart: Long)
}
