import ChiboCore
import Foundation

/// A real store in a throwaway folder: the core library through the bindings, as on a phone,
/// encrypted under a database key its own keystore wraps (one keystore per phone, as on a
/// real one: it signs the phone's check-ins too).
public final class RealDevice {
    public let dir: URL
    public let keystore = TestKeystore()
    public var path: String { dir.appendingPathComponent("chibo.sqlite3").path }
    private var opened: [ChiboStore] = []

    public init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("chibo-ios-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// Opens the store file; a second call is the app starting again after being killed.
    public func open() throws -> ChiboStore {
        let store = try ChiboStore.open(path: path, keystore: keystore)
        opened.append(store)
        return store
    }

    /// A camera file: a copy of a fixture photo, as the camera would leave it.
    public func cameraFile(_ fixture: String = "phone/gps_tagged.jpg") throws -> String {
        let source = Self.fixturesDir.appendingPathComponent("photos/\(fixture)")
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: source.path])
        }
        let target = dir.appendingPathComponent("camera-\(UUID().uuidString).jpg")
        try FileManager.default.copyItem(at: source, to: target)
        return target.path
    }

    public func close() {
        opened.removeAll()
        try? FileManager.default.removeItem(at: dir)
    }

    /// CHIBO_FIXTURES, or ../shared/fixtures beside the checkout.
    public static var fixturesDir: URL {
        if let env = ProcessInfo.processInfo.environment["CHIBO_FIXTURES"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../../../shared/fixtures").standardizedFileURL
    }
}

/// The demo cell with ids the real core accepts (UUIDv7 from the core).
public func realDemoCell(communeId: String = "0190a6f0-0000-7000-8000-000000000001") -> DemoCell {
    DemoCell(idOf: newId, communeId: communeId)
}
