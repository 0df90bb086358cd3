//! The share of members present who spoke. Guideline 42 gives full marks above 50 %.

use std::collections::HashSet;

use super::{Warning, WarningCode};
use crate::labels::format_percent;
use crate::model::{MeetingRecord, Speaker};

/// Above this share of members present speaking, the meeting earns full marks.
pub const SPEAKING_FULL_MARKS_PERCENT: f64 = 50.0;

/// (distinct members present who spoke, members present). Guests don't count, and a
/// speech by someone not marked present cannot raise the share above 100 %.
fn speaker_counts(record: &MeetingRecord) -> (u32, u32) {
    let present: HashSet<&str> = record
        .roll_call
        .iter()
        .filter(|e| e.attendance.is_present())
        .map(|e| e.member_id.as_str())
        .collect();
    let speakers: HashSet<&str> = record
        .speeches
        .iter()
        .filter_map(|s| match &s.speaker {
            Speaker::Member { member_id } => Some(member_id.as_str()),
            Speaker::Guest { .. } => None,
        })
        .filter(|id| present.contains(id))
        .collect();
    (speakers.len() as u32, present.len() as u32)
}

/// None when nobody is present.
pub fn speaking_share_percent(record: &MeetingRecord) -> Option<f64> {
    let (speakers, present) = speaker_counts(record);
    super::percent_of(speakers, present)
}

/// FewSpeakers when no more than half of the members present spoke.
pub fn speaking_warning(record: &MeetingRecord) -> Option<Warning> {
    let (speakers, present) = speaker_counts(record);
    let share = speaking_share_percent(record)?;
    (share <= SPEAKING_FULL_MARKS_PERCENT).then(|| {
        Warning::new(
            WarningCode::FewSpeakers,
            format!(
                "Chỉ {speakers}/{present} đảng viên có mặt phát biểu ({}), chưa quá {}",
                format_percent(share),
                format_percent(SPEAKING_FULL_MARKS_PERCENT)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attendance, MeetingRecord, Speech};
    use crate::rules::test_support::*;

    fn speech(n: u32, speaker: Speaker) -> Speech {
        Speech {
            id: id(400 + n),
            speaker,
            gist: "Đề nghị sửa đường ống nước".into(),
        }
    }

    fn by_member(n: u32) -> Speaker {
        Speaker::Member { member_id: id(n) }
    }

    fn record_with_speakers(speakers: &[Speaker]) -> MeetingRecord {
        let roster = full_members(10);
        let mut record = MeetingRecord::new(meeting(95));
        record.roll_call = everyone_present(&roster);
        mark(&mut record.roll_call, &id(9), Attendance::Late);
        mark(&mut record.roll_call, &id(10), Attendance::AbsentExcused);
        record.speeches = (1..)
            .zip(speakers)
            .map(|(n, s)| speech(n, s.clone()))
            .collect();
        record
    }

    #[test]
    fn distinct_members_present_over_members_present() {
        // 9 present (one late); members 1 and 2 speak twice each, 9 once; a guest and
        // the absent member 10 do not count.
        let record = record_with_speakers(&[
            by_member(1),
            by_member(2),
            by_member(1),
            by_member(2),
            by_member(9),
            by_member(10),
            Speaker::Guest {
                name: "Hoàng Văn Thắng".into(),
            },
        ]);
        let share = speaking_share_percent(&record).unwrap();
        assert_eq!(format_percent(share), "33,3%");
        assert_eq!(
            speaking_warning(&record),
            Some(Warning::new(
                WarningCode::FewSpeakers,
                "Chỉ 3/9 đảng viên có mặt phát biểu (33,3%), chưa quá 50%"
            ))
        );
    }

    #[test]
    fn more_than_half_speaking_is_not_warned() {
        let record = record_with_speakers(&(1..=5).map(by_member).collect::<Vec<_>>());
        assert_eq!(
            format_percent(speaking_share_percent(&record).unwrap()),
            "55,6%"
        );
        assert_eq!(speaking_warning(&record), None);
    }

    #[test]
    fn nobody_present_means_no_share() {
        let record = MeetingRecord::new(meeting(95));
        assert_eq!(speaking_share_percent(&record), None);
        assert_eq!(speaking_warning(&record), None);
    }
}
