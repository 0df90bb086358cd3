package chibo.app.platform

import chibo.presentation.common.Str
import chibo.presentation.common.str
import android.app.AlarmManager
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.os.Build

const val REMINDER_CHANNEL = "meetings"
private const val EXTRA_TITLE = "title"
private const val EXTRA_TEXT = "text"
private const val EXTRA_KEY = "key"
/** How late an alarm may come when the app may not ask for exact ones: about the right time. */
const val REMINDER_WINDOW_MS = 15 * 60 * 1000L

/** One notification to show at [at], as the core computed it. */
data class ReminderSpec(val key: String, val title: String, val text: String, val at: Long)

/** What the app gives the adapters: the core's reminders, computed again on demand. */
fun interface ReminderSource {
    fun upcomingReminders(): List<ReminderSpec>
}

/** The meetings notification channel (Android 8+), made before anything is posted. */
fun ensureReminderChannel(context: Context) {
    if (Build.VERSION.SDK_INT < 26) return
    val manager = context.getSystemService(NotificationManager::class.java)
    if (manager.getNotificationChannel(REMINDER_CHANNEL) == null) {
        val name = str(Str.reminder_channel)
        manager.createNotificationChannel(NotificationChannel(REMINDER_CHANNEL, name, NotificationManager.IMPORTANCE_DEFAULT))
    }
}

/**
 * Meeting reminders through AlarmManager, planned again from scratch each time (after a
 * sync, a plan, a reboot, a change of time): the core decides what to remind of; this
 * only sets the alarms and cancels the ones no longer wanted. Exact when the person
 * allowed exact alarms; otherwise a window of [REMINDER_WINDOW_MS], which needs no
 * permission and still comes at about the right time.
 */
class MeetingReminders(private val context: Context) {
    private val alarms = context.getSystemService(Context.ALARM_SERVICE) as AlarmManager
    private val planned = context.getSharedPreferences("reminders", Context.MODE_PRIVATE)

    fun schedule(reminders: List<ReminderSpec>, now: Long = System.currentTimeMillis()) {
        val wanted = reminders.filter { it.at + REMINDER_WINDOW_MS > now }.associateBy { it.key }
        for (old in planned.all.keys - wanted.keys) {
            alarms.cancel(pending(old, null))
        }
        for (reminder in wanted.values) {
            val intent = pending(reminder.key, reminder)
            val at = reminder.at.coerceAtLeast(now)
            if (Build.VERSION.SDK_INT < 31 || alarms.canScheduleExactAlarms()) {
                alarms.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, at, intent)
            } else {
                alarms.setWindow(AlarmManager.RTC_WAKEUP, at, REMINDER_WINDOW_MS, intent)
            }
        }
        planned.edit().clear().apply {
            wanted.values.forEach { putLong(it.key, it.at) }
        }.apply()
    }

    /** The keys planned now (what [schedule] last set). */
    fun plannedKeys(): Set<String> = planned.all.keys

    private fun pending(key: String, reminder: ReminderSpec?): PendingIntent {
        val intent = Intent(context, ReminderReceiver::class.java).setAction("chibo.reminder.$key").putExtra(EXTRA_KEY, key)
        if (reminder != null) intent.putExtra(EXTRA_TITLE, reminder.title).putExtra(EXTRA_TEXT, reminder.text)
        return PendingIntent.getBroadcast(context, key.hashCode(), intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
    }
}

/** Posts the reminder (Android 13+ needs POST_NOTIFICATIONS, asked for on the home screen). */
class ReminderReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        ensureReminderChannel(context)
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        val open = context.packageManager.getLaunchIntentForPackage(context.packageName)
            ?.let { PendingIntent.getActivity(context, 0, it, PendingIntent.FLAG_IMMUTABLE) }
        val builder = if (Build.VERSION.SDK_INT >= 26) Notification.Builder(context, REMINDER_CHANNEL) else @Suppress("DEPRECATION") Notification.Builder(context)
        val icon = context.resources.getIdentifier("ic_notification", "drawable", context.packageName)
        val notification = builder
            .setSmallIcon(if (icon != 0) icon else android.R.drawable.ic_menu_my_calendar)
            .setContentTitle(intent.getStringExtra(EXTRA_TITLE) ?: "")
            .setContentText(intent.getStringExtra(EXTRA_TEXT) ?: "")
            .setStyle(Notification.BigTextStyle().bigText(intent.getStringExtra(EXTRA_TEXT) ?: ""))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        manager.notify(intent.getStringExtra(EXTRA_KEY).hashCode(), notification)
    }
}

/**
 * Alarms do not survive a reboot, and a change of time or time zone moves them: plan every
 * reminder again from the core on each of those (and after an app update).
 */
class RescheduleReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action !in RESCHEDULE_ACTIONS) return
        val source = context.applicationContext as? ReminderSource ?: return
        val done: PendingResult? = goAsync()
        // The core reads its store: off the main thread.
        runner {
            try {
                MeetingReminders(context).schedule(source.upcomingReminders())
            } finally {
                done?.finish()
            }
        }
    }

    companion object {
        /** Where the work runs: a thread of its own (tests run it in place). */
        @Volatile var runner: (Runnable) -> Unit = { Thread(it).start() }

        val RESCHEDULE_ACTIONS = setOf(
            Intent.ACTION_BOOT_COMPLETED,
            Intent.ACTION_LOCKED_BOOT_COMPLETED,
            Intent.ACTION_TIME_CHANGED,
            Intent.ACTION_TIMEZONE_CHANGED,
            Intent.ACTION_MY_PACKAGE_REPLACED,
        )
    }
}
