package chibo.app.platform

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.os.Build
import android.os.Looper
import chibo.presentation.api.Fix
import chibo.presentation.api.LocationReading
import chibo.presentation.api.LocationSource
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

/**
 * Fixes from the platform's LocationManager (GPS and network providers), no Google Play
 * services: many phones in the field have none. Every fix is reported, so the screen's
 * accuracy indicator follows it live; the mock flag comes from the platform.
 */
class PlatformLocation(private val context: Context) : LocationSource {
    private val manager = context.getSystemService(Context.LOCATION_SERVICE) as LocationManager

    override fun readings(): Flow<LocationReading> = callbackFlow {
        val granted = { permission: String -> context.checkSelfPermission(permission) == PackageManager.PERMISSION_GRANTED }
        val precise = granted(Manifest.permission.ACCESS_FINE_LOCATION)
        // Android 12+ lets a person allow only an approximate location: accepted, said so.
        val approximate = !precise && granted(Manifest.permission.ACCESS_COARSE_LOCATION)
        if (!precise && !approximate) {
            trySend(LocationReading.PermissionDenied)
            close()
            return@callbackFlow
        }
        val wanted = if (precise) listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER) else listOf(LocationManager.NETWORK_PROVIDER)
        val providers = wanted.filter { manager.isProviderEnabled(it) }
        if (providers.isEmpty()) {
            trySend(LocationReading.Disabled)
            close()
            return@callbackFlow
        }
        trySend(LocationReading.Searching)
        val listener = object : LocationListener {
            override fun onLocationChanged(location: Location) {
                trySend(LocationReading.Located(location.toFix(approximate)))
            }
            override fun onProviderDisabled(provider: String) {
                if (providers.none { it != provider && manager.isProviderEnabled(it) }) trySend(LocationReading.Disabled)
            }
            override fun onProviderEnabled(provider: String) {}
            @Deprecated("Called only before API 29")
            override fun onStatusChanged(provider: String?, status: Int, extras: android.os.Bundle?) {}
        }
        try {
            // A recent last fix shows something at once; live fixes follow every second.
            providers.mapNotNull { manager.getLastKnownLocation(it) }
                .filter { System.currentTimeMillis() - it.time < 2 * 60_000 }
                .minByOrNull { it.accuracy }
                ?.let { trySend(LocationReading.Located(it.toFix(approximate))) }
            providers.forEach { manager.requestLocationUpdates(it, 1_000L, 0f, listener, Looper.getMainLooper()) }
        } catch (e: SecurityException) {
            trySend(LocationReading.PermissionDenied)
        }
        // The collector is cancelled when the check-in screen goes away: the GPS stops.
        awaitClose { manager.removeUpdates(listener) }
    }

    private fun Location.toFix(approximate: Boolean) = Fix(
        latitude = latitude,
        longitude = longitude,
        accuracyM = if (hasAccuracy()) accuracy.toDouble() else 9_999.0,
        fixTime = time,
        mock = if (Build.VERSION.SDK_INT >= 31) isMock else @Suppress("DEPRECATION") isFromMockProvider,
        approximate = approximate,
    )
}
