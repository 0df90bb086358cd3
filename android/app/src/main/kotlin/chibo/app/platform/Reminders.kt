package chibo.app.platform

import android.app.AlarmManager
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.os.Build

private const val CHANNEL = "meetings"
private const val EXTRA_TITLE = "title"
private const val EXTRA_ID = "meetingId"

/**
 * A local notification one day before a planned meeting, through AlarmManager (inexact is
 * enough for "tomorrow"; it needs no permission and survives Doze windows).
 */
class MeetingReminders(private val context: Context) {
    fun remindBefore(meetingId: String, title: String, meetingStart: Long) {
        val at = meetingStart - 24 * 60 * 60 * 1000L
        if (at <= System.currentTimeMillis()) return
        val intent = Intent(context, ReminderReceiver::class.java).putExtra(EXTRA_TITLE, title).putExtra(EXTRA_ID, meetingId)
        val pending = PendingIntent.getBroadcast(context, meetingId.hashCode(), intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
        val alarms = context.getSystemService(Context.ALARM_SERVICE) as AlarmManager
        alarms.setWindow(AlarmManager.RTC_WAKEUP, at, 60 * 60 * 1000L, pending)
    }
}

/** Posts the reminder (needs POST_NOTIFICATIONS on Android 13+, asked for at first run). */
class ReminderReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        if (Build.VERSION.SDK_INT >= 26) {
            manager.createNotificationChannel(NotificationChannel(CHANNEL, "Lịch họp chi bộ", NotificationManager.IMPORTANCE_DEFAULT))
        }
        val open = context.packageManager.getLaunchIntentForPackage(context.packageName)
            ?.let { PendingIntent.getActivity(context, 0, it, PendingIntent.FLAG_IMMUTABLE) }
        val builder = if (Build.VERSION.SDK_INT >= 26) Notification.Builder(context, CHANNEL) else @Suppress("DEPRECATION") Notification.Builder(context)
        val notification = builder
            .setSmallIcon(android.R.drawable.ic_menu_my_calendar)
            .setContentTitle("Ngày mai họp chi bộ")
            .setContentText(intent.getStringExtra(EXTRA_TITLE) ?: "")
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        manager.notify(intent.getStringExtra(EXTRA_ID).hashCode(), notification)
    }
}
