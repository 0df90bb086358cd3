import ChiboCore
import ChiboTestSupport
import Presentation
import XCTest

final class NavigatorTests: XCTestCase {
    func testTheBackStackReturnsThroughTheScreensAndStopsAtTheRoot() {
        let nav = Navigator(root: .secretaryHome, work: ImmediateWork())
        var heard: [[Screen]] = []
        let subscription = nav.observe { heard.append($0) }
        nav.push(.meetingFlow(meetingId: "m1"))
        nav.push(.presenceCode(meetingId: "m1"))
        nav.push(.presenceCode(meetingId: "m1"))
        XCTAssertEqual(nav.state.count, 3, "the same screen twice is one entry")
        XCTAssertTrue(nav.back())
        XCTAssertEqual(nav.current, .meetingFlow(meetingId: "m1"))
        XCTAssertEqual(heard.last, nav.state, "observers hear every change")

        // Saved with the scene (Codable) and restored after the system ended the app.
        let saved = try! JSONEncoder().encode(nav.state)
        let restored = Navigator(root: .secretaryHome, work: ImmediateWork())
        restored.restore(try! JSONDecoder().decode([Screen].self, from: saved))
        XCTAssertEqual(restored.current, .meetingFlow(meetingId: "m1"))
        XCTAssertTrue(restored.back())
        XCTAssertFalse(restored.back(), "the root leaves the app")

        subscription.cancel()
        nav.push(.history)
        XCTAssertNotEqual(heard.last, nav.state, "a cancelled observer hears nothing more")
    }

    func testTheCoreIsReachedThroughTheBindings() {
        XCTAssertEqual(newId().count, 36)
        XCTAssertFalse(standardAgenda(kind: .regular).isEmpty)
        XCTAssertFalse(Labels.grade(.good).isEmpty, "the grade's words come from the core")
    }
}
