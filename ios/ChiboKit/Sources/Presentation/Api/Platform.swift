import Foundation

/// A location fix as the platform reports it.
public struct Fix: Equatable {
    public let latitude: Double
    public let longitude: Double
    public let accuracyM: Double
    public let fixTime: Int64
    public let mock: Bool
    public init(latitude: Double, longitude: Double, accuracyM: Double, fixTime: Int64, mock: Bool) {
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyM = accuracyM
        self.fixTime = fixTime
        self.mock = mock
    }
}

public enum LocationReading: Equatable {
    case searching
    case permissionDenied
    case disabled
    case located(Fix)
}

/// Live fixes from the platform (iOS: CoreLocation). `start` reports readings until the
/// returned handle is cancelled.
public protocol LocationSource: AnyObject {
    func start(_ onReading: @escaping (LocationReading) -> Void) -> Stoppable
}

/// Something running that can be stopped (a location subscription).
public protocol Stoppable: AnyObject {
    func stop()
}

/// Takes a photo into an app-private file; nil when the user cancelled. `done` may be called
/// on any thread.
public protocol Camera: AnyObject {
    func capture(_ done: @escaping (String?) -> Void)
}

/// Reads a QR code with the camera; nil when cancelled.
public protocol QrScanner: AnyObject {
    func scan(_ done: @escaping (String?) -> Void)
}

public protocol DeviceClock: AnyObject {
    /// Wall clock, epoch milliseconds.
    func now() -> Int64
    /// Time since boot in milliseconds (the check-in's monotonic time).
    func monotonicMs() -> Int64
}

/// Text being typed that the core does not hold yet (a speech before "Thêm"): kept on disk so
/// that nothing typed is lost if the app is killed. iOS: UserDefaults.
public protocol TextDrafts: AnyObject {
    func get(_ key: String) -> String
    func put(_ key: String, _ value: String)
}

public struct Settings: Equatable {
    public var textScale: Double
    public init(textScale: Double = 1) {
        self.textScale = textScale
    }
}

public protocol SettingsStore: AnyObject {
    func load() -> Settings
    func save(_ settings: Settings)
}

/// Schedules background sync and reminders (iOS: BGTaskScheduler, UNUserNotificationCenter).
public protocol Scheduler: AnyObject {
    func requestSyncNow()
    func remindBefore(meetingId: String, title: String, meetingStart: Int64)
}
