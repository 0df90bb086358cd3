//! Figures in Vietnamese: decimal comma, metres or kilometres, days/hours/minutes.

use crate::time::{local_datetime, EpochMillis};

/// `x` with at most `decimals` decimals, a decimal comma, and no trailing zeros:
/// 12.44 → "12,4", 2.0 → "2", 1.25 (1 decimal) → "1,3".
pub(crate) fn vi_decimal(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    let text = if text == "-0" { "0".to_string() } else { text };
    text.replace('.', ",")
}

/// "850 m" below one kilometre, "12,4 km" from one kilometre.
pub(crate) fn vi_distance(metres: f64) -> String {
    if metres.abs() < 999.5 {
        format!("{} m", vi_decimal(metres.round(), 0))
    } else {
        format!("{} km", vi_decimal(metres / 1000.0, 1))
    }
}

/// A span of time: "2 ngày", "1,5 ngày", "3 giờ", "2,5 giờ", "45 phút" (absolute value).
pub(crate) fn vi_duration(ms: i64) -> String {
    let ms = ms.unsigned_abs() as f64;
    let minutes = ms / 60_000.0;
    let hours = minutes / 60.0;
    let days = hours / 24.0;
    if hours >= 23.95 {
        format!("{} ngày", vi_decimal(days, 1))
    } else if minutes >= 59.5 {
        format!("{} giờ", vi_decimal(hours, 1))
    } else {
        format!("{} phút", vi_decimal(minutes.round(), 0))
    }
}

/// "07:30 24/11/2026", in Vietnam time.
pub(crate) fn vi_time(at: EpochMillis) -> String {
    local_datetime(at).format("%H:%M %d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(vi_decimal(12.44, 1), "12,4");
        assert_eq!(vi_decimal(2.0, 1), "2");
        assert_eq!(vi_decimal(0.04, 1), "0");
        assert_eq!(vi_decimal(-0.04, 1), "0");
        assert_eq!(vi_decimal(150.0, 0), "150");
    }

    #[test]
    fn distances() {
        assert_eq!(vi_distance(12_437.0), "12,4 km");
        assert_eq!(vi_distance(850.4), "850 m");
        assert_eq!(vi_distance(999.7), "1 km");
        assert_eq!(vi_distance(1_050.0), "1,1 km");
    }

    #[test]
    fn durations() {
        assert_eq!(vi_duration(2 * 86_400_000), "2 ngày");
        assert_eq!(vi_duration(-36 * 3_600_000), "1,5 ngày");
        assert_eq!(vi_duration(3 * 3_600_000), "3 giờ");
        assert_eq!(vi_duration(150 * 60_000), "2,5 giờ");
        assert_eq!(vi_duration(45 * 60_000), "45 phút");
    }

    #[test]
    fn local_times() {
        // 01:00 UTC is 08:00 in Vietnam.
        assert_eq!(vi_time(1_795_482_000_000), "08:00 24/11/2026");
    }
}
