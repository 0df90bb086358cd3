//! Numbers as Vietnamese documents write them: a comma before the decimals.

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

/// A percentage with at most one decimal: "70%", "88,2%".
pub fn format_percent(value: f64) -> String {
    let text = format_decimal(value, 1);
    let text = text.strip_suffix(",0").unwrap_or(&text);
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_percentages_drop_the_decimal() {
        assert_eq!(format_percent(70.0), "70%");
        assert_eq!(format_percent(100.0), "100%");
        assert_eq!(format_percent(0.0), "0%");
    }

    #[test]
    fn fractions_use_a_comma_and_one_decimal() {
        // 15 of 17 expected members.
        assert_eq!(format_percent(15.0 * 100.0 / 17.0), "88,2%");
        assert_eq!(format_percent(200.0 / 3.0), "66,7%");
        assert_eq!(format_percent(84.96), "85%");
    }

    #[test]
    fn decimals_keep_the_requested_places() {
        assert_eq!(format_decimal(2.5, 2), "2,50");
        assert_eq!(format_decimal(1234.567, 1), "1234,6");
        assert_eq!(format_decimal(7.0, 0), "7");
        assert_eq!(format_decimal(-0.01, 1), "0,0");
        assert_eq!(format_decimal(-1.26, 1), "-1,3");
    }
}
