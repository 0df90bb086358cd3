import ChiboCore
import ChiboTestSupport
import Presentation
import XCTest

/// The meeting flow's state holder against the in-memory core.
final class MeetingFlowTests: XCTestCase {
    private var core: FakeCore!
    private var demo: DemoCell { core.demo }
    private var clock: FakeClock!
    private var drafts: MemoryDrafts!
    private var meetingId = ""

    override func setUpWithError() throws {
        core = FakeCore()
        clock = FakeClock()
        drafts = MemoryDrafts()
        meetingId = try core.plan(cellId: core.demo.cell.id, kind: .regular, start: vn(2026, 11, 24, 19, 30), place: "Nhà văn hóa bản Nà Hẩu").id
    }

    private func holder(camera: FakeCamera = FakeCamera("/data/camera/IMG_0001.jpg")) -> MeetingFlowStateHolder {
        let h = MeetingFlowStateHolder(meetings: core, cells: core, guidance: core, camera: camera, clock: clock, drafts: drafts, work: ImmediateWork())
        h.load(meetingId)
        return h
    }

    /// Opening complete: started, chair and minute-taker chosen, everyone marked.
    private func open(_ flow: MeetingFlowStateHolder) {
        flow.next()
        flow.startNow()
        flow.chooseChair(demo.secretary.id)
        flow.chooseMinuteTaker(demo.deputy.id)
        flow.mark(demo.workingAway.id, .absentExcused, reason: "Đi làm ăn xa")
        flow.markRestPresent()
    }

    func testTheOpeningStepCannotBeLeftUntilEveryMemberIsMarkedAndTheChairsAreChosen() throws {
        let flow = holder()
        XCTAssertEqual(flow.state.step, .prepare)
        flow.next()
        XCTAssertEqual(flow.state.step, .open)
        XCTAssertEqual(flow.state.blockers, ["Chưa bấm giờ bắt đầu", "Chưa chọn người chủ trì", "Chưa chọn thư ký", "Còn 12 đảng viên chưa điểm danh"])
        flow.next()
        XCTAssertEqual(flow.state.step, .open, "next() must not leave an incomplete step")

        // Starting marks the exempt and the attached-elsewhere members from their standing.
        flow.startNow()
        let rows = Dictionary(uniqueKeysWithValues: flow.state.open.rollCall.map { ($0.memberId, $0) })
        XCTAssertEqual(rows[demo.exempt.id]?.mark, .exempt)
        XCTAssertEqual(rows[demo.attached.id]?.mark, .attachedElsewhere)
        XCTAssertEqual(rows[demo.exempt.id]?.markLabel, Labels.attendance(.exempt))
        XCTAssertTrue(flow.state.blockers.contains("Còn 10 đảng viên chưa điểm danh"), "\(flow.state.blockers)")
        XCTAssertEqual(flow.state.open.marks.map(\.attendance), Attendance.allCases, "every mark the core knows is offered")

        // An excused absence without a reason is not enough.
        flow.mark(demo.workingAway.id, .absentExcused)
        XCTAssertTrue(flow.state.blockers.contains("Chưa chọn lý do vắng của Lường Thị Xuân"), "\(flow.state.blockers)")
        flow.mark(demo.workingAway.id, .absentExcused, reason: "Đi làm ăn xa")
        flow.chooseChair(demo.secretary.id)
        flow.chooseMinuteTaker(demo.deputy.id)
        flow.markRestPresent()
        XCTAssertEqual(flow.state.blockers, [])
        XCTAssertEqual(flow.state.open.presentSummary, "9/10 có mặt")
        XCTAssertEqual(flow.state.open.chair?.name, "Lò Văn Thắng")

        // Each tap went through the core at once.
        let rollCall = try core.record(meetingId).rollCall
        XCTAssertEqual(rollCall.count, 12)
        let away = rollCall.first { $0.memberId == demo.workingAway.id }
        XCTAssertEqual(away?.attendance, .absentExcused)
        XCTAssertEqual(away?.reason, "Đi làm ăn xa")
        XCTAssertFalse(try core.record(meetingId).agenda.isEmpty, "the standard agenda is set when the meeting opens")
        flow.next()
        XCTAssertEqual(flow.state.step, .body)
    }

    func testLastMonthsTasksMustBeReviewedAndTheClosingNeedsTasksAVoteAScoreAndAnEnd() throws {
        let task = ChiboCore.Task(id: "t-1", description: "Vận động nhân dân làm đường bê tông nội bản", assigneeId: demo.committee.id, deadline: "2026-11-20")
        core.previous[meetingId] = [task]
        let flow = holder()
        open(flow)
        flow.next()
        XCTAssertEqual(flow.state.step, .body)
        XCTAssertEqual(flow.state.blockers, ["Còn 1 nhiệm vụ tháng trước chưa đánh giá"])
        XCTAssertEqual(flow.state.body.previousTasks.first?.assignee, "Vàng A Sử")
        XCTAssertEqual(flow.state.body.previousTasks.first?.deadline, Format.isoDateLabel("2026-11-20"))
        flow.reviewTask(task.id, .partlyDone)
        XCTAssertEqual(flow.state.body.previousTasks.first?.outcome, Labels.taskOutcome(.partlyDone))

        // A speech needs a speaker chosen from those present and a gist.
        flow.editGist("Đề nghị làm rõ tiến độ làm đường.")
        flow.addSpeech()
        XCTAssertEqual(flow.state.error, "Chọn người phát biểu")
        flow.dismissError()
        XCTAssertFalse(flow.state.body.speakers.contains { $0.id == demo.workingAway.id }, "an absent member is not offered as a speaker")
        flow.chooseSpeaker(demo.active[0].id)
        flow.addSpeech()
        XCTAssertNil(flow.state.error)
        XCTAssertEqual(flow.state.body.speeches.map(\.speaker), ["Lường Văn Páo"])
        XCTAssertEqual(flow.state.body.draftGist, "")
        flow.next()

        XCTAssertEqual(flow.state.step, .closing)
        XCTAssertEqual(flow.state.blockers, ["Chưa giao nhiệm vụ nào", "Chưa ghi kết quả biểu quyết", "Chưa tự chấm điểm", "Chưa bấm giờ kết thúc"])
        // The vote starts with every full member present in favour: 9 present, 1 of them probationary.
        XCTAssertEqual(flow.state.closing.voters, 8)
        XCTAssertEqual(flow.state.closing.inFavor, 8)
        flow.changeVote(inFavor: -1, abstain: 1)
        flow.changeVote(against: -1)
        flow.recordVote()
        XCTAssertEqual(flow.state.closing.votes.map(\.tally), ["Tán thành 7 · Không tán thành 0 · Không biểu quyết 1"])

        flow.editTask("Hoàn thành 200 m đường còn lại")
        flow.chooseAssignee(demo.committee.id)
        flow.addTask()
        XCTAssertEqual(flow.state.error, "Chọn thời hạn")
        flow.dismissError()
        let deadline = try XCTUnwrap(flow.state.closing.deadlines.last)
        XCTAssertEqual(deadline.isoDate, "2026-12-31", "the end of next month")
        XCTAssertEqual(flow.state.closing.deadlines.first?.isoDate, "2026-12-08", "two weeks")
        flow.chooseDeadline(deadline.isoDate)
        flow.addTask()
        XCTAssertEqual(flow.state.closing.tasks.map(\.deadline), [Format.isoDateLabel("2026-12-31")])
        XCTAssertEqual(try core.record(meetingId).tasks.map(\.assigneeId), [demo.committee.id])

        let chairing = try XCTUnwrap(flow.state.closing.scores.first { $0.key == "chairing" })
        flow.setScore(chairing.key, chairing.max + 2)
        XCTAssertEqual(flow.state.closing.scores.first { $0.key == "chairing" }?.value, chairing.max, "a score never passes its maximum")
        XCTAssertTrue(flow.state.closing.scoresSaved)
        clock.nowMs = vn(2026, 11, 24, 21, 20)
        flow.endNow()
        XCTAssertEqual(flow.state.blockers, [])
        XCTAssertEqual(flow.state.closing.endedAt, Format.timeOf(vn(2026, 11, 24, 21, 20)))
        XCTAssertEqual(try core.record(meetingId).meeting.status, .recorded)
    }

    func testTheReviewShowsTheCoresWarningsAndSigningFreezesTheMeeting() throws {
        core.warnings = [
            Warning(code: .shortDuration, message: "Buổi sinh hoạt kéo dài 60 phút, ít hơn 90 phút theo quy định"),
            Warning(code: .unexcusedAbsence, message: "Có đảng viên vắng không lý do: Tòng Văn Hải"),
        ]
        core.quality = 64
        core.grade = .average
        let flow = holder()
        open(flow)
        flow.next()
        flow.next()
        flow.editTask("Thu đảng phí quý IV")
        flow.chooseAssignee(demo.deputy.id)
        flow.chooseDeadline(flow.state.closing.deadlines[0].isoDate)
        flow.addTask()
        flow.recordVote()
        flow.setScore("fullProcedure", 1)
        flow.endNow()
        flow.next()
        XCTAssertEqual(flow.state.step, .photos)
        flow.takePhoto()
        XCTAssertEqual(flow.state.photos.photos.map(\.label), ["Ảnh 1 · 1600×1200 · \(Format.bytesLabel(245_000))"])
        XCTAssertFalse(flow.state.photos.busy)
        flow.next()

        let review = flow.state.review
        XCTAssertEqual(flow.state.step, .review)
        XCTAssertEqual(review.warnings.map(\.message), core.warnings.map(\.message))
        XCTAssertEqual(review.score, "64/100 điểm")
        XCTAssertEqual(review.grade, Labels.grade(.average))
        XCTAssertEqual(review.gradeTone, .warning)
        XCTAssertTrue(review.minutes.contains("Chủ trì: Lò Văn Thắng; thư ký: Hoàng Thị Mai"), review.minutes)

        flow.next()
        XCTAssertEqual(flow.state.step, .sign)
        XCTAssertEqual(flow.state.sign.chair, "Lò Văn Thắng")
        flow.sign()
        XCTAssertTrue(flow.state.signed)
        XCTAssertNotNil(flow.state.sign.signedAt)
        XCTAssertEqual(try core.record(meetingId).meeting.status, .signed)

        // The core refuses edits of a signed meeting, and the screen says why.
        flow.goTo(.open)
        flow.mark(demo.active[4].id, .absentUnexcused)
        XCTAssertEqual(flow.state.error, "Biên bản đã ký, không sửa được. Hãy lập bản đính chính.")
        XCTAssertEqual(try core.record(meetingId).rollCall.first { $0.memberId == demo.active[4].id }?.attendance, .present)
    }

    func testAfterTheAppIsKilledANewHolderReopensTheSameStepWithWhatWasTyped() {
        let first = holder()
        open(first)
        first.next()
        first.chooseSpeaker(demo.probationary.id)
        first.editGist("Xin nhận nhiệm vụ tuyên truyền về phòng chống cháy rừng")
        // The process dies here: the holder and its state are gone; the core and drafts stay.

        let s = holder().state
        XCTAssertEqual(s.step, .body, "reopens on the step the secretary was on")
        XCTAssertEqual(s.body.draftSpeakerId, demo.probationary.id)
        XCTAssertEqual(s.body.draftGist, "Xin nhận nhiệm vụ tuyên truyền về phòng chống cháy rừng")
        XCTAssertEqual(s.open.presentSummary, "9/10 có mặt")
        XCTAssertEqual(s.open.chair?.name, "Lò Văn Thắng")
        XCTAssertTrue(s.completed.contains(.open))
    }

    func testAWriteTheCoreRefusesIsShownAndChangesNothing() {
        let flow = holder()
        flow.next()
        flow.startNow()
        core.failNextWrite = "Bộ nhớ máy đã đầy, không ghi được"
        flow.mark(demo.secretary.id, .present)
        XCTAssertEqual(flow.state.error, "Bộ nhớ máy đã đầy, không ghi được")
        XCTAssertNil(flow.state.open.rollCall.first { $0.memberId == demo.secretary.id }?.mark)
        flow.dismissError()
        flow.mark(demo.secretary.id, .present)
        XCTAssertEqual(flow.state.open.rollCall.first { $0.memberId == demo.secretary.id }?.mark, .present)
    }

    func testTheStepperOnlyJumpsForwardPastCompleteSteps() {
        let flow = holder()
        flow.goTo(.review)
        XCTAssertEqual(flow.state.step, .prepare, "Open is not complete")
        open(flow)
        flow.goTo(.closing)
        XCTAssertEqual(flow.state.step, .closing)
        flow.goTo(.photos)
        XCTAssertEqual(flow.state.step, .closing, "Closing is not complete")
        XCTAssertTrue(flow.back())
        XCTAssertEqual(flow.state.step, .body)
        XCTAssertFalse(flow.state.completed.contains(.body))
    }

    func testATypedConclusionIsKeptUntilTheMeetingEndsAndThenWrittenOnce() throws {
        let flow = holder()
        open(flow)
        flow.next()
        flow.next()
        flow.editConclusion("Chi bộ thống nhất hoàn thành đường bê tông trước Tết.")
        XCTAssertNil(try core.record(meetingId).meeting.conclusion, "typing alone writes nothing")
        XCTAssertEqual(holder().state.closing.conclusion, "Chi bộ thống nhất hoàn thành đường bê tông trước Tết.", "a restart keeps it")
        flow.endNow()
        XCTAssertEqual(try core.record(meetingId).meeting.conclusion, "Chi bộ thống nhất hoàn thành đường bê tông trước Tết.")
        XCTAssertEqual(drafts.get("meeting:\(meetingId):conclusion"), "")
    }
}
