package chibo.presentation

import chibo.presentation.api.Fix
import chibo.presentation.api.LocationReading
import chibo.presentation.cadre.Accuracy
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.CheckInStep
import chibo.presentation.common.Tone
import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.FakeLocation
import chibo.presentation.fakes.FakeScanner
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.vn
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictCode
import uniffi.chibo_domain.VerdictReason
import uniffi.chibo_domain.VerdictStatus

class CheckInStateHolderTest {
    private val core = FakeCore()
    private val location = FakeLocation()
    private val drafts = MemoryDrafts()
    private val meetingId = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu").id

    private fun holder(camera: FakeCamera = FakeCamera("/data/chibo/camera/IMG_0007.jpg"), scanner: FakeScanner = FakeScanner()) =
        CheckInStateHolder(core, location, camera, scanner, FakeClock(), JdkKeystore(), drafts, core.demo.cadre.id, meetingId, core.demo.cell.id,
            CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined).also { it.load() }

    @Test
    fun theAccuracyIndicatorFollowsEachFixAndTheSignedCheckInCarriesTheLastOne() {
        val h = holder()
        assertEquals("Chi bộ bản Nà Hẩu", h.state.value.cellName)
        h.takePhoto()
        assertEquals(CheckInStep.Location, h.state.value.step)
        assertEquals("1600×1200 · 245 KB", h.state.value.photo)
        assertEquals(Accuracy.None, h.state.value.location.accuracy)

        location.emit(LocationReading.Located(Fix(21.7190, 104.9000, 420.0, vn(2026, 11, 24, 19, 34), false)))
        assertEquals(Accuracy.Poor, h.state.value.location.accuracy)
        assertEquals("± 420 m", h.state.value.location.accuracyText)
        location.emit(LocationReading.Located(Fix(21.7170, 104.9001, 12.0, vn(2026, 11, 24, 19, 35), false)))
        assertEquals(Accuracy.Good, h.state.value.location.accuracy)
        assertEquals(Tone.Good, h.state.value.location.accuracy.tone)
        h.acceptLocation()

        h.typeCode("48a2 9-13")
        assertEquals("482913", h.state.value.code, "only digits are kept")
        h.submit()
        assertEquals(CheckInStep.Result, h.state.value.step)
        assertEquals("Chờ máy chủ xác nhận", h.state.value.verdict?.status)
        assertEquals(listOf("Máy chủ sẽ kiểm tra mã xác nhận"), h.state.value.verdict?.pending)

        val request = core.lastCheckInRequests.single()
        assertEquals(12.0, request.gps?.accuracyM)
        assertEquals("482913", request.presenceCode)
        assertEquals(1600u, request.photo?.width)
        assertEquals(128, core.checkIns.single().checkIn.signatureHex.length, "signed by the keystore")

        // Fixes after the check-in no longer change anything.
        location.emit(LocationReading.Located(Fix(21.0, 105.0, 999.0, vn(2026, 11, 24, 19, 40), false)))
        assertEquals(Accuracy.Good, h.state.value.location.accuracy)
    }

    @Test
    fun aShortCodeIsRefusedAndAMockLocationIsFlagged() {
        val h = holder(scanner = FakeScanner("chibo:presence:$meetingId:731204"))
        h.takePhoto()
        location.emit(LocationReading.Located(Fix(21.7170, 104.9001, 8.0, vn(2026, 11, 24, 19, 35), true)))
        assertEquals("Máy đang dùng vị trí giả: lần điểm danh sẽ cần xem xét", h.state.value.location.problem)
        h.acceptLocation()
        h.typeCode("4829")
        h.submit()
        assertEquals("Nhập đủ 6 số của mã xác nhận", h.state.value.error)
        assertTrue(core.checkIns.isEmpty())
        h.dismissError()
        h.scanCode()
        assertEquals("731204", h.state.value.code)
        core.verdictFor = { Verdict(VerdictStatus.NEEDS_REVIEW, listOf(VerdictReason(VerdictCode.GPS_MOCKED, "Máy dùng vị trí giả")), emptyList(), it.deviceWallTime) }
        h.submit()
        assertEquals("Cần xem xét", h.state.value.verdict?.status)
        assertEquals(listOf("Máy dùng vị trí giả"), h.state.value.verdict?.reasons)
        assertEquals(true, core.lastCheckInRequests.single().gps?.mockLocation)
    }

    @Test
    fun aBrokenPhotoIsExplainedAndDeniedLocationIsSaidPlainly() {
        val h = holder(camera = FakeCamera("/data/chibo/camera/IMG_0008.broken"))
        h.takePhoto()
        assertEquals("Ảnh bị hỏng, không đọc được. Hãy chụp lại.", h.state.value.error)
        assertEquals(CheckInStep.Photo, h.state.value.step)
        h.startLocating()
        location.emit(LocationReading.PermissionDenied)
        assertEquals("Chưa cho phép ứng dụng dùng vị trí", h.state.value.location.problem)
    }

    @Test
    fun observationsAndPetitionsAreSavedAndTypedTextSurvivesARestart() {
        val first = holder()
        first.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        // Killed before saving: the next holder finds the text.
        val h = holder()
        assertEquals("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.", h.state.value.guidanceGiven)
        h.editLessons("Cần gửi tài liệu cho đảng viên trước 1 ngày.")
        h.setScore("chairing", 8)
        h.saveObservation()
        val saved = core.observations.single()
        assertEquals(8u.toUByte(), saved.judged.chairing)
        assertEquals("Cần gửi tài liệu cho đảng viên trước 1 ngày.", saved.lessonsExchanged)
        assertTrue(h.state.value.observationSaved)

        h.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng")
        h.choosePetitionCategory("Sản xuất, việc làm")
        h.raisePetition()
        assertNull(h.state.value.error)
        assertEquals(listOf("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng"), h.state.value.petitionsRaised)
        val petition = core.record(meetingId).petitions.single()
        assertEquals(uniffi.chibo_domain.PetitionCategory.LIVELIHOOD, petition.category)
        assertEquals("Nhân dân bản Nà Hẩu", petition.raisedBy)
        assertEquals("", drafts.get("checkin:$meetingId:petition"))
    }
}
