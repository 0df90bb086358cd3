//! The score sheet of Guideline 42: its eight groups, and the 13 parts people judge
//! (each with its maximum). The quality score, the validation of judged marks, the
//! secretary's and the cadre's scoring screens and the dashboard all read this table.

use serde::{Deserialize, Serialize};

use super::Label;
use crate::model::JudgedScores;

/// A group of the guideline's table, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ScoreGroup {
    Time,
    Attendance,
    Preparation,
    Conduct,
    Chairing,
    Principles,
    Results,
    Closing,
}

impl ScoreGroup {
    /// Every group, in the order of the guideline's table.
    pub const ALL: [ScoreGroup; 8] = [
        ScoreGroup::Time,
        ScoreGroup::Attendance,
        ScoreGroup::Preparation,
        ScoreGroup::Conduct,
        ScoreGroup::Chairing,
        ScoreGroup::Principles,
        ScoreGroup::Results,
        ScoreGroup::Closing,
    ];

    /// The group whose name is `label`, as a [`crate::rules::QualityItem`] carries it.
    pub fn of_label(label: &str) -> Option<ScoreGroup> {
        ScoreGroup::ALL.into_iter().find(|g| g.label() == label)
    }
}

impl Label for ScoreGroup {
    fn label(&self) -> &'static str {
        match self {
            ScoreGroup::Time => "Thời gian",
            ScoreGroup::Attendance => "Dự họp",
            ScoreGroup::Preparation => "Chuẩn bị",
            ScoreGroup::Conduct => "Tiến hành",
            ScoreGroup::Chairing => "Điều hành",
            ScoreGroup::Principles => "Nguyên tắc",
            ScoreGroup::Results => "Kết quả thực hiện nghị quyết tháng trước",
            ScoreGroup::Closing => "Kết thúc",
        }
    }
}

/// One part of the quality score that people judge (a field of [`JudgedScores`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum JudgedPart {
    ContentPrepared,
    OrientationAndDraft,
    CommitteePremeeting,
    FullProcedure,
    RegularContent,
    ThematicPart,
    PraiseAndCriticism,
    IdeologyTime,
    DocumentsPosted,
    Chairing,
    Principles,
    ConclusionAdopted,
    MinutesAdoptedAndTasks,
}

impl JudgedPart {
    /// The 13 parts, in the order of the guideline's table.
    pub const ALL: [JudgedPart; 13] = [
        JudgedPart::ContentPrepared,
        JudgedPart::OrientationAndDraft,
        JudgedPart::CommitteePremeeting,
        JudgedPart::FullProcedure,
        JudgedPart::RegularContent,
        JudgedPart::ThematicPart,
        JudgedPart::PraiseAndCriticism,
        JudgedPart::IdeologyTime,
        JudgedPart::DocumentsPosted,
        JudgedPart::Chairing,
        JudgedPart::Principles,
        JudgedPart::ConclusionAdopted,
        JudgedPart::MinutesAdoptedAndTasks,
    ];

    /// The most points the guideline gives this part.
    pub fn max(self) -> u8 {
        match self {
            JudgedPart::ContentPrepared => 3,
            JudgedPart::OrientationAndDraft => 2,
            JudgedPart::CommitteePremeeting => 2,
            JudgedPart::FullProcedure => 5,
            JudgedPart::RegularContent => 10,
            JudgedPart::ThematicPart => 5,
            JudgedPart::PraiseAndCriticism => 2,
            JudgedPart::IdeologyTime => 1,
            JudgedPart::DocumentsPosted => 1,
            JudgedPart::Chairing => 10,
            JudgedPart::Principles => 5,
            JudgedPart::ConclusionAdopted => 2,
            JudgedPart::MinutesAdoptedAndTasks => 2,
        }
    }

    pub fn group(self) -> ScoreGroup {
        match self {
            JudgedPart::ContentPrepared
            | JudgedPart::OrientationAndDraft
            | JudgedPart::CommitteePremeeting => ScoreGroup::Preparation,
            JudgedPart::FullProcedure
            | JudgedPart::RegularContent
            | JudgedPart::ThematicPart
            | JudgedPart::PraiseAndCriticism
            | JudgedPart::IdeologyTime
            | JudgedPart::DocumentsPosted => ScoreGroup::Conduct,
            JudgedPart::Chairing => ScoreGroup::Chairing,
            JudgedPart::Principles => ScoreGroup::Principles,
            JudgedPart::ConclusionAdopted | JudgedPart::MinutesAdoptedAndTasks => {
                ScoreGroup::Closing
            }
        }
    }
}

impl Label for JudgedPart {
    fn label(&self) -> &'static str {
        match self {
            JudgedPart::ContentPrepared => "Chuẩn bị nội dung",
            JudgedPart::OrientationAndDraft => "Định hướng thảo luận, dự thảo kết luận",
            JudgedPart::CommitteePremeeting => "Chi ủy họp trước, có biên bản",
            JudgedPart::FullProcedure => "Thực hiện đầy đủ quy trình",
            JudgedPart::RegularContent => "Nội dung sinh hoạt thường kỳ",
            JudgedPart::ThematicPart => "Nội dung chuyên đề",
            JudgedPart::PraiseAndCriticism => "Khen, phê bình và tự phê bình",
            JudgedPart::IdeologyTime => "Thời gian sinh hoạt tư tưởng",
            JudgedPart::DocumentsPosted => "Niêm yết tài liệu",
            JudgedPart::Chairing => "Điều hành",
            JudgedPart::Principles => "Nguyên tắc sinh hoạt Đảng",
            JudgedPart::ConclusionAdopted => "Thông qua kết luận, nghị quyết",
            JudgedPart::MinutesAdoptedAndTasks => "Thông qua biên bản, phân công nhiệm vụ",
        }
    }
}

/// A judged part as a scoring screen lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JudgedItem {
    pub part: JudgedPart,
    /// What earns the points, e.g. "Chuẩn bị nội dung".
    pub label: String,
    /// The group of the guideline's table, e.g. "Chuẩn bị".
    pub group: String,
    pub max: u8,
}

/// The 13 judged parts in the guideline's order, with their words and maxima.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn judged_items() -> Vec<JudgedItem> {
    JudgedPart::ALL
        .into_iter()
        .map(|part| JudgedItem {
            part,
            label: part.label().to_string(),
            group: part.group().label().to_string(),
            max: part.max(),
        })
        .collect()
}

/// The points `scores` gives `part`.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn judged_points(scores: JudgedScores, part: JudgedPart) -> u8 {
    scores.points(part)
}

/// `scores` with `part` set to `points` (not checked against the maximum: the rules
/// refuse a mark above it when it is saved).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn with_judged_points(scores: JudgedScores, part: JudgedPart, points: u8) -> JudgedScores {
    let mut scores = scores;
    *scores.points_mut(part) = points;
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_judged_parts_give_fifty_points_in_their_groups() {
        let items = judged_items();
        assert_eq!(items.len(), 13);
        assert_eq!(items.iter().map(|i| u32::from(i.max)).sum::<u32>(), 50);
        let in_group = |g: ScoreGroup| -> u32 {
            JudgedPart::ALL
                .iter()
                .filter(|p| p.group() == g)
                .map(|p| u32::from(p.max()))
                .sum()
        };
        assert_eq!(in_group(ScoreGroup::Preparation), 7);
        assert_eq!(in_group(ScoreGroup::Conduct), 24);
        assert_eq!(in_group(ScoreGroup::Chairing), 10);
        assert_eq!(in_group(ScoreGroup::Principles), 5);
        assert_eq!(in_group(ScoreGroup::Closing), 4);
    }

    #[test]
    fn each_part_reads_and_writes_its_own_field() {
        let mut scores = JudgedScores::default();
        for (n, part) in JudgedPart::ALL.into_iter().enumerate() {
            scores = with_judged_points(scores, part, n as u8 + 1);
        }
        for (n, part) in JudgedPart::ALL.into_iter().enumerate() {
            assert_eq!(judged_points(scores.clone(), part), n as u8 + 1, "{part:?}");
        }
        assert_eq!(scores.content_prepared, 1);
        assert_eq!(scores.minutes_adopted_and_tasks, 13);
        assert_eq!(ScoreGroup::of_label("Tiến hành"), Some(ScoreGroup::Conduct));
    }
}
