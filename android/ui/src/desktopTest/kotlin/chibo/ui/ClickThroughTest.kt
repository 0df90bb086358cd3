package chibo.ui

import chibo.presentation.impl.BindingsLabels
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runDesktopComposeUiTest
import chibo.presentation.api.CellCore
import chibo.presentation.api.Fix
import chibo.presentation.api.GuidanceCore
import chibo.presentation.api.LocationReading
import chibo.presentation.api.MeetingCore
import chibo.presentation.api.VisitsCore
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.MyCheckInsStateHolder
import chibo.presentation.common.SyncStateHolder
import chibo.presentation.api.SyncStatus
import chibo.presentation.fakes.DemoCell
import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.FakeLocation
import chibo.presentation.fakes.FakeScanner
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.vn
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.ui.screens.MyCheckInsScreen
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.OfficeReview
import uniffi.chibo_domain.ReviewDecision
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictCode
import uniffi.chibo_domain.VerdictReason
import uniffi.chibo_domain.VerdictStatus
import uniffi.chibo_domain.Warning
import uniffi.chibo_domain.WarningCode

/** The same 360×800 dp phone at 1 px per dp: taps need no pixels, and rendering is 9× cheaper. */
const val TAP_WIDTH_PX = 360
const val TAP_HEIGHT_PX = 800

/** Taps through whole flows on the real screens, as a secretary and a cadre would. */
@OptIn(ExperimentalTestApi::class)
class ClickThroughTest {
    private val scope = CoroutineScope(Dispatchers.Unconfined)
    private val synced = SyncStateHolder.toUi(SyncStatus(0, 0, vn(2026, 11, 24, 8, 30), null, emptyList()), BindingsLabels)

    @Test
    fun aSecretaryRecordsAndSignsAMeetingByTapping() {
        val core = FakeCore()
        core.warnings = listOf(Warning(WarningCode.FEW_SPEAKERS, "Chỉ 1/9 đảng viên có mặt phát biểu (11%), dưới 30%"))
        val meeting = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        recordAndSignByTapping(core, core, core, core.demo, meeting.id, "/data/camera/IMG_2041.jpg", expectWarning = core.warnings.single().message)
        assertEquals(MeetingStatus.SIGNED, core.record(meeting.id).meeting.status)
        assertEquals(Attendance.ABSENT_EXCUSED, core.record(meeting.id).rollCall.first { it.memberId == core.demo.workingAway.id }.attendance)
        assertEquals("Hoàn thành 200 m đường bê tông còn lại", core.record(meeting.id).tasks.single().description)
    }

    @Test
    fun aCadreChecksInByTapping() {
        val core = FakeCore()
        val meeting = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        val location = FakeLocation()
        checkInByTapping(core, core.demo, meeting.id, location, "/data/camera/IMG_3001.jpg", code = "482913", expectVerdict = "Chờ máy chủ xác minh")
        assertEquals(12.0, core.lastCheckInRequests.single().gps?.accuracyM)
        assertEquals("Tập trung vận động nhân dân sửa đường ống nước.", core.observations.single().guidanceGiven)
    }

    @Test
    fun aCadreSeesTheOfficesDecisionOnTheirCheckIns() {
        val core = FakeCore()
        val meeting = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        val flagged = Verdict(VerdictStatus.NEEDS_REVIEW, listOf(VerdictReason(VerdictCode.OUTSIDE_MEETING_PLACE, "Vị trí cách điểm họp 12,4 km")), emptyList(), 0)
        core.verdictFor = { flagged.copy(effectiveTime = it.deviceWallTime) }
        fun checkIn(at: Long) = core.checkIn(CheckInRequest(meeting.id, core.demo.cell.id, core.demo.cadre.id, null, null, at, 0, null, "482913"), JdkKeystore())
        checkIn(vn(2026, 11, 24, 19, 40))
        checkIn(vn(2026, 11, 10, 19, 40))
        // The office's decisions, as sync brings them down (the core's review_verdict).
        core.checkIns[0] = core.checkIns[0].let { r ->
            r.copy(verdict = r.verdict.copy(review = OfficeReview(ReviewDecision.REJECTED, "Ảnh chụp ở nhà, không phải tại buổi họp", "u1", "Hà Thị Lan", vn(2026, 11, 26, 8, 0))))
        }
        core.checkIns[1] = core.checkIns[1].let { r ->
            r.copy(verdict = r.verdict.copy(status = VerdictStatus.VERIFIED, review = OfficeReview(ReviewDecision.ACCEPTED, "Điểm họp chuyển sang nhà trưởng bản", "u1", "Hà Thị Lan", vn(2026, 11, 12, 9, 0))))
        }
        val mine = MyCheckInsStateHolder(core, core.demo.cadre.id, scope, Dispatchers.Unconfined).apply { load() }
        runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
            setContent { Phone(1f, density = 1f) { MyCheckInsScreen(mine.state.value) {} } }
            onNodeWithText("Văn phòng không công nhận").performScrollTo().assertExists()
            onNodeWithText("Lý do: Ảnh chụp ở nhà, không phải tại buổi họp").performScrollTo().assertExists()
            onNodeWithText("Người xem xét: Hà Thị Lan · 26/11/2026").performScrollTo().assertExists()
            onNodeWithText("Văn phòng đã công nhận").performScrollTo().assertExists()
            onNodeWithText("Ghi chú: Điểm họp chuyển sang nhà trưởng bản").performScrollTo().assertExists()
            onNodeWithText("Cần xem xét").assertDoesNotExist()
        }
    }

    companion object {
        /** Taps through all seven steps; shared with the test against the real core. */
        fun recordAndSignByTapping(meetings: MeetingCore, cells: CellCore, guidance: GuidanceCore?, demo: DemoCell, meetingId: String, photo: String, expectWarning: String?) {
            val clock = FakeClock()
            val holder = MeetingFlowStateHolder(meetings, cells, guidance, FakeCamera(photo), clock, MemoryDrafts(), CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
            holder.load(meetingId)
            runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
                setContent { Phone(1f, density = 1f) { MeetingFlowRoute(holder, null, {}, {}, {}, {}) } }
                tap("Đã báo thời gian, địa điểm, nội dung cho đảng viên")
                tap("Trước 2 ngày")
                tap("Tiếp theo")
                onNodeWithText("Bước 2/7: Khai mạc, điểm danh").assertExists()
                tap("Bắt đầu họp ngay")
                // Any member can chair or take the minutes: the list opens on a tap.
                tapIn("chair", "Chọn…")
                tapIn("chair", demo.secretary.fullName)
                tapIn("minuteTaker", "Chọn…")
                tapIn("minuteTaker", demo.deputy.fullName)
                tapIn("roll:${demo.workingAway.id}", "Vắng")
                tapIn("roll:${demo.workingAway.id}", "Đi làm ăn xa")
                tap("Những người còn lại có mặt")
                onNodeWithText("9/10 có mặt", substring = true).assertExists()
                tap("Tiếp theo")
                onNodeWithText("Bước 3/7: Nội dung").assertExists()
                tap(demo.active[0].fullName)
                type("Tóm tắt ý kiến", "Đề nghị làm rõ tiến độ làm đường.")
                tap("Thêm ý kiến")
                onNodeWithText("Ý kiến phát biểu (1)").assertExists()
                tap("Tiếp theo")
                onNodeWithText("Bước 4/7: Bế mạc").assertExists()
                type("Nội dung nhiệm vụ", "Hoàn thành 200 m đường bê tông còn lại")
                tapIn("closing-assignees", demo.committee.fullName)
                tap("Cuối tháng sau", substring = true)
                tap("Giao nhiệm vụ")
                tap("Ghi kết quả biểu quyết")
                onNodeWithTag("Điều hành:+").performScrollTo().performClick()
                onNodeWithTag("Điều hành:+").performClick()
                clock.nowMs = vn(2026, 11, 24, 21, 20)
                tap("Kết thúc họp")
                // Asked once more: ending records the time.
                onNodeWithText("Kết thúc buổi họp?").assertExists()
                onNodeWithText("Kết thúc ngay").performClick()
                tap("Tiếp theo")
                onNodeWithText("Bước 5/7: Ảnh").assertExists()
                tap("Chụp ảnh")
                onNodeWithText("Ảnh 1 ·", substring = true).assertExists()
                tap("Tiếp theo")
                onNodeWithText("Bước 6/7: Xem biên bản").assertExists()
                if (expectWarning != null) onNodeWithText(expectWarning).performScrollTo().assertExists()
                // The minute-taker reads the minutes back; the cell adopts them.
                tap("Đã đọc lại, chi bộ thông qua")
                onNodeWithText("Chi bộ đã nghe đọc lại và thông qua biên bản").performScrollTo().assertExists()
                tap("Tiếp theo")
                tap("Ký biên bản")
                onNodeWithText("Ký biên bản?").assertExists()
                onNodeWithText("Ký, khóa biên bản").performClick()
                onNodeWithText("Biên bản đã ký lúc", substring = true).performScrollTo().assertExists()
            }
        }

        fun checkInByTapping(visits: VisitsCore, demo: DemoCell, meetingId: String, location: FakeLocation, photo: String, code: String, expectVerdict: String) {
            // The wall clock now: the real core judges the check-in's time against the meeting's.
            val holder = CheckInStateHolder(visits, location, FakeCamera(photo), FakeScanner(), FakeClock(System.currentTimeMillis()), JdkKeystore(), MemoryDrafts(), demo.cadre.id, meetingId, demo.cell.id,
                CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
            holder.load()
            runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
                setContent { Phone(1f, density = 1f) { CheckInRoute(holder) {} } }
                tap("Chụp ảnh")
                onNodeWithText("Đang tìm vị trí…").assertExists()
                location.emit(LocationReading.Located(Fix(21.7170, 104.9001, 12.0, System.currentTimeMillis() - 5_000, false)))
                waitForIdle()
                onNodeWithText("Sai số ± 12 m").assertExists()
                onNodeWithText("Chính xác tốt").assertExists()
                tap("Dùng vị trí này")
                type("Mã xác nhận (6 số)", code)
                tap("Xác nhận dự họp")
                onNodeWithText(expectVerdict).assertExists()
                tap("Ghi nhận xét, kiến nghị")
                type("Nội dung đã định hướng cho chi bộ", "Tập trung vận động nhân dân sửa đường ống nước.")
                tap("Lưu nhận xét")
                onNodeWithText("Đã lưu nhận xét").performScrollTo().assertExists()
            }
        }

        private fun ComposeUiTest.tap(text: String, substring: Boolean = false) {
            onNode(hasText(text, substring = substring) and hasClickAction()).let { press(it) }
        }

        private fun ComposeUiTest.tapIn(tag: String, text: String) {
            onNode(hasText(text) and hasClickAction() and hasAnyAncestor(hasTestTag(tag))).let { press(it) }
        }

        private fun ComposeUiTest.press(node: SemanticsNodeInteraction) {
            scrollIntoView(node)
            node.performClick()
            waitForIdle()
        }

        /** Scrolls the screen's content to the node; the bottom bar's buttons need no scrolling. */
        private fun scrollIntoView(node: SemanticsNodeInteraction) {
            val inScroll = node.fetchSemanticsNode().let { n ->
                generateSequence(n.parent) { it.parent }.any { it.config.contains(androidx.compose.ui.semantics.SemanticsActions.ScrollBy) }
            }
            if (inScroll) node.performScrollTo()
        }

        private fun ComposeUiTest.type(label: String, text: String) {
            val field = onNode(hasText(label) and hasSetTextAction())
            scrollIntoView(field)
            field.performTextInput(text)
            waitForIdle()
        }
    }
}
