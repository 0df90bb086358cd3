import Presentation
import SwiftUI
import UIKit

@main
struct ChiboApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate

    var body: some Scene {
        WindowGroup {
            RootView(app: delegate.app, navigator: delegate.app.navigator, settings: delegate.app.settings,
                     camera: delegate.app.camera, scanner: delegate.app.scanner)
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate {
    let app = AppModel()

    func application(_ application: UIApplication, didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        // Background tasks are registered before launching ends, or iOS never runs them.
        app.scheduler.registerBackgroundSync()
        app.scheduler.requestSyncNow()
        return true
    }
}

/// The back stack (Presentation's Navigator) drawn as a NavigationStack, with the camera and
/// the QR scanner the state holders ask for.
struct RootView: View {
    let app: AppModel
    @ObservedObject var navigator: Navigator
    @ObservedObject var settings: SettingsStateHolder
    @ObservedObject var camera: CameraPresenter
    @ObservedObject var scanner: QrPresenter
    @SceneStorage("backStack") private var savedStack: Data?

    private var textSizes: ClosedRange<DynamicTypeSize> {
        // The app's own size on top of the system's: never smaller than the chosen step.
        switch settings.state.textScale {
        case ..<1.2: return .large ... .accessibility5
        case ..<1.5: return .xxLarge ... .accessibility5
        default: return .accessibility1 ... .accessibility5
        }
    }

    var body: some View {
        Group {
            if let services = app.services {
                NavigationStack(path: Binding(get: { Array(navigator.state.dropFirst()) }, set: navigator.setPath)) {
                    ScreenView(services: services, screen: navigator.state[0])
                        .navigationDestination(for: Screen.self) { ScreenView(services: services, screen: $0) }
                }
            } else {
                VStack(spacing: 16) {
                    Image(systemName: Tone.problem.symbol).font(.largeTitle).foregroundColor(Tone.problem.color)
                    Text(app.startupError ?? "Không mở được dữ liệu trên máy").font(.title3).multilineTextAlignment(.center)
                }
                .padding()
            }
        }
        .dynamicTypeSize(textSizes)
        .tint(partyRed)
        .environment(\.locale, Locale(identifier: "vi_VN"))
        .fullScreenCover(item: $camera.request) { _ in
            CameraView { camera.finish($0) }.ignoresSafeArea()
        }
        .fullScreenCover(item: $scanner.request) { _ in
            QrScannerView { scanner.finish($0) }.ignoresSafeArea()
        }
        .onAppear {
            if let savedStack, let stack = try? JSONDecoder().decode([Screen].self, from: savedStack), stack.first == navigator.state.first {
                navigator.restore(stack)
            }
        }
        .onChange(of: navigator.state) { savedStack = try? JSONEncoder().encode($0) }
    }
}

/// One destination: its screen, which makes its state holder once (StateObject) from the
/// composition root.
struct ScreenView: View {
    let services: Services
    let screen: Screen

    var body: some View {
        let s = services
        switch screen {
        case .enrollment: EnrollmentScreen(app: s.app, make: s.enrollment())
        case .secretaryHome: SecretaryHomeScreen(services: s, make: s.home())
        case .roster: RosterScreen(make: s.roster())
        case .meetingFlow(let meetingId): MeetingFlowScreen(services: s, meetingId: meetingId, make: s.meetingFlow())
        case .presenceCode(let meetingId): PresenceCodeScreen(make: s.presenceCode(meetingId))
        case .history: HistoryScreen(services: s, make: s.history())
        case .petitions: PetitionsScreen(make: s.petitions())
        case .guidance: GuidanceScreen(make: s.guidance())
        case .share(let meetingId): ShareScreen(make: s.share(meetingId))
        case .cadreHome: CadreHomeScreen(services: s, make: s.cadreHome())
        case .checkIn(let meetingId, let cellId): CheckInScreen(services: s, make: s.checkIn(meetingId: meetingId, cellId: cellId))
        case .myCheckIns: MyCheckInsScreen(make: s.myCheckIns())
        case .needsAttention: NeedsAttentionScreen(sync: s.sync)
        case .settings: SettingsScreen(holder: s.app.settings)
        }
    }
}
