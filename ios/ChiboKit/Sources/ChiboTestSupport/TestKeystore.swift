import ChiboCore
import Foundation
#if canImport(CryptoKit)
import CryptoKit
#elseif canImport(CSodium)
import CSodium
#endif

/// The tests' device keystore: a fresh Ed25519 key that signs in-process, and a fresh
/// 256-bit key that wraps the store's database key and never leaves this object, as the
/// platform keystore would (the app's is KeychainKeystore: CryptoKit's Curve25519 with the
/// seed in the Keychain, the database key wrapped by the Secure Enclave). On Apple systems
/// it is CryptoKit; on Linux, where CryptoKit does not exist, libsodium (Ed25519 with
/// crypto_sign_detached, XChaCha20-Poly1305 for the wrap), a well-kept C library from Debian.
/// One instance is one phone: reopening a store needs the keystore that made it.
public final class TestKeystore: DeviceKeystore, @unchecked Sendable {
    public init(protection: KeyProtection = .wrapped) {
        self.protection = protection
        #if !canImport(CryptoKit) && canImport(CSodium)
        precondition(sodium_init() >= 0, "libsodium did not initialise")
        precondition(crypto_sign_keypair(&public_, &secret) == 0, "libsodium made no key")
        crypto_aead_xchacha20poly1305_ietf_keygen(&wrapping)
        #endif
    }

    /// Like the app's: a software key the device's keystore encrypts.
    private let protection: KeyProtection
    public func keyProtection() -> KeyProtection { protection }

    private func notThisDevice() -> KeystoreError {
        .Unavailable("khóa không phải của máy này")
    }

    #if canImport(CryptoKit)
    private let key = Curve25519.Signing.PrivateKey()
    private let wrapping = SymmetricKey(size: .bits256)

    public func publicKey() throws -> Data { key.publicKey.rawRepresentation }
    public func sign(payload: Data) throws -> Data { try key.signature(for: payload) }

    public func wrapSecret(secret: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(secret, using: wrapping).combined else { throw notThisDevice() }
        return combined
    }

    public func unwrapSecret(wrapped: Data) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: wrapping)
        } catch {
            throw notThisDevice()
        }
    }
    #elseif canImport(CSodium)
    private var secret = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
    private var public_ = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
    private var wrapping = [UInt8](repeating: 0, count: Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))

    public func publicKey() throws -> Data { Data(public_) }

    public func sign(payload: Data) throws -> Data {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        let bytes = [UInt8](payload)
        guard crypto_sign_detached(&signature, nil, bytes, UInt64(bytes.count), secret) == 0 else {
            throw KeystoreError.Unavailable("libsodium không ký được")
        }
        return Data(signature)
    }

    /// nonce ‖ ciphertext with its tag.
    public func wrapSecret(secret: Data) throws -> Data {
        var nonce = [UInt8](repeating: 0, count: Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES))
        randombytes_buf(&nonce, nonce.count)
        let plain = [UInt8](secret)
        var sealed = [UInt8](repeating: 0, count: plain.count + Int(crypto_aead_xchacha20poly1305_ietf_ABYTES))
        var sealedLength: UInt64 = 0
        guard crypto_aead_xchacha20poly1305_ietf_encrypt(
            &sealed, &sealedLength, plain, UInt64(plain.count), nil, 0, nil, nonce, wrapping
        ) == 0 else {
            throw KeystoreError.Unavailable("libsodium không mã hóa được")
        }
        return Data(nonce + sealed.prefix(Int(sealedLength)))
    }

    public func unwrapSecret(wrapped: Data) throws -> Data {
        let bytes = [UInt8](wrapped)
        let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
        let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
        guard bytes.count >= nonceLength + tagLength else { throw notThisDevice() }
        let nonce = Array(bytes.prefix(nonceLength))
        let sealed = Array(bytes.dropFirst(nonceLength))
        var plain = [UInt8](repeating: 0, count: sealed.count - tagLength)
        var plainLength: UInt64 = 0
        guard crypto_aead_xchacha20poly1305_ietf_decrypt(
            &plain, &plainLength, nil, sealed, UInt64(sealed.count), nil, 0, nonce, wrapping
        ) == 0 else {
            throw notThisDevice()
        }
        return Data(plain.prefix(Int(plainLength)))
    }
    #endif
}
