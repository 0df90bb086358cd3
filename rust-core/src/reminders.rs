//! Meeting reminders: what the phone should remind its person of, from the record alone,
//! so the app can plan its notifications again at any time (after a sync, a reboot, a
//! change of clock) and a meeting planned on another phone, or only fixed by the
//! commune's meeting day, is not forgotten.
//!
//! A secretary is reminded of their cell's meetings, a cadre of the meetings of the cells
//! they are assigned to (the same reminder, since they must attend). A cell with no
//! meeting planned for its next fixed day (the commune's `meeting_day`, synced from the
//! server) still gets that day's reminder.

use chibo_domain::time::{from_local, local_date};
use chibo_domain::{Cell, EpochMillis, Id, MeetingKind, MeetingStatus};

use crate::store::{Store, StoreError};
use crate::sync::EnrolledRole;

/// A day before the meeting.
pub const REMIND_BEFORE_MS: i64 = 24 * 60 * 60 * 1000;
/// The hour a meeting on the fixed day is assumed to start when none is planned.
const USUAL_HOUR: u32 = 19;
const USUAL_MINUTE: u32 = 30;

/// One reminder to show, a day before a meeting.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct MeetingReminder {
    /// Stable across recomputations: the meeting's id, or the cell and fixed day.
    pub key: String,
    /// `None` for a fixed day with no meeting planned yet.
    pub meeting_id: Option<Id>,
    pub cell_id: Id,
    /// The notification's title and text, in Vietnamese.
    pub title: String,
    pub text: String,
    pub meeting_at: EpochMillis,
    pub remind_at: EpochMillis,
}

/// The reminders still ahead at `now` for the person `role` (every cell held when the
/// device is not enrolled), soonest first.
#[cfg(test)]
mod tests;

pub fn upcoming(
    store: &Store,
    role: Option<&EnrolledRole>,
    now: EpochMillis,
) -> Result<Vec<MeetingReminder>, StoreError> {
    let cells: Vec<Cell> = match role {
        Some(EnrolledRole::Secretary { cell_id }) => match store.cell(cell_id) {
            Ok(cell) => vec![cell],
            Err(e) if e.kind() == crate::store::StoreErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        },
        Some(EnrolledRole::Cadre { cadre_id }) => {
            crate::visits::cadre_overview(store, cadre_id, now)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?
                .cells
                .into_iter()
                .filter_map(|assigned| assigned.cell)
                .collect()
        }
        Some(EnrolledRole::Office) => Vec::new(),
        None => store.cells()?,
    };
    let attending = matches!(role, Some(EnrolledRole::Cadre { .. }));
    let mut out = Vec::new();
    for cell in cells {
        let planned: Vec<_> = store
            .meeting_history(&cell.id)?
            .into_iter()
            .filter(|m| m.status == MeetingStatus::Planned && m.planned_start > now)
            .collect();
        for meeting in &planned {
            out.push(reminder(
                meeting.meeting_id.clone(),
                Some(meeting.meeting_id.clone()),
                &cell,
                meeting.kind,
                meeting.planned_start,
                attending,
                now,
            ));
        }
        if let Some(at) = next_fixed_day(&cell, now) {
            let same_month = |t: EpochMillis| {
                use chrono::Datelike;
                let (a, b) = (local_date(t).0, local_date(at).0);
                a.year() == b.year() && a.month() == b.month()
            };
            if !planned.iter().any(|m| same_month(m.planned_start)) {
                let key = format!("{}:{}", cell.id, local_date(at).0);
                out.push(reminder(
                    key,
                    None,
                    &cell,
                    MeetingKind::Regular,
                    at,
                    attending,
                    now,
                ));
            }
        }
    }
    out.retain(|r| r.meeting_at > now);
    out.sort_by_key(|r| (r.remind_at, r.key.clone()));
    Ok(out)
}

fn reminder(
    key: String,
    meeting_id: Option<Id>,
    cell: &Cell,
    kind: MeetingKind,
    meeting_at: EpochMillis,
    attending: bool,
    now: EpochMillis,
) -> MeetingReminder {
    let when = chibo_domain::time::local_datetime(meeting_at);
    let kind = match kind {
        MeetingKind::Regular => "Sinh hoạt thường kỳ",
        MeetingKind::Thematic => "Sinh hoạt chuyên đề",
        MeetingKind::Extraordinary => "Sinh hoạt bất thường",
        MeetingKind::Model => "Sinh hoạt mẫu",
        MeetingKind::RegularWithThematic => "Sinh hoạt thường kỳ và chuyên đề",
    };
    let title = if attending {
        format!("Ngày mai dự họp {}", cell.name)
    } else {
        format!("Ngày mai họp {}", cell.name)
    };
    let place = cell
        .meeting_place
        .as_ref()
        .map(|p| format!(" tại {}", p.label))
        .unwrap_or_default();
    let planned = if meeting_id.is_some() {
        ""
    } else {
        " (ngày họp cố định của chi bộ, chưa lên lịch)"
    };
    MeetingReminder {
        key,
        meeting_id,
        cell_id: cell.id.clone(),
        title,
        text: format!(
            "{kind} lúc {}{place}{planned}",
            when.format("%H:%M ngày %d/%m/%Y")
        ),
        meeting_at,
        // Never in the past: a meeting planned less than a day ahead is reminded now.
        remind_at: (meeting_at - REMIND_BEFORE_MS).max(now),
    }
}

/// The cell's next fixed meeting day after `now` (this month's if still ahead, else next
/// month's; a day past the month's end is its last day), at the usual hour.
fn next_fixed_day(cell: &Cell, now: EpochMillis) -> Option<EpochMillis> {
    use chrono::{Datelike, NaiveDate};
    let day = u32::from(cell.meeting_day?);
    let today = local_date(now).0;
    let at = |year: i32, month: u32| {
        let last = (28..=31)
            .rev()
            .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())?;
        let date = NaiveDate::from_ymd_opt(year, month, day.min(last))?;
        Some(from_local(date.and_hms_opt(USUAL_HOUR, USUAL_MINUTE, 0)?))
    };
    let this_month = at(today.year(), today.month())?;
    if this_month > now {
        return Some(this_month);
    }
    let (year, month) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    at(year, month)
}
