package chibo.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onLast
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runDesktopComposeUiTest
import chibo.presentation.api.Scheduler
import chibo.presentation.common.EnrollmentStateHolder
import chibo.presentation.common.SyncStateHolder
import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeScanner
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.RealDevice
import chibo.presentation.impl.BindingsEnrollment
import chibo.presentation.impl.BindingsSync
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.presentation.secretary.HomeState
import chibo.ui.screens.EnrollmentScreen
import chibo.ui.screens.HomeActions
import chibo.ui.screens.SecretaryHomeScreen
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import java.util.zip.GZIPInputStream
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_core.newId
import uniffi.chibo_domain.MeetingStatus

/**
 * Click-throughs of what only happens in the field: enrolling by the office's QR (which
 * carries the server's address), "Gửi ngay" tapped twice while the first round is still
 * on the wire, and the correction of a signed meeting. The real core through JNA; a small
 * commune server on loopback speaks the protocol's JSON.
 */
@OptIn(ExperimentalTestApi::class)
class FieldClickThroughTest {
    private val device = RealDevice()
    private val server = ProtocolServer()

    @AfterTest
    fun cleanUp() {
        server.stop()
        device.close()
    }

    @Test
    fun enrolmentByTheOfficesQrNeedsNothingTyped() {
        val store = device.open()
        val enrollment = BindingsEnrollment(store, device.keystore, "Samsung A05")
        // The QR as the dashboard shows it: version, code, the address phones use.
        val qr = "chibo:enroll:v2:K7QM4XTB:${server.url}"
        val holder = EnrollmentStateHolder(enrollment, "", FakeScanner(qr), CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
            setContent {
                Phone(1f, density = 1f) {
                    val s = holder.state.collectAsStateValue()
                    EnrollmentScreen(s, holder::typeCode, holder::enroll, { holder.scan() }, holder::typeServerAddress)
                }
            }
            onNodeWithText("Quét mã QR").performClick()
            onNodeWithText("Đã đăng ký: Lò Văn Thắng, Đảng bộ xã Xuân Hòa").performScrollTo().assertExists()
        }
        val request = server.enrolments.single()
        assertTrue("\"code\":\"K7QM4XTB\"" in request, request)
        assertTrue("\"key_protection\":\"hardware\"" in request, request)
        // The core keeps the address the QR carried and uses it from now on.
        assertEquals(server.url, store.serverAddress())
        assertEquals(server.url, store.syncStatus().enrolledAs?.serverUrl)
    }

    @Test
    fun sendNowTappedTwiceRunsOneRoundAndTheBannerFollowsTheCore() {
        val store = device.open()
        BindingsEnrollment(store, device.keystore, "Samsung A05").enroll("", "chibo:enroll:v2:K7QM4XTB:${server.url}")
        val sync = BindingsSync(store)
        // Each request runs on a worker of its own, as two WorkManager jobs could: the core
        // must join the second to the first.
        val workers = mutableListOf<Thread>()
        val scheduler = object : Scheduler {
            override fun requestSyncNow() {
                workers += Thread { sync.syncNow() }.apply { start() }
            }
            override fun rescheduleReminders() {}
        }
        val banner = SyncStateHolder(sync, scheduler, CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined).apply { refresh() }
        val home = HomeState(loading = false, cellName = "Chi bộ bản Nà Hẩu", communeName = "Đảng bộ xã Xuân Hòa")
        server.holdSync = CountDownLatch(1)
        runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
            setContent {
                Phone(1f, density = 1f) { SecretaryHomeScreen(home, banner.state.collectAsStateValue(), HomeActions(sync = banner::syncNow)) }
            }
            onNodeWithText("Gửi ngay").performClick()
            // The first round is on the wire (the server holds it)...
            while (server.syncs.get() == 0) Thread.yield()
            // ...when the second tap comes.
            onNodeWithText("Gửi ngay", useUnmergedTree = true).assertDoesNotExist()
            banner.syncNow()
            while (store.syncCallersWaiting() == 0uL) Thread.yield()
            server.holdSync!!.countDown()
            workers.forEach { it.join() }
            waitForIdle()
            onNodeWithText("Đã gửi hết").assertExists()
        }
        assertEquals(1, server.syncs.get(), "two requests, one round on the wire")
        assertFalse(banner.state.value.running)
        assertNotNull(store.syncStatus().lastSuccessAt)
        banner.close()
    }

    @Test
    fun aSignedMeetingIsCorrectedFromThePhoneAsANewRevision() {
        val store = device.open()
        val demo = chibo.presentation.fakes.realDemoCell()
        store.importRoster(demo.cell, demo.all)
        val core = chibo.presentation.impl.BindingsCore(store)
        val meeting = core.plan(demo.cell.id, uniffi.chibo_domain.MeetingKind.REGULAR, chibo.presentation.fakes.vn(2026, 11, 24, 19, 30), "Nhà văn hóa bản Nà Hẩu")
        ClickThroughTest.recordAndSignByTapping(core, core, null, demo, meeting.id, device.cameraFile(), null)
        assertEquals(MeetingStatus.SIGNED, core.record(meeting.id).meeting.status)

        val opened = mutableListOf<String>()
        val holder = MeetingFlowStateHolder(core, core, null, FakeCamera(), FakeClock(), MemoryDrafts(), CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        holder.load(meeting.id)
        runDesktopComposeUiTest(TAP_WIDTH_PX, TAP_HEIGHT_PX) {
            setContent { Phone(1f, density = 1f) { MeetingFlowRoute(holder, null, {}, {}, {}, {}, onOpenMeeting = { opened += it }) } }
            onNodeWithText("Lập bản đính chính").performScrollTo().performClick()
            onNodeWithText("Lập bản đính chính?").assertExists()
            onNodeWithText("Không").assertExists()
            // The dialog's confirm button (the screen's button is behind it).
            onAllNodes(androidx.compose.ui.test.hasText("Lập bản đính chính", substring = false)).onLast().performClick()
            waitForIdle()
        }
        val revisionId = opened.single()
        val revision = core.record(revisionId).meeting
        assertEquals(meeting.id, revision.revisionOf)
        assertEquals(2u, revision.revision)
        assertEquals(MeetingStatus.SIGNED, core.record(meeting.id).meeting.status, "the signed minutes stay as they were")
        // The correction opens as a flow that can be edited and signed again.
        val correction = MeetingFlowStateHolder(core, core, null, FakeCamera(), FakeClock(), MemoryDrafts(), CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        correction.load(revisionId)
        assertFalse(correction.state.value.signed)
        correction.editConclusion("Đính chính: sửa thời hạn nhiệm vụ")
        correction.approveMinutes(true)
        assertEquals(null, correction.state.value.error)
    }
}

/** Collects a state flow in composition (a tiny helper for the tests above). */
@androidx.compose.runtime.Composable
private fun <T> kotlinx.coroutines.flow.StateFlow<T>.collectAsStateValue(): T = collectAsState().value


/**
 * A commune server on loopback that speaks just enough of the protocol: enrolment with
 * the code K7QM4XTB, and sync rounds with nothing to acknowledge or pull. It counts the
 * rounds, and can hold the first one until the test lets it go.
 */
class ProtocolServer {
    private val http = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val url: String get() = "http://127.0.0.1:${http.address.port}"
    val enrolments = java.util.concurrent.CopyOnWriteArrayList<String>()
    val syncs = AtomicInteger()
    @Volatile var holdSync: CountDownLatch? = null
    private val cellId = newId()

    init {
        http.executor = java.util.concurrent.Executors.newCachedThreadPool { r -> Thread(r).apply { isDaemon = true } }
        http.createContext("/api/v1/enroll") { ex -> enroll(ex) }
        http.createContext("/api/v1/sync") { ex -> sync(ex) }
        http.start()
    }

    fun stop() = http.stop(0)

    private fun body(ex: HttpExchange): String {
        val raw = ex.requestBody.readBytes()
        val gzipped = ex.requestHeaders.getFirst("Content-Encoding") == "gzip"
        return String(if (gzipped) GZIPInputStream(raw.inputStream()).readBytes() else raw, Charsets.UTF_8)
    }

    private fun answer(ex: HttpExchange, status: Int, json: String) {
        val bytes = json.toByteArray(Charsets.UTF_8)
        ex.responseHeaders.add("Content-Type", "application/json")
        ex.sendResponseHeaders(status, bytes.size.toLong())
        ex.responseBody.use { it.write(bytes) }
    }

    private fun enroll(ex: HttpExchange) {
        val request = body(ex)
        enrolments += request
        if ("\"code\":\"K7QM4XTB\"" !in request) {
            return answer(ex, 401, """{"code":"unauthorized","message":"Mã đăng ký không đúng"}""")
        }
        answer(
            ex, 201,
            """{"device_id":"${newId()}","credential":"chung-chi-thu","person":{"id":"${newId()}","commune_id":"${newId()}","full_name":"Lò Văn Thắng","role":"secretary","cell_id":"$cellId"},"commune_name":"Đảng bộ xã Xuân Hòa","server_time":${System.currentTimeMillis()}}""",
        )
    }

    private fun sync(ex: HttpExchange) {
        body(ex)
        if (ex.requestHeaders.getFirst("Authorization") != "Bearer chung-chi-thu") {
            return answer(ex, 401, """{"code":"unauthorized","message":"Sai thông tin xác thực"}""")
        }
        syncs.incrementAndGet()
        holdSync?.await()
        answer(ex, 200, """{"server_time":${System.currentTimeMillis()},"acks":[],"last_applied_seq":0,"clock_warning":null,"pulled":[],"more":false}""")
    }
}
