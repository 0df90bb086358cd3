package chibo.app.platform

import android.Manifest
import android.app.AlarmManager
import android.app.Application
import android.app.NotificationManager
import android.content.Context
import android.content.Intent
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.provider.OpenableColumns
import chibo.presentation.api.LocationReading
import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.launchIn
import kotlinx.coroutines.flow.onEach
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlarmManager
import org.robolectric.shadows.ShadowLooper

/** An application that plans two reminders, as the core would. */
class RemindingApp : Application(), ReminderSource {
    override fun upcomingReminders() = listOf(
        ReminderSpec("m1", "Ngày mai họp Chi bộ bản Nà Hẩu", "Sinh hoạt thường kỳ lúc 19:30 ngày 24/11/2026", System.currentTimeMillis() + 3_600_000),
        ReminderSpec("c1:2026-12-24", "Ngày mai dự họp Chi bộ bản Co Muông", "Sinh hoạt thường kỳ lúc 19:30 ngày 24/12/2026", System.currentTimeMillis() + 30 * 86_400_000L),
    )
}

/**
 * The android.*-only adapters on Robolectric's Android (API 35): the reminders and the
 * receivers that plan them again after a reboot or a change of time, the notification
 * channel, the platform's location (precise, approximate only, denied) and the capture
 * files a share target or the camera app reads.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35], manifest = Config.NONE, application = RemindingApp::class)
class PlatformAdaptersTest {
    private val context: Context get() = RuntimeEnvironment.getApplication()
    private val alarms get() = shadowOf(context.getSystemService(AlarmManager::class.java))

    @Before
    fun exactAlarmsNotAllowed() {
        ShadowAlarmManager.setCanScheduleExactAlarms(false)
    }

    @Test
    fun remindersAreSetAndThoseNoLongerWantedCancelled() {
        val reminders = MeetingReminders(context)
        val source = context as ReminderSource
        reminders.schedule(source.upcomingReminders())
        assertEquals(2, alarms.scheduledAlarms.size)
        // Without the exact-alarm permission: a window, still about the right time.
        val first = alarms.scheduledAlarms.minByOrNull { it.triggerAtMs }!!
        assertEquals(REMINDER_WINDOW_MS, first.windowLengthMs)
        assertEquals(setOf("m1", "c1:2026-12-24"), reminders.plannedKeys())

        // The meeting was moved and the fixed day planned: one reminder left.
        reminders.schedule(source.upcomingReminders().take(1))
        assertEquals(1, alarms.scheduledAlarms.size)
        assertEquals(setOf("m1"), reminders.plannedKeys())
    }

    @Test
    fun exactWhenThePersonAllowsIt() {
        ShadowAlarmManager.setCanScheduleExactAlarms(true)
        MeetingReminders(context).schedule((context as ReminderSource).upcomingReminders().take(1))
        assertEquals(ShadowAlarmManager.WINDOW_EXACT, alarms.scheduledAlarms.single().windowLengthMs)
    }

    @Test
    fun aRebootOrAChangeOfTimePlansTheRemindersAgain() {
        RescheduleReceiver.runner = { it.run() }
        for (action in listOf(Intent.ACTION_BOOT_COMPLETED, Intent.ACTION_TIME_CHANGED, Intent.ACTION_TIMEZONE_CHANGED)) {
            ShadowAlarmManager.reset()
            context.getSharedPreferences("reminders", Context.MODE_PRIVATE).edit().clear().commit()
            RescheduleReceiver().onReceive(context, Intent(action))
            assertEquals(action, setOf("m1", "c1:2026-12-24"), MeetingReminders(context).plannedKeys())
        }
        context.getSharedPreferences("reminders", Context.MODE_PRIVATE).edit().clear().commit()
        RescheduleReceiver().onReceive(context, Intent(Intent.ACTION_SCREEN_ON))
        assertEquals("other broadcasts are ignored", emptySet<String>(), MeetingReminders(context).plannedKeys())
    }

    @Test
    fun theReminderIsPostedOnItsOwnChannel() {
        MeetingReminders(context).schedule((context as ReminderSource).upcomingReminders().take(1))
        val alarm = alarms.scheduledAlarms.single()
        val intent = shadowOf(alarm.operation).savedIntent
        ReminderReceiver().onReceive(context, intent)
        val manager = shadowOf(context.getSystemService(NotificationManager::class.java))
        val channel = manager.notificationChannels.single()
        assertEquals(REMINDER_CHANNEL, channel.id)
        assertEquals("Lịch họp chi bộ", channel.name.toString())
        val posted = manager.allNotifications.single()
        assertEquals("Ngày mai họp Chi bộ bản Nà Hẩu", posted.extras.getString("android.title"))
        assertTrue(posted.extras.getString("android.text")!!.contains("19:30"))
    }

    private fun readings(): MutableList<LocationReading> {
        val seen = mutableListOf<LocationReading>()
        PlatformLocation(context).readings().onEach { seen += it }.launchIn(CoroutineScope(Dispatchers.Unconfined))
        ShadowLooper.idleMainLooper()
        return seen
    }

    private fun fix(provider: String, accuracy: Float) = Location(provider).apply {
        latitude = 21.7167; longitude = 104.9; this.accuracy = accuracy; time = System.currentTimeMillis()
    }

    @Test
    fun preciseLocationUsesGpsAndStopsWhenTheScreenGoesAway() {
        shadowOf(context as Application).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
        val manager = context.getSystemService(LocationManager::class.java)
        val shadow = shadowOf(manager)
        shadow.setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        shadow.setProviderEnabled(LocationManager.NETWORK_PROVIDER, true)
        val seen = mutableListOf<LocationReading>()
        val job = PlatformLocation(context).readings().onEach { seen += it }.launchIn(CoroutineScope(Dispatchers.Unconfined))
        ShadowLooper.idleMainLooper()
        assertFalse(shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
        shadow.simulateLocation(fix(LocationManager.GPS_PROVIDER, 8f))
        ShadowLooper.idleMainLooper()
        val located = seen.filterIsInstance<LocationReading.Located>().last().fix
        assertEquals(8.0, located.accuracyM, 0.01)
        assertFalse(located.approximate)
        // The check-in screen went away: its collector is cancelled, the GPS released.
        job.cancel()
        ShadowLooper.idleMainLooper()
        assertTrue(shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
    }

    @Test
    fun anApproximateLocationIsAcceptedWithItsAccuracy() {
        shadowOf(context as Application).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION)
        shadowOf(context as Application).denyPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val shadow = shadowOf(context.getSystemService(LocationManager::class.java))
        shadow.setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        shadow.setProviderEnabled(LocationManager.NETWORK_PROVIDER, true)
        val seen = readings()
        assertTrue("no GPS without the precise permission", shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
        shadow.simulateLocation(fix(LocationManager.NETWORK_PROVIDER, 1_500f))
        ShadowLooper.idleMainLooper()
        val located = seen.filterIsInstance<LocationReading.Located>().last().fix
        assertTrue(located.approximate)
        assertEquals(1_500.0, located.accuracyM, 0.01)
    }

    @Test
    fun noPermissionSaysSoAndAsksForNothing() {
        shadowOf(context as Application).denyPermissions(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
        assertEquals(listOf(LocationReading.PermissionDenied), readings())
    }

    @Test
    fun theCaptureInProgressOutlivesTheActivityAndShareTargetsSeeNameAndSize() {
        val captures = CaptureFiles(context)
        val (file, uri) = captures.newCapture("meeting:m1")
        file.writeBytes(ByteArray(1234))
        // A new CaptureFiles: the Activity (or the whole process) was recreated.
        val (pending, purpose) = CaptureFiles(context).pending()!!
        assertEquals(file.path, pending.path)
        assertEquals("meeting:m1", purpose)

        val provider = Robolectric.setupContentProvider(CaptureProvider::class.java, "${context.packageName}.capture")
        provider.query(uri, null, null, null, null)!!.use { c ->
            assertTrue(c.moveToFirst())
            assertEquals(file.name, c.getString(c.getColumnIndexOrThrow(OpenableColumns.DISPLAY_NAME)))
            assertEquals(1234L, c.getLong(c.getColumnIndexOrThrow(OpenableColumns.SIZE)))
        }
        // Nothing outside the capture folder is served.
        val outside = File(context.filesDir, "secret.txt").apply { writeText("x") }
        assertEquals(null, provider.query(Uri.parse("content://${context.packageName}.capture/..%2F${outside.name}"), null, null, null, null))
        captures.finish()
        assertEquals(null, CaptureFiles(context).pending())
        assertNotNull(captures)
    }
}
