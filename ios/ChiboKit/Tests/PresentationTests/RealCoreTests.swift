import ChiboCore
import ChiboTestSupport
import Foundation
import Presentation
import XCTest

/// The state holders on the real core library through the generated bindings, with a real
/// SQLite store per device.
final class RealCoreTests: XCTestCase {
    private var secretaryPhone: RealDevice!
    private var cadrePhone: RealDevice!
    private var demo: DemoCell!
    private let work = ImmediateWork()

    override func setUpWithError() throws {
        secretaryPhone = try RealDevice()
        cadrePhone = try RealDevice()
        demo = realDemoCell()
    }

    override func tearDown() {
        secretaryPhone.close()
        cadrePhone.close()
    }

    private func markEveryone(_ core: BindingsCore, _ meetingId: String) throws {
        for m in demo.all {
            let mark: Attendance = m.status == .exempt ? .exempt : m.status == .attachedElsewhere ? .attachedElsewhere : .present
            try core.markAttendance(meetingId: meetingId, memberId: m.id, attendance: mark, reason: nil)
        }
    }

    /// Last month's meeting, held and signed, with two tasks to review this month.
    private func lastMonth(_ core: BindingsCore) throws -> [ChiboCore.Task] {
        let last = try core.plan(cellId: demo.cell.id, kind: .regular, start: vn(2026, 10, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu")
        var meeting = try core.record(last.id).meeting
        meeting.actualStart = vn(2026, 10, 24, 19, 30)
        meeting.actualEnd = vn(2026, 10, 24, 21, 10)
        meeting.chairId = demo.secretary.id
        meeting.minuteTakerId = demo.deputy.id
        try core.updateMeeting(meeting)
        try markEveryone(core, last.id)
        let tasks = [
            try core.addTask(meetingId: last.id, description: "Vận động nhân dân làm đường bê tông nội bản", assigneeId: demo.committee.id, deadline: "2026-11-20"),
            try core.addTask(meetingId: last.id, description: "Thu đảng phí quý IV", assigneeId: demo.deputy.id, deadline: "2026-11-15"),
        ]
        _ = try core.sign(last.id)
        return tasks
    }

    func testAWholeMeetingIsRecordedAndSignedAndAKilledAppReopensWhereItWas() throws {
        let store = try secretaryPhone.open()
        try store.importRoster(cell: demo.cell, members: demo.all)
        let core = BindingsCore(store: store)
        let tasks = try lastMonth(core)
        let meeting = try core.plan(cellId: demo.cell.id, kind: .regular, start: vn(2026, 11, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu")

        let drafts = MemoryDrafts()
        let clock = FakeClock(vn(2026, 11, 24, 19, 32))
        let photo = try secretaryPhone.cameraFile()
        func holder(_ c: BindingsCore) -> MeetingFlowStateHolder {
            let h = MeetingFlowStateHolder(meetings: c, cells: c, guidance: c, camera: FakeCamera(photo), clock: clock, drafts: drafts, work: work)
            h.load(meeting.id)
            return h
        }
        let flow = holder(core)
        XCTAssertEqual(flow.state.title, "Chi bộ bản Nà Hẩu")
        flow.setNoticeToMembers(true)
        flow.setDocumentsDaysBefore(2)
        flow.next()
        flow.startNow()
        flow.chooseChair(demo.secretary.id)
        flow.chooseMinuteTaker(demo.deputy.id)
        flow.mark(demo.workingAway.id, .absentExcused, reason: "Đi làm ăn xa")
        flow.mark(demo.active[4].id, .absentUnexcused)
        flow.markRestPresent()
        XCTAssertNil(flow.state.error)
        XCTAssertEqual(flow.state.blockers, [])
        flow.next()
        XCTAssertEqual(Set(flow.state.body.previousTasks.map(\.description)), ["Vận động nhân dân làm đường bê tông nội bản", "Thu đảng phí quý IV"])
        flow.reviewTask(tasks[0].id, .partlyDone)
        flow.chooseSpeaker(demo.active[0].id)
        flow.editGist("Đề nghị làm rõ tiến độ làm đường.")
        flow.addSpeech()

        // The app is killed here, mid-step, with a speech being typed.
        flow.chooseSpeaker(demo.probationary.id)
        flow.editGist("Xin nhận nhiệm vụ tuyên truyền")
        let reopened = try secretaryPhone.open()
        let again = holder(BindingsCore(store: reopened))
        let s = again.state
        XCTAssertEqual(s.step, .body)
        XCTAssertEqual(s.body.draftGist, "Xin nhận nhiệm vụ tuyên truyền")
        XCTAssertEqual(s.body.speeches.map(\.speaker), ["Lường Văn Páo"])
        XCTAssertEqual(s.open.presentSummary, "8/10 có mặt", "the core's count: exempt and attached-elsewhere members are not expected")
        XCTAssertEqual(s.blockers, ["Còn 1 nhiệm vụ tháng trước chưa đánh giá"])

        again.addSpeech()
        again.reviewTask(tasks[1].id, .done)
        again.next()
        XCTAssertEqual(again.state.step, .closing)
        again.editTask("Hoàn thành 200 m đường còn lại")
        again.chooseAssignee(demo.committee.id)
        again.chooseDeadline(try XCTUnwrap(again.state.closing.deadlines.last).isoDate)
        again.addTask()
        again.recordVote()
        again.editPetition("Đề nghị xã hỗ trợ xi măng làm đường")
        again.choosePetitionCategory(.infrastructure)
        again.raisePetition()
        for item in again.state.closing.scores { again.setScore(item.key, min(item.max, 1)) }
        again.editConclusion("Chi bộ thống nhất hoàn thành đường bê tông trước Tết.")
        // An hour: shorter than the 90 minutes the rules ask for.
        clock.nowMs = vn(2026, 11, 24, 20, 32)
        again.endNow()
        XCTAssertNil(again.state.error, again.state.error ?? "")
        XCTAssertEqual(again.state.blockers, [])
        again.next()
        again.takePhoto()
        XCTAssertNil(again.state.error, again.state.error ?? "")
        XCTAssertEqual(again.state.photos.photos.count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: photo), "the camera file is removed once the processed photo is stored")
        again.next()

        // The rules' own warnings, in Vietnamese, from the core.
        let review = again.state.review
        XCTAssertTrue(review.warnings.contains { $0.message.contains("60 phút") }, "\(review.warnings)")
        XCTAssertTrue(review.warnings.contains { $0.message.contains("Tòng Văn Hải") }, "\(review.warnings)")
        XCTAssertTrue(review.minutes.contains("Lò Văn Thắng"), review.minutes)
        XCTAssertTrue(review.minutes.contains("Chi bộ thống nhất hoàn thành đường bê tông trước Tết."), review.minutes)
        let assessment = try core.assess(meeting.id)
        XCTAssertEqual(review.score, "\(assessment.quality.total)/100 điểm")
        XCTAssertEqual(review.grade, Labels.grade(assessment.quality.grade))
        again.next()
        again.sign()
        XCTAssertNil(again.state.error, again.state.error ?? "")
        XCTAssertTrue(again.state.signed)

        let record = try reopened.meetingRecord(meetingId: meeting.id)
        XCTAssertEqual(record.meeting.status, .signed)
        XCTAssertEqual(record.speeches.count, 2)
        XCTAssertEqual(record.rollCall.count, 12)
        XCTAssertEqual(record.meeting.conclusion, "Chi bộ thống nhất hoàn thành đường bê tông trước Tết.")
        XCTAssertEqual(record.petitions.map(\.content), ["Đề nghị xã hỗ trợ xi măng làm đường"])
        XCTAssertEqual(record.votes.first?.inFavor, 7, "every full member present voted in favour")
        XCTAssertEqual(try reopened.meetingPhotos(meetingId: meeting.id).count, 1)

        // Home, history and petitions read the same record.
        let c = BindingsCore(store: reopened)
        let home = HomeStateHolder(cells: c, meetings: c, scheduler: nil, clock: clock, cellId: demo.cell.id, work: work)
        home.load()
        XCTAssertNil(home.state.error)
        XCTAssertEqual(home.state.last?.meetingId, meeting.id)
        XCTAssertEqual(home.state.openTasks.map(\.description), ["Hoàn thành 200 m đường còn lại"])
        let history = HistoryStateHolder(cells: c, cellId: demo.cell.id, work: work)
        history.load()
        XCTAssertEqual(history.state.rows.count, 2)
        XCTAssertEqual(history.state.rows.first?.meetingId, meeting.id)
        let petitions = PetitionsStateHolder(petitions: c, cellId: demo.cell.id, work: work)
        petitions.load()
        XCTAssertEqual(petitions.state.rows.map(\.status), [Labels.petitionStatus(.raised)])

        // A signed meeting refuses edits, with the core's reason.
        again.goTo(.open)
        again.mark(demo.active[4].id, .present)
        XCTAssertFalse((again.state.error ?? "").isEmpty)
        XCTAssertEqual(try reopened.meetingRecord(meetingId: meeting.id).rollCall.first { $0.memberId == demo.active[4].id }?.attendance, .absentUnexcused)
    }

    func testTheSignedMinutesAndResolutionAreSharedAsWordFilesFromTheCore() throws {
        let store = try secretaryPhone.open()
        try store.importRoster(cell: demo.cell, members: demo.all)
        let core = BindingsCore(store: store)
        let m = try core.plan(cellId: demo.cell.id, kind: .regular, start: vn(2026, 10, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu")
        var meeting = try core.record(m.id).meeting
        meeting.actualStart = vn(2026, 10, 24, 19, 30)
        meeting.actualEnd = vn(2026, 10, 24, 21, 10)
        meeting.chairId = demo.secretary.id
        meeting.minuteTakerId = demo.deputy.id
        try core.updateMeeting(meeting)
        try markEveryone(core, m.id)
        _ = try core.addTask(meetingId: m.id, description: "Vận động nhân dân làm đường bê tông nội bản", assigneeId: demo.committee.id, deadline: "2026-11-20")
        let outDir = secretaryPhone.dir.appendingPathComponent("share")
        let share = ShareStateHolder(documents: BindingsDocuments(store: store, outDir: outDir), meetingId: m.id, work: work)

        // Not signed yet: the minutes may still change, and the screen says why.
        share.render(.minutes)
        XCTAssertNil(share.state.ready)
        XCTAssertTrue((share.state.error ?? "").contains("chưa ký biên bản"), share.state.error ?? "no error")

        _ = try core.sign(m.id)
        share.render(.minutes)
        let minutes = try XCTUnwrap(share.state.ready, share.state.error ?? "no file")
        XCTAssertEqual(minutes.fileName, "Bien-ban-Chi-bo-ban-Na-Hau-10-2026.docx")
        XCTAssertEqual(minutes.mimeType, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: minutes.path))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x50, 0x4B], "a DOCX is a zip file")
        XCTAssertGreaterThan(bytes.count, 2_000)

        share.render(.resolution)
        let resolution = try XCTUnwrap(share.state.ready, share.state.error ?? "no file")
        XCTAssertEqual(resolution.fileName, "Nghi-quyet-Chi-bo-ban-Na-Hau-10-2026.docx")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: resolution.path)), try store.resolutionDocx(meetingId: m.id))
    }

    func testACadreChecksInWithAFixturePhotoAndTheCodeFromTheSecretarysPhone() throws {
        let secretary = try secretaryPhone.open()
        let cadre = try cadrePhone.open()
        try secretary.importRoster(cell: demo.cell, members: demo.all)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let meeting = try secretary.planMeeting(cellId: demo.cell.id, kind: .regular, plannedStart: nowMs - 10 * 60_000, plannedPlace: "Nhà văn hóa bản Nà Hẩu")
        try cadre.importRoster(cell: demo.cell, members: demo.all)
        _ = try cadre.recordMeeting(record: try secretary.meetingRecord(meetingId: meeting.id))
        _ = try cadre.saveCadre(cadre: demo.cadre)
        _ = try cadre.assign(assignment: Assignment(
            id: "", cadreId: demo.cadre.id, cellId: demo.cell.id, workingTeamId: nil, startsOn: Format.isoDate(nowMs - 40 * 86_400_000), endsOn: nil
        ))

        // The secretary's phone shows the rotating code; it checks a code offline itself.
        let shown = PresenceCodeStateHolder(meetings: BindingsCore(store: secretary), meetingId: meeting.id, work: work)
        shown.refresh()
        XCTAssertNil(shown.state.error)
        let code = shown.state.code.replacingOccurrences(of: " ", with: "")
        XCTAssertEqual(code.count, 6)
        XCTAssertTrue(shown.state.qrPayload.contains(meeting.id))
        if case .valid = try secretary.verifyPresence(meetingId: meeting.id, code: code) {} else { XCTFail("the code the screen shows is valid") }
        if case .valid = try secretary.verifyPresence(meetingId: meeting.id, code: code == "000000" ? "111111" : "000000") { XCTFail("another code is not") }

        let location = FakeLocation()
        let core = BindingsCore(store: cadre)
        let camera = try cadrePhone.cameraFile()
        let keystore = cadrePhone.keystore
        let checkIn = CheckInStateHolder(
            visits: core, location: location, camera: FakeCamera(camera), scanner: FakeScanner(), clock: FakeClock(nowMs), keystore: keystore,
            drafts: MemoryDrafts(), cadreId: demo.cadre.id, meetingId: meeting.id, cellId: demo.cell.id, work: work
        )
        checkIn.load()
        XCTAssertEqual(checkIn.state.cellName, "Chi bộ bản Nà Hẩu")
        checkIn.takePhoto()
        XCTAssertNil(checkIn.state.error, checkIn.state.error ?? "")
        XCTAssertTrue((checkIn.state.photo ?? "").hasPrefix("640×"), "a small photo is never enlarged: \(checkIn.state.photo ?? "none")")
        XCTAssertFalse(FileManager.default.fileExists(atPath: camera), "the camera file is removed once the processed photo is stored")
        location.emit(.located(Fix(latitude: 21.7174, longitude: 104.9000, accuracyM: 25, fixTime: nowMs - 10_000, mock: false)))
        checkIn.acceptLocation()
        checkIn.typeCode(code)
        checkIn.submit()
        XCTAssertNil(checkIn.state.error, checkIn.state.error ?? "")
        XCTAssertEqual(checkIn.state.step, .result)
        // The cadre's phone cannot check the code: the server will.
        XCTAssertEqual(checkIn.state.verdict?.status, Labels.verdictStatus(.provisional), "\(String(describing: checkIn.state.verdict))")
        XCTAssertEqual(checkIn.state.verdict?.reasons, [], "\(String(describing: checkIn.state.verdict))")
        XCTAssertFalse(checkIn.state.verdict?.pending.isEmpty ?? true, "the checks left to the server are listed")

        let stored = try XCTUnwrap(try cadre.myCheckIns(cadreId: demo.cadre.id).first)
        XCTAssertEqual(stored.checkIn.publicKeyHex, try keystore.publicKey().map { String(format: "%02x", $0) }.joined(), "signed with this device's key")
        XCTAssertEqual(stored.checkIn.presenceCode, code)
        XCTAssertEqual(stored.checkIn.gps?.accuracyM, 25)

        checkIn.toObservations()
        checkIn.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        checkIn.saveObservation()
        XCTAssertNil(checkIn.state.error, checkIn.state.error ?? "")
        XCTAssertTrue(checkIn.state.observationSaved)
        checkIn.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng")
        checkIn.raisePetition()
        XCTAssertNil(checkIn.state.error, checkIn.state.error ?? "")
        XCTAssertEqual(checkIn.state.petitionsRaised.count, 1)

        let mine = MyCheckInsStateHolder(visits: core, cadreId: demo.cadre.id, work: work)
        mine.load()
        XCTAssertEqual(mine.state.rows.map(\.verdict.status), [Labels.verdictStatus(.provisional)])
        XCTAssertEqual(mine.state.rows.first?.cellName, "Chi bộ bản Nà Hẩu")
        let home = CadreHomeStateHolder(visits: core, clock: FakeClock(nowMs), cadreId: demo.cadre.id, work: work)
        home.load()
        XCTAssertNil(home.state.error)
        XCTAssertEqual(home.state.cells.map(\.name), ["Chi bộ bản Nà Hẩu"])
    }

    func testABrokenPhotoIsRefusedByTheCoreInVietnamese() throws {
        let store = try cadrePhone.open()
        let broken = cadrePhone.dir.appendingPathComponent("camera-broken.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46]).write(to: broken)
        XCTAssertThrowsError(try BindingsCore(store: store).processPhoto(cameraFile: broken.path)) { error in
            let core = error as? CoreError
            XCTAssertEqual(core?.kind, .validation)
            XCTAssertFalse((core?.message ?? "").isEmpty)
        }
    }

    func testTheStoreIsEncryptedAndOnlyThisPhonesKeystoreOpensIt() throws {
        let store = try secretaryPhone.open()
        try store.importRoster(cell: demo.cell, members: demo.all)
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: secretaryPhone.path))
        defer { try? file.close() }
        let header = try XCTUnwrap(try file.read(upToCount: 16))
        XCTAssertEqual(header.count, 16)
        XCTAssertNotEqual(header, Data("SQLite format 3\u{0}".utf8), "the store is SQLCipher, not plain SQLite")
        XCTAssertThrowsError(try ChiboStore.open(path: secretaryPhone.path, keystore: TestKeystore()), "another phone's keystore cannot unwrap its key") { error in
            XCTAssertFalse(CoreError.of(error).message.isEmpty)
        }
        let reopened = try secretaryPhone.open()
        XCTAssertEqual(try reopened.syncStatus().pendingChanges, 13, "this phone's keystore still opens it, nothing lost")
    }

    func testAnUnenrolledDeviceShowsWhatWaitsAndWhySendingFailed() throws {
        let store = try secretaryPhone.open()
        try store.importRoster(cell: demo.cell, members: demo.all)
        let sync = SyncStateHolder(sync: BindingsSync(store: store), work: work)
        sync.refresh()
        let pending = Int64(try store.syncStatus().pendingChanges)
        XCTAssertEqual(pending, 13, "the cell and its 12 members wait in the outbox")
        XCTAssertEqual(sync.state.headline, "Chờ gửi 13 mục")
        XCTAssertEqual(sync.state.detail, "13 thay đổi · Chưa gửi lần nào")
        XCTAssertNil(try BindingsEnrollment(store: store, keystore: secretaryPhone.keystore, deviceLabel: "test").current())

        sync.syncNow()
        XCTAssertFalse(sync.state.running)
        XCTAssertTrue(sync.state.tone == .warning || sync.state.tone == .problem, "\(sync.state)")
        XCTAssertFalse((sync.state.lastError ?? "").isEmpty, "the core says why nothing was sent")
        XCTAssertEqual(Int64(try store.syncStatus().pendingChanges), pending, "nothing is lost")
    }
}
