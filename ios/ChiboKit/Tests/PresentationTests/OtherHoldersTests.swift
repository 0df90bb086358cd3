import ChiboCore
import ChiboTestSupport
import Presentation
import XCTest

final class OtherHoldersTests: XCTestCase {
    private let work = ImmediateWork()

    private final class Reminders: Scheduler {
        var asked: [(String, String, Int64)] = []
        func requestSyncNow() {}
        func remindBefore(meetingId: String, title: String, meetingStart: Int64) { asked.append((meetingId, title, meetingStart)) }
    }

    func testHomePlansTheNextMeetingOnTheCellsDayAndAsksForAReminder() throws {
        let core = FakeCore()
        let reminders = Reminders()
        let home = HomeStateHolder(cells: core, meetings: core, scheduler: reminders, clock: FakeClock(vn(2026, 11, 25, 8, 0)), cellId: core.demo.cell.id, work: work)
        home.load()
        XCTAssertNil(home.state.next)
        XCTAssertFalse(home.state.loading)
        XCTAssertEqual(
            home.state.members,
            "12 đảng viên (1 \(Labels.memberStatus(.exempt).lowercased()), 1 \(Labels.memberStatus(.attachedElsewhere).lowercased()), 1 \(Labels.memberStatus(.workingAway).lowercased()))"
        )
        var planned: String?
        home.planNextMeeting { planned = $0 }
        let meeting = try core.record(try XCTUnwrap(planned)).meeting
        XCTAssertEqual(meeting.plannedStart, vn(2026, 12, 24, 19, 30), "the 24th has passed this month: next month's")
        XCTAssertEqual(meeting.plannedPlace, "Nhà văn hóa bản Nà Hẩu")
        XCTAssertEqual(home.state.next?.title, "\(Labels.meetingKind(.regular)) · \(Format.monthLabel(vn(2026, 12, 24, 19, 30)))")
        XCTAssertEqual(home.state.next?.whenAndWhere, "\(Format.timeAndDate(vn(2026, 12, 24, 19, 30))) · Nhà văn hóa bản Nà Hẩu")
        XCTAssertEqual(reminders.asked.map(\.0), [meeting.id])
        XCTAssertEqual(reminders.asked.first?.2, vn(2026, 12, 24, 19, 30))
    }

    func testTheSyncIndicatorSaysWhatIsWaitingAndWhatWentWrong() {
        let clean = SyncStateHolder.toUi(SyncState(pendingChanges: 0, pendingPhotos: 0, lastSuccessAt: vn(2026, 11, 24, 8, 30), lastError: nil, needsAttention: []))
        XCTAssertEqual(clean.headline, "Đã gửi hết")
        XCTAssertEqual(clean.tone, .good)
        XCTAssertEqual(clean.detail, "Lần gửi cuối: \(Format.timeAndDate(vn(2026, 11, 24, 8, 30)))")
        let offline = SyncStateHolder.toUi(SyncState(pendingChanges: 12, pendingPhotos: 3, lastSuccessAt: nil, lastError: "Không kết nối được máy chủ xã", needsAttention: []))
        XCTAssertEqual(offline.headline, "Chưa gửi được 15 mục")
        XCTAssertEqual(offline.detail, "12 thay đổi · 3 ảnh · Chưa gửi lần nào")
        XCTAssertEqual(offline.tone, .warning)
        let refused = AttentionItem(id: "7", what: "Điểm danh ngày 24/11", reason: "Cấp ủy viên không được phân công chi bộ này", whatToDo: "Liên hệ Văn phòng Đảng ủy xã")
        let rejected = SyncStateHolder.toUi(SyncState(pendingChanges: 0, pendingPhotos: 0, lastSuccessAt: nil, lastError: nil, needsAttention: [refused]))
        XCTAssertEqual(rejected.headline, "1 mục cần xử lý")
        XCTAssertEqual(rejected.tone, .problem)
        XCTAssertEqual(rejected.attention, [refused])
    }

    func testTheNeedsAttentionListDismissesThroughTheCoreAndSaysWhySyncFailed() {
        final class Sync: SyncCore {
            var items = [AttentionItem(id: "7", what: "Điểm danh", reason: "Không được phân công", whatToDo: "Liên hệ xã")]
            var fail: String?
            func status() throws -> SyncState { SyncState(pendingChanges: 2, pendingPhotos: 0, lastSuccessAt: nil, lastError: nil, needsAttention: items) }
            func syncNow() throws -> SyncState {
                if let fail { throw CoreError(fail, kind: .network) }
                return try status()
            }
            func dismiss(_ id: String) throws { items.removeAll { $0.id == id } }
        }
        let sync = Sync()
        let h = SyncStateHolder(sync: sync, work: work)
        h.refresh()
        XCTAssertEqual(h.state.headline, "1 mục cần xử lý")
        h.dismiss("7")
        XCTAssertEqual(h.state.headline, "Chờ gửi 2 mục")
        XCTAssertEqual(h.state.attention, [])
        sync.fail = "Không kết nối được máy chủ xã"
        h.syncNow()
        XCTAssertFalse(h.state.running)
        XCTAssertEqual(h.state.lastError, "Không kết nối được máy chủ xã")
        XCTAssertEqual(h.state.tone, .problem)
    }

    func testAPetitionShowsTheCommunesLatestAnswer() throws {
        let core = FakeCore()
        let m = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 10, 24, 19, 30), place: "Nhà văn hóa")
        let p = try core.raisePetition(meetingId: m.id, content: "Đề nghị sửa đường ống nước đầu bản", category: .infrastructure, raisedBy: "Nhân dân bản Nà Hẩu")
        _ = try core.raisePetition(meetingId: m.id, content: "Đề nghị hỗ trợ giống lúa", category: .livelihood, raisedBy: "Nhân dân bản Nà Hẩu")
        core.responses.append(PetitionResponse(id: "r1", petitionId: p.id, status: .forwarded, text: "Đã chuyển phòng Kinh tế xã", responder: "Văn phòng Đảng ủy xã", respondedAt: vn(2026, 10, 27, 9, 0)))
        core.responses.append(PetitionResponse(id: "r2", petitionId: p.id, status: .answered, text: "Xã bố trí kinh phí sửa trong tháng 12", responder: "Văn phòng Đảng ủy xã", respondedAt: vn(2026, 11, 5, 9, 0)))
        let h = PetitionsStateHolder(petitions: core, cellId: core.demo.cell.id, work: work)
        h.load()
        let row = try XCTUnwrap(h.state.rows.first { $0.id == p.id })
        XCTAssertEqual(row.status, Labels.petitionStatus(.answered))
        XCTAssertEqual(row.statusTone, .good)
        XCTAssertEqual(row.category, Labels.petitionCategory(.infrastructure))
        XCTAssertEqual(row.answers.map(\.text), ["Đã chuyển phòng Kinh tế xã", "Xã bố trí kinh phí sửa trong tháng 12"])
        XCTAssertEqual(h.state.waiting, [PetitionStatus.answered, .raised].filter { petitionIsOpen(status: $0) }.count, "the core says which are still open")
    }

    func testTheCadreSeesVisitsDoneAgainstRequiredPerCell() throws {
        let core = FakeCore()
        _ = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 11, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu")
        let h = CadreHomeStateHolder(visits: core, clock: FakeClock(), cadreId: core.demo.cadre.id, work: work)
        h.load()
        let cell = try XCTUnwrap(h.state.cells.first)
        XCTAssertEqual(cell.visits, "0/1 lần tháng này")
        XCTAssertTrue(cell.behind)
        XCTAssertEqual(h.state.totals, "Tháng này: 0/1 lần dự họp")
        XCTAssertEqual(h.state.cadreName, "Nguyễn Văn Bình")
        XCTAssertEqual(cell.meetings.first?.whenAndWhere, "\(Format.timeAndDate(vn(2026, 11, 24, 19, 30))) · Nhà văn hóa bản Nà Hẩu")

        core.compliance.needsReviewThisMonth = 1
        h.load()
        XCTAssertEqual(h.state.totals, "Tháng này: 1/1 lần dự họp (1 chờ xác nhận)")
        XCTAssertFalse(h.state.cells[0].behind)
    }

    func testEnrolmentTakesATypedCodeWithTheSavedAddressOrAScannedQrAndSaysWhyItFailed() {
        final class Enrol: EnrollmentCore {
            var tried: [String] = []
            var saved: String? = "https://dangbo-xuanhoa.example"
            func current() throws -> Enrollment? { nil }
            func enroll(serverUrl: String, codeOrQr: String) throws -> Enrollment {
                tried.append("\(serverUrl) \(codeOrQr)")
                guard codeOrQr == "XH7K2M9Q" || codeOrQr.hasSuffix(":XH7K2M9Q") else {
                    throw CoreError("Mã đăng ký không đúng hoặc đã được dùng", kind: .unauthorized)
                }
                return Enrollment(role: .secretary, personId: "p1", personName: "Lò Văn Thắng", cellId: "c1", communeName: "Đảng bộ xã Xuân Hòa")
            }
            func savedServerAddress() throws -> String? { saved }
            func saveServerAddress(_ address: String) throws -> String {
                guard address.hasPrefix("https://") else { throw CoreError("Địa chỉ máy chủ phải bắt đầu bằng https://", kind: .validation) }
                saved = address
                return address
            }
        }
        let core = Enrol()
        let qr = "chibo:enroll:2:https%3A%2F%2Fxa.example:XH7K2M9Q"
        let h = EnrollmentStateHolder(core: core, defaultServer: "https://tinh.example", scanner: FakeScanner(qr), work: work)
        XCTAssertEqual(h.state.serverAddress, "https://tinh.example", "the province's default until the saved one is read")
        h.load()
        XCTAssertEqual(h.state.serverAddress, "https://dangbo-xuanhoa.example")
        h.typeCode("xh7")
        h.enroll()
        XCTAssertEqual(h.state.error, "Mã đăng ký gồm ít nhất 6 ký tự")
        XCTAssertTrue(core.tried.isEmpty, "a short code is not sent")
        h.typeCode("xh7k 2m9-r")
        XCTAssertEqual(h.state.code, "XH7K2M9R", "spaces and dashes are ignored, letters upper-cased")
        h.typeServerAddress("  ")
        h.enroll()
        XCTAssertEqual(h.state.error, "Nhập địa chỉ máy chủ của xã (văn phòng Đảng ủy xã cho biết)")
        h.typeServerAddress("http://xa.example ")
        h.enroll()
        XCTAssertEqual(h.state.error, "Địa chỉ máy chủ phải bắt đầu bằng https://", "the core checks the address before anything is sent")
        XCTAssertTrue(core.tried.isEmpty)
        h.typeServerAddress("https://xa.example")
        h.enroll()
        XCTAssertEqual(h.state.error, "Mã đăng ký không đúng hoặc đã được dùng")
        XCTAssertFalse(h.state.busy)
        XCTAssertEqual(core.saved, "https://xa.example", "the typed address is kept for next time")
        h.scan()
        XCTAssertNil(h.state.error)
        XCTAssertEqual(h.state.enrolled?.personName, "Lò Văn Thắng")
        XCTAssertEqual(core.tried, ["https://xa.example XH7K2M9R", " \(qr)"], "a QR goes to the core whole: it carries its own address")
    }

    func testTheTextSizeIsSavedAndReadBack() {
        let store = MemorySettings()
        let h = SettingsStateHolder(store: store, work: work)
        h.load()
        XCTAssertEqual(h.state.textScale, 1)
        h.setTextScale(1.3)
        XCTAssertEqual(store.saved.textScale, 1.3)
        let again = SettingsStateHolder(store: store, work: work)
        again.load()
        XCTAssertEqual(again.state.textScale, 1.3)
    }

    func testTheRosterShowsEachMembersStandingAndHistoryEachMeetingsFigures() throws {
        let core = FakeCore()
        let roster = RosterStateHolder(cells: core, cellId: core.demo.cell.id, work: work)
        roster.load()
        XCTAssertEqual(roster.state.summary, "12 đảng viên: 11 chính thức, 1 dự bị")
        let inh = try XCTUnwrap(roster.state.members.first { $0.name == "Lò Văn Inh" })
        XCTAssertEqual(inh.status, Labels.memberStatus(.exempt))
        XCTAssertEqual(inh.statusReason, "Tuổi cao, sức yếu")
        XCTAssertNil(roster.state.members.first { $0.name == "Lường Văn Páo" }?.role, "an ordinary member has no role to show")

        let m = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 10, 24, 19, 30), place: "Nhà văn hóa")
        var meeting = try core.record(m.id).meeting
        meeting.actualStart = vn(2026, 10, 24, 19, 30)
        meeting.actualEnd = vn(2026, 10, 24, 21, 10)
        try core.updateMeeting(meeting)
        for member in core.demo.all { try core.markAttendance(meetingId: m.id, memberId: member.id, attendance: .present, reason: nil) }
        let history = HistoryStateHolder(cells: core, cellId: core.demo.cell.id, work: work)
        history.load()
        let row = try XCTUnwrap(history.state.rows.first)
        XCTAssertEqual(row.detail, "\(Format.dateOf(vn(2026, 10, 24, 19, 30))) · 100 phút · 12/12 có mặt · 82 điểm")
        XCTAssertEqual(row.grade, Labels.grade(.fair))
    }

    func testGuidanceIsNewestFirstAndThePresenceCodeIsShownInGroups() throws {
        let core = FakeCore()
        core.guidanceItems = [
            Guidance(id: "g1", communeId: "x", kind: .monthlyGuidance, title: "Hướng dẫn tháng 10", body: "…", period: "2026-10", cellIds: [], attachments: [], publishedAt: vn(2026, 10, 1, 8)),
            Guidance(
                id: "g2", communeId: "x", kind: .notice, title: "Thông báo lịch tiêm phòng", body: "…", period: "2026-11", cellIds: [core.demo.cell.id],
                attachments: [GuidanceAttachment(sha256: "ab", fileName: "lich.pdf", byteSize: 1200)], publishedAt: vn(2026, 11, 2, 8)
            ),
            Guidance(id: "g3", communeId: "x", kind: .notice, title: "Cho chi bộ khác", body: "…", period: "2026-11", cellIds: ["other"], attachments: [], publishedAt: vn(2026, 11, 3, 8)),
        ]
        let h = GuidanceStateHolder(guidance: core, cellId: core.demo.cell.id, work: work)
        h.load()
        XCTAssertEqual(h.state.items.map(\.id), ["g2", "g1"])
        XCTAssertEqual(h.state.items.first?.attachments, ["lich.pdf"])
        XCTAssertEqual(h.state.items.first?.kind, Labels.guidanceKind(.notice))
        XCTAssertEqual(h.state.items.first?.period, Format.guidancePeriod("2026-11"))

        let m = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 11, 24, 19, 30), place: "Nhà văn hóa")
        let code = PresenceCodeStateHolder(meetings: core, meetingId: m.id, work: work)
        code.refresh()
        XCTAssertEqual(code.state.code, "482 913")
        XCTAssertEqual(code.state.qrPayload, "chibo:presence:\(m.id):482913")
        XCTAssertEqual(code.state.validUntilMs, vn(2026, 11, 24, 21, 5))
    }

    func testShareSaysWhyAnUnsignedMeetingCannotBeSent() {
        final class Documents: DocumentsCore {
            var signed = false
            func renderDocx(meetingId: String, kind: DocumentKind) throws -> RenderedDocument {
                guard signed else { throw CoreError("Biên bản chưa ký: hãy ký biên bản trước khi gửi", kind: .validation) }
                return RenderedDocument(path: "/tmp/x.docx", fileName: kind == .minutes ? "Bien-ban.docx" : "Nghi-quyet.docx", mimeType: BindingsDocuments.docxMimeType)
            }
        }
        let docs = Documents()
        let h = ShareStateHolder(documents: docs, meetingId: "m1", work: work)
        h.render(.minutes)
        XCTAssertEqual(h.state.error, "Biên bản chưa ký: hãy ký biên bản trước khi gửi")
        XCTAssertNil(h.state.ready)
        XCTAssertFalse(h.state.busy)
        docs.signed = true
        h.render(.resolution)
        XCTAssertNil(h.state.error)
        XCTAssertEqual(h.state.ready?.fileName, "Nghi-quyet.docx")
        XCTAssertEqual(BindingsDocuments.docxFileName(kind: .minutes, cellName: "Chi bộ bản Nà Hẩu", at: vn(2026, 11, 30, 23, 30)), "Bien-ban-Chi-bo-ban-Na-Hau-11-2026.docx")
    }

    func testObserversHearChangesOnTheMainSideOfTheirWork() {
        // The app's QueueWork: core calls on a serial queue, in the order they were asked.
        let queueWork = QueueWork(label: "test")
        let core = FakeCore()
        let h = RosterStateHolder(cells: core, cellId: core.demo.cell.id, work: queueWork)
        h.load()
        queueWork.drain()
        XCTAssertFalse(h.state.loading, "the state is readable from any thread once the work ran")
        XCTAssertEqual(h.state.members.count, 12)
    }
}
