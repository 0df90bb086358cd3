import ChiboCore
import Foundation
import Presentation

public final class FakeClock: DeviceClock {
    public var nowMs: Int64
    public init(_ nowMs: Int64 = vn(2026, 11, 24, 19, 35)) { self.nowMs = nowMs }
    public func now() -> Int64 { nowMs }
    public func monotonicMs() -> Int64 { 9_876_543 }
}

/// A drafts file that outlives the state holders that write it, as the app's does.
public final class MemoryDrafts: TextDrafts {
    public var values: [String: String] = [:]
    public init() {}
    public func get(_ key: String) -> String { values[key] ?? "" }
    public func put(_ key: String, _ value: String) { values[key] = value.isEmpty ? nil : value }
}

/// Hands out the files the test queues; nil (cancelled) when none is left.
public final class FakeCamera: Camera {
    public var queue: [String]
    public init(_ files: String...) { queue = files }
    public func capture(_ done: @escaping (String?) -> Void) { done(queue.isEmpty ? nil : queue.removeFirst()) }
}

public final class FakeScanner: QrScanner {
    public var payload: String?
    public init(_ payload: String? = nil) { self.payload = payload }
    public func scan(_ done: @escaping (String?) -> Void) { done(payload) }
}

/// Fixes pushed by the test, one at a time, to whoever listens now.
public final class FakeLocation: LocationSource {
    private final class Watch: Stoppable {
        var onReading: ((LocationReading) -> Void)?
        func stop() { onReading = nil }
    }

    private var watches: [Watch] = []
    public init() {}

    public func start(_ onReading: @escaping (LocationReading) -> Void) -> Stoppable {
        let watch = Watch()
        watch.onReading = onReading
        watches.append(watch)
        return watch
    }

    public func emit(_ reading: LocationReading) { watches.forEach { $0.onReading?(reading) } }
    public var listening: Bool { watches.contains { $0.onReading != nil } }
}

public final class MemorySettings: SettingsStore {
    public var saved = Settings()
    public init() {}
    public func load() -> Settings { saved }
    public func save(_ settings: Settings) { saved = settings }
}
