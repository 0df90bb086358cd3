import Foundation
import Presentation

/// Typed text not yet in the core, kept in UserDefaults (written at once: it must survive a kill).
final class DefaultsDrafts: TextDrafts {
    private let defaults = UserDefaults(suiteName: "vn.chibo.drafts") ?? .standard

    func get(_ key: String) -> String { defaults.string(forKey: key) ?? "" }

    func put(_ key: String, _ value: String) {
        if value.isEmpty { defaults.removeObject(forKey: key) } else { defaults.set(value, forKey: key) }
    }
}

final class DefaultsSettings: SettingsStore {
    private let defaults = UserDefaults.standard

    func load() -> Settings {
        let scale = defaults.double(forKey: "textScale")
        return Settings(textScale: scale == 0 ? 1 : scale)
    }

    func save(_ settings: Settings) { defaults.set(settings.textScale, forKey: "textScale") }
}

/// Wall clock for the record; time since boot (sleep included) for the check-in's monotonic time.
final class SystemClock: DeviceClock {
    func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    func monotonicMs() -> Int64 { Int64(clock_gettime_nsec_np(CLOCK_MONOTONIC) / 1_000_000) }
}
