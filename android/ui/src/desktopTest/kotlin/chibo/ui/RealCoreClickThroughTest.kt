package chibo.ui

import chibo.presentation.fakes.FakeLocation
import chibo.presentation.fakes.RealDevice
import chibo.presentation.fakes.realDemoCell
import chibo.presentation.fakes.vn
import chibo.presentation.impl.BindingsCore
import java.time.LocalDate
import java.time.ZoneOffset
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import uniffi.chibo_domain.Assignment
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.VerdictStatus

/** The same click-throughs on the real core library (JNA) and real SQLite stores. */
class RealCoreClickThroughTest {
    private val secretaryPhone = RealDevice()
    private val cadrePhone = RealDevice()
    private val demo = realDemoCell()

    @AfterTest
    fun cleanUp() {
        secretaryPhone.close()
        cadrePhone.close()
    }

    @Test
    fun aMeetingTappedThroughIsSignedInTheRealStore() {
        val store = secretaryPhone.open()
        store.importRoster(demo.cell, demo.all)
        val core = BindingsCore(store)
        val meeting = core.plan(demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        ClickThroughTest.recordAndSignByTapping(core, core, core, demo, meeting.id, secretaryPhone.cameraFile(), expectWarning = null)
        val record = store.meetingRecord(meeting.id)
        assertEquals(MeetingStatus.SIGNED, record.meeting.status)
        assertEquals(demo.secretary.fullName, record.meeting.signature?.chairName)
        assertEquals(1, store.meetingPhotos(meeting.id).size)
        assertEquals(listOf("Đề nghị làm rõ tiến độ làm đường."), record.speeches.map { it.gist })
    }

    @Test
    fun aCheckInTappedThroughIsSignedAndStoredWithItsVerdict() {
        val secretary = secretaryPhone.open()
        val cadre = cadrePhone.open()
        secretary.importRoster(demo.cell, demo.all)
        val meeting = secretary.planMeeting(demo.cell.id, MeetingKind.REGULAR, System.currentTimeMillis() - 10 * 60_000, "Nhà văn hóa bản Nà Hẩu")
        cadre.importRoster(demo.cell, demo.all)
        cadre.recordMeeting(secretary.meetingRecord(meeting.id))
        cadre.saveCadre(demo.cadre)
        cadre.assign(Assignment("", demo.cadre.id, demo.cell.id, null, LocalDate.now(ZoneOffset.ofHours(7)).minusMonths(1).toString(), null))
        val code = secretary.presenceCode(meeting.id).code
        ClickThroughTest.checkInByTapping(BindingsCore(cadre), demo, meeting.id, FakeLocation(), cadrePhone.cameraFile(), code, expectVerdict = "Chờ máy chủ xác minh")
        val row = cadre.myCheckIns(demo.cadre.id).single()
        assertEquals(VerdictStatus.PROVISIONAL, row.verdict.status)
        assertEquals(code, row.checkIn.presenceCode)
        assertEquals(12.0, row.checkIn.gps?.accuracyM)
    }
}
