import ChiboCore
import CryptoKit
import Foundation
import Security

/// The device's Ed25519 signing key (CryptoKit's Curve25519.Signing). The Secure Enclave has
/// no Ed25519, so the 32-byte seed lives in the Keychain, this device only, readable after
/// the first unlock (background sync signs too), never backed up or synced; where the device
/// has a Secure Enclave the stored seed is also encrypted to a P-256 key that never leaves
/// it, so a copied Keychain item is useless elsewhere. The seed is decrypted in memory only
/// to sign. The core's store asks it to wrap the store's database key the same way
/// (`wrapSecret`); only the wrapped bytes are written, beside the store.
final class KeychainKeystore: DeviceKeystore, @unchecked Sendable {
    private let seedItem = KeychainItem(account: "device-ed25519-seed")
    private let enclave = EnclaveWrapper(tag: "vn.chibo.device.wrap")
    private let databaseKeys = SecretWrapper(
        enclave: EnclaveWrapper(tag: "vn.chibo.database.wrap"), fallback: KeychainItem(account: "database-wrap-key")
    )
    private let lock = NSLock()

    /// A software key the device encrypts (the Secure Enclave cannot hold Ed25519).
    func keyProtection() -> KeyProtection { .wrapped }

    func wrapSecret(secret: Data) throws -> Data {
        do { return try databaseKeys.wrap(secret) } catch { throw unavailable(error) }
    }

    func unwrapSecret(wrapped: Data) throws -> Data {
        do { return try databaseKeys.unwrap(wrapped) } catch { throw unavailable(error) }
    }

    private func unavailable(_ error: Error) -> KeystoreError {
        .Unavailable("Kho khóa của máy không dùng được: \(error.localizedDescription)")
    }

    /// The key, made once on first use.
    private func key() throws -> Curve25519.Signing.PrivateKey {
        lock.lock()
        defer { lock.unlock() }
        do {
            if let stored = try seedItem.read() {
                let seed = try enclave.unwrapIfWrapped(stored)
                return try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            }
            let key = Curve25519.Signing.PrivateKey()
            try seedItem.write(try enclave.wrapIfAvailable(key.rawRepresentation))
            return key
        } catch {
            throw unavailable(error)
        }
    }

    func publicKey() throws -> Data { try key().publicKey.rawRepresentation }

    func sign(payload: Data) throws -> Data {
        do {
            return try key().signature(for: payload)
        } catch let e as KeystoreError {
            throw e
        } catch {
            throw unavailable(error)
        }
    }
}

/// A generic-password item of this app, on this device only.
struct KeychainItem {
    let account: String
    private let service = "vn.chibo"

    private var query: [String: Any] {
        [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service, kSecAttrAccount as String: account]
    }

    func read() throws -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var out: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &out)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = out as? Data else { throw KeychainError(status: status) }
        return data
    }

    func write(_ data: Data) throws {
        var q = query
        q[kSecValueData as String] = data
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError(status: status) }
    }
}

struct KeychainError: LocalizedError {
    let status: OSStatus
    var errorDescription: String? { (SecCopyErrorMessageString(status, nil) as String?) ?? "OSStatus \(status)" }
}

/// Encrypts small secrets to a Secure Enclave P-256 key (ECIES); a no-op on devices without one
/// (the simulator). A wrapped value starts with a marker byte, so both kinds read back.
struct EnclaveWrapper {
    let tag: String
    private static let wrapped: UInt8 = 0x01
    private static let plain: UInt8 = 0x00
    private let algorithm = SecKeyAlgorithm.eciesEncryptionCofactorVariableIVX963SHA256AESGCM

    private func privateKey(create: Bool) throws -> SecKey? {
        let tagData = Data(tag.utf8)
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey, kSecAttrApplicationTag as String: tagData,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom, kSecReturnRef as String: true,
        ]
        var out: CFTypeRef?
        if SecItemCopyMatching(query as CFDictionary, &out) == errSecSuccess, let found = out {
            return (found as! SecKey)
        }
        guard create, SecureEnclave.isAvailable else { return nil }
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly, .privateKeyUsage, &error) else {
            throw error!.takeRetainedValue() as Error
        }
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true, kSecAttrApplicationTag as String: tagData, kSecAttrAccessControl as String: access,
            ],
        ]
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else { throw error!.takeRetainedValue() as Error }
        return key
    }

    func wrapIfAvailable(_ secret: Data) throws -> Data {
        guard let key = try privateKey(create: true), let pub = SecKeyCopyPublicKey(key) else { return Data([Self.plain]) + secret }
        var error: Unmanaged<CFError>?
        guard let sealed = SecKeyCreateEncryptedData(pub, algorithm, secret as CFData, &error) else { throw error!.takeRetainedValue() as Error }
        return Data([Self.wrapped]) + (sealed as Data)
    }

    func unwrapIfWrapped(_ stored: Data) throws -> Data {
        guard let marker = stored.first else { throw KeychainError(status: errSecDecode) }
        let body = stored.dropFirst()
        if marker == Self.plain { return Data(body) }
        guard let key = try privateKey(create: false) else { throw KeychainError(status: errSecItemNotFound) }
        var error: Unmanaged<CFError>?
        guard let secret = SecKeyCreateDecryptedData(key, algorithm, Data(body) as CFData, &error) else { throw error!.takeRetainedValue() as Error }
        return secret as Data
    }
}

/// Wraps the database key: ECIES to a Secure Enclave P-256 key where the device has one;
/// elsewhere (the simulator) AES-GCM under a random key kept in the Keychain, this device
/// only. The first byte says which, so a wrapped key reads back either way.
struct SecretWrapper {
    let enclave: EnclaveWrapper
    let fallback: KeychainItem
    private static let sealedInKeychain: UInt8 = 0x02

    func wrap(_ secret: Data) throws -> Data {
        if SecureEnclave.isAvailable { return try enclave.wrapIfAvailable(secret) }
        guard let sealed = try AES.GCM.seal(secret, using: try keychainKey(create: true)).combined else {
            throw KeychainError(status: errSecParam)
        }
        return Data([Self.sealedInKeychain]) + sealed
    }

    func unwrap(_ wrapped: Data) throws -> Data {
        guard wrapped.first == Self.sealedInKeychain else { return try enclave.unwrapIfWrapped(wrapped) }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped.dropFirst()), using: try keychainKey(create: false))
    }

    private func keychainKey(create: Bool) throws -> SymmetricKey {
        if let stored = try fallback.read() { return SymmetricKey(data: stored) }
        guard create else { throw KeychainError(status: errSecItemNotFound) }
        let key = SymmetricKey(size: .bits256)
        try fallback.write(key.withUnsafeBytes { Data($0) })
        return key
    }
}
