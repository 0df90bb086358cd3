//! The quality score of Guideline 42: 100 points in eight groups. The app computes what
//! the record shows; people judge the rest (see [`JudgedScores`]).

use serde::{Deserialize, Serialize};

use super::good_meeting::has_long_excused_absence_run;
use super::{
    missing_minutes_fields, required_minutes, speaking_share_percent, summarize_attendance,
    task_results, MeetingContext, Warning, WarningCode,
};
use crate::labels::{format_date_time, JudgedPart, Label, ScoreGroup};
use crate::model::{JudgedScores, Meeting};
use crate::time::EpochMillis;

const HOUR_MS: EpochMillis = 3_600_000;
/// Documents reach members at least a day before the meeting.
const DOCUMENTS_LEAD_MS: EpochMillis = 24 * HOUR_MS;
/// The final resolution reaches the commune within two days after the meeting.
const FINAL_DOCUMENTS_WITHIN_MS: EpochMillis = 48 * HOUR_MS;

/// Xếp loại: Tốt ≥ 90, Khá 70–89, Trung bình 50–69, Kém < 50.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum QualityGrade {
    Good,
    Fair,
    Average,
    Poor,
}

pub fn grade_for(total: u32) -> QualityGrade {
    match total {
        90.. => QualityGrade::Good,
        70..=89 => QualityGrade::Fair,
        50..=69 => QualityGrade::Average,
        _ => QualityGrade::Poor,
    }
}

/// One line of the score sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QualityItem {
    /// What earns the points, in Vietnamese.
    pub criterion: String,
    /// The group of the guideline's table, e.g. "Chuẩn bị".
    pub group: String,
    pub points: u32,
    pub max: u32,
    /// Computed from the record rather than judged by people.
    pub computed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QualityScore {
    /// In the order of the guideline's table.
    pub items: Vec<QualityItem>,
    pub total: u32,
    pub grade: QualityGrade,
    /// Whether someone has scored the judged parts; if not they count 0.
    pub judged_entered: bool,
}

fn computed(group: ScoreGroup, criterion: impl Into<String>, points: u32, max: u32) -> QualityItem {
    QualityItem {
        criterion: criterion.into(),
        group: group.label().to_string(),
        points,
        max,
        computed: true,
    }
}

/// 4 at ≥ 90 %, 3 at 75–90, 2 at 65–75, 1 below or with any unexcused absence.
fn attendance_points(rate_percent: Option<f64>, any_unexcused: bool) -> u32 {
    match rate_percent {
        _ if any_unexcused => 1,
        Some(rate) if rate >= 90.0 => 4,
        Some(rate) if rate >= 75.0 => 3,
        Some(rate) if rate >= 65.0 => 2,
        _ => 1,
    }
}

/// 5 above 50 % of members present speaking, 4 at 40–50, 3 at 30–40, 2 below.
fn speaking_points(share_percent: Option<f64>) -> u32 {
    match share_percent {
        Some(share) if share > 50.0 => 5,
        Some(share) if share >= 40.0 => 4,
        Some(share) if share >= 30.0 => 3,
        _ => 2,
    }
}

/// 30 at ≥ 90 % of last month's tasks done, then 25, 20, 15, and 10 below 50 %.
fn task_points(done_share_percent: f64) -> u32 {
    match done_share_percent {
        s if s >= 90.0 => 30,
        s if s >= 80.0 => 25,
        s if s >= 70.0 => 20,
        s if s >= 50.0 => 15,
        _ => 10,
    }
}

/// Documents reached members at least a day before the (actual or planned) start.
pub(crate) fn documents_on_time(meeting: &Meeting) -> bool {
    let start = meeting.actual_start.unwrap_or(meeting.planned_start);
    meeting
        .preparation
        .documents_sent_at
        .is_some_and(|sent| sent <= start - DOCUMENTS_LEAD_MS)
}

/// The latest moment the final resolution may reach the commune, once the meeting ended.
pub(crate) fn final_documents_deadline(meeting: &Meeting) -> Option<EpochMillis> {
    meeting
        .actual_end
        .map(|end| end + FINAL_DOCUMENTS_WITHIN_MS)
}

/// NoticeMissing, LateDocuments and LateFinalDocuments: the preparation and follow-up
/// deadlines the record can show.
pub fn notice_and_document_warnings(meeting: &Meeting) -> Vec<Warning> {
    let preparation = &meeting.preparation;
    let mut warnings = Vec::new();
    let not_notified = match (
        preparation.notice_sent_to_members,
        preparation.notice_sent_to_cadre,
    ) {
        (true, true) => None,
        (false, true) => Some("đảng viên"),
        (true, false) => Some("cấp ủy viên cấp trên phụ trách"),
        (false, false) => Some("đảng viên và cấp ủy viên cấp trên phụ trách"),
    };
    if let Some(whom) = not_notified {
        warnings.push(Warning::new(
            WarningCode::NoticeMissing,
            format!("Chưa ghi nhận việc thông báo thời gian, địa điểm, nội dung họp cho {whom}"),
        ));
    }
    if !documents_on_time(meeting) {
        let message = match preparation.documents_sent_at {
            Some(sent) => format!(
                "Tài liệu gửi đảng viên lúc {}, chưa đủ 1 ngày trước buổi họp",
                format_date_time(sent)
            ),
            None => "Chưa ghi nhận việc gửi tài liệu cho đảng viên trước buổi họp ít nhất 1 ngày"
                .to_string(),
        };
        warnings.push(Warning::new(WarningCode::LateDocuments, message));
    }
    if let Some(deadline) = final_documents_deadline(meeting) {
        let message = match meeting.final_documents_sent_at {
            Some(sent) if sent > deadline => Some(format!(
                "Nghị quyết gửi Đảng ủy xã lúc {}, quá hạn 2 ngày (hạn {})",
                format_date_time(sent),
                format_date_time(deadline)
            )),
            Some(_) => None,
            None => Some(format!(
                "Chưa gửi nghị quyết lên Đảng ủy xã; hạn chậm nhất {}",
                format_date_time(deadline)
            )),
        };
        if let Some(message) = message {
            warnings.push(Warning::new(WarningCode::LateFinalDocuments, message));
        }
    }
    warnings
}

fn final_documents_on_time(meeting: &Meeting) -> bool {
    match (
        meeting.final_documents_sent_at,
        final_documents_deadline(meeting),
    ) {
        (Some(sent), Some(deadline)) => sent <= deadline,
        _ => false,
    }
}

fn computed_items(ctx: &MeetingContext) -> Vec<QualityItem> {
    let record = ctx.record;
    let meeting = &record.meeting;
    let member_count = ctx.roster.len() as u32;
    let required = required_minutes(meeting.kind, member_count, ctx.settings);
    let attendance = summarize_attendance(ctx.roster, &record.roll_call);
    let preparation = &meeting.preparation;

    let long_enough = meeting
        .duration_minutes()
        .is_some_and(|minutes| minutes >= i64::from(required));
    let results = match task_results(ctx.previous_tasks, &record.task_reviews) {
        Some(results) => computed(
            ScoreGroup::Results,
            "Tỷ lệ nhiệm vụ tháng trước hoàn thành",
            task_points(results.done_share_percent),
            30,
        ),
        None => computed(
            ScoreGroup::Results,
            "Tỷ lệ nhiệm vụ tháng trước hoàn thành (tháng trước không giao nhiệm vụ, \
             không áp dụng)",
            30,
            30,
        ),
    };

    vec![
        computed(
            ScoreGroup::Time,
            format!("Thời gian sinh hoạt đủ {required} phút"),
            if long_enough { 5 } else { 0 },
            5,
        ),
        computed(
            ScoreGroup::Attendance,
            "Tỷ lệ đảng viên dự họp, không có đảng viên vắng không lý do",
            attendance_points(attendance.rate_percent, attendance.absent_unexcused > 0),
            4,
        ),
        computed(
            ScoreGroup::Attendance,
            "Không có đảng viên vắng có lý do quá 3 lần liên tiếp trong năm",
            if has_long_excused_absence_run(ctx) {
                0
            } else {
                1
            },
            1,
        ),
        computed(
            ScoreGroup::Preparation,
            "Thông báo cho đảng viên và cấp ủy viên cấp trên phụ trách",
            u32::from(preparation.notice_sent_to_members && preparation.notice_sent_to_cadre),
            1,
        ),
        computed(
            ScoreGroup::Preparation,
            "Gửi tài liệu trước ít nhất 1 ngày",
            if documents_on_time(meeting) { 2 } else { 0 },
            2,
        ),
        computed(
            ScoreGroup::Conduct,
            "Tỷ lệ đảng viên phát biểu",
            speaking_points(speaking_share_percent(record)),
            5,
        ),
        computed(
            ScoreGroup::Conduct,
            "Biên bản ghi đầy đủ",
            u32::from(missing_minutes_fields(record).is_empty()),
            1,
        ),
        results,
        computed(
            ScoreGroup::Closing,
            "Gửi nghị quyết lên Đảng ủy xã trong 2 ngày",
            u32::from(final_documents_on_time(meeting)),
            1,
        ),
    ]
}

fn judged_items(ctx: &MeetingContext, judged: Option<&JudgedScores>) -> Vec<QualityItem> {
    let has_thematic_part = ctx.record.meeting.kind.has_thematic_part();
    let scores = judged.cloned().unwrap_or_default();
    JudgedPart::ALL
        .into_iter()
        .map(|part| {
            let (name, max) = (part.label(), part.max());
            // Guideline 42 scores the thematic part only in the month it is held.
            if part == JudgedPart::ThematicPart && !has_thematic_part {
                return computed(
                    part.group(),
                    format!("{name} (tháng này không sinh hoạt chuyên đề, không áp dụng)"),
                    u32::from(max),
                    u32::from(max),
                );
            }
            QualityItem {
                criterion: name.to_string(),
                group: part.group().label().to_string(),
                points: u32::from(scores.points(part).min(max)),
                max: u32::from(max),
                computed: false,
            }
        })
        .collect()
}

pub fn quality_score(ctx: &MeetingContext, judged: Option<&JudgedScores>) -> QualityScore {
    let mut items = computed_items(ctx);
    items.extend(judged_items(ctx, judged));
    let rank = |item: &QualityItem| ScoreGroup::of_label(&item.group);
    items.sort_by_key(rank);
    let total = items.iter().map(|i| i.points).sum();
    QualityScore {
        items,
        total,
        grade: grade_for(total),
        judged_entered: judged.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attendance, MeetingKind, Speaker, Speech, TaskOutcome};
    use crate::rules::test_support::*;

    fn points_of(score: &QualityScore, criterion_start: &str) -> u32 {
        score
            .items
            .iter()
            .find(|i| i.criterion.starts_with(criterion_start))
            .unwrap_or_else(|| panic!("no item {criterion_start}"))
            .points
    }

    #[test]
    fn the_maxima_add_up_to_one_hundred_in_the_guideline_groups() {
        for kind in [MeetingKind::Regular, MeetingKind::RegularWithThematic] {
            let mut f = exemplary();
            f.record.meeting.kind = kind;
            let score = quality_score(&f.ctx(), None);
            assert_eq!(score.items.iter().map(|i| i.max).sum::<u32>(), 100);
            let group_max = |group: &str| -> u32 {
                score
                    .items
                    .iter()
                    .filter(|i| i.group == group)
                    .map(|i| i.max)
                    .sum()
            };
            let maxima: Vec<u32> = ScoreGroup::ALL
                .iter()
                .map(|g| group_max(g.label()))
                .collect();
            assert_eq!(maxima, vec![5, 5, 10, 30, 10, 5, 30, 5]);
        }
    }

    #[test]
    fn an_exemplary_meeting_with_full_judged_marks_scores_one_hundred() {
        let f = exemplary();
        let score = quality_score(&f.ctx(), Some(&full_judged_marks()));
        assert_eq!(score.total, 100);
        assert_eq!(score.grade, QualityGrade::Good);
        assert!(score.judged_entered);
    }

    #[test]
    fn without_judged_scores_only_the_computed_parts_count() {
        // 50 computed points, plus the thematic part's 5 as not applicable this month.
        let f = exemplary();
        let score = quality_score(&f.ctx(), None);
        assert_eq!(score.total, 55);
        assert_eq!(score.grade, QualityGrade::Average);
        assert!(!score.judged_entered);
        let thematic = score
            .items
            .iter()
            .find(|i| i.criterion.starts_with("Nội dung chuyên đề"))
            .unwrap();
        assert!(thematic.criterion.contains("không áp dụng"));
        assert_eq!(
            (thematic.points, thematic.group.as_str()),
            (5, ScoreGroup::Conduct.label())
        );
    }

    #[test]
    fn the_thematic_part_is_judged_in_the_month_it_is_held() {
        let mut f = exemplary();
        f.record.meeting.kind = MeetingKind::RegularWithThematic;
        f.record.meeting.actual_end = f.record.meeting.actual_start.map(|s| s + 120 * 60_000);
        let judged = JudgedScores {
            thematic_part: 3,
            ..full_judged_marks()
        };
        let score = quality_score(&f.ctx(), Some(&judged));
        assert_eq!(points_of(&score, "Nội dung chuyên đề"), 3);
        assert_eq!(score.total, 98);
    }

    #[test]
    fn time_needs_the_required_minutes() {
        let mut f = exemplary();
        assert_eq!(
            points_of(
                &quality_score(&f.ctx(), None),
                "Thời gian sinh hoạt đủ 90 phút"
            ),
            5
        );
        f.record.meeting.actual_end = f.record.meeting.actual_start.map(|s| s + 89 * 60_000);
        assert_eq!(
            points_of(&quality_score(&f.ctx(), None), "Thời gian sinh hoạt"),
            0
        );
        // A combined session of 95 minutes falls short of 120.
        let mut f = exemplary();
        f.record.meeting.kind = MeetingKind::RegularWithThematic;
        let score = quality_score(&f.ctx(), None);
        assert_eq!(points_of(&score, "Thời gian sinh hoạt đủ 120 phút"), 0);
    }

    #[test]
    fn attendance_bands() {
        assert_eq!(attendance_points(Some(90.0), false), 4);
        assert_eq!(attendance_points(Some(89.9), false), 3);
        assert_eq!(attendance_points(Some(75.0), false), 3);
        assert_eq!(attendance_points(Some(70.0), false), 2);
        assert_eq!(attendance_points(Some(65.0), false), 2);
        assert_eq!(attendance_points(Some(64.9), false), 1);
        assert_eq!(attendance_points(Some(100.0), true), 1);
        assert_eq!(attendance_points(None, false), 1);
    }

    #[test]
    fn one_unexcused_absence_drops_attendance_to_one_point() {
        let mut f = exemplary();
        mark(
            &mut f.record.roll_call,
            &id(10),
            Attendance::AbsentUnexcused,
        );
        let score = quality_score(&f.ctx(), None);
        assert_eq!(points_of(&score, "Tỷ lệ đảng viên dự họp"), 1);
    }

    #[test]
    fn a_long_run_of_excused_absences_loses_the_attendance_bonus() {
        let mut f = exemplary();
        f.earlier_this_year = (7..=9)
            .map(|month| {
                let mut entries = everyone_present(&f.roster);
                mark(&mut entries, &id(10), Attendance::AbsentExcused);
                past(month, month, entries)
            })
            .collect();
        let score = quality_score(&f.ctx(), None);
        assert_eq!(points_of(&score, "Không có đảng viên vắng có lý do"), 0);
    }

    #[test]
    fn speaking_bands() {
        assert_eq!(speaking_points(Some(50.1)), 5);
        assert_eq!(speaking_points(Some(50.0)), 4);
        assert_eq!(speaking_points(Some(40.0)), 4);
        assert_eq!(speaking_points(Some(39.9)), 3);
        assert_eq!(speaking_points(Some(30.0)), 3);
        assert_eq!(speaking_points(Some(29.9)), 2);
        assert_eq!(speaking_points(None), 2);
        // 3 of the 9 present: 33,3 %.
        let mut f = exemplary();
        f.record.speeches.truncate(3);
        f.record.speeches.push(Speech {
            id: id(499),
            speaker: Speaker::Guest {
                name: "Hoàng Văn Thắng".into(),
            },
            gist: "Biểu dương chi bộ".into(),
        });
        assert_eq!(
            points_of(&quality_score(&f.ctx(), None), "Tỷ lệ đảng viên phát biểu"),
            3
        );
    }

    #[test]
    fn task_result_bands() {
        let bands = [
            (100.0, 30),
            (90.0, 30),
            (89.9, 25),
            (80.0, 25),
            (75.0, 20),
            (70.0, 20),
        ];
        for (share, points) in bands.into_iter().chain([(50.0, 15), (49.9, 10), (0.0, 10)]) {
            assert_eq!(task_points(share), points, "{share}%");
        }
        // One of two tasks done, the other partly: 75 %.
        let mut f = exemplary();
        f.record.task_reviews[1].outcome = TaskOutcome::PartlyDone;
        assert_eq!(
            points_of(&quality_score(&f.ctx(), None), "Tỷ lệ nhiệm vụ"),
            20
        );
    }

    #[test]
    fn no_tasks_last_month_is_not_held_against_the_cell() {
        let mut f = exemplary();
        f.previous_tasks.clear();
        f.record.task_reviews.clear();
        let score = quality_score(&f.ctx(), None);
        let item = score
            .items
            .iter()
            .find(|i| i.group == ScoreGroup::Results.label())
            .unwrap();
        assert_eq!(item.points, 30);
        assert!(item.criterion.contains("không áp dụng"));
    }

    #[test]
    fn documents_a_full_day_ahead_and_the_resolution_within_two_days() {
        let mut f = exemplary();
        // The meeting starts 24/10 19:30.
        f.record.meeting.preparation.documents_sent_at = Some(at(2026, 10, 23, 19, 30));
        f.record.meeting.final_documents_sent_at = Some(at(2026, 10, 26, 21, 5));
        let score = quality_score(&f.ctx(), None);
        assert_eq!(points_of(&score, "Gửi tài liệu"), 2);
        assert_eq!(points_of(&score, "Gửi nghị quyết"), 1);

        f.record.meeting.preparation.documents_sent_at = Some(at(2026, 10, 23, 20, 0));
        f.record.meeting.final_documents_sent_at = Some(at(2026, 10, 26, 21, 6));
        let score = quality_score(&f.ctx(), None);
        assert_eq!(points_of(&score, "Gửi tài liệu"), 0);
        assert_eq!(points_of(&score, "Gửi nghị quyết"), 0);

        // Before the meeting starts the planned start is the reference.
        f.record.meeting.actual_start = None;
        f.record.meeting.planned_start = at(2026, 10, 25, 19, 30);
        assert!(documents_on_time(&f.record.meeting));
    }

    #[test]
    fn the_notice_must_reach_members_and_the_cadre() {
        let mut f = exemplary();
        f.record.meeting.preparation.notice_sent_to_cadre = false;
        assert_eq!(points_of(&quality_score(&f.ctx(), None), "Thông báo"), 0);
    }

    #[test]
    fn incomplete_minutes_lose_their_point() {
        let mut f = exemplary();
        f.record.meeting.conclusion = None;
        assert_eq!(
            points_of(&quality_score(&f.ctx(), None), "Biên bản ghi đầy đủ"),
            0
        );
    }

    #[test]
    fn preparation_and_follow_up_deadlines_are_warned() {
        let f = exemplary();
        assert!(notice_and_document_warnings(&f.record.meeting).is_empty());

        let mut m = f.record.meeting.clone();
        m.preparation.notice_sent_to_cadre = false;
        m.preparation.documents_sent_at = Some(at(2026, 10, 24, 8, 0));
        m.final_documents_sent_at = Some(at(2026, 10, 27, 8, 0));
        assert_eq!(
            notice_and_document_warnings(&m),
            vec![
                Warning::new(
                    WarningCode::NoticeMissing,
                    "Chưa ghi nhận việc thông báo thời gian, địa điểm, nội dung họp cho cấp ủy \
                     viên cấp trên phụ trách"
                ),
                Warning::new(
                    WarningCode::LateDocuments,
                    "Tài liệu gửi đảng viên lúc 08:00 24/10/2026, chưa đủ 1 ngày trước buổi họp"
                ),
                Warning::new(
                    WarningCode::LateFinalDocuments,
                    "Nghị quyết gửi Đảng ủy xã lúc 08:00 27/10/2026, quá hạn 2 ngày (hạn 21:05 \
                     26/10/2026)"
                ),
            ]
        );

        m.final_documents_sent_at = None;
        assert_eq!(
            notice_and_document_warnings(&m)
                .last()
                .map(|w| w.message.as_str()),
            Some("Chưa gửi nghị quyết lên Đảng ủy xã; hạn chậm nhất 21:05 26/10/2026")
        );
        // Before the meeting ends there is no deadline yet.
        m.actual_end = None;
        assert!(notice_and_document_warnings(&m)
            .iter()
            .all(|w| w.code != WarningCode::LateFinalDocuments));
    }

    #[test]
    fn grades_and_labels() {
        assert_eq!(grade_for(100), QualityGrade::Good);
        assert_eq!(grade_for(90), QualityGrade::Good);
        assert_eq!(grade_for(89), QualityGrade::Fair);
        assert_eq!(grade_for(70), QualityGrade::Fair);
        assert_eq!(grade_for(69), QualityGrade::Average);
        assert_eq!(grade_for(50), QualityGrade::Average);
        assert_eq!(grade_for(49), QualityGrade::Poor);
        let labels: Vec<&str> = [
            QualityGrade::Good,
            QualityGrade::Fair,
            QualityGrade::Average,
            QualityGrade::Poor,
        ]
        .map(|g| g.label())
        .to_vec();
        assert_eq!(labels, vec!["Tốt", "Khá", "Trung bình", "Kém"]);
    }
}
