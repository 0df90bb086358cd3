use serde::{Deserialize, Serialize};

/// The parts of the Guideline 42 quality score that people judge rather than the record
/// shows. The secretary and the visiting cadre each fill one; both are kept.
/// Each field's maximum is in [`JudgedScores::MAXIMA`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JudgedScores {
    /// Preparation: content prepared (max 3).
    pub content_prepared: u8,
    /// Preparation: discussion orientation and draft conclusion (max 2).
    pub orientation_and_draft: u8,
    /// Preparation: committee pre-meeting held and minuted (max 2).
    pub committee_premeeting: u8,
    /// Conduct: the full procedure followed (max 5).
    pub full_procedure: u8,
    /// Conduct: regular content (max 10).
    pub regular_content: u8,
    /// Conduct: the thematic part, in the month it is held (max 5).
    pub thematic_part: u8,
    /// Conduct: praise, criticism and self-criticism (max 2).
    pub praise_and_criticism: u8,
    /// Conduct: time given to ideology (max 1).
    pub ideology_time: u8,
    /// Conduct: documents posted (max 1).
    pub documents_posted: u8,
    /// Chairing (max 10).
    pub chairing: u8,
    /// Principles of Party activity (max 5).
    pub principles: u8,
    /// Closing: conclusion or resolution adopted (max 2).
    pub conclusion_adopted: u8,
    /// Closing: minutes adopted and tasks assigned (max 2).
    pub minutes_adopted_and_tasks: u8,
}

impl JudgedScores {
    /// (field name in Vietnamese, awarded, maximum) for every judged part.
    pub fn parts(&self) -> [(&'static str, u8, u8); 13] {
        [
            ("Chuẩn bị nội dung", self.content_prepared, 3),
            (
                "Định hướng thảo luận, dự thảo kết luận",
                self.orientation_and_draft,
                2,
            ),
            (
                "Chi ủy họp trước, có biên bản",
                self.committee_premeeting,
                2,
            ),
            ("Thực hiện đầy đủ quy trình", self.full_procedure, 5),
            ("Nội dung sinh hoạt thường kỳ", self.regular_content, 10),
            ("Nội dung chuyên đề", self.thematic_part, 5),
            (
                "Khen, phê bình và tự phê bình",
                self.praise_and_criticism,
                2,
            ),
            ("Thời gian sinh hoạt tư tưởng", self.ideology_time, 1),
            ("Niêm yết tài liệu", self.documents_posted, 1),
            ("Điều hành", self.chairing, 10),
            ("Nguyên tắc sinh hoạt Đảng", self.principles, 5),
            ("Thông qua kết luận, nghị quyết", self.conclusion_adopted, 2),
            (
                "Thông qua biên bản, phân công nhiệm vụ",
                self.minutes_adopted_and_tasks,
                2,
            ),
        ]
    }
}
