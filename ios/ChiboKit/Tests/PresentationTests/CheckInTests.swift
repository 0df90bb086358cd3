import ChiboCore
import ChiboTestSupport
import Presentation
import XCTest

final class CheckInTests: XCTestCase {
    private var core: FakeCore!
    private var location: FakeLocation!
    private var drafts: MemoryDrafts!
    private var meetingId = ""

    override func setUpWithError() throws {
        core = FakeCore()
        location = FakeLocation()
        drafts = MemoryDrafts()
        meetingId = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 11, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu").id
    }

    private func holder(camera: FakeCamera = FakeCamera("/data/camera/IMG_0007.jpg"), scanner: FakeScanner = FakeScanner()) -> CheckInStateHolder {
        let h = CheckInStateHolder(
            visits: core, location: location, camera: camera, scanner: scanner, clock: FakeClock(), keystore: TestKeystore(), drafts: drafts,
            cadreId: core.demo.cadre.id, meetingId: meetingId, cellId: core.demo.cell.id, work: ImmediateWork(), serverOffsetMs: { -1_200 }
        )
        h.load()
        return h
    }

    func testTheAccuracyIndicatorFollowsEachFixAndTheSignedCheckInCarriesTheLastOne() throws {
        let h = holder()
        XCTAssertEqual(h.state.cellName, "Chi bộ bản Nà Hẩu")
        XCTAssertEqual(h.state.meetingTitle, "\(Labels.meetingKind(.regular)) · \(Format.monthLabel(vn(2026, 11, 24, 19, 30)))")
        h.takePhoto()
        XCTAssertEqual(h.state.step, .location)
        XCTAssertEqual(h.state.photo, "1600×1200 · \(Format.bytesLabel(245_000))")
        XCTAssertEqual(h.state.location.accuracy, .none)
        XCTAssertTrue(location.listening, "locating starts once the photo is taken")

        location.emit(.located(Fix(latitude: 21.7190, longitude: 104.9000, accuracyM: 420, fixTime: vn(2026, 11, 24, 19, 34), mock: false)))
        XCTAssertEqual(h.state.location.accuracy, .poor)
        XCTAssertEqual(h.state.location.accuracyText, "± 420 m")
        XCTAssertEqual(h.state.location.accuracy.label, "Chính xác kém, hãy ra chỗ thoáng", "the core's words for a poor fix")
        location.emit(.located(Fix(latitude: 21.7170, longitude: 104.9001, accuracyM: 12, fixTime: vn(2026, 11, 24, 19, 35), mock: false)))
        XCTAssertEqual(h.state.location.accuracy, .good)
        XCTAssertEqual(h.state.location.accuracy.tone, .good)
        h.acceptLocation()

        h.typeCode("48a2 9-13")
        XCTAssertEqual(h.state.code, "482913", "only digits are kept")
        h.submit()
        XCTAssertEqual(h.state.step, .result)
        XCTAssertEqual(h.state.verdict?.status, Labels.verdictStatus(.provisional))
        XCTAssertEqual(h.state.verdict?.pending, ["Máy chủ sẽ kiểm tra mã xác nhận"])

        let request = try XCTUnwrap(core.lastCheckInRequests.first)
        XCTAssertEqual(request.gps?.accuracyM, 12)
        XCTAssertEqual(request.presenceCode, "482913")
        XCTAssertEqual(request.photo?.width, 1600)
        XCTAssertEqual(request.serverOffsetMs, -1_200)
        XCTAssertEqual(request.monotonicMs, 9_876_543)
        XCTAssertEqual(core.checkIns.first?.checkIn.signatureHex.count, 128, "signed by the keystore: 64 bytes")

        // Fixes after the check-in no longer change anything.
        XCTAssertFalse(location.listening)
        location.emit(.located(Fix(latitude: 21, longitude: 105, accuracyM: 999, fixTime: vn(2026, 11, 24, 19, 40), mock: false)))
        XCTAssertEqual(h.state.location.accuracy, .good)
    }

    func testAShortCodeIsRefusedAndAMockLocationIsFlagged() throws {
        let h = holder(scanner: FakeScanner("chibo:presence:\(meetingId):731204"))
        h.takePhoto()
        location.emit(.located(Fix(latitude: 21.7170, longitude: 104.9001, accuracyM: 8, fixTime: vn(2026, 11, 24, 19, 35), mock: true)))
        XCTAssertEqual(h.state.location.problem, "Máy đang dùng vị trí giả: lần điểm danh sẽ cần xem xét")
        h.acceptLocation()
        h.typeCode("4829")
        h.submit()
        XCTAssertEqual(h.state.error, "Nhập đủ 6 số của mã xác nhận")
        XCTAssertTrue(core.checkIns.isEmpty)
        h.dismissError()
        h.scanCode()
        XCTAssertEqual(h.state.code, "731204")
        core.verdictFor = {
            Verdict(status: .needsReview, reasons: [VerdictReason(code: .gpsMocked, message: "Máy dùng vị trí giả")], unchecked: [], effectiveTime: $0.deviceWallTime, review: nil)
        }
        h.submit()
        XCTAssertEqual(h.state.verdict?.status, Labels.verdictStatus(.needsReview))
        XCTAssertEqual(h.state.verdict?.tone, .warning)
        XCTAssertEqual(h.state.verdict?.reasons, ["Máy dùng vị trí giả"])
        XCTAssertEqual(core.lastCheckInRequests.first?.gps?.mockLocation, true)
    }

    func testABrokenPhotoIsExplainedAndDeniedLocationIsSaidPlainly() {
        let h = holder(camera: FakeCamera("/data/camera/IMG_0008.broken"))
        h.takePhoto()
        XCTAssertEqual(h.state.error, "Ảnh bị hỏng, không đọc được. Hãy chụp lại.")
        XCTAssertEqual(h.state.step, .photo)
        XCTAssertFalse(h.state.busy)
        h.startLocating()
        location.emit(.permissionDenied)
        XCTAssertEqual(h.state.location.problem, "Chưa cho phép ứng dụng dùng vị trí")
        location.emit(.disabled)
        XCTAssertEqual(h.state.location.problem, "Định vị đang tắt: hãy bật vị trí trong cài đặt")
    }

    func testACancelledCameraLeavesTheStepAsItWas() {
        let h = holder(camera: FakeCamera())
        h.takePhoto()
        XCTAssertEqual(h.state.step, .photo)
        XCTAssertFalse(h.state.busy)
        XCTAssertNil(h.state.error)
    }

    func testObservationsAndPetitionsAreSavedAndTypedTextSurvivesARestart() throws {
        let first = holder()
        first.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        // Killed before saving: the next holder finds the text.
        let h = holder()
        XCTAssertEqual(h.state.guidanceGiven, "Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        h.editLessons("Cần gửi tài liệu cho đảng viên trước 1 ngày.")
        let chairing = try XCTUnwrap(h.state.scores.first { $0.key == "chairing" })
        h.setScore(chairing.key, chairing.max + 5)
        XCTAssertEqual(h.state.scores.first { $0.key == "chairing" }?.value, chairing.max)
        h.setScore(chairing.key, 1)
        h.saveObservation()
        let saved = try XCTUnwrap(core.observations.first)
        XCTAssertEqual(saved.judged.chairing, 1)
        XCTAssertEqual(saved.lessonsExchanged, "Cần gửi tài liệu cho đảng viên trước 1 ngày.")
        XCTAssertTrue(h.state.observationSaved)
        XCTAssertEqual(drafts.get("checkin:\(meetingId):guidance"), "")

        h.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng")
        h.choosePetitionCategory(.livelihood)
        h.raisePetition()
        XCTAssertNil(h.state.error)
        XCTAssertEqual(h.state.petitionsRaised, ["Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng"])
        let petition = try XCTUnwrap(core.record(meetingId).petitions.first)
        XCTAssertEqual(petition.category, .livelihood)
        XCTAssertEqual(petition.raisedBy, "Nhân dân bản Nà Hẩu")
        XCTAssertEqual(drafts.get("checkin:\(meetingId):petition"), "")
        XCTAssertEqual(h.state.categories.map(\.category), PetitionCategory.allCases)
    }

    /// A check-in the phone flagged, as the office's decision comes back by sync.
    private func flaggedCheckIn(at: Int64, review: OfficeReview? = nil) throws {
        let flagged = Verdict(
            status: .needsReview, reasons: [VerdictReason(code: .outsideMeetingPlace, message: "Vị trí cách điểm họp 12,4 km")], unchecked: [],
            effectiveTime: at, review: nil
        )
        core.verdictFor = { _ in flagged }
        _ = try core.checkIn(
            CheckInRequest(
                meetingId: meetingId, cellId: core.demo.cell.id, cadreId: core.demo.cadre.id, photo: nil, gps: nil, deviceWallTime: at,
                monotonicMs: 0, serverOffsetMs: nil, presenceCode: "482913"
            ),
            keystore: TestKeystore()
        )
        if let review {
            var row = core.checkIns.removeLast()
            row.verdict.status = review.decision == .accepted ? .verified : .needsReview
            row.verdict.review = review
            core.checkIns.append(row)
        }
    }

    func testMyCheckInsShowTheOfficesDecisionWithItsNoteInsteadOfNeedsReview() throws {
        // 00:30 on the 26th in Vietnam is still the 25th in UTC: the date is Vietnam's.
        try flaggedCheckIn(
            at: vn(2026, 11, 24, 19, 40),
            review: OfficeReview(decision: .rejected, note: "Ảnh chụp ở nhà, không phải tại buổi họp", reviewerId: "u1", reviewerName: "Hà Thị Lan", reviewedAt: vn(2026, 11, 26, 0, 30))
        )
        try flaggedCheckIn(
            at: vn(2026, 11, 10, 19, 40),
            review: OfficeReview(decision: .accepted, note: "Điểm họp chuyển sang nhà trưởng bản", reviewerId: "u1", reviewerName: "Hà Thị Lan", reviewedAt: vn(2026, 11, 12, 9, 0))
        )
        try flaggedCheckIn(
            at: vn(2026, 11, 3, 19, 40),
            review: OfficeReview(decision: .accepted, note: "  ", reviewerId: "u1", reviewerName: "", reviewedAt: vn(2026, 11, 4, 9, 0))
        )
        try flaggedCheckIn(at: vn(2026, 10, 27, 19, 40))

        let mine = MyCheckInsStateHolder(visits: core, cadreId: core.demo.cadre.id, work: ImmediateWork())
        mine.load()
        let rows = mine.state.rows.map(\.verdict)
        let verdicts = core.checkIns.map(\.verdict).sorted { $0.effectiveTime > $1.effectiveTime }
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(mine.state.rows.first?.cellName, "Chi bộ bản Nà Hẩu")

        XCTAssertEqual(rows.map(\.status), verdicts.map(Labels.checkInVerdict), "the core's words for the office's decision")
        XCTAssertNotEqual(rows[0].status, rows[3].status, "a rejected check-in does not read as waiting")
        XCTAssertEqual(rows[0].tone, .problem)
        XCTAssertEqual(rows[0].detail, ["Lý do: Ảnh chụp ở nhà, không phải tại buổi họp", "Người xem xét: Hà Thị Lan · \(Format.dateOf(vn(2026, 11, 26, 0, 30)))"])
        XCTAssertEqual(rows[0].reasons, ["Vị trí cách điểm họp 12,4 km"], "the failed checks stay listed")
        XCTAssertTrue(Format.dateOf(vn(2026, 11, 26, 0, 30)).hasPrefix("26"), "Vietnam's date, not UTC's")

        XCTAssertEqual(rows[1].tone, .good)
        XCTAssertEqual(rows[1].reasonsTone, .neutral, "accepted despite the reasons: no longer a warning")
        XCTAssertEqual(rows[2].detail, ["Người xem xét: Văn phòng xã · \(Format.dateOf(vn(2026, 11, 4, 9, 0)))"], "a blank note is left out")

        XCTAssertEqual(rows[3].tone, .warning)
        XCTAssertEqual(rows[3].detail, [])
        XCTAssertEqual(rows[3].reasonsTitle, "Lý do cần xem xét")
    }
}
