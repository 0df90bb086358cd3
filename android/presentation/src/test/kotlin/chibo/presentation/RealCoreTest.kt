package chibo.presentation

import chibo.presentation.api.Fix
import chibo.presentation.api.LocationReading
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.CheckInStep
import chibo.presentation.cadre.MyCheckInsStateHolder
import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeLocation
import chibo.presentation.fakes.FakeScanner
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.RealDevice
import chibo.presentation.fakes.realDemoCell
import chibo.presentation.fakes.vn
import chibo.presentation.api.DocumentKind
import chibo.presentation.impl.BindingsCore
import chibo.presentation.impl.BindingsDocuments
import chibo.presentation.meeting.FlowStep
import chibo.presentation.meeting.Mark
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.presentation.secretary.HomeStateHolder
import chibo.presentation.secretary.PetitionsStateHolder
import chibo.presentation.secretary.ShareStateHolder
import java.io.File
import java.time.LocalDate
import java.time.ZoneOffset
import java.util.zip.ZipFile
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.Assignment
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VerdictStatus

/** The state holders on the real core library (JNA), with a real SQLite store per device. */
class RealCoreTest {
    private val scope = CoroutineScope(Dispatchers.Unconfined)
    private val work = Dispatchers.Unconfined
    private val secretaryPhone = RealDevice()
    private val cadrePhone = RealDevice()
    private val demo = realDemoCell()

    @AfterTest
    fun cleanUp() {
        secretaryPhone.close()
        cadrePhone.close()
    }

    @Test
    fun aWholeMeetingIsRecordedAndSignedAndAKilledAppReopensWhereItWas() {
        val store = secretaryPhone.open()
        store.importRoster(demo.cell, demo.all)
        val core = BindingsCore(store)
        // Last month's meeting, signed, set two tasks.
        val last = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 10, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        core.updateMeeting(core.record(last.id).meeting.copy(actualStart = vn(2026, 10, 24, 19, 30), actualEnd = vn(2026, 10, 24, 21, 10), chairId = demo.secretary.id, minuteTakerId = demo.deputy.id))
        for (m in demo.all) {
            val mark = when (m.status) {
                uniffi.chibo_domain.MemberStatus.EXEMPT -> uniffi.chibo_domain.Attendance.EXEMPT
                uniffi.chibo_domain.MemberStatus.ATTACHED_ELSEWHERE -> uniffi.chibo_domain.Attendance.ATTACHED_ELSEWHERE
                else -> uniffi.chibo_domain.Attendance.PRESENT
            }
            core.markAttendance(last.id, m.id, mark, null)
        }
        val tasks = listOf(
            core.addTask(last.id, "Vận động nhân dân làm đường bê tông nội bản", demo.committee.id, "2026-11-20"),
            core.addTask(last.id, "Thu đảng phí quý IV", demo.deputy.id, "2026-11-15"),
        )
        core.sign(last.id)
        val meeting = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")

        val drafts = MemoryDrafts()
        val clock = FakeClock(vn(2026, 11, 24, 19, 32))
        fun holder(c: BindingsCore) = MeetingFlowStateHolder(c, c, c, FakeCamera(secretaryPhone.cameraFile()), clock, drafts, scope, work).apply { load(meeting.id) }
        val flow = holder(core)
        flow.setNoticeToMembers(true)
        flow.setDocumentsDaysBefore(2)
        flow.next()
        flow.startNow()
        flow.chooseChair(demo.secretary.id)
        flow.chooseMinuteTaker(demo.deputy.id)
        flow.mark(demo.workingAway.id, Mark.Excused, "Đi làm ăn xa")
        flow.mark(demo.active[4].id, Mark.Unexcused)
        flow.markRestPresent()
        assertEquals(emptyList(), flow.state.value.blockers)
        flow.next()
        assertEquals(listOf("Vận động nhân dân làm đường bê tông nội bản", "Thu đảng phí quý IV").sorted(), flow.state.value.body.previousTasks.map { it.description }.sorted())
        flow.reviewTask(tasks[0].id, TaskOutcome.PARTLY_DONE)
        flow.chooseSpeaker(demo.active[0].id)
        flow.editGist("Đề nghị làm rõ tiến độ làm đường.")
        flow.addSpeech()

        // The app is killed here, mid-step, with a speech being typed.
        flow.chooseSpeaker(demo.probationary.id)
        flow.editGist("Xin nhận nhiệm vụ tuyên truyền")
        val reopened = secretaryPhone.open()
        val again = holder(BindingsCore(reopened))
        val s = again.state.value
        assertEquals(FlowStep.Body, s.step)
        assertEquals("Xin nhận nhiệm vụ tuyên truyền", s.body.draftGist)
        assertEquals(listOf("Lường Văn Páo"), s.body.speeches.map { it.speaker })
        assertEquals("8/10 có mặt", s.open.presentSummary)
        assertEquals(listOf("Còn 1 nhiệm vụ tháng trước chưa đánh giá"), s.blockers)

        again.addSpeech()
        again.reviewTask(tasks[1].id, TaskOutcome.DONE)
        again.next()
        again.editTask("Hoàn thành 200 m đường còn lại"); again.chooseAssignee(demo.committee.id)
        again.chooseDeadline(again.state.value.closing.deadlines.last().isoDate); again.addTask()
        again.recordVote()
        again.editPetition("Đề nghị xã hỗ trợ xi măng làm đường"); again.choosePetitionCategory("Hạ tầng (đường, điện, nước)"); again.raisePetition()
        assertEquals(listOf("Nhân dân bản Nà Hẩu"), reopened.meetingRecord(meeting.id).petitions.map { it.raisedBy }, "the core's words for a relayed concern")
        for (item in again.state.value.closing.scores) again.setScore(item.key, item.max)
        again.editConclusion("Chi bộ thống nhất hoàn thành đường bê tông trước Tết.")
        // An hour: shorter than the 90 minutes the rules ask for.
        clock.nowMs = vn(2026, 11, 24, 20, 32)
        again.endNow()
        assertNull(again.state.value.error)
        assertEquals(emptyList(), again.state.value.blockers)
        again.next()
        again.takePhoto()
        assertNull(again.state.value.error, again.state.value.error)
        assertEquals(1, again.state.value.photos.photos.size)
        again.next()

        // The rules' own warnings, in Vietnamese, from the core.
        val review = again.state.value.review
        assertTrue(review.warnings.any { "60 phút" in it.message }, review.warnings.toString())
        assertTrue(review.warnings.any { "Tòng Văn Hải" in it.message }, review.warnings.toString())
        assertTrue("Lò Văn Thắng" in review.minutes, review.minutes)
        assertTrue("Chi bộ thống nhất hoàn thành đường bê tông trước Tết." in review.minutes, review.minutes)
        again.approveMinutes(true)
        again.next()
        again.sign()
        assertNull(again.state.value.error, again.state.value.error)
        assertTrue(again.state.value.signed)

        val record = reopened.meetingRecord(meeting.id)
        assertEquals(MeetingStatus.SIGNED, record.meeting.status)
        assertEquals(2, record.speeches.size)
        assertEquals(12, record.rollCall.size)
        assertEquals("Chi bộ thống nhất hoàn thành đường bê tông trước Tết.", record.meeting.conclusion)
        assertEquals(listOf("Đề nghị xã hỗ trợ xi măng làm đường"), record.petitions.map { it.content })
        assertEquals(1, reopened.meetingPhotos(meeting.id).size)

        // Home and petitions read the same record.
        val home = HomeStateHolder(BindingsCore(reopened), BindingsCore(reopened), null, clock, demo.cell.id, scope, work).apply { load() }
        assertEquals(meeting.id, home.state.value.last?.meetingId)
        assertEquals(listOf("Hoàn thành 200 m đường còn lại"), home.state.value.openTasks.map { it.description })
        val petitions = PetitionsStateHolder(BindingsCore(reopened), demo.cell.id, scope, work).apply { load() }
        assertEquals("Chi bộ tiếp nhận", petitions.state.value.rows.single().status)

        // A signed meeting refuses edits, with the core's reason.
        again.goTo(FlowStep.Open)
        again.mark(demo.active[4].id, Mark.Present)
        assertFalse(again.state.value.error.isNullOrBlank())
    }

    @Test
    fun theSignedMinutesAndResolutionAreSharedAsWordFilesFromTheCore() {
        val store = secretaryPhone.open()
        store.importRoster(demo.cell, demo.all)
        val core = BindingsCore(store)
        val m = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 10, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        core.updateMeeting(core.record(m.id).meeting.copy(actualStart = vn(2026, 10, 24, 19, 30), actualEnd = vn(2026, 10, 24, 21, 10), chairId = demo.secretary.id, minuteTakerId = demo.deputy.id))
        for (member in demo.all) {
            val mark = when (member.status) {
                uniffi.chibo_domain.MemberStatus.EXEMPT -> uniffi.chibo_domain.Attendance.EXEMPT
                uniffi.chibo_domain.MemberStatus.ATTACHED_ELSEWHERE -> uniffi.chibo_domain.Attendance.ATTACHED_ELSEWHERE
                else -> uniffi.chibo_domain.Attendance.PRESENT
            }
            core.markAttendance(m.id, member.id, mark, null)
        }
        core.addTask(m.id, "Vận động nhân dân làm đường bê tông nội bản", demo.committee.id, "2026-11-20")
        val share = ShareStateHolder(BindingsDocuments(store, File(secretaryPhone.dir, "share")), m.id, scope, work)

        // Not signed yet: the minutes may still change, and the screen says why.
        share.render(DocumentKind.Minutes)
        assertNull(share.state.value.ready)
        assertTrue("chưa ký biên bản" in share.state.value.error.orEmpty(), share.state.value.error)

        core.sign(m.id)
        share.render(DocumentKind.Minutes)
        val minutes = share.state.value.ready ?: error(share.state.value.error ?: "no file")
        assertEquals("Bien-ban-Chi-bo-ban-Na-Hau-10-2026.docx", minutes.fileName)
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document", minutes.mimeType)
        val minutesXml = documentXml(minutes.path)
        assertTrue("BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 10/2026" in minutesXml)
        assertTrue("CHI BỘ BẢN NÀ HẨU" in minutesXml)
        assertTrue(demo.secretary.fullName in minutesXml && demo.deputy.fullName in minutesXml)
        assertTrue("Vận động nhân dân làm đường bê tông nội bản" in minutesXml)

        share.render(DocumentKind.Resolution)
        val resolution = share.state.value.ready ?: error(share.state.value.error ?: "no file")
        assertEquals("Nghi-quyet-Chi-bo-ban-Na-Hau-10-2026.docx", resolution.fileName)
        val resolutionXml = documentXml(resolution.path)
        assertTrue("NGHỊ QUYẾT" in resolutionXml && "BÍ THƯ" in resolutionXml)
        assertTrue("ĐẢNG CỘNG SẢN VIỆT NAM" in resolutionXml)
    }

    private fun documentXml(path: String): String = ZipFile(path).use { zip ->
        zip.getInputStream(zip.getEntry("word/document.xml")).readBytes().decodeToString()
    }

    @Test
    fun aCadreChecksInWithAFixturePhotoAndTheCodeFromTheSecretarysPhone() {
        val secretary = secretaryPhone.open()
        val cadre = cadrePhone.open()
        secretary.importRoster(demo.cell, demo.all)
        val meeting = secretary.planMeeting(demo.cell.id, MeetingKind.REGULAR, System.currentTimeMillis() - 10 * 60_000, "Nhà văn hóa bản Nà Hẩu")
        cadre.importRoster(demo.cell, demo.all)
        cadre.recordMeeting(secretary.meetingRecord(meeting.id))
        cadre.saveCadre(demo.cadre)
        cadre.assign(Assignment("", demo.cadre.id, demo.cell.id, null, LocalDate.now(ZoneOffset.ofHours(7)).minusMonths(1).toString(), null))
        val code = secretary.presenceCode(meeting.id).code

        val location = FakeLocation()
        val core = BindingsCore(cadre)
        val camera = cadrePhone.cameraFile()
        val checkIn = CheckInStateHolder(core, location, FakeCamera(camera), FakeScanner(), FakeClock(System.currentTimeMillis()), JdkKeystore(), MemoryDrafts(),
            demo.cadre.id, meeting.id, demo.cell.id, scope, work).apply { load() }
        assertEquals("Chi bộ bản Nà Hẩu", checkIn.state.value.cellName)
        checkIn.takePhoto()
        assertNull(checkIn.state.value.error, checkIn.state.value.error)
        assertTrue(checkIn.state.value.photo.orEmpty().startsWith("640×"), "a small photo is never enlarged: ${checkIn.state.value.photo}")
        assertFalse(File(camera).exists(), "the camera file is removed once the processed photo is stored")
        location.emit(LocationReading.Located(Fix(21.7174, 104.9000, 25.0, System.currentTimeMillis() - 10_000, false)))
        checkIn.acceptLocation()
        checkIn.typeCode(code)
        checkIn.submit()
        assertNull(checkIn.state.value.error, checkIn.state.value.error)
        assertEquals(CheckInStep.Result, checkIn.state.value.step)
        // The cadre's phone cannot check the code: the server will.
        assertEquals("Chờ máy chủ xác minh", checkIn.state.value.verdict?.status, checkIn.state.value.verdict.toString())
        assertTrue(checkIn.state.value.verdict!!.reasons.isEmpty(), checkIn.state.value.verdict.toString())

        checkIn.toObservations()
        checkIn.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        checkIn.saveObservation()
        assertNull(checkIn.state.value.error, checkIn.state.value.error)
        checkIn.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng"); checkIn.raisePetition()
        assertEquals(1, checkIn.state.value.petitionsRaised.size)

        val mine = MyCheckInsStateHolder(core, demo.cadre.id, scope, work).apply { load() }
        assertEquals(listOf("Chờ máy chủ xác minh"), mine.state.value.rows.map { it.verdict.status })
        assertEquals(VerdictStatus.PROVISIONAL, cadre.myCheckIns(demo.cadre.id).single().verdict.status)
    }
}
