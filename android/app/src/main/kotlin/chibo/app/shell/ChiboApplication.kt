package chibo.app.shell

import chibo.app.platform.ResourceStrings
import chibo.presentation.common.Strings
import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import chibo.app.BuildConfig
import chibo.app.platform.AndroidDeviceKeystore
import chibo.app.platform.CaptureFiles
import chibo.app.platform.MeetingReminders
import chibo.app.platform.PlatformLocation
import chibo.app.platform.PrefsSettings
import chibo.app.platform.ReminderSource
import chibo.app.platform.ReminderSpec
import chibo.presentation.api.CoreException
import chibo.presentation.api.Scheduler
import chibo.presentation.impl.BindingsCore
import chibo.presentation.impl.BindingsDocuments
import chibo.presentation.impl.BindingsEnrollment
import chibo.presentation.impl.BindingsSync
import chibo.presentation.impl.CoreDrafts
import java.io.File
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import uniffi.chibo_core.ChiboStore

/** The object graph: one store, one of each adapter. Kept by hand; it is small. */
class ChiboApplication : Application(), Scheduler, ReminderSource {
    val keystore by lazy { AndroidDeviceKeystore(this) }

    /**
     * The device's store: SQLCipher, its key wrapped by the Keystore. A store from an
     * earlier version is encrypted on this first open.
     */
    val store: ChiboStore by lazy { ChiboStore.open(File(noBackupFilesDir, "chibo.sqlite3").path, keystore) }
    val core by lazy { BindingsCore(store) }
    val sync by lazy { BindingsSync(store) }
    val enrollment by lazy { BindingsEnrollment(store, keystore, "${android.os.Build.MANUFACTURER} ${android.os.Build.MODEL}") }
    /** Written where [chibo.app.platform.CaptureProvider] serves files from, for the share sheet. */
    val documents by lazy { BindingsDocuments(store, File(filesDir, "capture")) }
    /** Drafts of the meeting in the core's store, written a moment after the last keystroke. */
    val drafts by lazy { CoreDrafts(store) }
    val settings by lazy { PrefsSettings(this) }
    val location by lazy { PlatformLocation(this) }
    val captures by lazy { CaptureFiles(this) }
    private val reminders by lazy { MeetingReminders(this) }

    /** Core calls from the UI, in order, off the main thread; the network never runs here. */
    val work = Dispatchers.IO.limitedParallelism(1)

    /**
     * The province's server address for the typed-code path: a build sets it
     * (`-PchiboServer=https://…`), or a file `server.txt` in the app's files (pushed by the
     * province's set-up tool). Empty: the person types it, as the office tells them.
     */
    val defaultServer: String
        get() = File(filesDir, "server.txt").takeIf { it.isFile }?.readText()?.trim()?.takeIf { it.isNotEmpty() }
            ?: BuildConfig.DEFAULT_SERVER

    override fun onCreate() {
        super.onCreate()
        // The shared screens' and state holders' words: this app's string resources.
        Strings.install(ResourceStrings(this))
        captures.clearOld()
        schedulePeriodicSync()
    }

    private val online = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()
    private val onWifi = Constraints.Builder().setRequiredNetworkType(NetworkType.UNMETERED).build()

    private fun schedulePeriodicSync() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(6, TimeUnit.HOURS).setConstraints(online).build()
        WorkManager.getInstance(this).enqueueUniquePeriodicWork("sync", ExistingPeriodicWorkPolicy.KEEP, request)
    }

    /**
     * "Gửi ngay": asks WorkManager for one round, expedited where the quota allows. KEEP: a
     * request while one waits or runs adds nothing (and the core joins a second caller to
     * a running round anyway).
     */
    override fun requestSyncNow() {
        val request = OneTimeWorkRequestBuilder<SyncWorker>()
            .setConstraints(online)
            .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
            .build()
        WorkManager.getInstance(this).enqueueUniqueWork("sync-now", ExistingWorkPolicy.KEEP, request)
    }

    /** Photos kept for Wi-Fi: a round that waits for an unmetered network. */
    fun requestPhotosOnWifi() {
        val request = OneTimeWorkRequestBuilder<SyncWorker>().setConstraints(onWifi)
            .setInputData(workDataOf(SyncWorker.PHOTOS_ONLY_ON_WIFI to false)).build()
        WorkManager.getInstance(this).enqueueUniqueWork("sync-photos", ExistingWorkPolicy.KEEP, request)
    }

    override fun rescheduleReminders() {
        Thread { reminders.schedule(upcomingReminders()) }.start()
    }

    override fun upcomingReminders(): List<ReminderSpec> =
        store.meetingReminders().map { ReminderSpec(it.key, it.title, it.text, it.remindAt) }

    /** Whether the network now is metered (mobile data): photos may wait for Wi-Fi. */
    fun onMeteredNetwork(): Boolean = getSystemService(ConnectivityManager::class.java)?.isActiveNetworkMetered ?: true
}

/**
 * One sync round when there is a network: the record always, the photos too unless the
 * person keeps them for Wi-Fi and this network is metered (then a Wi-Fi-only round is
 * queued for them). Retried later only for what later can fix (no network, server down);
 * a refusal (not enrolled, revoked) waits for the person.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val app = applicationContext as ChiboApplication
        val wifiOnly = inputData.getBoolean(PHOTOS_ONLY_ON_WIFI, app.settings.load().photosOnWifiOnly)
        val photos = !wifiOnly || !app.onMeteredNetwork()
        val status = try {
            app.sync.syncNow(uploadPhotos = photos)
        } catch (e: CoreException) {
            return@withContext Result.failure()
        }
        if (!photos && status.pendingPhotos > 0) app.requestPhotosOnWifi()
        app.rescheduleReminders()
        val retry = status.lastError != null && app.sync.lastErrorIsTransient()
        if (retry) Result.retry() else Result.success()
    }

    companion object {
        const val PHOTOS_ONLY_ON_WIFI = "photosOnlyOnWifi"
    }
}
