package chibo.ui

import chibo.presentation.impl.BindingsLabels
import chibo.presentation.api.AttentionItem
import chibo.presentation.api.DocumentKind
import chibo.presentation.api.Enrollment
import chibo.presentation.api.Fix
import chibo.presentation.api.LocationReading
import chibo.presentation.api.Role
import chibo.presentation.api.SyncStatus
import chibo.presentation.cadre.CadreHomeState
import chibo.presentation.cadre.CadreHomeStateHolder
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.MyCheckInsState
import chibo.presentation.cadre.MyCheckInsStateHolder
import chibo.presentation.common.EnrollmentUi
import chibo.presentation.common.SettingsUi
import chibo.presentation.common.SyncStateHolder
import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.FakeLocation
import chibo.presentation.fakes.FakeScanner
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.vn
import chibo.presentation.api.CoreException
import chibo.presentation.api.DocumentsCore
import chibo.presentation.api.RenderedDocument
import chibo.presentation.meeting.Mark
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.presentation.secretary.GuidanceState
import chibo.presentation.secretary.GuidanceStateHolder
import chibo.presentation.secretary.HistoryState
import chibo.presentation.secretary.HistoryStateHolder
import chibo.presentation.secretary.HomeState
import chibo.presentation.secretary.HomeStateHolder
import chibo.presentation.secretary.PetitionsState
import chibo.presentation.secretary.PetitionsStateHolder
import chibo.presentation.secretary.PresenceCodeStateHolder
import chibo.presentation.secretary.ReadyDocument
import chibo.presentation.secretary.RosterState
import chibo.presentation.secretary.RosterStateHolder
import chibo.presentation.secretary.ShareState
import chibo.presentation.secretary.ShareStateHolder
import chibo.ui.screens.CadreHomeActions
import chibo.ui.screens.CadreHomeScreen
import chibo.ui.screens.EnrollmentScreen
import chibo.ui.screens.GuidanceScreen
import chibo.ui.screens.HistoryScreen
import chibo.ui.screens.HomeActions
import chibo.ui.screens.MyCheckInsScreen
import chibo.ui.screens.NeedsAttentionScreen
import chibo.ui.screens.PetitionsScreen
import chibo.ui.screens.PresenceCodeScreen
import chibo.ui.screens.RosterScreen
import chibo.ui.screens.SecretaryHomeScreen
import chibo.ui.screens.SettingsScreen
import chibo.ui.screens.ShareScreen
import kotlin.test.Test
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.Guidance
import uniffi.chibo_domain.GuidanceAttachment
import uniffi.chibo_domain.GuidanceKind
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.OfficeReview
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionResponse
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.QualityGrade
import uniffi.chibo_domain.ReviewDecision
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictCode
import uniffi.chibo_domain.VerdictReason
import uniffi.chibo_domain.VerdictStatus
import uniffi.chibo_domain.Warning
import uniffi.chibo_domain.WarningCode

/**
 * Every screen in its main states (empty, filled, with warnings, offline, error), at the
 * default and the large text size, rendered to PNG under target/test-output/android-screens.
 * Content comes from the state holders over an in-memory core with realistic records.
 */
class ScreenshotsTest {
    private val scope = CoroutineScope(Dispatchers.Unconfined)
    private val work = Dispatchers.Unconfined
    private val core = FakeCore()
    private val demo = core.demo

    private val synced = SyncStateHolder.toUi(SyncStatus(0, 0, vn(2026, 11, 24, 8, 30), null, emptyList()), BindingsLabels)
    private val offline = SyncStateHolder.toUi(SyncStatus(14, 3, vn(2026, 11, 20, 17, 5), "Không kết nối được máy chủ xã: máy đang không có mạng", emptyList()), BindingsLabels)
    private val rejected = SyncStateHolder.toUi(
        SyncStatus(
            2, 0, vn(2026, 11, 24, 8, 30), null,
            listOf(
                AttentionItem("a1", "Điểm danh buổi họp 24/11/2026", "Đồng chí chưa được phân công phụ trách chi bộ này trong tháng 11", "Đề nghị Văn phòng Đảng ủy xã cập nhật phân công, rồi bấm Gửi ngay"),
                AttentionItem("a2", "Sửa đảng viên Lò Văn Inh", "Xã đã chuyển sinh hoạt đảng viên này sang chi bộ khác", "Không cần làm gì: danh sách trên máy đã được cập nhật"),
            ),
        ),
        BindingsLabels,
    )

    private fun lastMonthSigned(): List<Task> {
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 10, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        core.updateMeeting(core.record(m.id).meeting.copy(actualStart = vn(2026, 10, 24, 19, 35), actualEnd = vn(2026, 10, 24, 21, 10), chairId = demo.secretary.id, minuteTakerId = demo.deputy.id))
        demo.all.forEach { core.markAttendance(m.id, it.id, uniffi.chibo_domain.Attendance.PRESENT, null) }
        val tasks = listOf(
            core.addTask(m.id, "Vận động nhân dân làm đường bê tông nội bản", demo.committee.id, "2026-11-20"),
            core.addTask(m.id, "Thu đảng phí quý IV", demo.deputy.id, "2026-12-15"),
        )
        core.raisePetition(m.id, "Đề nghị xã hỗ trợ xi măng làm đường nội bản", PetitionCategory.INFRASTRUCTURE, "Nhân dân bản Nà Hẩu")
        core.sign(m.id)
        return tasks
    }

    @Test
    fun secretaryHome() {
        val home = HomeStateHolder(core, core, null, FakeClock(), demo.cell.id, scope, work)
        home.load()
        shoot("home-empty") { SecretaryHomeScreen(home.state.value, synced, HomeActions()) }
        core.warnings = listOf(Warning(WarningCode.CONSECUTIVE_ABSENCES, "Đồng chí Lường Thị Xuân vắng 4 buổi liên tiếp trong năm"))
        lastMonthSigned()
        core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        home.load()
        assertTrue(home.state.value.openTasks.any { it.overdue })
        shoot("home-filled") { SecretaryHomeScreen(home.state.value, synced, HomeActions()) }
        shoot("home-offline") { SecretaryHomeScreen(home.state.value, offline, HomeActions()) }
        shoot("home-error") { SecretaryHomeScreen(HomeState(loading = false, error = "Không mở được dữ liệu trên máy: bộ nhớ máy đã đầy"), offline, HomeActions()) }
    }

    @Test
    fun rosterAndHistory() {
        val roster = RosterStateHolder(core, demo.cell.id, scope, work).apply { load() }
        shoot("roster-filled") { RosterScreen(roster.state.value) {} }
        shoot("roster-empty") { RosterScreen(RosterState(loading = false, cellName = "Chi bộ bản Co Muông", summary = "0 đảng viên")) {} }
        shoot("history-empty") { HistoryScreen(HistoryState(loading = false), {}, {}) }
        lastMonthSigned()
        core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        val history = HistoryStateHolder(core, demo.cell.id, scope, work).apply { load() }
        shoot("history-filled") { HistoryScreen(history.state.value, {}, {}) }
    }

    @Test
    fun meetingFlowEveryStep() {
        val tasks = lastMonthSigned()
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        core.previous[m.id] = tasks
        core.guidanceItems += guidance()
        val drafts = MemoryDrafts()
        val clock = FakeClock()
        val flow = MeetingFlowStateHolder(core, core, core, FakeCamera("/data/camera/IMG_2041.jpg"), clock, drafts, scope, work).apply { load(m.id) }
        fun shot(name: String, sync: chibo.presentation.common.SyncUi = synced) = shoot("meeting-$name") { MeetingFlowScreen(flow, sync) }

        flow.setNoticeToMembers(true); flow.setDocumentsDaysBefore(2)
        shot("1-prepare")
        flow.next()
        shot("2-open-empty")
        flow.startNow(); flow.chooseChair(demo.secretary.id); flow.chooseMinuteTaker(demo.deputy.id)
        flow.mark(demo.workingAway.id, Mark.Excused, "Đi làm ăn xa")
        flow.mark(demo.active[4].id, Mark.Unexcused)
        shot("2-open-warnings")
        flow.markRestPresent()
        shot("2-open-filled", offline)
        flow.next()
        flow.reviewTask(tasks[0].id, TaskOutcome.PARTLY_DONE)
        flow.chooseSpeaker(demo.active[0].id); flow.editGist("Đề nghị làm rõ tiến độ làm đường, bản còn 200 m chưa đổ bê tông."); flow.addSpeech()
        flow.chooseSpeaker(demo.probationary.id); flow.editGist("Xin nhận nhiệm vụ tuyên truyền phòng chống cháy rừng mùa khô."); flow.addSpeech()
        shot("3-body-warnings")
        flow.reviewTask(tasks[1].id, TaskOutcome.DONE)
        flow.next()
        flow.editTask("Hoàn thành 200 m đường bê tông còn lại"); flow.chooseAssignee(demo.committee.id); flow.chooseDeadline(flow.state.value.closing.deadlines[2].isoDate); flow.addTask()
        flow.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng"); flow.choosePetitionCategory("Sản xuất, việc làm, giảm nghèo"); flow.raisePetition()
        shot("4-closing-warnings")
        flow.recordVote(); flow.setScore("CHAIRING", 9); flow.editConclusion("Chi bộ thống nhất tập trung hoàn thành đường bê tông trước Tết.")
        clock.nowMs = vn(2026, 11, 24, 21, 5); flow.endNow()
        shot("4-closing-filled")
        flow.next()
        shot("5-photos-empty")
        flow.takePhoto()
        shot("5-photos-filled")
        core.warnings = listOf(
            Warning(WarningCode.UNEXCUSED_ABSENCE, "Có đảng viên vắng không lý do: Tòng Văn Hải"),
            Warning(WarningCode.FEW_SPEAKERS, "Chỉ 2/9 đảng viên có mặt phát biểu (22%), dưới 30%"),
        )
        core.quality = 74u; core.grade = QualityGrade.FAIR
        flow.next()
        shot("6-review-warnings")
        flow.next()
        shot("7-sign")
        flow.sign()
        shot("7-signed")
        flow.goTo(chibo.presentation.meeting.FlowStep.Open)
        flow.mark(demo.active[4].id, Mark.Present)
        shot("2-open-error-frozen")
    }

    @Test
    fun presenceCodeAndShare() {
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        val code = PresenceCodeStateHolder(core, m.id, scope, work).apply { refresh() }
        shoot("presence-code") { PresenceCodeScreen(code.state.value) {} }
        // The core refuses a meeting that is not signed yet (see RealCoreTest for the real refusal).
        val notSigned = object : DocumentsCore {
            override fun renderDocx(meetingId: String, kind: DocumentKind): RenderedDocument =
                throw CoreException("Buổi sinh hoạt chưa ký biên bản: chỉ tạo được tệp Word của biên bản, nghị quyết sau khi chủ trì và thư ký đã ký.", CoreException.Kind.Validation)
        }
        val share = ShareStateHolder(notSigned, m.id, scope, work).apply { render(DocumentKind.Minutes) }
        shoot("share-not-signed") { ShareScreen(share.state.value, {}, {}, {}, {}) }
        shoot("share-ready") { ShareScreen(ShareState(ready = ReadyDocument("/data/share/bien-ban-11-2026.docx", "Bien-ban-chi-bo-Na-Hau-11-2026.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")), {}, {}, {}, {}) }
    }

    @Test
    fun petitionsAndGuidance() {
        shoot("petitions-empty") { PetitionsScreen(PetitionsState(loading = false)) {} }
        lastMonthSigned()
        val p = core.records.values.flatMap { it.petitions }.single()
        core.responses += PetitionResponse("r1", p.id, PetitionStatus.FORWARDED, "Đã chuyển Phòng Kinh tế xã xem xét", "Văn phòng Đảng ủy xã", vn(2026, 10, 27, 9, 0))
        core.responses += PetitionResponse("r2", p.id, PetitionStatus.ANSWERED, "Xã hỗ trợ 30 tấn xi măng, giao trong tháng 12/2026. Đề nghị chi bộ huy động ngày công của nhân dân.", "Văn phòng Đảng ủy xã", vn(2026, 11, 10, 14, 0))
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa")
        core.raisePetition(m.id, "Đường ống nước đầu bản bị vỡ, đề nghị xã sửa trước mùa khô", PetitionCategory.INFRASTRUCTURE, "Nhân dân bản Nà Hẩu")
        val petitions = PetitionsStateHolder(core, demo.cell.id, scope, work).apply { load() }
        shoot("petitions-filled") { PetitionsScreen(petitions.state.value) {} }
        shoot("guidance-error") { GuidanceScreen(GuidanceState(loading = false, error = "Nhận định hướng từ xã chưa có trong phiên bản này của ứng dụng.")) {} }
        core.guidanceItems += guidance()
        val g = GuidanceStateHolder(core, demo.cell.id, scope, work).apply { load() }
        shoot("guidance-filled") { GuidanceScreen(g.state.value) {} }
    }

    @Test
    fun cadreScreens() {
        val home = CadreHomeStateHolder(core, FakeClock(), demo.cadre.id, scope, work)
        shoot("cadre-home-empty") { CadreHomeScreen(CadreHomeState(loading = false, cadreName = demo.cadre.fullName, month = "Tháng 11/2026", totals = "Tháng này: 0/0 lần dự họp"), synced, CadreHomeActions()) }
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        home.load()
        shoot("cadre-home-filled") { CadreHomeScreen(home.state.value, offline, CadreHomeActions()) }

        val location = FakeLocation()
        val checkIn = CheckInStateHolder(core, location, FakeCamera("/data/camera/IMG_3001.jpg"), FakeScanner(), FakeClock(), JdkKeystore(), MemoryDrafts(), demo.cadre.id, m.id, demo.cell.id, scope, work).apply { load() }
        fun shot(name: String) = shoot("checkin-$name") { CheckInRoute(checkIn) {} }
        shot("1-photo")
        checkIn.takePhoto()
        shot("2-location-searching")
        location.emit(LocationReading.Located(Fix(21.7190, 104.9000, 420.0, vn(2026, 11, 24, 19, 34), false)))
        shot("2-location-poor")
        location.emit(LocationReading.Located(Fix(21.7170, 104.9001, 12.0, vn(2026, 11, 24, 19, 35), false)))
        shot("2-location-good")
        checkIn.acceptLocation(); checkIn.typeCode("482913")
        shot("3-code")
        core.verdictFor = {
            Verdict(VerdictStatus.NEEDS_REVIEW, listOf(VerdictReason(VerdictCode.OUTSIDE_MEETING_PLACE, "Vị trí cách điểm họp 12,4 km")),
                listOf(VerdictReason(VerdictCode.PRESENCE_CODE_UNCHECKED, "Máy chủ xã sẽ kiểm tra mã xác nhận")), it.deviceWallTime)
        }
        checkIn.submit()
        shot("4-result-warnings")
        checkIn.toObservations(); checkIn.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô."); checkIn.setScore("CHAIRING", 8)
        shot("5-observe")

        shoot("my-checkins-empty") { MyCheckInsScreen(MyCheckInsState(loading = false)) {} }
        val mine = MyCheckInsStateHolder(core, demo.cadre.id, scope, work).apply { load() }
        shoot("my-checkins-filled") { MyCheckInsScreen(mine.state.value) {} }
        // The office's decisions synced down: this one rejected with its reason, an earlier one accepted.
        val flagged = core.checkIns.single()
        core.checkIns[0] = flagged.copy(verdict = flagged.verdict.copy(review = OfficeReview(ReviewDecision.REJECTED, "Ảnh chụp ở nhà, không thấy hội trường và đảng viên chi bộ", "u1", "Hà Thị Lan", vn(2026, 11, 26, 8, 0))))
        core.checkIns += flagged.copy(
            checkIn = flagged.checkIn.copy(id = "ci-earlier"),
            verdict = flagged.verdict.copy(status = VerdictStatus.VERIFIED, effectiveTime = vn(2026, 10, 27, 19, 40), review = OfficeReview(ReviewDecision.ACCEPTED, "Điểm họp chuyển sang nhà trưởng bản do mất điện", "u1", "Hà Thị Lan", vn(2026, 10, 29, 9, 0))),
        )
        mine.load()
        shoot("my-checkins-reviewed") { MyCheckInsScreen(mine.state.value) {} }
    }

    @Test
    fun bothRoles() {
        shoot("needs-attention-filled") { NeedsAttentionScreen(rejected, {}, {}) }
        shoot("needs-attention-empty") { NeedsAttentionScreen(synced, {}, {}) }
        shoot("needs-attention-offline") { NeedsAttentionScreen(offline, {}, {}) }
        shoot("settings") { SettingsScreen(SettingsUi(textScale = 1.6f, photosOnWifiOnly = true), {}, {}, {}) }
        shoot("enrollment-empty") { EnrollmentScreen(EnrollmentUi(serverAddress = "https://chibo.sonla.gov.vn"), {}, {}, {}) }
        shoot("enrollment-error") { EnrollmentScreen(EnrollmentUi(code = "XH7K2M9Q", error = "Mã đăng ký không đúng hoặc đã được dùng. Đề nghị Văn phòng Đảng ủy xã cấp mã mới."), {}, {}, {}) }
        shoot("enrollment-done") { EnrollmentScreen(EnrollmentUi(code = "XH7K2M9Q", enrolled = Enrollment(Role.Secretary, "p1", "Lò Văn Thắng", "c1", "Đảng bộ xã Xuân Hòa")), {}, {}, {}) }
    }

    private fun guidance() = Guidance(
        "g1", demo.cell.communeId, GuidanceKind.MONTHLY_GUIDANCE, "Hướng dẫn nội dung sinh hoạt chi bộ tháng 11/2026",
        "Tập trung đánh giá kết quả thu hoạch vụ mùa, phòng chống cháy rừng; học tập Chỉ thị 50-CT/TW về nâng cao chất lượng sinh hoạt chi bộ.",
        "2026-11", emptyList(), listOf(GuidanceAttachment("ab".repeat(32), "Chi-thi-50-CT-TW.pdf", 245_000u)), vn(2026, 11, 5, 8, 0),
    )
}

@androidx.compose.runtime.Composable
private fun MeetingFlowScreen(flow: MeetingFlowStateHolder, sync: chibo.presentation.common.SyncUi) =
    MeetingFlowRoute(flow, sync, {}, {}, {}, {})
