//! Which records make a meeting's context: the rules judge a meeting with the tasks of
//! the cell's previous regular meeting and the roll calls of its meetings earlier in the
//! same year, always the current revision of each. The phone finds them by SQL and the
//! server through its storage, both within [`window`], and both choose with these
//! functions, so they judge every meeting against the same records.

use crate::model::{Id, Meeting, MeetingKind, MeetingRecord, MeetingStatus};
use crate::time::{from_local, local_year_month, EpochMillis};

/// How far back the previous regular meeting is looked for: a little over a year. A cell
/// that has not met for longer reviews no tasks (they are not "last month's").
pub const PREVIOUS_REGULAR_LOOKBACK_MS: i64 = 400 * 24 * 3_600_000;

/// The first instant of a calendar year, Vietnam time.
pub fn year_start(year: i32) -> EpochMillis {
    let date = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    from_local(date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The starts of the records a meeting starting at `start` may need: `[from, start)`.
pub fn window(start: EpochMillis) -> (EpochMillis, EpochMillis) {
    let (year, _) = local_year_month(start);
    let from = year_start(year).min(start.saturating_sub(PREVIOUS_REGULAR_LOOKBACK_MS));
    (from, start)
}

/// What the choice needs to know of a meeting: each side reads these cheaply (a row, a
/// record's header) and loads tasks or roll calls only for the ones chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRef {
    pub id: Id,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub started_at: EpochMillis,
    /// The signed meeting this one corrects.
    pub revision_of: Option<Id>,
}

impl MeetingRef {
    pub fn of(meeting: &Meeting) -> MeetingRef {
        MeetingRef {
            id: meeting.id.clone(),
            kind: meeting.kind,
            status: meeting.status,
            started_at: meeting.started_at(),
            revision_of: meeting.revision_of.clone(),
        }
    }

    pub fn of_record(record: &MeetingRecord) -> MeetingRef {
        MeetingRef::of(&record.meeting)
    }
}

/// The current revision of each meeting (one that no other in `refs` corrects), oldest
/// first (by start, then id).
pub fn current(refs: &[MeetingRef]) -> Vec<&MeetingRef> {
    let mut out: Vec<&MeetingRef> = refs
        .iter()
        .filter(|r| !refs.iter().any(|o| o.revision_of.as_ref() == Some(&r.id)))
        .collect();
    out.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    out
}

/// The cell's last held regular meeting before `meeting` (current revisions only, within
/// the lookback): the one whose tasks `meeting` reviews.
pub fn previous_regular<'a>(refs: &'a [MeetingRef], meeting: &Meeting) -> Option<&'a MeetingRef> {
    let start = meeting.started_at();
    let (from, _) = window(start);
    current(refs)
        .into_iter()
        .filter(|r| r.id != meeting.id && r.status.is_held() && r.kind.is_regular())
        .filter(|r| r.started_at >= from && r.started_at < start)
        .max_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)))
}

/// The cell's held meetings earlier in `meeting`'s calendar year (current revisions),
/// oldest first: whose roll calls count for consecutive absences.
pub fn earlier_this_year<'a>(refs: &'a [MeetingRef], meeting: &Meeting) -> Vec<&'a MeetingRef> {
    let start = meeting.started_at();
    let (year, _) = local_year_month(start);
    let from = year_start(year);
    current(refs)
        .into_iter()
        .filter(|r| r.id != meeting.id && r.status.is_held())
        .filter(|r| r.started_at >= from && r.started_at < start)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_local;

    fn at(y: i32, m: u32, d: u32) -> EpochMillis {
        from_local(
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(19, 30, 0)
                .unwrap(),
        )
    }

    fn r(id: &str, kind: MeetingKind, status: MeetingStatus, started_at: i64) -> MeetingRef {
        MeetingRef {
            id: id.into(),
            kind,
            status,
            started_at,
            revision_of: None,
        }
    }

    fn meeting(id: &str, start: i64) -> Meeting {
        Meeting::planned(
            id.into(),
            "c".into(),
            MeetingKind::Regular,
            start,
            String::new(),
        )
    }

    #[test]
    fn the_previous_regular_meeting_is_the_latest_held_current_one_before() {
        use MeetingKind::*;
        use MeetingStatus::*;
        let mut refs = vec![
            r("oct", Regular, Signed, at(2026, 10, 24)),
            r("nov-thematic", Thematic, Signed, at(2026, 11, 10)),
            r("nov", Regular, Signed, at(2026, 11, 24)),
            r("nov-planned", Regular, Planned, at(2026, 11, 30)),
        ];
        let dec = meeting("dec", at(2026, 12, 24));
        assert_eq!(previous_regular(&refs, &dec).unwrap().id, "nov");
        // November was corrected: its correction is the current one.
        refs.push(MeetingRef {
            revision_of: Some("nov".into()),
            ..r("nov-2", Regular, Recorded, at(2026, 11, 24))
        });
        assert_eq!(previous_regular(&refs, &dec).unwrap().id, "nov-2");
        // A cell silent for more than the lookback reviews nothing.
        let next_year = meeting("late", at(2028, 1, 24));
        assert_eq!(previous_regular(&refs, &next_year), None);
    }

    #[test]
    fn earlier_this_year_stays_in_the_calendar_year() {
        use MeetingKind::*;
        use MeetingStatus::*;
        let refs = vec![
            r("dec-25", Regular, Signed, at(2025, 12, 24)),
            r("jan", Regular, Signed, at(2026, 1, 24)),
            r("feb", Regular, Planned, at(2026, 2, 24)),
            r("mar", Regular, Recorded, at(2026, 3, 24)),
        ];
        let apr = meeting("apr", at(2026, 4, 24));
        let ids: Vec<&str> = earlier_this_year(&refs, &apr)
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["jan", "mar"]);
        let (from, until) = window(at(2026, 4, 24));
        assert!(from <= at(2025, 12, 24) && until == at(2026, 4, 24));
    }
}
