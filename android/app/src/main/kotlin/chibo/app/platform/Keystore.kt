package chibo.app.platform

import chibo.presentation.common.Str
import chibo.presentation.common.str
import android.content.Context
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.SecureRandom
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters
import org.bouncycastle.crypto.signers.Ed25519Signer
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.KeystoreException
import uniffi.chibo_domain.KeyProtection

private const val ANDROID_KEYSTORE = "AndroidKeyStore"

/** An AES-256-GCM key that never leaves the Android Keystore; it wraps secrets at rest. */
internal class KeystoreWrapper(private val alias: String) {
    private val store: KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    private fun key(): SecretKey = (store.getKey(alias, null) as SecretKey?) ?: KeyGenerator
        .getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        .apply {
            init(
                KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                    .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                    .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                    .setKeySize(256)
                    .build(),
            )
        }
        .generateKey()

    /** 12-byte IV then ciphertext with its tag. */
    fun wrap(secret: ByteArray): ByteArray {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, key()) }
        return cipher.iv + cipher.doFinal(secret)
    }

    fun unwrap(wrapped: ByteArray): ByteArray {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, wrapped, 0, 12))
        return cipher.doFinal(wrapped, 12, wrapped.size - 12)
    }
}

/**
 * A random secret made once, kept only wrapped by a Keystore key, in app-private storage:
 * the seed of the software signing key on phones whose Keystore has no Ed25519.
 */
class WrappedSecret(context: Context, name: String, private val size: Int = 32) {
    private val file = File(context.noBackupFilesDir, "$name.wrapped")
    private val wrapper = KeystoreWrapper("chibo.$name")

    fun exists(): Boolean = file.exists()

    fun get(): ByteArray {
        if (file.exists()) return wrapper.unwrap(file.readBytes())
        val secret = ByteArray(size).also { SecureRandom().nextBytes(it) }
        val tmp = File(file.path + ".tmp")
        tmp.writeBytes(wrapper.wrap(secret))
        check(tmp.renameTo(file)) { "could not store $file" }
        return secret
    }
}

/**
 * The device's keys, in the Android Keystore.
 *
 * Signing (Ed25519): where the Keystore has Ed25519 (KeyMint 2.0, usually Android 13+),
 * the key is made and used inside it and never reaches the app ([KeyProtection.HARDWARE]).
 * Everywhere else (Android 8–12, and Android 13+ phones whose KeyMint lacks it, where key
 * generation throws) a software key (BouncyCastle) is made once and kept encrypted by a
 * non-exportable Keystore AES-256-GCM key; it is unwrapped in memory only to sign
 * ([KeyProtection.WRAPPED]). The kind is chosen once, at creation, and kept: upgrading
 * Android keeps the same key. The core records the kind and the server shows it.
 *
 * Wrapping: the core's database key is wrapped by another non-exportable AES-256-GCM key.
 */
class AndroidDeviceKeystore(context: Context) : DeviceKeystore {
    private val alias = "chibo.device.ed25519"
    private val store: KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
    private val wrappedSeed = WrappedSecret(context, "device-ed25519-seed")
    private val databaseKeyWrapper = KeystoreWrapper("chibo.database-key")

    private fun unavailable(e: Exception): KeystoreException =
        KeystoreException.Unavailable(str(Str.keystore_unavailable, e.message ?: e.javaClass.simpleName))

    /** Hardware when the key is (or can be made) inside the Keystore; decided once. */
    private val hardware: Boolean by lazy {
        when {
            wrappedSeed.exists() -> false
            store.containsAlias(alias) -> true
            Build.VERSION.SDK_INT < 33 -> false
            else -> try {
                generateKeystoreKey()
                true
            } catch (e: Exception) {
                // KeyMint without Ed25519 (it needs KeyMint 2.0): the wrapped software key.
                false
            }
        }
    }

    private fun generateKeystoreKey() {
        KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, ANDROID_KEYSTORE).apply {
            initialize(
                KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
                    .setAlgorithmParameterSpec(ECGenParameterSpec("ed25519"))
                    .setDigests(KeyProperties.DIGEST_NONE)
                    .build(),
            )
        }.generateKeyPair()
    }

    private fun keystoreKey(): PrivateKey = store.getKey(alias, null) as PrivateKey

    override fun keyProtection(): KeyProtection = if (hardware) KeyProtection.HARDWARE else KeyProtection.WRAPPED

    override fun publicKey(): ByteArray = try {
        if (hardware) {
            // X.509 SubjectPublicKeyInfo for Ed25519 ends with the 32 raw key bytes.
            store.getCertificate(alias).publicKey.encoded.takeLast(32).toByteArray()
        } else {
            Ed25519PrivateKeyParameters(wrappedSeed.get(), 0).generatePublicKey().encoded
        }
    } catch (e: Exception) {
        throw unavailable(e)
    }

    override fun sign(payload: ByteArray): ByteArray = try {
        if (hardware) {
            Signature.getInstance("Ed25519").run {
                initSign(keystoreKey())
                update(payload)
                sign()
            }
        } else {
            val seed = wrappedSeed.get()
            try {
                Ed25519Signer().run {
                    init(true, Ed25519PrivateKeyParameters(seed, 0))
                    update(payload, 0, payload.size)
                    generateSignature()
                }
            } finally {
                seed.fill(0)
            }
        }
    } catch (e: Exception) {
        throw unavailable(e)
    }

    override fun wrapSecret(secret: ByteArray): ByteArray = try {
        databaseKeyWrapper.wrap(secret)
    } catch (e: Exception) {
        throw unavailable(e)
    }

    override fun unwrapSecret(wrapped: ByteArray): ByteArray = try {
        databaseKeyWrapper.unwrap(wrapped)
    } catch (e: Exception) {
        throw unavailable(e)
    }
}
