/// Every destination of the app, with what it needs to load.
public enum Screen: Hashable, Codable {
    case enrollment
    case secretaryHome
    case roster
    case meetingFlow(meetingId: String)
    case presenceCode(meetingId: String)
    case history
    case petitions
    case guidance
    case share(meetingId: String)
    case cadreHome
    case checkIn(meetingId: String, cellId: String)
    case myCheckIns
    case needsAttention
    case settings
}

/// The back stack. Its entries are plain values (Codable), so the app saves them with its
/// scene state and rebuilds the same stack after the system ended it.
public final class Navigator: StateHolder<[Screen]> {
    public init(root: Screen, work: Work) {
        super.init([root], work: work)
    }

    public var current: Screen { state.last! }

    public func push(_ screen: Screen) {
        update { stack in
            if stack.last != screen { stack.append(screen) }
        }
    }

    /// Returns false at the root, where the platform leaves the app.
    @discardableResult
    public func back() -> Bool {
        guard state.count > 1 else { return false }
        update { $0.removeLast() }
        return true
    }

    /// Replaces the whole stack, e.g. after enrolment.
    public func reset(to screen: Screen) { update { $0 = [screen] } }

    /// What SwiftUI's NavigationStack binds to: the screens above the root.
    public func setPath(_ path: [Screen]) {
        update { stack in stack = [stack[0]] + path }
    }

    public func restore(_ saved: [Screen]) {
        guard !saved.isEmpty else { return }
        update { $0 = saved }
    }
}
