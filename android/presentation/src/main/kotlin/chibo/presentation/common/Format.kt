package chibo.presentation.common

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset

// How dates and numbers are written comes from the core (chibo.presentation.api.Labels);
// what stays here is date arithmetic for choices the screens offer.

/** Vietnam is UTC+7 all year; the record's dates are Vietnam dates. */
val VIETNAM: ZoneOffset = ZoneOffset.ofHours(7)

fun localDate(epochMs: Long): LocalDate = Instant.ofEpochMilli(epochMs).atOffset(VIETNAM).toLocalDate()
