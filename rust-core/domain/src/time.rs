//! Time as the domain sees it. Vietnam has one time zone (UTC+7) and no daylight saving,
//! so calendar months and days are derived exactly from an instant.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
pub type EpochMillis = i64;

const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS).expect("UTC+7 is a valid offset")
}

/// The local (Vietnam) wall-clock time of an instant.
pub fn local_datetime(at: EpochMillis) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp_millis(at)
        .unwrap_or_default()
        .with_timezone(&vietnam_offset())
        .naive_local()
}

pub fn local_date(at: EpochMillis) -> CalendarDate {
    CalendarDate(local_datetime(at).date())
}

/// Calendar year and month (1-12) of an instant in Vietnam.
pub fn local_year_month(at: EpochMillis) -> (i32, u32) {
    let d = local_datetime(at);
    (d.year(), d.month())
}

/// The instant of a local wall-clock time in Vietnam.
pub fn from_local(datetime: NaiveDateTime) -> EpochMillis {
    datetime
        .and_local_timezone(vietnam_offset())
        .single()
        .expect("a fixed offset has no gaps")
        .timestamp_millis()
}

/// A calendar day (deadlines, status dates). Crosses the FFI as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CalendarDate(pub NaiveDate);

impl CalendarDate {
    pub fn parse(text: &str) -> Result<Self, chrono::ParseError> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map(CalendarDate)
    }

    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(CalendarDate)
    }

    /// `24/11/2026`, as Vietnamese documents write dates.
    pub fn to_vietnamese(self) -> String {
        self.0.format("%d/%m/%Y").to_string()
    }
}

impl std::fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(CalendarDate, String, {
    try_lift: |text| Ok(CalendarDate::parse(&text)?),
    lower: |date| date.to_string(),
});
