//! What cannot be stored. Shortfalls against the guidance are warnings elsewhere; these
//! are records that would be wrong or unreadable (unknown people, reversed times, scores
//! above their maximum, edits to signed minutes).

use std::collections::HashSet;

use super::{member_name, Warning, WarningCode};
use crate::error::ValidationError;
use crate::labels::format_date_time;
use crate::model::{
    is_valid_id, Attendance, JudgedScores, Meeting, MeetingPlace, MeetingRecord, MeetingStatus,
    Member, MemberStatus, RollCallEntry, Speaker, Task,
};

/// A member found by id must belong to the cell whose record mentions them.
pub fn check_member_in_cell(
    member_id: &str,
    cell_id: &str,
    found: Option<&Member>,
) -> Result<(), ValidationError> {
    match found {
        None => Err(ValidationError::UnknownMember {
            member_id: member_id.to_string(),
        }),
        Some(member) if member.cell_id != cell_id => Err(ValidationError::MemberOfAnotherCell {
            member_id: member_id.to_string(),
            member_name: member.full_name.clone(),
        }),
        Some(_) => Ok(()),
    }
}

pub fn validate_meeting_times(meeting: &Meeting) -> Result<(), ValidationError> {
    match (meeting.actual_start, meeting.actual_end) {
        (Some(start), Some(end)) if end < start => Err(ValidationError::EndBeforeStart {
            start: format_date_time(start),
            end: format_date_time(end),
        }),
        _ => Ok(()),
    }
}

pub fn validate_judged_scores(scores: &JudgedScores) -> Result<(), ValidationError> {
    match scores
        .parts()
        .into_iter()
        .find(|(_, given, max)| given > max)
    {
        Some((part, given, max)) => Err(ValidationError::ScoreAboveMaximum { part, given, max }),
        None => Ok(()),
    }
}

/// Signed minutes are kept as they are; a correction is a new revision.
pub fn ensure_editable(meeting: &Meeting) -> Result<(), ValidationError> {
    if meeting.is_frozen() {
        return Err(ValidationError::MeetingFrozen {
            meeting_id: meeting.id.clone(),
        });
    }
    Ok(())
}

/// The minutes need a roll call and both signers before they are signed.
pub fn validate_for_signing(record: &MeetingRecord) -> Result<(), ValidationError> {
    if record.roll_call.is_empty() {
        return Err(ValidationError::EmptyRollCallOnSign);
    }
    if record.meeting.chair_id.is_none() {
        return Err(ValidationError::MissingSigner { role: "chủ trì" });
    }
    if record.meeting.minute_taker_id.is_none() {
        return Err(ValidationError::MissingSigner { role: "thư ký" });
    }
    validate_meeting_times(&record.meeting)
}

/// The status a meeting takes after something is recorded in it.
pub fn status_after_edit(meeting: &Meeting) -> MeetingStatus {
    match meeting.status {
        MeetingStatus::Signed => MeetingStatus::Signed,
        _ if meeting.actual_end.is_some() => MeetingStatus::Recorded,
        _ => MeetingStatus::InProgress,
    }
}

/// Every id is a UUID.
pub fn valid_id(text: &str) -> Result<(), ValidationError> {
    if is_valid_id(text) {
        Ok(())
    } else {
        Err(ValidationError::InvalidId {
            text: text.to_string(),
        })
    }
}

/// A required text, with something in it besides spaces.
pub fn not_blank(text: &str, field: &'static str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        Err(ValidationError::EmptyField { field })
    } else {
        Ok(())
    }
}

/// The whole record of a meeting, checked against the cell's roster and the tasks set at
/// the previous meeting.
pub fn validate_record(
    record: &MeetingRecord,
    roster: &[Member],
    previous_tasks: &[Task],
) -> Result<(), ValidationError> {
    let meeting = &record.meeting;
    let in_cell = |member_id: &str| {
        valid_id(member_id)?;
        let found = roster.iter().find(|m| m.id == member_id);
        check_member_in_cell(member_id, &meeting.cell_id, found)
    };

    valid_id(&meeting.id)?;
    valid_id(&meeting.cell_id)?;
    if let Some(original) = &meeting.revision_of {
        valid_id(original)?;
    }
    for signer in [&meeting.chair_id, &meeting.minute_taker_id]
        .into_iter()
        .flatten()
    {
        in_cell(signer)?;
    }

    let mut called = HashSet::new();
    for entry in &record.roll_call {
        in_cell(&entry.member_id)?;
        if !called.insert(entry.member_id.as_str()) {
            return Err(ValidationError::DuplicateRollCall {
                member_id: entry.member_id.clone(),
                member_name: member_name(roster, &entry.member_id),
            });
        }
    }

    for speech in &record.speeches {
        valid_id(&speech.id)?;
        if let Speaker::Member { member_id } = &speech.speaker {
            in_cell(member_id)?;
        }
        not_blank(&speech.gist, "nội dung ý kiến phát biểu")?;
    }
    for review in &record.task_reviews {
        valid_id(&review.task_id)?;
        if !previous_tasks.iter().any(|t| t.id == review.task_id) {
            return Err(ValidationError::UnknownTask {
                task_id: review.task_id.clone(),
            });
        }
    }
    for task in &record.tasks {
        valid_id(&task.id)?;
        in_cell(&task.assignee_id)?;
        not_blank(&task.description, "nội dung nhiệm vụ")?;
    }
    for vote in &record.votes {
        valid_id(&vote.id)?;
        not_blank(&vote.question, "nội dung biểu quyết")?;
    }
    for petition in &record.petitions {
        valid_id(&petition.id)?;
        not_blank(&petition.content, "nội dung kiến nghị")?;
    }

    validate_meeting_times(meeting)?;
    if let Some(scores) = &meeting.secretary_judgement {
        validate_judged_scores(scores)?;
    }
    Ok(())
}

/// StatusMismatch when a roll-call mark contradicts the member's standing status, so
/// the secretary either corrects the mark or records the new status.
pub fn status_mismatch_warnings(roster: &[Member], roll_call: &[RollCallEntry]) -> Vec<Warning> {
    roll_call
        .iter()
        .filter_map(|entry| {
            let member = roster.iter().find(|m| m.id == entry.member_id)?;
            let name = &member.full_name;
            let message = match (entry.attendance, member.status) {
                (Attendance::Exempt, status) if status != MemberStatus::Exempt => format!(
                    "Đồng chí {name} được điểm danh là miễn sinh hoạt nhưng chưa có quyết định \
                     miễn sinh hoạt"
                ),
                (Attendance::AttachedElsewhere, status)
                    if status != MemberStatus::AttachedElsewhere =>
                {
                    format!(
                        "Đồng chí {name} được điểm danh là sinh hoạt nơi khác nhưng chưa được \
                         ghi nhận sinh hoạt tạm thời nơi khác"
                    )
                }
                (mark, MemberStatus::Exempt) if mark.is_absent() => format!(
                    "Đồng chí {name} được miễn sinh hoạt nhưng bị điểm danh vắng; nên điểm danh \
                     là miễn sinh hoạt"
                ),
                (mark, MemberStatus::AttachedElsewhere) if mark.is_absent() => format!(
                    "Đồng chí {name} đang sinh hoạt tạm thời nơi khác nhưng bị điểm danh vắng; \
                     nên điểm danh là sinh hoạt nơi khác"
                ),
                _ => return None,
            };
            Some(Warning::new(WarningCode::StatusMismatch, message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        MeetingKind, MembershipKind, Petition, PetitionCategory, PetitionStatus, Speech,
        TaskOutcome, TaskReview, VoteKind, VoteTally,
    };
    use crate::rules::test_support::*;
    use crate::time::CalendarDate;

    fn task(n: u32, assignee: u32) -> Task {
        Task {
            id: id(200 + n),
            description: "Vận động nhân dân làm đường bê tông".into(),
            assignee_id: id(assignee),
            deadline: CalendarDate::from_ymd(2026, 11, 20).unwrap(),
        }
    }

    /// A complete, valid record of a cell of 5 with last month's task 1 reviewed.
    fn valid() -> (MeetingRecord, Vec<Member>, Vec<Task>) {
        let roster = full_members(5);
        let mut record = MeetingRecord::new(meeting(95));
        record.meeting.chair_id = Some(id(1));
        record.meeting.minute_taker_id = Some(id(2));
        record.roll_call = everyone_present(&roster);
        record.speeches = vec![Speech {
            id: id(401),
            speaker: Speaker::Member { member_id: id(3) },
            gist: "Đề nghị sửa đường ống nước".into(),
        }];
        record.task_reviews = vec![TaskReview {
            task_id: id(201),
            outcome: TaskOutcome::Done,
            note: None,
        }];
        record.tasks = vec![task(2, 4)];
        record.votes = vec![VoteTally {
            id: id(301),
            question: "Thông qua nghị quyết tháng 10".into(),
            kind: VoteKind::Ordinary,
            in_favor: 5,
            against: 0,
            abstain: 0,
        }];
        record.petitions = vec![Petition {
            id: id(501),
            cell_id: CELL_ID.into(),
            meeting_id: Some(id(7000)),
            content: "Đường ống nước đầu bản bị vỡ".into(),
            category: PetitionCategory::Infrastructure,
            raised_by: "Đảng viên 3".into(),
            status: PetitionStatus::Raised,
            raised_at: at(2026, 10, 24, 20, 0),
        }];
        (record, roster, vec![task(1, 2)])
    }

    #[test]
    fn a_complete_record_is_valid() {
        let (record, roster, previous) = valid();
        assert_eq!(validate_record(&record, &roster, &previous), Ok(()));
        assert_eq!(validate_for_signing(&record), Ok(()));
    }

    #[test]
    fn members_must_belong_to_the_cell() {
        let stranger = member(99, MembershipKind::Full, MemberStatus::Active);
        assert_eq!(
            check_member_in_cell(&id(99), CELL_ID, None),
            Err(ValidationError::UnknownMember { member_id: id(99) })
        );
        let mut elsewhere = stranger.clone();
        elsewhere.cell_id = id(8888);
        assert_eq!(
            check_member_in_cell(&id(99), CELL_ID, Some(&elsewhere)),
            Err(ValidationError::MemberOfAnotherCell {
                member_id: id(99),
                member_name: "Đảng viên 99".into()
            })
        );
        assert_eq!(
            check_member_in_cell(&id(99), CELL_ID, Some(&stranger)),
            Ok(())
        );
    }

    #[test]
    fn the_record_refers_only_to_known_people_and_tasks() {
        let (record, roster, previous) = valid();
        let unknown = Err(ValidationError::UnknownMember { member_id: id(99) });

        let mut r = record.clone();
        r.roll_call.push(entry(&id(99), Attendance::Present));
        assert_eq!(validate_record(&r, &roster, &previous), unknown);

        let mut r = record.clone();
        r.meeting.chair_id = Some(id(99));
        assert_eq!(validate_record(&r, &roster, &previous), unknown);

        let mut r = record.clone();
        r.tasks[0].assignee_id = id(99);
        assert_eq!(validate_record(&r, &roster, &previous), unknown);

        let mut r = record.clone();
        r.speeches[0].speaker = Speaker::Member { member_id: id(99) };
        assert_eq!(validate_record(&r, &roster, &previous), unknown);

        let mut r = record.clone();
        r.speeches[0].speaker = Speaker::Guest {
            name: "Hoàng Văn Thắng".into(),
        };
        assert_eq!(validate_record(&r, &roster, &previous), Ok(()));

        assert_eq!(
            validate_record(&record, &roster, &[]),
            Err(ValidationError::UnknownTask { task_id: id(201) })
        );
    }

    #[test]
    fn ids_must_be_uuids_and_roll_calls_unique() {
        let (record, roster, previous) = valid();
        let mut r = record.clone();
        r.votes[0].id = "phieu-1".into();
        assert_eq!(
            validate_record(&r, &roster, &previous),
            Err(ValidationError::InvalidId {
                text: "phieu-1".into()
            })
        );

        let mut r = record.clone();
        r.roll_call.push(entry(&id(2), Attendance::Late));
        assert_eq!(
            validate_record(&r, &roster, &previous),
            Err(ValidationError::DuplicateRollCall {
                member_id: id(2),
                member_name: "Đảng viên 2".into()
            })
        );
    }

    #[test]
    fn texts_must_not_be_blank() {
        let (record, roster, previous) = valid();
        let blank = |field| Err(ValidationError::EmptyField { field });

        let mut r = record.clone();
        r.speeches[0].gist = "  ".into();
        assert_eq!(
            validate_record(&r, &roster, &previous),
            blank("nội dung ý kiến phát biểu")
        );
        let mut r = record.clone();
        r.tasks[0].description.clear();
        assert_eq!(
            validate_record(&r, &roster, &previous),
            blank("nội dung nhiệm vụ")
        );
        let mut r = record.clone();
        r.votes[0].question.clear();
        assert_eq!(
            validate_record(&r, &roster, &previous),
            blank("nội dung biểu quyết")
        );
        let mut r = record.clone();
        r.petitions[0].content = "\n".into();
        assert_eq!(
            validate_record(&r, &roster, &previous),
            blank("nội dung kiến nghị")
        );
    }

    #[test]
    fn an_end_before_the_start_is_refused_with_local_times() {
        let mut m = meeting(95);
        m.actual_end = Some(at(2026, 10, 24, 19, 0));
        let expected = Err(ValidationError::EndBeforeStart {
            start: "19:30 24/10/2026".into(),
            end: "19:00 24/10/2026".into(),
        });
        assert_eq!(validate_meeting_times(&m), expected);
        let (mut record, roster, previous) = valid();
        record.meeting.actual_end = m.actual_end;
        assert_eq!(validate_record(&record, &roster, &previous), expected);
        assert_eq!(validate_for_signing(&record), expected);
    }

    #[test]
    fn judged_scores_stay_within_their_maxima() {
        let scores = JudgedScores {
            chairing: 10,
            content_prepared: 4,
            ..Default::default()
        };
        assert_eq!(
            validate_judged_scores(&scores),
            Err(ValidationError::ScoreAboveMaximum {
                part: "Chuẩn bị nội dung",
                given: 4,
                max: 3
            })
        );
        let (mut record, roster, previous) = valid();
        record.meeting.secretary_judgement = Some(scores);
        assert!(validate_record(&record, &roster, &previous).is_err());
        assert_eq!(validate_judged_scores(&JudgedScores::default()), Ok(()));
    }

    #[test]
    fn signing_needs_a_roll_call_and_both_signers() {
        let (record, _, _) = valid();
        let mut r = record.clone();
        r.roll_call.clear();
        assert_eq!(
            validate_for_signing(&r),
            Err(ValidationError::EmptyRollCallOnSign)
        );
        let mut r = record.clone();
        r.meeting.chair_id = None;
        assert_eq!(
            validate_for_signing(&r),
            Err(ValidationError::MissingSigner { role: "chủ trì" })
        );
        let mut r = record.clone();
        r.meeting.minute_taker_id = None;
        assert_eq!(
            validate_for_signing(&r),
            Err(ValidationError::MissingSigner { role: "thư ký" })
        );
    }

    #[test]
    fn signed_meetings_are_frozen() {
        let mut m = meeting(95);
        assert_eq!(ensure_editable(&m), Ok(()));
        m.status = MeetingStatus::Signed;
        assert_eq!(
            ensure_editable(&m),
            Err(ValidationError::MeetingFrozen {
                meeting_id: id(7000)
            })
        );
    }

    #[test]
    fn the_status_follows_what_is_recorded() {
        let mut m = Meeting::planned(id(7000), CELL_ID.into(), MeetingKind::Regular, 0, "".into());
        assert_eq!(status_after_edit(&m), MeetingStatus::InProgress);
        m.actual_start = Some(at(2026, 10, 24, 19, 30));
        assert_eq!(status_after_edit(&m), MeetingStatus::InProgress);
        m.actual_end = Some(at(2026, 10, 24, 21, 5));
        assert_eq!(status_after_edit(&m), MeetingStatus::Recorded);
        m.status = MeetingStatus::Signed;
        assert_eq!(status_after_edit(&m), MeetingStatus::Signed);
    }

    #[test]
    fn marks_that_contradict_the_members_status_are_warned() {
        let mut roster = full_members(4);
        roster[1].status = MemberStatus::Exempt;
        roster[2].status = MemberStatus::AttachedElsewhere;
        let roll_call = vec![
            entry(&id(1), Attendance::Exempt),
            entry(&id(2), Attendance::AbsentExcused),
            entry(&id(3), Attendance::AbsentUnexcused),
            entry(&id(4), Attendance::Present),
        ];
        let messages: Vec<String> = status_mismatch_warnings(&roster, &roll_call)
            .into_iter()
            .inspect(|w| assert_eq!(w.code, WarningCode::StatusMismatch))
            .map(|w| w.message)
            .collect();
        assert_eq!(
            messages,
            vec![
                "Đồng chí Đảng viên 1 được điểm danh là miễn sinh hoạt nhưng chưa có quyết \
                 định miễn sinh hoạt",
                "Đồng chí Đảng viên 2 được miễn sinh hoạt nhưng bị điểm danh vắng; nên điểm \
                 danh là miễn sinh hoạt",
                "Đồng chí Đảng viên 3 đang sinh hoạt tạm thời nơi khác nhưng bị điểm danh \
                 vắng; nên điểm danh là sinh hoạt nơi khác",
            ]
        );
        // An exempt member who comes anyway is welcome, not a mismatch.
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(2), Attendance::Present);
        assert!(status_mismatch_warnings(&roster, &roll_call).is_empty());
    }
}

/// The widest circle a meeting place may claim around its point: a village hall and its
/// yard, not the village. The check-in's distance check never allows more, whatever a
/// record says, so a cell cannot widen it to let a cadre check in from home.
pub const MAX_MEETING_RADIUS_M: f64 = 500.0;

/// A registered place with real coordinates (a NaN would make every distance check pass)
/// and a radius no wider than [`MAX_MEETING_RADIUS_M`].
pub fn validate_meeting_place(place: &MeetingPlace) -> Result<(), ValidationError> {
    let in_range = |value: f64, limit: f64| value.is_finite() && value.abs() <= limit;
    if !in_range(place.latitude, 90.0) || !in_range(place.longitude, 180.0) {
        return Err(ValidationError::InvalidNumber {
            field: "tọa độ điểm họp",
        });
    }
    if !(place.radius_m.is_finite() && place.radius_m > 0.0) {
        return Err(ValidationError::InvalidNumber {
            field: "bán kính điểm họp",
        });
    }
    if place.radius_m > MAX_MEETING_RADIUS_M {
        return Err(ValidationError::RadiusTooLarge {
            given: crate::checkin::format::vi_distance(place.radius_m),
            max: crate::checkin::format::vi_distance(MAX_MEETING_RADIUS_M),
        });
    }
    Ok(())
}

#[cfg(test)]
mod place_tests {
    use super::*;

    #[test]
    fn a_place_without_real_coordinates_or_radius_is_refused() {
        let place = MeetingPlace {
            label: "Nhà văn hóa".into(),
            latitude: 21.8,
            longitude: 104.2,
            radius_m: 150.0,
        };
        assert_eq!(validate_meeting_place(&place), Ok(()));
        let nan = MeetingPlace {
            latitude: f64::NAN,
            ..place.clone()
        };
        assert!(matches!(
            validate_meeting_place(&nan),
            Err(ValidationError::InvalidNumber { .. })
        ));
        let no_radius = MeetingPlace {
            radius_m: 0.0,
            ..place
        };
        assert!(matches!(
            validate_meeting_place(&no_radius),
            Err(ValidationError::InvalidNumber { .. })
        ));
    }
}
