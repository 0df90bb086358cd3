package chibo.presentation

import chibo.presentation.impl.BindingsLabels
import chibo.presentation.api.AttentionItem
import chibo.presentation.api.Settings
import chibo.presentation.api.SettingsStore
import chibo.presentation.api.SyncStatus
import chibo.presentation.cadre.CadreHomeStateHolder
import chibo.presentation.common.SettingsStateHolder
import chibo.presentation.common.SyncStateHolder
import chibo.presentation.common.Tone
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.vn
import chibo.presentation.nav.Navigator
import chibo.presentation.nav.Screen
import chibo.presentation.secretary.HomeStateHolder
import chibo.presentation.secretary.PetitionsStateHolder
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionResponse
import uniffi.chibo_domain.PetitionStatus

class OtherHoldersTest {
    private val scope = CoroutineScope(Dispatchers.Unconfined)
    private val work = Dispatchers.Unconfined

    @Test
    fun theBackStackReturnsThroughTheScreensAndStopsAtTheRoot() {
        val nav = Navigator(Screen.SecretaryHome)
        nav.push(Screen.MeetingFlow("m1"))
        nav.push(Screen.PresenceCode("m1"))
        nav.push(Screen.PresenceCode("m1"))
        assertEquals(3, nav.backStack.value.size, "the same screen twice is one entry")
        assertTrue(nav.back())
        assertEquals(Screen.MeetingFlow("m1"), nav.current)
        val saved = nav.backStack.value
        val restored = Navigator(Screen.SecretaryHome).apply { restore(saved) }
        assertEquals(Screen.MeetingFlow("m1"), restored.current)
        assertTrue(restored.back())
        assertFalse(restored.back(), "the root leaves the app")
    }

    @Test
    fun homePlansTheNextMeetingOnTheCellsDayAndShowsIt() {
        val core = FakeCore()
        val home = HomeStateHolder(core, core, null, FakeClock(vn(2026, 11, 25, 8, 0)), core.demo.cell.id, scope, work)
        home.load()
        assertNull(home.state.value.next)
        assertEquals("12 đảng viên (1 miễn sinh hoạt, 1 sinh hoạt tạm thời nơi khác, 1 đi làm ăn xa)", home.state.value.members)
        var planned: String? = null
        home.planNextMeeting { planned = it }
        val meeting = core.record(planned!!).meeting
        assertEquals(vn(2026, 12, 24, 19, 30), meeting.plannedStart, "the 24th has passed this month: next month's")
        assertEquals("Sinh hoạt thường kỳ · Tháng 12/2026", home.state.value.next?.title)
        assertEquals("19:30 24/12/2026 · Nhà văn hóa bản Nà Hẩu", home.state.value.next?.whenAndWhere)
    }

    @Test
    fun theSyncIndicatorSaysWhatIsWaitingAndWhatWentWrong() {
        val clean = SyncStateHolder.toUi(SyncStatus(0, 0, vn(2026, 11, 24, 8, 30), null, emptyList()), BindingsLabels)
        assertEquals("Đã gửi hết", clean.headline)
        assertEquals(Tone.Good, clean.tone)
        assertEquals("Lần gửi cuối: 08:30 24/11/2026", clean.detail)
        val offline = SyncStateHolder.toUi(SyncStatus(12, 3, null, "Không kết nối được máy chủ xã", emptyList()), BindingsLabels)
        assertEquals("Chưa gửi được 15 mục", offline.headline)
        assertEquals("12 thay đổi · 3 ảnh · Chưa gửi lần nào", offline.detail)
        assertEquals(Tone.Warning, offline.tone)
        val rejected = SyncStateHolder.toUi(SyncStatus(0, 0, null, null, listOf(AttentionItem("a", "Điểm danh ngày 24/11", "Cấp ủy viên không được phân công chi bộ này", "Liên hệ Văn phòng Đảng ủy xã"))), BindingsLabels)
        assertEquals("1 mục cần xử lý", rejected.headline)
        assertEquals(Tone.Problem, rejected.tone)
    }

    @Test
    fun aPetitionShowsTheCommunesLatestAnswer() {
        val core = FakeCore()
        val m = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 10, 24, 19, 30), "Nhà văn hóa")
        val p = core.raisePetition(m.id, "Đề nghị sửa đường ống nước đầu bản", PetitionCategory.INFRASTRUCTURE, "Nhân dân bản Nà Hẩu")
        core.responses += PetitionResponse("r1", p.id, PetitionStatus.FORWARDED, "Đã chuyển phòng Kinh tế xã", "Văn phòng Đảng ủy xã", vn(2026, 10, 27, 9, 0))
        core.responses += PetitionResponse("r2", p.id, PetitionStatus.ANSWERED, "Xã bố trí kinh phí sửa trong tháng 12", "Văn phòng Đảng ủy xã", vn(2026, 11, 5, 9, 0))
        val h = PetitionsStateHolder(core, core.demo.cell.id, scope, work)
        h.load()
        val row = h.state.value.rows.single()
        assertEquals("Đã trả lời", row.status)
        assertEquals(Tone.Good, row.statusTone)
        assertEquals(listOf("Đã chuyển xử lý", "Đã trả lời"), row.answers.map { it.status })
        assertEquals(1, h.state.value.waiting, "an answer that does not settle it leaves the petition open (the core's rule)")
        core.responses += PetitionResponse("r3", p.id, PetitionStatus.RESOLVED, "Đã sửa xong", "Văn phòng Đảng ủy xã", vn(2026, 12, 2, 9, 0))
        h.load()
        assertEquals(0, h.state.value.waiting, "a resolved petition is settled")
    }

    @Test
    fun theCadreSeesVisitsDoneAgainstRequiredPerCell() {
        val core = FakeCore()
        core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        val h = CadreHomeStateHolder(core, FakeClock(), core.demo.cadre.id, scope, work)
        h.load()
        val cell = h.state.value.cells.single()
        assertEquals("0/1 lần tháng này", cell.visits)
        assertTrue(cell.behind)
        assertEquals("Tháng này: 0/1 lần dự họp", h.state.value.totals)
        assertEquals("19:30 24/11/2026 · Nhà văn hóa bản Nà Hẩu", cell.meetings.single().whenAndWhere)
    }

    @Test
    fun enrolmentTakesATypedOrScannedCodeAndSaysWhyItFailed() {
        val tried = mutableListOf<String>()
        val core = object : chibo.presentation.api.EnrollmentCore {
            override fun current(): chibo.presentation.api.Enrollment? = null
            var saved: String? = null
            override fun savedServerAddress() = saved
            override fun saveServerAddress(address: String): String {
                if (!address.startsWith("https://")) throw chibo.presentation.api.CoreException("Địa chỉ máy chủ không an toàn", chibo.presentation.api.CoreException.Kind.Validation)
                saved = address
                return address
            }
            override fun enroll(serverUrl: String, codeOrQr: String): chibo.presentation.api.Enrollment {
                // A QR carries its own address: the core is asked with none.
                val code = if (codeOrQr.startsWith("chibo:enroll:v2:")) codeOrQr.split(':')[3].also { assertEquals("", serverUrl) } else codeOrQr.also { assertEquals("https://xa.example", serverUrl) }
                tried += code
                if (code != "XH7K2M9Q") throw chibo.presentation.api.CoreException("Mã đăng ký không đúng hoặc đã được dùng", chibo.presentation.api.CoreException.Kind.Unauthorized)
                return chibo.presentation.api.Enrollment(chibo.presentation.api.Role.Secretary, "p1", "Lò Văn Thắng", "c1", "Đảng bộ xã Xuân Hòa")
            }
        }
        val scanner = chibo.presentation.fakes.FakeScanner("chibo:enroll:v2:XH7K2M9Q:https://xa.example")
        val h = chibo.presentation.common.EnrollmentStateHolder(core, "https://xa.example", scanner, scope, work)
        h.typeCode("xh7")
        h.enroll()
        assertEquals("Mã đăng ký gồm ít nhất 6 ký tự", h.state.value.error)
        assertTrue(tried.isEmpty(), "a short code is not sent")
        h.typeCode("xh7k 2m9-r")
        assertEquals("XH7K2M9R", h.state.value.code, "spaces and dashes are ignored, letters upper-cased")
        h.typeServerAddress("http://xa.example")
        h.enroll()
        assertEquals("Địa chỉ máy chủ không an toàn", h.state.value.error)
        h.typeServerAddress("https://xa.example")
        h.enroll()
        assertEquals("Mã đăng ký không đúng hoặc đã được dùng", h.state.value.error)
        assertEquals("https://xa.example", core.saved, "the address is kept for next time")
        assertFalse(h.state.value.busy)
        h.scan()
        assertNull(h.state.value.error)
        assertEquals("Lò Văn Thắng", h.state.value.enrolled?.personName)
        assertEquals(listOf("XH7K2M9R", "XH7K2M9Q"), tried)
    }

    @Test
    fun settingsAreSavedAndPhotosGoOnAnyNetworkByDefault() {
        val store = object : SettingsStore {
            var saved = Settings()
            override fun load() = saved
            override fun save(settings: Settings) { saved = settings }
        }
        val h = SettingsStateHolder(store, scope, work)
        h.load()
        assertFalse(h.state.value.photosOnWifiOnly)
        h.setPhotosOnWifiOnly(true)
        assertTrue(store.saved.photosOnWifiOnly)
        h.setTextScale(1.3f)
        assertEquals(1.3f, store.saved.textScale)
        assertEquals(1.3f, SettingsStateHolder(store, scope, work).apply { load() }.state.value.textScale)
    }
}
