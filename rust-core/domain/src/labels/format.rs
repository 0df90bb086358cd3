//! Numbers and dates as Vietnamese screens and documents write them: a decimal comma,
//! day/month/year, Vietnam time.

use crate::time::{local_datetime, local_year_month, CalendarDate, EpochMillis};

/// `value` with exactly `places` decimals and a decimal comma: `format_decimal(2.5, 2)`
/// is "2,50".
pub fn format_decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    // "-0,0" reads as an error to a secretary; a value that rounds to zero is zero.
    let text = match text.strip_prefix('-') {
        Some(unsigned) if unsigned.chars().all(|c| c == '0' || c == '.') => unsigned.to_string(),
        _ => text,
    };
    text.replace('.', ",")
}

/// `value` with at most `places` decimals, a decimal comma and no trailing zeros:
/// 12.44 → "12,4", 2.0 → "2", 1.25 (1 decimal) → "1,3".
pub fn format_short_decimal(value: f64, places: usize) -> String {
    let text = format_decimal(value, places);
    if text.contains(',') {
        text.trim_end_matches('0').trim_end_matches(',').to_string()
    } else {
        text
    }
}

/// A percentage with at most one decimal: "70%", "88,2%"; 48 of 49 is "98%".
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_percent(value: f64) -> String {
    format!("{}%", format_short_decimal(value, 1))
}

/// The number [`format_percent`] prints, for a spreadsheet cell: 97.959… → 98.0.
pub fn rounded_percent(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// "850 m" below one kilometre, "12,4 km" from one kilometre.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_distance(metres: f64) -> String {
    if metres.abs() < 999.5 {
        format!("{} m", format_short_decimal(metres.round(), 0))
    } else {
        format!("{} km", format_short_decimal(metres / 1000.0, 1))
    }
}

/// A span of time: "2 ngày", "1,5 ngày", "3 giờ", "2,5 giờ", "45 phút" (absolute value).
pub fn format_span(ms: i64) -> String {
    let ms = ms.unsigned_abs() as f64;
    let minutes = ms / 60_000.0;
    let hours = minutes / 60.0;
    let days = hours / 24.0;
    if hours >= 23.95 {
        format!("{} ngày", format_short_decimal(days, 1))
    } else if minutes >= 59.5 {
        format!("{} giờ", format_short_decimal(hours, 1))
    } else {
        format!("{} phút", format_short_decimal(minutes.round(), 0))
    }
}

/// A file's size: "850 KB", "1,2 MB" (1 KB = 1024 bytes, as the upload limit counts).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_file_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", format_short_decimal(bytes as f64 / MB as f64, 1))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// "19:30 24/11/2026", Vietnam time.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_date_time(at: EpochMillis) -> String {
    local_datetime(at).format("%H:%M %d/%m/%Y").to_string()
}

/// "24/11/2026", Vietnam time.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_date(at: EpochMillis) -> String {
    local_datetime(at).format("%d/%m/%Y").to_string()
}

/// "19:30", Vietnam time.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_time(at: EpochMillis) -> String {
    local_datetime(at).format("%H:%M").to_string()
}

/// A calendar day (a deadline): "20/12/2026".
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_calendar_date(date: CalendarDate) -> String {
    date.to_vietnamese()
}

/// "19 giờ 30, ngày 24/10/2026": the time of a meeting in the minutes and resolution.
pub fn format_document_time(at: EpochMillis) -> String {
    local_datetime(at)
        .format("%H giờ %M, ngày %d/%m/%Y")
        .to_string()
}

/// "11/2026", "01/2027".
pub fn format_month(year: i32, month: u32) -> String {
    format!("{month:02}/{year}")
}

/// "Tháng 11/2026": the month a meeting or a report is for.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn month_title(year: i32, month: u32) -> String {
    format!("Tháng {}", format_month(year, month))
}

/// [`month_title`] of the month `at` falls in, Vietnam time.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn month_title_of(at: EpochMillis) -> String {
    let (year, month) = local_year_month(at);
    month_title(year, month)
}

/// The period of guidance: "2026-11" is "Tháng 11/2026", "2026-Q4" is "Quý 4/2026";
/// anything else is shown as it was written.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn format_guidance_period(period: String) -> String {
    let text = period.trim();
    let parsed = text.split_once('-').and_then(|(year, rest)| {
        let year: i32 = year.parse().ok()?;
        match rest.strip_prefix('Q') {
            Some(quarter) => {
                let quarter: u32 = quarter.parse().ok()?;
                (1..=4)
                    .contains(&quarter)
                    .then(|| format!("Quý {quarter}/{year}"))
            }
            None => {
                let month: u32 = rest.parse().ok()?;
                (1..=12).contains(&month).then(|| month_title(year, month))
            }
        }
    });
    parsed.unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_percentages_drop_the_decimal() {
        assert_eq!(format_percent(70.0), "70%");
        assert_eq!(format_percent(100.0), "100%");
        assert_eq!(format_percent(0.0), "0%");
        // 48 of 49 expected members, as the dashboard and the phone both say it.
        assert_eq!(format_percent(48.0 * 100.0 / 49.0), "98%");
        assert_eq!(rounded_percent(48.0 * 100.0 / 49.0), 98.0);
    }

    #[test]
    fn fractions_use_a_comma_and_one_decimal() {
        // 15 of 17 expected members.
        assert_eq!(format_percent(15.0 * 100.0 / 17.0), "88,2%");
        assert_eq!(format_percent(200.0 / 3.0), "66,7%");
        assert_eq!(format_percent(84.96), "85%");
        assert_eq!(rounded_percent(15.0 * 100.0 / 17.0), 88.2);
    }

    #[test]
    fn decimals_keep_the_requested_places() {
        assert_eq!(format_decimal(2.5, 2), "2,50");
        assert_eq!(format_decimal(1234.567, 1), "1234,6");
        assert_eq!(format_decimal(7.0, 0), "7");
        assert_eq!(format_decimal(-0.01, 1), "0,0");
        assert_eq!(format_decimal(-1.26, 1), "-1,3");
    }

    #[test]
    fn short_decimals_drop_trailing_zeros() {
        assert_eq!(format_short_decimal(12.44, 1), "12,4");
        assert_eq!(format_short_decimal(2.0, 1), "2");
        assert_eq!(format_short_decimal(0.04, 1), "0");
        assert_eq!(format_short_decimal(-0.04, 1), "0");
        assert_eq!(format_short_decimal(150.0, 0), "150");
    }

    #[test]
    fn distances() {
        assert_eq!(format_distance(12_437.0), "12,4 km");
        assert_eq!(format_distance(850.4), "850 m");
        assert_eq!(format_distance(999.7), "1 km");
        assert_eq!(format_distance(1_050.0), "1,1 km");
    }

    #[test]
    fn spans() {
        assert_eq!(format_span(2 * 86_400_000), "2 ngày");
        assert_eq!(format_span(-36 * 3_600_000), "1,5 ngày");
        assert_eq!(format_span(3 * 3_600_000), "3 giờ");
        assert_eq!(format_span(150 * 60_000), "2,5 giờ");
        assert_eq!(format_span(45 * 60_000), "45 phút");
    }

    #[test]
    fn file_sizes() {
        assert_eq!(format_file_size(1), "1 KB");
        assert_eq!(format_file_size(850 * 1024), "850 KB");
        assert_eq!(format_file_size(1_258_291), "1,2 MB");
        assert_eq!(format_file_size(5 * 1024 * 1024), "5 MB");
    }

    #[test]
    fn dates_and_times_in_vietnam_time() {
        // 01:00 UTC is 08:00 in Vietnam.
        let at = 1_795_482_000_000;
        assert_eq!(format_date_time(at), "08:00 24/11/2026");
        assert_eq!(format_date(at), "24/11/2026");
        assert_eq!(format_time(at), "08:00");
        assert_eq!(format_document_time(at), "08 giờ 00, ngày 24/11/2026");
        assert_eq!(month_title_of(at), "Tháng 11/2026");
        assert_eq!(month_title(2027, 1), "Tháng 01/2027");
        assert_eq!(
            format_calendar_date(CalendarDate::from_ymd(2026, 12, 20).unwrap()),
            "20/12/2026"
        );
    }

    #[test]
    fn guidance_periods() {
        assert_eq!(format_guidance_period("2026-11".into()), "Tháng 11/2026");
        assert_eq!(format_guidance_period("2026-Q4".into()), "Quý 4/2026");
        assert_eq!(format_guidance_period("2026-13".into()), "2026-13");
        assert_eq!(format_guidance_period("cả năm".into()), "cả năm");
    }
}
