package chibo.presentation.api

import kotlinx.coroutines.flow.Flow

/**
 * A location fix as the platform reports it. [approximate]: the person allowed only an
 * approximate location (Android 12+); the fix is used with its (large) accuracy.
 */
data class Fix(val latitude: Double, val longitude: Double, val accuracyM: Double, val fixTime: Long, val mock: Boolean, val approximate: Boolean = false)

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

/**
 * A permission the action needs was refused (Android: the camera, for a photo or a QR
 * code). Its message says so in Vietnamese; the screen offers the app's settings.
 */
class PermissionDenied(val permission: DeniedPermission) : RuntimeException(chibo.presentation.common.str(permission.message))

enum class DeniedPermission(val message: chibo.presentation.common.Str) {
    Camera(chibo.presentation.common.Str.camera_denied),
}

/** Takes a photo into an app-private file; null when the user cancelled; [PermissionDenied] without the camera. */
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

/** The app's settings: text size, and whether photos wait for Wi-Fi (the record always goes). */
data class Settings(val textScale: Float = 1f, val photosOnWifiOnly: Boolean = false)

interface SettingsStore {
    fun load(): Settings
    fun save(settings: Settings)
}

/** The way forward after a permission was denied or a service is off. */
interface SystemSettings {
    /** This app's page in the system settings (its permissions). */
    fun openAppSettings()
    /** The location switch. */
    fun openLocationSettings()
}

/** Reads a QR code with the camera; null when cancelled; [PermissionDenied] without the camera. */
interface QrScanner {
    suspend fun scan(): String?
}

/**
 * Background sync and reminders (Android: WorkManager unique work, notifications). It
 * only asks: the round runs on the scheduler's own worker, never on the caller's thread.
 */
interface Scheduler {
    fun requestSyncNow()
    /** Plans every reminder again from the core's planned meetings (after a change). */
    fun rescheduleReminders()
}
