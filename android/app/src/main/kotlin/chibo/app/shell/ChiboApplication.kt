package chibo.app.shell

import android.app.Application
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import chibo.app.BuildConfig
import chibo.app.platform.AndroidDeviceKeystore
import chibo.app.platform.CaptureFiles
import chibo.app.platform.MeetingReminders
import chibo.app.platform.PlatformLocation
import chibo.app.platform.PrefsDrafts
import chibo.app.platform.PrefsSettings
import chibo.app.platform.WrappedSecret
import chibo.presentation.api.Scheduler
import chibo.presentation.impl.BindingsCore
import chibo.presentation.impl.BindingsDocuments
import chibo.presentation.impl.BindingsEnrollment
import chibo.presentation.impl.BindingsSync
import java.io.File
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_core.ChiboStore

/** The object graph: one store, one of each adapter. Kept by hand; it is small. */
class ChiboApplication : Application(), Scheduler {
    lateinit var store: ChiboStore
        private set
    val core by lazy { BindingsCore(store) }
    val sync by lazy { BindingsSync(store) }
    val keystore by lazy { AndroidDeviceKeystore(this) }
    val enrollment by lazy { BindingsEnrollment(store, keystore, "${android.os.Build.MANUFACTURER} ${android.os.Build.MODEL}") }
    /** Written where [chibo.app.platform.CaptureProvider] serves files from, for the share sheet. */
    val documents by lazy { BindingsDocuments(store, File(filesDir, "capture")) }
    val drafts by lazy { PrefsDrafts(this) }
    val settings by lazy { PrefsSettings(this) }
    val location by lazy { PlatformLocation(this) }
    val captures by lazy { CaptureFiles(this) }
    private val reminders by lazy { MeetingReminders(this) }

    /** One core call at a time, in order, off the main thread. */
    val work = Dispatchers.IO.limitedParallelism(1)
    val serverUrl: String get() = BuildConfig.DEFAULT_SERVER

    override fun onCreate() {
        super.onCreate()
        // The database key is made and kept wrapped by the Keystore now, so that it exists
        // when the core's store takes one (it does not yet: see README).
        WrappedSecret(this, "database-key").get()
        store = ChiboStore.open(File(noBackupFilesDir, "chibo.sqlite3").path)
        captures.clearOld()
        schedulePeriodicSync()
    }

    private val online = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    private fun schedulePeriodicSync() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(6, TimeUnit.HOURS).setConstraints(online).build()
        WorkManager.getInstance(this).enqueueUniquePeriodicWork("sync", ExistingPeriodicWorkPolicy.KEEP, request)
    }

    override fun requestSyncNow() {
        val request = OneTimeWorkRequestBuilder<SyncWorker>().setConstraints(online).build()
        WorkManager.getInstance(this).enqueueUniqueWork("sync-now", ExistingWorkPolicy.REPLACE, request)
    }

    override fun remindBefore(meetingId: String, title: String, meetingStart: Long) =
        reminders.remindBefore(meetingId, title, meetingStart)
}

/** Push, pull and photo uploads when there is a network; failures wait for the next run. */
class SyncWorker(context: android.content.Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as ChiboApplication
        val status = app.sync.syncNow()
        return if (status.lastError == null) Result.success() else Result.retry()
    }
}
