import BackgroundTasks
import Foundation
import Presentation
import UserNotifications

/// Background sync with BGTaskScheduler (whenever iOS lets the app run with a network) and a
/// local reminder the day before a planned meeting.
final class AppScheduler: Scheduler {
    static let syncTask = "vn.chibo.sync"
    private let sync: () -> SyncCore?

    init(sync: @escaping () -> SyncCore?) {
        self.sync = sync
    }

    /// Must run before the app finishes launching (AppDelegate).
    func registerBackgroundSync() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.syncTask, using: nil) { [weak self] task in
            self?.run(task)
        }
    }

    /// Asks iOS to run a sync soon with a network; iOS decides when.
    func requestSyncNow() {
        let request = BGProcessingTaskRequest(identifier: Self.syncTask)
        request.requiresNetworkConnectivity = true
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    private func run(_ task: BGTask) {
        requestSyncNow()
        guard let sync = sync() else { return task.setTaskCompleted(success: false) }
        let work = DispatchWorkItem {
            // Pushes, pulls and uploads in the core; a failure is kept in the sync status.
            let status = try? sync.syncNow()
            task.setTaskCompleted(success: status?.lastError == nil)
        }
        // The core's HTTP calls resume later from where they stopped (outbox, tus offsets).
        task.expirationHandler = { work.cancel() }
        DispatchQueue.global(qos: .utility).async(execute: work)
    }

    func remindBefore(meetingId: String, title: String, meetingStart: Int64) {
        let at = Date(timeIntervalSince1970: Double(meetingStart) / 1000 - 24 * 3600)
        guard at > Date() else { return }
        let center = UNUserNotificationCenter.current()
        center.requestAuthorization(options: [.alert, .sound]) { granted, _ in
            guard granted else { return }
            let content = UNMutableNotificationContent()
            content.title = "Ngày mai họp chi bộ"
            content.body = title
            content.sound = .default
            let when = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute], from: at)
            let trigger = UNCalendarNotificationTrigger(dateMatching: when, repeats: false)
            center.add(UNNotificationRequest(identifier: "meeting-\(meetingId)", content: content, trigger: trigger))
        }
    }
}
