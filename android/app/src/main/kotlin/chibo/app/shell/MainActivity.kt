package chibo.app.shell

import android.Manifest
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.lifecycle.lifecycleScope
import chibo.presentation.api.Camera
import chibo.presentation.api.QrScanner
import chibo.presentation.api.Role
import chibo.presentation.cadre.CadreHomeStateHolder
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.cadre.MyCheckInsStateHolder
import chibo.presentation.common.EnrollmentStateHolder
import chibo.presentation.common.SettingsStateHolder
import chibo.presentation.common.SyncStateHolder
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.presentation.nav.Navigator
import chibo.presentation.nav.Screen
import chibo.presentation.secretary.GuidanceStateHolder
import chibo.presentation.secretary.HistoryStateHolder
import chibo.presentation.secretary.HomeStateHolder
import chibo.presentation.secretary.PetitionsStateHolder
import chibo.presentation.secretary.PresenceCodeStateHolder
import chibo.presentation.secretary.RosterStateHolder
import chibo.presentation.secretary.ShareStateHolder
import chibo.ui.CheckInRoute
import chibo.ui.MeetingFlowRoute
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
import chibo.ui.theme.ChiboTheme
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import kotlin.coroutines.resume
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.delay
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * The one Activity: permissions, the camera and QR scanner launchers, and the navigation
 * host that maps each back-stack entry to its route. State holders live in the
 * presentation module; their state is rebuilt from the core after process death.
 */
class MainActivity : ComponentActivity(), Camera, QrScanner {
    private val app get() = application as ChiboApplication
    private lateinit var navigator: Navigator

    private var pendingCapture: Pair<java.io.File, CancellableContinuation<String?>>? = null
    private val takePicture = registerForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        pendingCapture?.let { (file, cont) -> cont.resume(if (ok && file.length() > 0) file.path else null) }
        pendingCapture = null
    }
    private var pendingScan: CancellableContinuation<String?>? = null
    private val scan = registerForActivityResult(ScanContract()) { result ->
        pendingScan?.resume(result.contents)
        pendingScan = null
    }
    private val permissions = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) {}

    override suspend fun capture(): String? = suspendCancellableCoroutine { cont ->
        val (file, uri) = app.captures.newCapture()
        pendingCapture = file to cont
        takePicture.launch(uri)
    }

    override suspend fun scan(): String? = suspendCancellableCoroutine { cont ->
        pendingScan = cont
        scan.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setPrompt("Đưa mã QR vào khung").setBeepEnabled(false))
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val enrolled = runCatching { app.enrollment.current() }.getOrNull()
        val root = when (enrolled?.role) {
            null -> Screen.Enrollment
            Role.Secretary -> Screen.SecretaryHome
            Role.Cadre -> Screen.CadreHome
        }
        navigator = Navigator(root)
        @Suppress("UNCHECKED_CAST", "DEPRECATION")
        (savedInstanceState?.getSerializable(BACK_STACK) as? ArrayList<String>)?.let { navigator.restore(it.mapNotNull(::decode)) }
        permissions.launch(
            arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.CAMERA) +
                if (Build.VERSION.SDK_INT >= 33) arrayOf(Manifest.permission.POST_NOTIFICATIONS) else emptyArray(),
        )
        setContent {
            val settingsHolder = remember { SettingsStateHolder(app.settings, lifecycleScope, app.work).apply { load() } }
            val settings by settingsHolder.state.collectAsState()
            ChiboTheme(textScale = settings.textScale) { AppHost(enrolled, settingsHolder) }
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putSerializable(BACK_STACK, ArrayList(navigator.backStack.value.map(::encode)))
    }

    @Composable
    private fun AppHost(enrollment: chibo.presentation.api.Enrollment?, settingsHolder: SettingsStateHolder) {
        val stack by navigator.backStack.collectAsState()
        val screen = stack.last()
        val scope = lifecycleScope
        val work = app.work
        val syncHolder = remember { SyncStateHolder(app.sync, scope, work).apply { refresh() } }
        val sync by syncHolder.state.collectAsState()
        val cellId = enrollment?.cellId.orEmpty()
        val personId = enrollment?.personId.orEmpty()
        BackHandler(enabled = stack.size > 1) { navigator.back() }
        val syncNow = { syncHolder.syncNow(); app.requestSyncNow() }

        when (screen) {
            Screen.Enrollment -> {
                val h = remember { EnrollmentStateHolder(app.enrollment, app.serverUrl, this, scope, work) }
                val s by h.state.collectAsState()
                LaunchedEffect(s.enrolled) {
                    s.enrolled?.let { recreate() }
                }
                EnrollmentScreen(s, h::typeCode, h::enroll, { h.scan() })
            }
            Screen.SecretaryHome -> {
                val h = remember { HomeStateHolder(app.core, app.core, app, SystemClock, cellId, scope, work) }
                LaunchedEffect(Unit) { h.load() }
                val s by h.state.collectAsState()
                SecretaryHomeScreen(
                    s, sync,
                    HomeActions(
                        openMeeting = { navigator.push(Screen.MeetingFlow(it)) },
                        planMeeting = { h.planNextMeeting { id -> runOnUiThread { navigator.push(Screen.MeetingFlow(id)) } } },
                        roster = { navigator.push(Screen.Roster) }, history = { navigator.push(Screen.History) },
                        petitions = { navigator.push(Screen.Petitions) }, guidance = { navigator.push(Screen.Guidance) },
                        needsAttention = { navigator.push(Screen.NeedsAttention) }, settings = { navigator.push(Screen.Settings) },
                        sync = syncNow,
                    ),
                )
            }
            Screen.Roster -> {
                val h = remember { RosterStateHolder(app.core, cellId, scope, work).apply { load() } }
                RosterScreen(h.state.collectAsState().value) { navigator.back() }
            }
            is Screen.MeetingFlow -> {
                val h = remember(screen) {
                    MeetingFlowStateHolder(app.core, app.core, app.core, this, SystemClock, app.drafts, scope, work).apply { load(screen.meetingId) }
                }
                MeetingFlowRoute(h, sync, syncNow, { navigator.back() }, { navigator.push(Screen.PresenceCode(it)) }, { navigator.push(Screen.Share(it)) })
            }
            is Screen.PresenceCode -> {
                val h = remember(screen) { PresenceCodeStateHolder(app.core, screen.meetingId, scope, work) }
                // The code rotates every 5 minutes: fetch the next one when this one ends.
                LaunchedEffect(screen) {
                    while (true) {
                        h.refresh().join()
                        delay((h.validUntilMs - System.currentTimeMillis()).coerceAtLeast(1_000))
                    }
                }
                PresenceCodeScreen(h.state.collectAsState().value) { navigator.back() }
            }
            Screen.History -> {
                val h = remember { HistoryStateHolder(app.core, cellId, scope, work).apply { load() } }
                HistoryScreen(h.state.collectAsState().value, { navigator.back() }) { navigator.push(Screen.MeetingFlow(it)) }
            }
            Screen.Petitions -> {
                val h = remember { PetitionsStateHolder(app.core, cellId, scope, work).apply { load() } }
                PetitionsScreen(h.state.collectAsState().value) { navigator.back() }
            }
            Screen.Guidance -> {
                val h = remember { GuidanceStateHolder(app.core, cellId, scope, work).apply { load() } }
                GuidanceScreen(h.state.collectAsState().value) { navigator.back() }
            }
            is Screen.Share -> {
                val h = remember(screen) { ShareStateHolder(app.documents, screen.meetingId, scope, work) }
                val s by h.state.collectAsState()
                ShareScreen(s, { navigator.back() }, { h.render(chibo.presentation.api.DocumentKind.Minutes) },
                    { h.render(chibo.presentation.api.DocumentKind.Resolution) }, { s.ready?.let { share(it) } })
            }
            Screen.CadreHome -> {
                val h = remember { CadreHomeStateHolder(app.core, SystemClock, personId, scope, work) }
                LaunchedEffect(Unit) { h.load() }
                CadreHomeScreen(
                    h.state.collectAsState().value, sync,
                    CadreHomeActions(
                        checkIn = { m, c -> navigator.push(Screen.CheckIn(m, c)) }, myCheckIns = { navigator.push(Screen.MyCheckIns) },
                        needsAttention = { navigator.push(Screen.NeedsAttention) }, settings = { navigator.push(Screen.Settings) }, sync = syncNow,
                    ),
                )
            }
            is Screen.CheckIn -> {
                val h = remember(screen) {
                    CheckInStateHolder(app.core, app.location, this, this, SystemClock, app.keystore, app.drafts, personId,
                        screen.meetingId, screen.cellId, scope, work) { runCatching { app.sync.serverOffsetMs() }.getOrNull() }.apply { load() }
                }
                CheckInRoute(h) { navigator.back() }
            }
            Screen.MyCheckIns -> {
                val h = remember { MyCheckInsStateHolder(app.core, personId, scope, work).apply { load() } }
                MyCheckInsScreen(h.state.collectAsState().value) { navigator.back() }
            }
            Screen.NeedsAttention -> NeedsAttentionScreen(sync, { navigator.back() }, syncNow) { syncHolder.dismiss(it) }
            Screen.Settings -> SettingsScreen(settingsHolder.state.collectAsState().value, { navigator.back() }, settingsHolder::setTextScale, settingsHolder::setLanguage)
        }
    }

    private fun share(doc: chibo.presentation.secretary.ReadyDocument) {
        val uri = android.net.Uri.parse("content://${packageName}.capture/${java.io.File(doc.path).name}")
        val send = android.content.Intent(android.content.Intent.ACTION_SEND).setType(doc.mimeType)
            .putExtra(android.content.Intent.EXTRA_STREAM, uri).addFlags(android.content.Intent.FLAG_GRANT_READ_URI_PERMISSION)
        startActivity(android.content.Intent.createChooser(send, "Gửi ${doc.fileName}"))
    }

    private object SystemClock : chibo.presentation.api.Clock by chibo.app.platform.SystemClocks

    private companion object {
        const val BACK_STACK = "backStack"

        // The back stack survives process death as plain strings.
        fun encode(s: Screen): String = when (s) {
            is Screen.MeetingFlow -> "meeting:${s.meetingId}"
            is Screen.PresenceCode -> "code:${s.meetingId}"
            is Screen.Share -> "share:${s.meetingId}"
            is Screen.CheckIn -> "checkin:${s.meetingId}:${s.cellId}"
            else -> s.toString()
        }

        fun decode(v: String): Screen? {
            val parts = v.split(':')
            return when (parts[0]) {
                "meeting" -> Screen.MeetingFlow(parts[1])
                "code" -> Screen.PresenceCode(parts[1])
                "share" -> Screen.Share(parts[1])
                "checkin" -> Screen.CheckIn(parts[1], parts[2])
                else -> listOf(
                    Screen.Enrollment, Screen.SecretaryHome, Screen.Roster, Screen.History, Screen.Petitions, Screen.Guidance,
                    Screen.CadreHome, Screen.MyCheckIns, Screen.NeedsAttention, Screen.Settings,
                ).firstOrNull { it.toString() == v }
            }
        }
    }
}
