import Foundation
#if canImport(Combine)
import Combine
#endif

/// Where a state holder's work runs. Core calls block (SQLite, the photo pipeline, HTTP), so
/// the app runs them off the main thread and shows their results on it; tests run both at
/// once, so every event has finished when the call returns (no waiting, no timing).
public protocol Work: AnyObject {
    /// Runs a job that may call the core.
    func background(_ job: @escaping () -> Void)
    /// Runs a job on the thread the UI reads from.
    func main(_ job: @escaping () -> Void)
}

/// Runs every job at once, on the caller's thread: for tests.
public final class ImmediateWork: Work {
    public init() {}
    public func background(_ job: @escaping () -> Void) { job() }
    public func main(_ job: @escaping () -> Void) { job() }
}

/// The app's: core calls in order on one serial queue (a tap is written before the next one),
/// results published on the main queue.
public final class QueueWork: Work {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    public func background(_ job: @escaping () -> Void) { queue.async(execute: job) }

    public func main(_ job: @escaping () -> Void) {
        if Thread.isMainThread { job() } else { DispatchQueue.main.async(execute: job) }
    }

    /// Waits until every job queued so far has run (a test or a background task's end).
    public func drain() { queue.sync {} }
}

/// A registration made with `StateHolder.observe`; cancelling (or releasing) it stops it.
public final class Subscription {
    private var onCancel: (() -> Void)?
    init(_ onCancel: @escaping () -> Void) { self.onCancel = onCancel }
    public func cancel() {
        onCancel?()
        onCancel = nil
    }
    deinit { cancel() }
}

/// A screen's state holder: one immutable state value, changed only here. Reading `state` is
/// safe from any thread; observers (and SwiftUI, through `ObservableObject` where Combine
/// exists) hear of every change on the main thread. The Observation framework is not used:
/// it does not link on the Linux toolchain the tests run on.
open class StateHolder<S> {
    public static var unknownError: String { "Đã có lỗi, vui lòng thử lại" }

    public let work: Work
    private let lock = NSLock()
    private var value: S
    private var observers: [Int: (S) -> Void] = [:]
    private var nextObserver = 0

    public init(_ initial: S, work: Work) {
        value = initial
        self.work = work
    }

    public var state: S {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Calls `observer` with every new state, on the main thread, until the result is cancelled.
    public func observe(_ observer: @escaping (S) -> Void) -> Subscription {
        lock.lock()
        let id = nextObserver
        nextObserver += 1
        observers[id] = observer
        lock.unlock()
        return Subscription { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.observers[id] = nil
            self.lock.unlock()
        }
    }

    /// Changes the state. `change` must only touch its argument (it runs under the lock).
    public func update(_ change: (inout S) -> Void) {
        lock.lock()
        change(&value)
        let now = value
        let listeners = Array(observers.values)
        lock.unlock()
        work.main { [weak self] in
            #if canImport(Combine)
            self?.objectWillChange.send()
            #endif
            listeners.forEach { $0(now) }
        }
    }

    /// Runs `block` as background work; a refusal or failure becomes `onError`'s message,
    /// the core's own Vietnamese words when it is the core's.
    public func launch(onError: @escaping (String) -> Void, _ block: @escaping () throws -> Void) {
        work.background {
            do {
                try block()
            } catch {
                onError(CoreError.message(of: error))
            }
        }
    }
}

#if canImport(Combine)
extension StateHolder: ObservableObject {}
#endif
