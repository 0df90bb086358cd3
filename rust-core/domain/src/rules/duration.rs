//! The minimum length of a meeting: 90 minutes; 120 when a regular and a thematic part
//! are combined or the cell has 30 or more members; the commune may allow small cells less.

use super::{RuleSettings, Warning, WarningCode};
use crate::error::ValidationError;
use crate::model::{Meeting, MeetingKind};

const STANDARD_MINUTES: u32 = 90;
const LONG_MINUTES: u32 = 120;
/// From this many members a cell meets for the longer time.
const LARGE_CELL_MEMBERS: u32 = 30;
/// The least a commune may let its small cells meet for.
const MIN_SMALL_CELL_MINUTES: u32 = 30;

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

/// Which small cells a commune may let meet for less, and for how little: a small cell
/// has at most [`LARGE_CELL_MEMBERS`]` - 1` members, and meets for at least half an hour
/// and no more than the standard 90 minutes.
pub fn validate_rule_settings(settings: &RuleSettings) -> Result<(), ValidationError> {
    let in_range = |field, given: u32, min: u32, max: u32| {
        if (min..=max).contains(&given) {
            Ok(())
        } else {
            Err(ValidationError::OutOfRange {
                field,
                given: i64::from(given),
                min: i64::from(min),
                max: i64::from(max),
            })
        }
    };
    in_range(
        "Số đảng viên tối đa của chi bộ nhỏ",
        settings.small_cell_max_members,
        1,
        LARGE_CELL_MEMBERS - 1,
    )?;
    if let Some(minutes) = settings.small_cell_min_minutes {
        in_range(
            "Thời gian sinh hoạt tối thiểu của chi bộ nhỏ (phút)",
            minutes,
            MIN_SMALL_CELL_MINUTES,
            STANDARD_MINUTES,
        )?;
    }
    Ok(())
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
    fn a_commune_sets_small_cells_within_bounds() {
        let ok = |max, minutes| {
            validate_rule_settings(&RuleSettings {
                small_cell_max_members: max,
                small_cell_min_minutes: minutes,
            })
        };
        assert_eq!(ok(9, Some(60)), Ok(()));
        assert_eq!(ok(29, None), Ok(()));
        assert!(ok(0, Some(60)).is_err());
        assert!(ok(30, Some(60)).is_err());
        let too_short = ok(9, Some(10)).unwrap_err();
        assert_eq!(
            too_short.to_string(),
            "Thời gian sinh hoạt tối thiểu của chi bộ nhỏ (phút) phải từ 30 đến 90 (đã nhập 10)"
        );
        assert!(ok(9, Some(91)).is_err());
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
