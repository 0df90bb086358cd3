package chibo.app.shell

import chibo.presentation.api.DeniedPermission
import chibo.presentation.api.PermissionDenied
import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.provider.Settings
import android.view.WindowManager
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.lifecycle.lifecycleScope
import chibo.app.R
import chibo.presentation.api.Camera
import chibo.presentation.api.QrScanner
import chibo.presentation.api.Role
import chibo.presentation.api.SystemSettings
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
import kotlinx.coroutines.launch
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext

/**
 * The one Activity: permissions asked in context, the camera and QR scanner launchers,
 * and the navigation host that maps each back-stack entry to its route. State holders
 * live in the presentation module; their state is rebuilt from the core after process
 * death, and a photo taken while the Activity was gone still reaches the record
 * ([CaptureFiles][chibo.app.platform.CaptureFiles] keeps the capture in progress on disk).
 */
class MainActivity : ComponentActivity(), Camera, QrScanner, SystemSettings {
    private val app get() = application as ChiboApplication
    private lateinit var navigator: Navigator

    private var pendingCapture: CancellableContinuation<String?>? = null
    private val takePicture = registerForActivityResult(ActivityResultContracts.TakePicture()) { ok -> onCaptured(ok) }
    private var pendingScan: CancellableContinuation<String?>? = null
    private val scan = registerForActivityResult(ScanContract()) { result ->
        pendingScan?.resume(result.contents)
        pendingScan = null
    }
    private var pendingPermission: CancellableContinuation<Map<String, Boolean>>? = null
    private val permissions = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { granted ->
        pendingPermission?.resume(granted)
        pendingPermission = null
    }

    /** Asks for [wanted] now, in context; returns what was granted. */
    private suspend fun ask(vararg wanted: String): Map<String, Boolean> {
        val missing = wanted.filter { checkSelfPermission(it) != PackageManager.PERMISSION_GRANTED }
        if (missing.isEmpty()) return wanted.associateWith { true }
        val answer = withContext(kotlinx.coroutines.Dispatchers.Main) {
            suspendCancellableCoroutine { cont ->
                pendingPermission = cont
                permissions.launch(missing.toTypedArray())
            }
        }
        return wanted.associateWith { checkSelfPermission(it) == PackageManager.PERMISSION_GRANTED || answer[it] == true }
    }

    /** The camera app, after the CAMERA permission (the manifest declares it for the scanner). */
    override suspend fun capture(): String? {
        if (ask(Manifest.permission.CAMERA)[Manifest.permission.CAMERA] != true) {
            throw PermissionDenied(DeniedPermission.Camera)
        }
        return withContext(kotlinx.coroutines.Dispatchers.Main) {
            suspendCancellableCoroutine { cont ->
                val (_, uri) = app.captures.newCapture(purposeOf(navigator.current))
                pendingCapture = cont
                takePicture.launch(uri)
            }
        }
    }

    /**
     * The camera came back. With a live request, it gets the file. Without one (the
     * Activity was recreated, or the process killed, while the camera app was open), the
     * photo is still put where it was meant to go: attached to the meeting, or kept as the
     * check-in's photo until the check-in screen reopens.
     */
    private fun onCaptured(ok: Boolean) {
        val (file, purpose) = app.captures.pending() ?: return
        app.captures.finish()
        val taken = if (ok && file.length() > 0) file.path else null
        val waiting = pendingCapture
        pendingCapture = null
        if (waiting != null) {
            waiting.resume(taken)
            return
        }
        if (taken == null) return
        lifecycleScope.launch(app.work) {
            runCatching {
                when {
                    purpose.startsWith("meeting:") -> app.core.attachPhoto(purpose.removePrefix("meeting:"), taken)
                    purpose.startsWith("checkin:") -> CheckInStateHolder.keepPhoto(app.drafts, purpose.removePrefix("checkin:"), app.core.processPhoto(taken))
                    else -> Unit
                }
            }
        }
    }

    private fun purposeOf(screen: Screen): String = when (screen) {
        is Screen.MeetingFlow -> "meeting:${screen.meetingId}"
        is Screen.CheckIn -> "checkin:${screen.meetingId}"
        else -> ""
    }

    override suspend fun scan(): String? {
        if (ask(Manifest.permission.CAMERA)[Manifest.permission.CAMERA] != true) {
            throw PermissionDenied(DeniedPermission.Camera)
        }
        return withContext(kotlinx.coroutines.Dispatchers.Main) {
            suspendCancellableCoroutine { cont ->
                pendingScan = cont
                scan.launch(
                    ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setPrompt(getString(R.string.scan_prompt))
                        .setBeepEnabled(false).setOrientationLocked(true).setCaptureActivity(PortraitCaptureActivity::class.java),
                )
            }
        }
    }

    override fun openAppSettings() {
        startActivity(Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", packageName, null)))
    }

    override fun openLocationSettings() {
        startActivity(Intent(Settings.ACTION_LOCATION_SOURCE_SETTINGS))
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        // Drawn edge to edge (forced from Android 15); the screens pad for the bars.
        enableEdgeToEdge()
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
        setContent {
            val settingsHolder = remember { SettingsStateHolder(app.settings, lifecycleScope, app.work).apply { load() } }
            val settings by settingsHolder.state.collectAsState()
            ChiboTheme(textScale = settings.textScale) { AppHost(enrolled, settingsHolder) }
        }
    }

    override fun onStop() {
        super.onStop()
        // Typing waiting for its debounce goes to the store before the app may be killed.
        lifecycleScope.launch(app.work) { runCatching { app.drafts.flush() } }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putSerializable(BACK_STACK, ArrayList(navigator.backStack.value.map(::encode)))
    }

    /** Notifications (Android 13+) are asked for on the home screen, where reminders matter. */
    private fun askForNotifications() {
        if (Build.VERSION.SDK_INT >= 33) lifecycleScope.launch { ask(Manifest.permission.POST_NOTIFICATIONS) }
        app.rescheduleReminders()
    }

    @Composable
    private fun AppHost(enrollment: chibo.presentation.api.Enrollment?, settingsHolder: SettingsStateHolder) {
        val stack by navigator.backStack.collectAsState()
        val screen = stack.last()
        val scope = lifecycleScope
        val work = app.work
        // Follows the core's status: every write and every round, no refresh needed.
        val syncHolder = remember { SyncStateHolder(app.sync, app, scope, work).apply { refresh() } }
        DisposableEffect(syncHolder) { onDispose { syncHolder.close() } }
        val sync by syncHolder.state.collectAsState()
        val cellId = enrollment?.cellId.orEmpty()
        val personId = enrollment?.personId.orEmpty()
        BackHandler(enabled = stack.size > 1) { navigator.back() }
        val syncNow = { syncHolder.syncNow() }

        when (screen) {
            Screen.Enrollment -> {
                val h = remember { EnrollmentStateHolder(app.enrollment, app.defaultServer, this, scope, work, this).apply { load() } }
                val s by h.state.collectAsState()
                LaunchedEffect(s.enrolled) {
                    s.enrolled?.let { recreate() }
                }
                EnrollmentScreen(s, h::typeCode, h::enroll, { h.scan() }, h::typeServerAddress, h::openAppSettings)
            }
            Screen.SecretaryHome -> {
                val h = remember { HomeStateHolder(app.core, app.core, app, SystemClock, cellId, scope, work) }
                LaunchedEffect(Unit) {
                    h.load()
                    askForNotifications()
                }
                val s by h.state.collectAsState()
                SecretaryHomeScreen(
                    s, sync,
                    HomeActions(
                        openMeeting = { navigator.push(Screen.MeetingFlow(it)) },
                        planMeeting = { h.planNextMeeting { id -> runOnUiThread { navigator.push(Screen.MeetingFlow(id)) } } },
                        roster = { navigator.push(Screen.Roster) }, history = { navigator.push(Screen.History) },
                        petitions = { navigator.push(Screen.Petitions) }, guidance = { navigator.push(Screen.Guidance) },
                        needsAttention = { navigator.push(Screen.NeedsAttention) }, settings = { navigator.push(Screen.Settings) },
                        sync = syncNow, dismissError = { h.load() },
                    ),
                )
            }
            Screen.Roster -> {
                val h = remember { RosterStateHolder(app.core, cellId, scope, work).apply { load() } }
                RosterScreen(h.state.collectAsState().value) { navigator.back() }
            }
            is Screen.MeetingFlow -> {
                val h = remember(screen) {
                    MeetingFlowStateHolder(app.core, app.core, app.core, this, SystemClock, app.drafts, scope, work, this).apply { load(screen.meetingId) }
                }
                MeetingFlowRoute(
                    h, sync, syncNow, { navigator.back() }, { navigator.push(Screen.PresenceCode(it)) }, { navigator.push(Screen.Share(it)) },
                    onOpenMeeting = { runOnUiThread { navigator.push(Screen.MeetingFlow(it)) } },
                )
            }
            is Screen.PresenceCode -> {
                val h = remember(screen) { PresenceCodeStateHolder(app.core, screen.meetingId, scope, work) }
                // The cadre scans from this screen: it must not go dark on a 15 s timeout.
                DisposableEffect(screen) {
                    window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
                    onDispose { window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON) }
                }
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
                LaunchedEffect(Unit) {
                    h.load()
                    askForNotifications()
                }
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
                    CheckInStateHolder(
                        app.core, app.location, this, this, SystemClock, app.keystore, app.drafts, personId,
                        screen.meetingId, screen.cellId, scope, work, { runCatching { app.sync.serverOffsetMs() }.getOrNull() }, this,
                    ).apply { load() }
                }
                // Location is asked for when the check-in needs it: precise or approximate.
                LaunchedEffect(screen) { ask(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION) }
                // Back from the settings: look for a fix again.
                DisposableEffect(h) {
                    val observer = androidx.lifecycle.LifecycleEventObserver { _, event ->
                        if (event == androidx.lifecycle.Lifecycle.Event.ON_RESUME) h.retryLocation()
                    }
                    lifecycle.addObserver(observer)
                    onDispose { lifecycle.removeObserver(observer) }
                }
                CheckInRoute(h) { navigator.back() }
            }
            Screen.MyCheckIns -> {
                val h = remember { MyCheckInsStateHolder(app.core, personId, scope, work).apply { load() } }
                MyCheckInsScreen(h.state.collectAsState().value) { navigator.back() }
            }
            Screen.NeedsAttention -> NeedsAttentionScreen(sync, { navigator.back() }, syncNow) { syncHolder.dismiss(it) }
            Screen.Settings -> SettingsScreen(settingsHolder.state.collectAsState().value, { navigator.back() }, settingsHolder::setTextScale, settingsHolder::setPhotosOnWifiOnly)
        }
    }

    private fun share(doc: chibo.presentation.secretary.ReadyDocument) {
        val uri = Uri.parse("content://${packageName}.capture/${java.io.File(doc.path).name}")
        val send = Intent(Intent.ACTION_SEND).setType(doc.mimeType)
            .putExtra(Intent.EXTRA_STREAM, uri).addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        startActivity(Intent.createChooser(send, getString(R.string.share_title, doc.fileName)))
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

/** The zxing scanner held upright: phones are held that way to scan another phone's screen. */
class PortraitCaptureActivity : com.journeyapps.barcodescanner.CaptureActivity()
