package chibo.presentation.common

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter

/** Vietnam is UTC+7 all year; the record's dates are Vietnam dates. */
val VIETNAM: ZoneOffset = ZoneOffset.ofHours(7)

private val TIME_DATE = DateTimeFormatter.ofPattern("HH:mm, dd/MM/yyyy")
private val DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy")
private val TIME = DateTimeFormatter.ofPattern("HH:mm")

fun timeAndDate(epochMs: Long): String = TIME_DATE.format(Instant.ofEpochMilli(epochMs).atOffset(VIETNAM))
fun dateOf(epochMs: Long): String = DATE.format(Instant.ofEpochMilli(epochMs).atOffset(VIETNAM))
fun timeOf(epochMs: Long): String = TIME.format(Instant.ofEpochMilli(epochMs).atOffset(VIETNAM))
fun localDate(epochMs: Long): LocalDate = Instant.ofEpochMilli(epochMs).atOffset(VIETNAM).toLocalDate()

/** "2026-12-20" → "20/12/2026". */
fun isoDateLabel(iso: String): String = runCatching { DATE.format(LocalDate.parse(iso)) }.getOrDefault(iso)

/** "Tháng 11/2026". */
fun monthLabel(epochMs: Long): String = localDate(epochMs).let { "Tháng ${it.monthValue}/${it.year}" }

/** 1 decimal with a Vietnamese comma: 87,5. */
fun decimal(value: Double): String =
    if (value == Math.floor(value)) value.toLong().toString() else String.format(java.util.Locale.ROOT, "%.1f", value).replace('.', ',')

fun bytesLabel(bytes: Long): String = when {
    bytes >= 1_000_000 -> "${decimal(Math.round(bytes / 100_000.0) / 10.0)} MB"
    else -> "${(bytes + 999) / 1000} KB"
}
