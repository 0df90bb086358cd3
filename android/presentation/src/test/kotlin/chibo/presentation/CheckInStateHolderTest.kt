package chibo.presentation

import chibo.presentation.impl.BindingsLabels
import chibo.presentation.api.Fix
import chibo.presentation.api.LocationReading
import chibo.presentation.cadre.SEARCHING
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.CheckInStep
import chibo.presentation.cadre.MyCheckInsStateHolder
import chibo.presentation.cadre.toUi
import chibo.presentation.common.Tone
import chibo.presentation.common.tone
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
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.OfficeReview
import uniffi.chibo_domain.ReviewDecision
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictCode
import uniffi.chibo_domain.VerdictReason
import uniffi.chibo_domain.VerdictStatus

class CheckInStateHolderTest {
    private val core = FakeCore()
    private val location = FakeLocation()
    private val drafts = MemoryDrafts()
    private val meetingId = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu").id

    private val settings = chibo.presentation.fakes.FakeSystemSettings()

    private fun holder(camera: FakeCamera = FakeCamera("/data/chibo/camera/IMG_0007.jpg"), scanner: FakeScanner = FakeScanner()) =
        CheckInStateHolder(core, location, camera, scanner, FakeClock(), JdkKeystore(), drafts, core.demo.cadre.id, meetingId, core.demo.cell.id,
            CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined, settings = settings).also { it.load() }

    @Test
    fun aRefusedCameraIsSaidInVietnameseWithTheAppSettingsAsTheWayForward() {
        val camera = FakeCamera("/data/chibo/camera/IMG_0007.jpg").apply { denied = true }
        val h = holder(camera = camera)
        h.takePhoto()
        val s = h.state.value
        assertEquals(
            "Chưa cho phép ứng dụng dùng máy ảnh, nên chưa chụp ảnh hay quét mã được. Bấm “Mở cài đặt quyền của ứng dụng”, " +
                "chọn Quyền › Máy ảnh › Cho phép, rồi quay lại thử lần nữa.",
            s.error,
        )
        assertTrue(s.askAppSettings)
        assertEquals(false, s.busy)
        assertEquals(CheckInStep.Photo, s.step)
        h.openAppSettings()
        assertEquals(listOf("app"), settings.opened)
        assertNull(h.state.value.error)
        // Allowed in the settings, back, and the photo is taken.
        camera.denied = false
        h.takePhoto()
        assertEquals(CheckInStep.Location, h.state.value.step)
        assertEquals(false, h.state.value.askAppSettings)
    }

    @Test
    fun theAccuracyIndicatorFollowsEachFixAndTheSignedCheckInCarriesTheLastOne() {
        val h = holder()
        assertEquals("Chi bộ bản Nà Hẩu", h.state.value.cellName)
        h.takePhoto()
        assertEquals(CheckInStep.Location, h.state.value.step)
        assertEquals("1600×1200 · 240 KB", h.state.value.photo)
        assertNull(h.state.value.location.accuracy)
        assertEquals(SEARCHING, h.state.value.location.accuracyLabel)

        location.emit(LocationReading.Located(Fix(21.7190, 104.9000, 420.0, vn(2026, 11, 24, 19, 34), false)))
        assertEquals(FixQuality.POOR, h.state.value.location.accuracy)
        assertEquals("Chính xác kém, hãy ra chỗ thoáng", h.state.value.location.accuracyLabel)
        assertEquals("± 420 m", h.state.value.location.accuracyText)
        location.emit(LocationReading.Located(Fix(21.7180, 104.9000, 1240.0, vn(2026, 11, 24, 19, 34), false)))
        assertEquals("± 1,2 km", h.state.value.location.accuracyText, "the core's distance format")
        location.emit(LocationReading.Located(Fix(21.7175, 104.9000, 100.0, vn(2026, 11, 24, 19, 34), false)))
        assertEquals(FixQuality.FAIR, h.state.value.location.accuracy, "100 m is still fair (the core's rule)")
        assertEquals(Tone.Warning, h.state.value.location.accuracy.tone())
        location.emit(LocationReading.Located(Fix(21.7170, 104.9001, 12.0, vn(2026, 11, 24, 19, 35), false)))
        assertEquals(FixQuality.GOOD, h.state.value.location.accuracy)
        assertEquals("Chính xác tốt", h.state.value.location.accuracyLabel)
        assertEquals(Tone.Good, h.state.value.location.accuracy.tone())
        h.acceptLocation()

        h.typeCode("48a2 9-13")
        assertEquals("482913", h.state.value.code, "only digits are kept")
        h.submit()
        assertEquals(CheckInStep.Result, h.state.value.step)
        assertEquals("Chờ máy chủ xác minh", h.state.value.verdict?.status)
        assertEquals(listOf("Máy chủ sẽ kiểm tra mã xác nhận"), h.state.value.verdict?.pending)

        val request = core.lastCheckInRequests.single()
        assertEquals(12.0, request.gps?.accuracyM)
        assertEquals("482913", request.presenceCode)
        assertEquals(1600u, request.photo?.width)
        assertEquals(128, core.checkIns.single().checkIn.signatureHex.length, "signed by the keystore")

        // Fixes after the check-in no longer change anything.
        location.emit(LocationReading.Located(Fix(21.0, 105.0, 999.0, vn(2026, 11, 24, 19, 40), false)))
        assertEquals(FixQuality.GOOD, h.state.value.location.accuracy)
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
        assertEquals(
            "Chưa cho phép ứng dụng dùng vị trí. Vẫn điểm danh được (sẽ cần xã xem xét), hoặc cho phép trong cài đặt rồi quay lại.",
            h.state.value.location.problem,
        )
        // And a way forward: the app's permission settings.
        assertEquals(chibo.presentation.cadre.LocationFix.AppSettings, h.state.value.location.fix)
    }

    @Test
    fun observationsAndPetitionsAreSavedAndTypedTextSurvivesARestart() {
        val first = holder()
        first.editGuidance("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.")
        // Killed before saving: the next holder finds the text.
        val h = holder()
        assertEquals("Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.", h.state.value.guidanceGiven)
        h.editLessons("Cần gửi tài liệu cho đảng viên trước 1 ngày.")
        h.setScore("CHAIRING", 8)
        h.saveObservation()
        val saved = core.observations.single()
        assertEquals(8u.toUByte(), saved.judged.chairing)
        assertEquals("Cần gửi tài liệu cho đảng viên trước 1 ngày.", saved.lessonsExchanged)
        assertTrue(h.state.value.observationSaved)

        h.editPetition("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng")
        h.choosePetitionCategory("Sản xuất, việc làm, giảm nghèo")
        h.raisePetition()
        assertNull(h.state.value.error)
        assertEquals(listOf("Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng"), h.state.value.petitionsRaised)
        val petition = core.record(meetingId).petitions.single()
        assertEquals(uniffi.chibo_domain.PetitionCategory.LIVELIHOOD, petition.category)
        assertEquals("Nhân dân bản Nà Hẩu", petition.raisedBy)
        assertEquals("", drafts.get("checkin:$meetingId:petition"))
    }

    /** A check-in the phone flagged, as the office's decision comes back by sync (the core's review_verdict). */
    private fun flaggedCheckIn(at: Long, review: OfficeReview? = null) {
        val flagged = Verdict(VerdictStatus.NEEDS_REVIEW, listOf(VerdictReason(VerdictCode.OUTSIDE_MEETING_PLACE, "Vị trí cách điểm họp 12,4 km")), emptyList(), at)
        core.verdictFor = { flagged }
        core.checkIn(CheckInRequest(meetingId, core.demo.cell.id, core.demo.cadre.id, null, null, at, 0, null, "482913"), JdkKeystore())
        if (review != null) {
            val status = if (review.decision == ReviewDecision.ACCEPTED) VerdictStatus.VERIFIED else VerdictStatus.NEEDS_REVIEW
            core.checkIns[core.checkIns.lastIndex] = core.checkIns.last().copy(verdict = flagged.copy(status = status, review = review))
        }
    }

    @Test
    fun myCheckInsShowTheOfficesDecisionWithItsNoteInsteadOfNeedsReview() {
        // 00:30 on the 26th in Vietnam is still the 25th in UTC: the date is Vietnam's.
        flaggedCheckIn(vn(2026, 11, 24, 19, 40), OfficeReview(ReviewDecision.REJECTED, "Ảnh chụp ở nhà, không phải tại buổi họp", "u1", "Hà Thị Lan", vn(2026, 11, 26, 0, 30)))
        flaggedCheckIn(vn(2026, 11, 10, 19, 40), OfficeReview(ReviewDecision.ACCEPTED, "Điểm họp chuyển sang nhà trưởng bản", "u1", "Hà Thị Lan", vn(2026, 11, 12, 9, 0)))
        flaggedCheckIn(vn(2026, 11, 3, 19, 40), OfficeReview(ReviewDecision.ACCEPTED, "  ", "u1", "Hà Thị Lan", vn(2026, 11, 4, 9, 0)))
        flaggedCheckIn(vn(2026, 10, 27, 19, 40))

        val rows = MyCheckInsStateHolder(core, core.demo.cadre.id, CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined).apply { load() }.state.value.rows
        val (rejected, accepted, acceptedWithoutNote, waiting) = rows.map { it.verdict }

        assertEquals("Văn phòng không công nhận", rejected.status)
        assertEquals(Tone.Problem, rejected.tone)
        assertEquals(listOf("Lý do: Ảnh chụp ở nhà, không phải tại buổi họp", "Người xem xét: Hà Thị Lan · 26/11/2026"), rejected.detail)
        assertEquals(listOf("Vị trí cách điểm họp 12,4 km"), rejected.reasons, "the failed checks stay listed")

        assertEquals("Văn phòng đã công nhận", accepted.status)
        assertEquals(Tone.Good, accepted.tone)
        assertEquals(listOf("Ghi chú: Điểm họp chuyển sang nhà trưởng bản", "Người xem xét: Hà Thị Lan · 12/11/2026"), accepted.detail)
        assertEquals(Tone.Neutral, accepted.reasonsTone, "accepted despite the reasons: no longer a warning")
        assertEquals(listOf("Người xem xét: Hà Thị Lan · 04/11/2026"), acceptedWithoutNote.detail, "a blank note is left out")

        assertEquals("Cần xem xét", waiting.status)
        assertEquals(Tone.Warning, waiting.tone)
        assertEquals(emptyList(), waiting.detail)
        assertEquals("Lý do cần xem xét", waiting.reasonsTitle)
    }

    @Test
    fun aDecisionAlsoClearsTheChecksTheServerWouldStillRun() {
        val pending = listOf(VerdictReason(VerdictCode.PRESENCE_CODE_UNCHECKED, "Máy chủ sẽ kiểm tra mã xác nhận"))
        val provisional = Verdict(VerdictStatus.PROVISIONAL, emptyList(), pending, vn(2026, 11, 24, 19, 40))
        assertEquals(listOf("Máy chủ sẽ kiểm tra mã xác nhận"), provisional.toUi(BindingsLabels).pending)
        val rejected = provisional.copy(status = VerdictStatus.NEEDS_REVIEW, review = OfficeReview(ReviewDecision.REJECTED, "Không có mặt tại buổi họp", "u1", "", vn(2026, 11, 25, 8, 0)))
        assertEquals(emptyList(), rejected.toUi(BindingsLabels).pending)
        assertEquals(listOf("Lý do: Không có mặt tại buổi họp", "Người xem xét: Văn phòng xã · 25/11/2026"), rejected.toUi(BindingsLabels).detail)
    }
}
