import ChiboCore
import Foundation
#if canImport(CryptoKit)
import CryptoKit
#elseif canImport(CSodium)
import CSodium
#endif

/// The tests' device keystore: a fresh Ed25519 key that signs in-process, as the platform
/// keystore would (the app's is KeychainKeystore, CryptoKit's Curve25519 with the key in the
/// Keychain). On Apple systems it is CryptoKit; on Linux, where CryptoKit does not exist,
/// libsodium's Ed25519 (crypto_sign_detached), a well-kept C library from Debian.
public final class TestKeystore: DeviceKeystore, @unchecked Sendable {
    #if canImport(CryptoKit)
    private let key = Curve25519.Signing.PrivateKey()
    public init() {}
    public func publicKey() throws -> Data { key.publicKey.rawRepresentation }
    public func sign(payload: Data) throws -> Data { try key.signature(for: payload) }
    #elseif canImport(CSodium)
    private var secret = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
    private var public_ = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))

    public init() {
        precondition(sodium_init() >= 0, "libsodium did not initialise")
        precondition(crypto_sign_keypair(&public_, &secret) == 0, "libsodium made no key")
    }

    public func publicKey() throws -> Data { Data(public_) }

    public func sign(payload: Data) throws -> Data {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        let bytes = [UInt8](payload)
        guard crypto_sign_detached(&signature, nil, bytes, UInt64(bytes.count), secret) == 0 else {
            throw KeystoreError.Unavailable(message: "libsodium không ký được")
        }
        return Data(signature)
    }

    #endif
}
