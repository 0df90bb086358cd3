//! Earlier months of Xuân Hòa: who met when, who came, how the meeting scored, what
//! residents asked, which visits the cadres made. Deterministic for a given month list
//! (a hash of the cell and the month picks every variation), relative to the current
//! month so the dashboard's "this month" and its 12-month trends are always full.

use chibo_domain::time::{from_local, local_datetime};
use chibo_domain::*;
use chrono::{Datelike, Months, NaiveDate};

use crate::meetings::{MeetingDetails, PETITIONS};

/// A calendar month, Vietnam time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    /// 0 for the current month, 1 for last month, and so on.
    pub ago: u32,
}

impl Month {
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// "2026-11", the form the dashboard's `?month=` and the reports use.
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The current month and the `before` months before it, oldest first.
pub fn months_up_to(now: EpochMillis, before: u32) -> Vec<Month> {
    let today = local_datetime(now).date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    (0..=before)
        .rev()
        .map(|ago| {
            let d = first - Months::new(ago);
            Month {
                year: d.year(),
                month: d.month(),
                ago,
            }
        })
        .collect()
}

/// A small deterministic mix (splitmix64) of a few numbers.
pub fn mix(a: u64, b: u64, c: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(c.wrapping_mul(0x94D0_49BB_1331_11EB))
        .wrapping_add(0x2545_F491_4F6C_DD1D);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn month_seed(m: &Month) -> u64 {
    (m.year as u64) * 12 + m.month as u64
}

/// When cell `cell` met in `month`, or `None` if it did not (yet). Most cells meet
/// around the 24th in the evening (agencies and schools in the afternoon); about one
/// month in twenty a cell skips; in the current month a third of the cells already met
/// on an earlier day (the 1st at the earliest), the rest have not.
pub fn meeting_start(
    cell: usize,
    kind: CellKind,
    month: &Month,
    now: EpochMillis,
) -> Option<EpochMillis> {
    let h = mix(cell as u64, month_seed(month), 1);
    let hour = if kind == CellKind::Village { 19 } else { 14 };
    let day = if month.ago == 0 {
        let today = local_datetime(now).date().day();
        // From the 2nd on, so "this month" is never empty but on its very first day.
        if !cell.is_multiple_of(3) || today < 2 {
            return None;
        }
        1 + (h % (today as u64 - 1)) as u32
    } else {
        // Older months: one cell month in twenty is missed; last month every cell met.
        if month.ago >= 2 && h % 20 == 7 {
            return None;
        }
        22 + (h % 5) as u32
    };
    let date = month.first_day().with_day(day)?;
    let start = from_local(date.and_hms_opt(hour, 30, 0)?);
    // Never a meeting that has not ended yet.
    (start + 4 * 3_600_000 < now).then_some(start)
}

/// The grade band a meeting aims at: most cells score well, some fair, a few average
/// and the odd one poor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    Good,
    Fair,
    Average,
    Poor,
}

pub fn band(cell: usize, month: &Month) -> Band {
    match mix(cell as u64, month_seed(month), 2) % 20 {
        0..=10 => Band::Good,
        11..=15 => Band::Fair,
        16..=18 => Band::Average,
        _ => Band::Poor,
    }
}

/// Whether the member at `index` of cell `cell` is the cell's chronic absentee: gone
/// without a word for the last three months, approaching the removal line.
pub fn chronic_absentee(cell: usize, index: usize) -> bool {
    cell % 8 == 3 && index == 5
}

/// The meeting's details for cell `cell` in `month`.
pub fn details(cell: usize, roster: &[Member], month: &Month) -> MeetingDetails {
    let b = band(cell, month);
    let attendance = roster
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let h = mix(cell as u64 * 1000 + i as u64, month_seed(month), 3) % 100;
            match member.status {
                MemberStatus::Exempt => (Attendance::Exempt, None),
                MemberStatus::AttachedElsewhere => (Attendance::AttachedElsewhere, None),
                MemberStatus::WorkingAway => {
                    (Attendance::AbsentExcused, Some("Đi làm ăn xa".to_string()))
                }
                // The secretary and the deputy are always there.
                MemberStatus::Active if i < 2 => (Attendance::Present, None),
                MemberStatus::Active if chronic_absentee(cell, i) && month.ago <= 3 => {
                    (Attendance::AbsentUnexcused, None)
                }
                MemberStatus::Active => match h {
                    0..=3 => (Attendance::AbsentExcused, Some("Ốm".to_string())),
                    4..=5 => (
                        Attendance::AbsentExcused,
                        Some("Bận việc gia đình".to_string()),
                    ),
                    6 if b != Band::Good => (Attendance::AbsentUnexcused, None),
                    7..=10 => (Attendance::Late, None),
                    _ => (Attendance::Present, None),
                },
            }
        })
        .collect();
    let h = mix(cell as u64, month_seed(month), 4);
    let petitions = (0..(h % 3))
        .map(|k| {
            let (content, category) = PETITIONS[((h / 3 + k) % PETITIONS.len() as u64) as usize];
            (content.to_string(), category)
        })
        .collect();
    let (task_outcomes, scores) = match b {
        Band::Good => (vec![TaskOutcome::Done, TaskOutcome::Done], judged(0)),
        Band::Fair => (vec![TaskOutcome::Done, TaskOutcome::PartlyDone], judged(2)),
        Band::Average => (
            vec![TaskOutcome::PartlyDone, TaskOutcome::NotDone],
            judged(4),
        ),
        Band::Poor => (vec![TaskOutcome::NotDone, TaskOutcome::NotDone], judged(7)),
    };
    let big = roster.len() >= 30;
    MeetingDetails {
        attendance,
        minutes: if big { 125 } else { 95 + (h % 5) as i64 * 5 },
        task_outcomes,
        petitions,
        scores,
        conclusion: CONCLUSIONS[(month.month as usize + cell) % CONCLUSIONS.len()].to_string(),
        review_previous: true,
    }
}

const CONCLUSIONS: [&str; 4] = [
    "Chi bộ thống nhất tập trung chỉ đạo thu hoạch vụ mùa, bảo vệ rừng mùa khô và vận động \
     con em đi học đầy đủ.",
    "Chi bộ thống nhất đẩy mạnh chăm sóc cây chè, phòng chống dịch bệnh gia súc và giữ gìn \
     an ninh trật tự trong bản.",
    "Chi bộ thống nhất vận động nhân dân góp công làm đường nội bản và vệ sinh môi trường \
     khu dân cư.",
    "Chi bộ thống nhất rà soát hộ nghèo, hộ cận nghèo và chuẩn bị tổng kết công tác năm.",
];

/// The judged parts, `dip` points short of a full sheet (spread over the large parts).
pub fn judged(dip: u8) -> JudgedScores {
    let a = dip.min(3);
    let b = dip.saturating_sub(3).min(4);
    JudgedScores {
        content_prepared: 3 - a.min(1),
        orientation_and_draft: 2 - a.min(1),
        committee_premeeting: 2 - a.min(2),
        full_procedure: 5 - a,
        regular_content: 10 - a - b,
        thematic_part: 0,
        praise_and_criticism: 2 - b.min(2),
        ideology_time: 1,
        documents_posted: 1 - b.min(1),
        chairing: 10 - a - b,
        principles: 5 - b.min(3),
        conclusion_adopted: 2,
        minutes_adopted_and_tasks: 2 - b.min(1),
    }
}

/// Whether the cadre visited the meeting, and whether the check-in was made from too
/// far away (the office has to review it). Most visits are made; a few are missed.
pub fn visit(cadre: usize, cell: usize, month: &Month) -> Option<bool> {
    let h = mix(cadre as u64 * 100 + cell as u64, month_seed(month), 5) % 100;
    match h {
        0..=9 => None,
        10..=17 => Some(true),
        _ => Some(false),
    }
}

/// What the office did with a petition raised `ago` months ago (0 = this month).
pub fn petition_outcome(ago: u32, n: usize) -> Vec<PetitionStatus> {
    let h = mix(n as u64, ago as u64, 6) % 100;
    use PetitionStatus::*;
    match (ago, h) {
        (0, _) => vec![],
        (1, 0..=39) => vec![],
        (1, 40..=79) => vec![Answered],
        (1, _) => vec![Forwarded],
        (_, 0..=9) => vec![],
        (_, 10..=19) => vec![Forwarded, Answered],
        (_, 20..=49) => vec![Answered],
        (_, 50..=89) => vec![Answered, Resolved],
        (_, _) => vec![Declined],
    }
}

/// The office's words for each step.
pub fn response_text(status: PetitionStatus, category: PetitionCategory) -> String {
    match status {
        PetitionStatus::Forwarded => {
            "Văn phòng Đảng ủy đã chuyển kiến nghị đến Ủy ban nhân dân xã xem xét, giải quyết."
                .to_string()
        }
        PetitionStatus::Answered => match category {
            PetitionCategory::Infrastructure => {
                "Ủy ban nhân dân xã đã ghi kế hoạch hỗ trợ vật tư trong quý tới; nhân dân góp \
                 công."
            }
            PetitionCategory::Land => {
                "Cán bộ địa chính xã sẽ xuống đo đạc, làm việc với hai bản trong tháng."
            }
            PetitionCategory::SecurityOrder => {
                "Công an xã đã bố trí tổ tuần tra phối hợp với lực lượng dân quân."
            }
            PetitionCategory::Environment => {
                "Xã đã giao hợp tác xã bố trí điểm thu gom và lịch thu gom hằng tuần."
            }
            PetitionCategory::Livelihood => {
                "Xã đã đăng ký lớp dạy nghề với Trung tâm giáo dục nghề nghiệp huyện."
            }
            _ => "Xã đã rà soát và lập danh sách đề nghị huyện hỗ trợ theo quy định.",
        }
        .to_string(),
        PetitionStatus::Resolved => "Đã thực hiện xong; chi bộ xác nhận với nhân dân.".to_string(),
        PetitionStatus::Declined => {
            "Nội dung không thuộc thẩm quyền của xã; đề nghị chi bộ hướng dẫn nhân dân gửi \
             cơ quan có thẩm quyền."
                .to_string()
        }
        PetitionStatus::Raised => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_with_the_current_one_and_are_consecutive() {
        let now = from_local(
            NaiveDate::from_ymd_opt(2026, 2, 10)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        );
        let months = months_up_to(now, 13);
        assert_eq!(months.len(), 14);
        assert_eq!(months.last().unwrap().key(), "2026-02");
        assert_eq!(months[0].key(), "2025-01");
        assert_eq!(months[0].ago, 13);
    }

    #[test]
    fn every_band_appears_and_most_cells_meet() {
        let now = from_local(
            NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        );
        let months = months_up_to(now, 11);
        let mut bands = std::collections::HashSet::new();
        let mut met = 0;
        let mut missed = 0;
        for m in &months[..months.len() - 1] {
            for cell in 0..43 {
                bands.insert(format!("{:?}", band(cell, m)));
                match meeting_start(cell, CellKind::Village, m, now) {
                    Some(start) => {
                        assert!(start < now);
                        met += 1
                    }
                    None => missed += 1,
                }
            }
        }
        assert_eq!(bands.len(), 4, "{bands:?}");
        assert!(
            missed > 5 && missed < met / 10,
            "met {met}, missed {missed}"
        );
        // This month: some met on an earlier day, most not yet.
        let this = months.last().unwrap();
        let this_month: Vec<_> = (0..43)
            .filter_map(|c| meeting_start(c, CellKind::Village, this, now))
            .collect();
        assert!(!this_month.is_empty() && this_month.len() < 43);
    }

    #[test]
    fn on_the_second_of_the_month_some_cells_met_the_evening_before() {
        let now = from_local(
            NaiveDate::from_ymd_opt(2026, 12, 2)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        );
        let this = *months_up_to(now, 0).last().unwrap();
        let starts: Vec<_> = (0..43)
            .filter_map(|c| meeting_start(c, CellKind::Village, &this, now))
            .collect();
        assert_eq!(starts.len(), 15, "every third cell");
        let first = from_local(
            NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(19, 30, 0)
                .unwrap(),
        );
        assert!(starts.iter().all(|s| *s == first));
        // On the 1st nobody has met yet.
        let first_day = first - 10 * 3_600_000;
        let this = *months_up_to(first_day, 0).last().unwrap();
        assert!((0..43).all(|c| meeting_start(c, CellKind::Village, &this, first_day).is_none()));
    }
}
