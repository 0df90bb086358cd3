package chibo.presentation

import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.vn
import chibo.presentation.meeting.FlowStep
import chibo.presentation.meeting.Mark
import chibo.presentation.meeting.MeetingFlowStateHolder
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.Warning
import uniffi.chibo_domain.WarningCode

/** The meeting flow's state holder against an in-memory core. */
class MeetingFlowStateHolderTest {
    private val core = FakeCore()
    private val demo = core.demo
    private val clock = FakeClock()
    private val drafts = MemoryDrafts()
    private val camera = FakeCamera("/data/chibo/camera/IMG_0001.jpg")
    private val meetingId = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu").id

    private fun holder() = MeetingFlowStateHolder(core, core, core, camera, clock, drafts, CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        .also { it.load(meetingId) }

    /** Opening complete: started, chair and minute-taker chosen, everyone marked. */
    private fun MeetingFlowStateHolder.open() {
        next()
        startNow()
        chooseChair(demo.secretary.id)
        chooseMinuteTaker(demo.deputy.id)
        mark(demo.workingAway.id, Mark.Excused, "Đi làm ăn xa")
        markRestPresent()
    }

    @Test
    fun theOpeningStepCannotBeLeftUntilEveryMemberIsMarkedAndTheChairsAreChosen() {
        val flow = holder()
        assertEquals(FlowStep.Prepare, flow.state.value.step)
        flow.next()
        assertEquals(FlowStep.Open, flow.state.value.step)
        assertEquals(
            listOf("Chưa bấm giờ bắt đầu", "Chưa chọn người chủ trì", "Chưa chọn thư ký", "Còn 12 đảng viên chưa điểm danh"),
            flow.state.value.blockers,
        )
        flow.next()
        assertEquals(FlowStep.Open, flow.state.value.step, "next() must not leave an incomplete step")

        // Starting marks the exempt and the attached-elsewhere members from their standing.
        flow.startNow()
        val rows = flow.state.value.open.rollCall.associateBy { it.memberId }
        assertEquals(Mark.Exempt, rows.getValue(demo.exempt.id).mark)
        assertEquals(Mark.Elsewhere, rows.getValue(demo.attached.id).mark)
        assertTrue("Còn 10 đảng viên chưa điểm danh" in flow.state.value.blockers, flow.state.value.blockers.toString())

        // An excused absence without a reason is not enough.
        flow.mark(demo.workingAway.id, Mark.Excused, null)
        assertTrue(flow.state.value.blockers.any { it == "Chưa chọn lý do vắng của Lường Thị Xuân" }, flow.state.value.blockers.toString())
        flow.mark(demo.workingAway.id, Mark.Excused, "Đi làm ăn xa")
        flow.chooseChair(demo.secretary.id)
        flow.chooseMinuteTaker(demo.deputy.id)
        flow.markRestPresent()
        assertEquals(emptyList(), flow.state.value.blockers)
        assertEquals("9/10 có mặt", flow.state.value.open.presentSummary)

        // Each tap went through the core at once.
        val rollCall = core.record(meetingId).rollCall.associateBy { it.memberId }
        assertEquals(Attendance.ABSENT_EXCUSED, rollCall.getValue(demo.workingAway.id).attendance)
        assertEquals("Đi làm ăn xa", rollCall.getValue(demo.workingAway.id).reason)
        assertEquals(12, rollCall.size)
        flow.next()
        assertEquals(FlowStep.Body, flow.state.value.step)
    }

    @Test
    fun lastMonthsTasksMustBeReviewedAndTheClosingNeedsTasksAVoteAScoreAndAnEnd() {
        val task = Task("t-1", "Vận động nhân dân làm đường bê tông nội bản", demo.committee.id, "2026-11-20")
        core.previous[meetingId] = listOf(task)
        val flow = holder()
        flow.open()
        flow.next()
        assertEquals(FlowStep.Body, flow.state.value.step)
        assertEquals(listOf("Còn 1 nhiệm vụ tháng trước chưa đánh giá"), flow.state.value.blockers)
        assertEquals("Vàng A Sử", flow.state.value.body.previousTasks.single().assignee)
        assertEquals("20/11/2026", flow.state.value.body.previousTasks.single().deadline)
        flow.reviewTask(task.id, TaskOutcome.PARTLY_DONE)
        assertEquals("Hoàn thành một phần", flow.state.value.body.previousTasks.single().outcome)

        // A speech needs a speaker chosen from those present and a gist.
        flow.editGist("Đề nghị làm rõ tiến độ làm đường.")
        flow.addSpeech()
        assertEquals("Chọn người phát biểu", flow.state.value.error)
        flow.dismissError()
        assertTrue(flow.state.value.body.speakers.none { it.id == demo.workingAway.id }, "an absent member is not offered as a speaker")
        flow.chooseSpeaker(demo.active[0].id)
        flow.addSpeech()
        assertNull(flow.state.value.error)
        assertEquals("Lường Văn Páo", flow.state.value.body.speeches.single().speaker)
        assertEquals("", flow.state.value.body.draftGist)
        flow.next()

        assertEquals(FlowStep.Closing, flow.state.value.step)
        assertEquals(
            listOf("Chưa giao nhiệm vụ nào", "Chưa ghi kết quả biểu quyết", "Chưa tự chấm điểm", "Chưa bấm giờ kết thúc"),
            flow.state.value.blockers,
        )
        // The vote starts with every full member present in favour: 9 present, 1 of them probationary.
        assertEquals(8, flow.state.value.closing.voters)
        assertEquals(8, flow.state.value.closing.inFavor)
        flow.changeVote(inFavor = -1, abstain = 1)
        flow.recordVote()
        assertEquals("Tán thành 7 · Không tán thành 0 · Không biểu quyết 1", flow.state.value.closing.votes.single().tally)

        flow.editTask("Hoàn thành 200 m đường còn lại")
        flow.chooseAssignee(demo.committee.id)
        flow.addTask()
        assertEquals("Chọn thời hạn", flow.state.value.error)
        flow.dismissError()
        val deadline = flow.state.value.closing.deadlines.last()
        assertEquals("2026-12-31", deadline.isoDate)
        flow.chooseDeadline(deadline.isoDate)
        flow.addTask()
        assertEquals("31/12/2026", flow.state.value.closing.tasks.single().deadline)

        flow.setScore("CHAIRING", 12)
        assertEquals(10, flow.state.value.closing.scores.first { it.key == "CHAIRING" }.value, "a score never passes its maximum")
        clock.nowMs = vn(2026, 11, 24, 21, 20)
        flow.endNow()
        assertEquals(emptyList(), flow.state.value.blockers)
        assertEquals("21:20", flow.state.value.closing.endedAt)
        assertEquals(MeetingStatus.RECORDED, core.record(meetingId).meeting.status)
    }

    @Test
    fun theReviewShowsTheCoresWarningsAndSigningFreezesTheMeeting() {
        core.warnings = listOf(
            Warning(WarningCode.SHORT_DURATION, "Buổi sinh hoạt kéo dài 60 phút, ít hơn 90 phút theo quy định"),
            Warning(WarningCode.UNEXCUSED_ABSENCE, "Có đảng viên vắng không lý do: Tòng Văn Hải"),
        )
        core.quality = 64u
        core.grade = uniffi.chibo_domain.QualityGrade.AVERAGE
        val flow = holder()
        flow.open()
        flow.next()
        flow.next()
        flow.editTask("Thu đảng phí quý IV"); flow.chooseAssignee(demo.deputy.id); flow.chooseDeadline(flow.state.value.closing.deadlines[0].isoDate); flow.addTask()
        flow.recordVote(); flow.setScore("FULL_PROCEDURE", 5); flow.endNow()
        flow.next()
        assertEquals(FlowStep.Photos, flow.state.value.step)
        flow.takePhoto()
        assertEquals("Ảnh 1 · 1600×1200 · 240 KB", flow.state.value.photos.photos.single().label)
        flow.next()

        val review = flow.state.value.review
        assertEquals(FlowStep.Review, flow.state.value.step)
        assertEquals(core.warnings.map { it.message }, review.warnings.map { it.message })
        assertEquals("64/100 điểm", review.score)
        assertEquals("Trung bình", review.grade)
        assertTrue("Chủ trì: Lò Văn Thắng; thư ký: Hoàng Thị Mai" in review.minutes, review.minutes)

        // Ending the meeting did not approve the minutes: the read-back at this step does.
        assertFalse(core.record(meetingId).meeting.minutesApproved)
        assertEquals(listOf("Chưa đọc lại và thông qua biên bản trước chi bộ"), flow.state.value.blockers)
        flow.next()
        assertEquals(FlowStep.Review, flow.state.value.step, "not past the read-back")
        flow.approveMinutes(true)
        assertTrue(core.record(meetingId).meeting.minutesApproved)
        assertTrue(flow.state.value.review.minutesApproved)
        flow.next()
        assertEquals(FlowStep.Sign, flow.state.value.step)
        assertEquals("Lò Văn Thắng", flow.state.value.sign.chair)
        flow.sign()
        assertTrue(flow.state.value.signed)
        assertNotNull(flow.state.value.sign.signedAt)
        assertEquals(MeetingStatus.SIGNED, core.record(meetingId).meeting.status)

        // The core refuses edits of a signed meeting, and the screen says why.
        flow.goTo(FlowStep.Open)
        flow.mark(demo.active[4].id, Mark.Unexcused)
        assertEquals("Biên bản đã ký, không sửa được. Hãy lập bản đính chính.", flow.state.value.error)
        assertEquals(Attendance.PRESENT, core.record(meetingId).rollCall.first { it.memberId == demo.active[4].id }.attendance)
    }

    @Test
    fun afterTheProcessIsKilledANewHolderReopensTheSameStepWithWhatWasTyped() {
        val first = holder()
        first.open()
        first.next()
        first.chooseSpeaker(demo.probationary.id)
        first.editGist("Xin nhận nhiệm vụ tuyên truyền về phòng chống cháy rừng")
        // The process dies here: the holder and its state are gone; the core and drafts stay.

        val second = holder()
        val s = second.state.value
        assertEquals(FlowStep.Body, s.step, "reopens on the step the secretary was on")
        assertEquals(demo.probationary.id, s.body.draftSpeakerId)
        assertEquals("Xin nhận nhiệm vụ tuyên truyền về phòng chống cháy rừng", s.body.draftGist)
        assertEquals("9/10 có mặt", s.open.presentSummary)
        assertEquals("Lò Văn Thắng", s.open.chair?.name)
    }

    @Test
    fun aWriteTheCoreRefusesIsShownAndChangesNothing() {
        val flow = holder()
        flow.next()
        flow.startNow()
        core.failNextWrite = "Bộ nhớ máy đã đầy, không ghi được"
        flow.mark(demo.secretary.id, Mark.Present)
        assertEquals("Bộ nhớ máy đã đầy, không ghi được", flow.state.value.error)
        assertNull(flow.state.value.open.rollCall.first { it.memberId == demo.secretary.id }.mark)
        flow.dismissError()
        flow.mark(demo.secretary.id, Mark.Present)
        assertEquals(Mark.Present, flow.state.value.open.rollCall.first { it.memberId == demo.secretary.id }.mark)
    }

    @Test
    fun theStepperOnlyJumpsForwardPastCompleteSteps() {
        val flow = holder()
        flow.goTo(FlowStep.Review)
        assertEquals(FlowStep.Prepare, flow.state.value.step, "Open is not complete")
        flow.open()
        flow.goTo(FlowStep.Closing)
        assertEquals(FlowStep.Closing, flow.state.value.step)
        flow.goTo(FlowStep.Photos)
        assertEquals(FlowStep.Closing, flow.state.value.step, "Closing is not complete")
        assertTrue(flow.back())
        assertEquals(FlowStep.Body, flow.state.value.step)
        assertFalse(FlowStep.Body in flow.state.value.completed)
    }
}
