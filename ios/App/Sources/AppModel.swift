import ChiboCore
import Foundation
import Presentation
import UIKit

/// The composition root: the one store, the platform adapters, and the state holders each
/// screen gets. No decision is made here; the core and Presentation make them.
final class AppModel: ObservableObject {
    let store: ChiboStore?
    /// Why the store could not be opened, said plainly (a full disk, a damaged file).
    let startupError: String?

    /// Signs check-ins and wraps the store's database key.
    let keystore: KeychainKeystore
    let drafts = DefaultsDrafts()
    let settingsStore: DefaultsSettings
    let clock = SystemClock()
    let camera = CameraPresenter()
    let scanner = QrPresenter()
    let location = CoreLocationSource()
    /// Core calls, one at a time in the order asked; sync on its own queue (it waits on the network).
    let coreWork = QueueWork(label: "vn.chibo.core")
    let syncWork: QueueWork
    private(set) lazy var scheduler = AppScheduler { [weak self] in self?.sync }

    let core: BindingsCore?
    let sync: BindingsSync?
    let navigator: Navigator
    let settings: SettingsStateHolder
    let syncState: SyncStateHolder?
    @Published private(set) var enrollment: Enrollment?

    /// The commune server the office's enrolment code belongs to (Info.plist ChiboServerURL).
    let serverUrl = Bundle.main.object(forInfoDictionaryKey: "ChiboServerURL") as? String ?? ""

    init() {
        let keystore = KeychainKeystore()
        var opened: ChiboStore?
        var failure: String?
        do {
            // SQLCipher under a random key the device keystore wraps (the core makes and keeps it).
            opened = try ChiboStore.open(path: try Self.storePath(), keystore: keystore)
        } catch {
            failure = CoreError.of(error).message
        }
        // Everything is built in locals first: a class may not use self before it is whole.
        let settingsStore = DefaultsSettings()
        let settings = SettingsStateHolder(store: settingsStore, work: ImmediateWork())
        settings.load()
        let sync = opened.map { BindingsSync(store: $0) }
        let syncWork = QueueWork(label: "vn.chibo.sync")
        let current = opened.flatMap { try? BindingsEnrollment(store: $0, keystore: keystore, deviceLabel: "").current() }

        self.keystore = keystore
        store = opened
        startupError = failure
        core = opened.map { BindingsCore(store: $0) }
        self.sync = sync
        self.syncWork = syncWork
        self.settings = settings
        self.settingsStore = settingsStore
        syncState = sync.map { SyncStateHolder(sync: $0, work: syncWork) }
        navigator = Navigator(root: Self.home(of: current), work: ImmediateWork())
        enrollment = current
    }

    /// Application Support/chibo/chibo.sqlite3, protected by iOS data protection (readable
    /// after the first unlock, so background sync works), excluded from backups.
    private static func storePath() throws -> String {
        var dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("chibo", isDirectory: true)
        try FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication]
        )
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        return dir.appendingPathComponent("chibo.sqlite3").path
    }

    private static func home(of enrollment: Enrollment?) -> Screen {
        switch enrollment?.role {
        case .secretary: return .secretaryHome
        case .cadre: return .cadreHome
        case nil: return .enrollment
        }
    }

    func enrolled(_ enrollment: Enrollment) {
        self.enrollment = enrollment
        navigator.reset(to: Self.home(of: enrollment))
        scheduler.requestSyncNow()
        syncState?.syncNow()
    }

    /// The screens' factory, once the store is open.
    var services: Services? {
        guard let store, let core, let syncState else { return nil }
        return Services(app: self, store: store, core: core, sync: syncState)
    }
}

/// What the screens are built from once the store is open: the state holders, one per screen.
struct Services {
    let app: AppModel
    let store: ChiboStore
    let core: BindingsCore
    let sync: SyncStateHolder

    var cellId: String { app.enrollment?.cellId ?? "" }
    var cadreId: String { app.enrollment?.personId ?? "" }
    private var work: Work { app.coreWork }

    func enrollment() -> EnrollmentStateHolder {
        EnrollmentStateHolder(
            core: BindingsEnrollment(store: store, keystore: app.keystore, deviceLabel: UIDevice.current.name),
            defaultServer: app.serverUrl, scanner: app.scanner, work: app.syncWork
        )
    }

    func home() -> HomeStateHolder {
        HomeStateHolder(cells: core, meetings: core, scheduler: app.scheduler, clock: app.clock, cellId: cellId, work: work)
    }

    func meetingFlow() -> MeetingFlowStateHolder {
        MeetingFlowStateHolder(meetings: core, cells: core, guidance: core, camera: app.camera, clock: app.clock, drafts: app.drafts, work: work)
    }

    func roster() -> RosterStateHolder { RosterStateHolder(cells: core, cellId: cellId, work: work) }
    func history() -> HistoryStateHolder { HistoryStateHolder(cells: core, cellId: cellId, work: work) }
    func petitions() -> PetitionsStateHolder { PetitionsStateHolder(petitions: core, cellId: cellId, work: work) }
    func guidance() -> GuidanceStateHolder { GuidanceStateHolder(guidance: core, cellId: cellId, work: work) }
    func presenceCode(_ meetingId: String) -> PresenceCodeStateHolder { PresenceCodeStateHolder(meetings: core, meetingId: meetingId, work: work) }

    func share(_ meetingId: String) -> ShareStateHolder {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("share", isDirectory: true)
        return ShareStateHolder(documents: BindingsDocuments(store: store, outDir: dir), meetingId: meetingId, work: work)
    }

    func cadreHome() -> CadreHomeStateHolder { CadreHomeStateHolder(visits: core, clock: app.clock, cadreId: cadreId, work: work) }
    func myCheckIns() -> MyCheckInsStateHolder { MyCheckInsStateHolder(visits: core, cadreId: cadreId, work: work) }

    func checkIn(meetingId: String, cellId: String) -> CheckInStateHolder {
        let syncCore = app.sync
        return CheckInStateHolder(
            visits: core, location: app.location, camera: app.camera, scanner: app.scanner, clock: app.clock, keystore: app.keystore,
            drafts: app.drafts, cadreId: cadreId, meetingId: meetingId, cellId: cellId, work: work,
            serverOffsetMs: { syncCore?.serverOffsetMs() }
        )
    }
}
