//! The minimum length of a meeting: 90 minutes; 120 when a regular and a thematic part
//! are combined or the cell has 30 or more members; the commune may allow small cells less.

use super::{RuleSettings, Warning, WarningCode};
use crate::model::{Meeting, MeetingKind};

const STANDARD_MINUTES: u32 = 90;
const LONG_MINUTES: u32 = 120;
/// From this many members a cell meets for the longer time.
const LARGE_CELL_MEMBERS: u32 = 30;

pub fn required_minutes(kind: MeetingKind, member_count: u32, settings: &RuleSettings) -> u32 {
    if member_count <= settings.small_cell_max_members {
        if let Some(minutes) = settings.small_cell_min_minutes {
            return minutes;
        }
    }
    if kind == MeetingKind::RegularWithThematic || member_count >= LARGE_CELL_MEMBERS {
        LONG_MINUTES
    } else {
        STANDARD_MINUTES
    }
}

/// ShortDuration when the recorded length falls short; nothing until both ends are recorded.
pub fn duration_warning(
    meeting: &Meeting,
    member_count: u32,
    settings: &RuleSettings,
) -> Option<Warning> {
    let minutes = meeting.duration_minutes()?;
    let required = required_minutes(meeting.kind, member_count, settings);
    (minutes < i64::from(required)).then(|| {
        Warning::new(
            WarningCode::ShortDuration,
            format!("Thời lượng {minutes} phút, chưa đủ {required} phút theo quy định"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::meeting;

    #[test]
    fn ninety_minutes_for_an_ordinary_cell() {
        let settings = RuleSettings::default();
        assert_eq!(required_minutes(MeetingKind::Regular, 25, &settings), 90);
        assert_eq!(required_minutes(MeetingKind::Thematic, 29, &settings), 90);
        assert_eq!(
            required_minutes(MeetingKind::Extraordinary, 12, &settings),
            90
        );
    }

    #[test]
    fn one_hundred_twenty_when_combined_or_thirty_members() {
        let settings = RuleSettings::default();
        assert_eq!(
            required_minutes(MeetingKind::RegularWithThematic, 25, &settings),
            120
        );
        assert_eq!(required_minutes(MeetingKind::Regular, 30, &settings), 120);
        assert_eq!(required_minutes(MeetingKind::Regular, 43, &settings), 120);
    }

    #[test]
    fn a_commune_may_let_small_cells_meet_less() {
        let settings = RuleSettings {
            small_cell_max_members: 9,
            small_cell_min_minutes: Some(60),
        };
        assert_eq!(required_minutes(MeetingKind::Regular, 6, &settings), 60);
        assert_eq!(required_minutes(MeetingKind::Regular, 9, &settings), 60);
        assert_eq!(required_minutes(MeetingKind::Regular, 10, &settings), 90);
        // Without the commune's setting a small cell still needs 90.
        assert_eq!(
            required_minutes(MeetingKind::Regular, 6, &RuleSettings::default()),
            90
        );
    }

    #[test]
    fn a_short_meeting_is_warned_with_both_figures() {
        let settings = RuleSettings::default();
        assert_eq!(
            duration_warning(&meeting(65), 12, &settings),
            Some(Warning::new(
                WarningCode::ShortDuration,
                "Thời lượng 65 phút, chưa đủ 90 phút theo quy định"
            ))
        );
        assert_eq!(duration_warning(&meeting(90), 12, &settings), None);
        assert_eq!(
            duration_warning(&meeting(100), 30, &settings).map(|w| w.message),
            Some("Thời lượng 100 phút, chưa đủ 120 phút theo quy định".into())
        );
    }

    #[test]
    fn no_warning_before_the_meeting_ends() {
        let mut unfinished = meeting(65);
        unfinished.actual_end = None;
        assert_eq!(
            duration_warning(&unfinished, 12, &RuleSettings::default()),
            None
        );
    }
}
