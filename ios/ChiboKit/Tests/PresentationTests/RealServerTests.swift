import ChiboCore
import ChiboTestSupport
import Foundation
import Presentation
import XCTest

/// The enrolment and sync holders on the real core against a real commune server on
/// loopback: `tests/run ios` starts `chibo-server`, creates a commune and an office person,
/// and passes the server's address, the commune and the office's one-time code.
final class RealServerTests: XCTestCase {
    private var device: RealDevice!

    override func setUpWithError() throws {
        device = try RealDevice()
    }

    override func tearDown() {
        device.close()
    }

    private func env(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw XCTSkip("\(name) is not set: tests/run ios starts the commune server these tests use")
        }
        return value
    }

    func testAnOfficeCodeEnrolsOverHttpAndTheOfficeIsSentToTheDashboardThenSyncSendsEverything() throws {
        let server = try env("CHIBO_TEST_SERVER_URL")
        let code = try env("CHIBO_TEST_OFFICE_CODE")
        let commune = try env("CHIBO_TEST_COMMUNE_ID")
        let store = try device.open()
        let keystore = device.keystore
        let enrollment = BindingsEnrollment(store: store, keystore: keystore, deviceLabel: "iPhone thử")
        let holder = EnrollmentStateHolder(core: enrollment, defaultServer: server, scanner: FakeScanner(code), work: ImmediateWork())

        // A wrong code is refused by the server, in Vietnamese, and nothing is enrolled.
        holder.typeCode("ZZZZ-ZZZZ")
        holder.enroll()
        XCTAssertFalse((holder.state.error ?? "").isEmpty)
        XCTAssertNil(holder.state.enrolled)
        XCTAssertNil(try store.syncStatus().enrolledAs)

        // The QR code: the server enrols the device's key (the Swift keystore, called by the
        // core from its own thread), and the phone app sends office staff to the dashboard.
        holder.scan()
        XCTAssertNil(holder.state.enrolled)
        XCTAssertTrue((holder.state.error ?? "").contains("trang quản lý"), holder.state.error ?? "no error")
        let enrolled = try XCTUnwrap(try store.syncStatus().enrolledAs)
        XCTAssertEqual(enrolled.communeId, commune)
        XCTAssertEqual(enrolled.serverUrl.trimmingCharacters(in: CharacterSet(charactersIn: "/")), server)
        XCTAssertNil(try enrollment.current(), "no phone role for the office")

        // What this device recorded goes to the server in one sync, and the indicator says so.
        let demo = realDemoCell(communeId: commune)
        try store.importRoster(cell: demo.cell, members: demo.all)
        let sync = SyncStateHolder(sync: BindingsSync(store: store), work: ImmediateWork())
        sync.refresh()
        XCTAssertEqual(sync.state.headline, "Chờ gửi 13 mục")
        sync.syncNow()
        XCTAssertNil(sync.state.lastError, sync.state.lastError ?? "")
        XCTAssertEqual(sync.state.headline, "Đã gửi hết")
        XCTAssertEqual(sync.state.tone, .good)
        XCTAssertTrue(sync.state.detail.hasPrefix("Lần gửi cuối: "), sync.state.detail)
        XCTAssertEqual(try store.syncStatus().pendingChanges, 0)
    }
}
