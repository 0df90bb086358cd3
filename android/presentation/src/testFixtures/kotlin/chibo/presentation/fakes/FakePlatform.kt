package chibo.presentation.fakes

import chibo.presentation.api.Camera
import chibo.presentation.api.Clock
import chibo.presentation.api.LocationReading
import chibo.presentation.api.LocationSource
import chibo.presentation.api.QrScanner
import chibo.presentation.api.TextDrafts
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableSharedFlow
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.KeystoreException
import uniffi.chibo_domain.KeyProtection

class FakeClock(var nowMs: Long = vn(2026, 11, 24, 19, 35)) : Clock {
    override fun now() = nowMs
    override fun monotonicMs() = 9_876_543L
}

/** A drafts file that outlives the state holders that write it, as the app's does. */
class MemoryDrafts : TextDrafts {
    val values = mutableMapOf<String, String>()
    override fun get(key: String) = values[key].orEmpty()
    override fun put(key: String, value: String) {
        if (value.isEmpty()) values.remove(key) else values[key] = value
    }
}

/** Hands out the files the test queues; null (cancelled) when none is left. */
class FakeCamera(vararg files: String) : Camera {
    val queue = ArrayDeque(files.toList())
    /** The person refused the camera permission (Android throws, as here). */
    var denied = false
    override suspend fun capture(): String? {
        if (denied) throw chibo.presentation.api.PermissionDenied(chibo.presentation.api.DeniedPermission.Camera)
        return queue.removeFirstOrNull()
    }
}

class FakeScanner(var payload: String? = null) : QrScanner {
    var denied = false
    override suspend fun scan(): String? {
        if (denied) throw chibo.presentation.api.PermissionDenied(chibo.presentation.api.DeniedPermission.Camera)
        return payload
    }
}

/** Records which settings page the screen asked for. */
class FakeSystemSettings : chibo.presentation.api.SystemSettings {
    val opened = mutableListOf<String>()
    override fun openAppSettings() { opened += "app" }
    override fun openLocationSettings() { opened += "location" }
}

/** Fixes pushed by the test, one at a time. */
class FakeLocation : LocationSource {
    val flow = MutableSharedFlow<LocationReading>(replay = 1)
    override fun readings(): Flow<LocationReading> = flow
    fun emit(reading: LocationReading) = check(flow.tryEmit(reading))
}

/**
 * Signs with a JDK Ed25519 key, as the platform keystore would (the key never leaves it),
 * and wraps the database key with an AES-256-GCM key that stays in this object, as the
 * Android Keystore's does.
 */
class JdkKeystore(private val protection: KeyProtection = KeyProtection.HARDWARE) : DeviceKeystore {
    private val pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
    private val wrapping = javax.crypto.KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    override fun publicKey(): ByteArray = pair.public.encoded.takeLast(32).toByteArray()
    override fun sign(payload: ByteArray): ByteArray = java.security.Signature.getInstance("Ed25519").run {
        initSign(pair.private)
        update(payload)
        sign()
    }
    override fun keyProtection() = protection
    override fun wrapSecret(secret: ByteArray): ByteArray {
        val cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding").apply { init(javax.crypto.Cipher.ENCRYPT_MODE, wrapping) }
        return cipher.iv + cipher.doFinal(secret)
    }
    override fun unwrapSecret(wrapped: ByteArray): ByteArray = try {
        val cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, wrapping, javax.crypto.spec.GCMParameterSpec(128, wrapped, 0, 12))
        cipher.doFinal(wrapped, 12, wrapped.size - 12)
    } catch (e: java.security.GeneralSecurityException) {
        throw KeystoreException.Unavailable("khóa không phải của máy này (${e.javaClass.simpleName})")
    }
}
