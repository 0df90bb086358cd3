//! The words every screen uses for the domain's values, and how numbers and dates are
//! written. The phone (through uniffi), the dashboard, the exports and the documents all
//! take them from here, so a value reads the same wherever it is shown.
//!
//! In Rust, every enum a user sees implements [`Label`] (`status.label()`); the apps call
//! the exported `*_label` functions. Formats are in [`format`], the judged items of the
//! quality score in [`judged`].

mod format;
mod judged;

pub use format::*;
pub use judged::*;

use crate::checkin::{FixQuality, ReviewDecision, Verdict, VerdictCode, VerdictStatus};
use crate::compliance::{VisitPeriod, VisitRequirement};
use crate::model::*;
use crate::rules::{MonthlyMeetingStatus, QualityGrade, RuleSettings};
use crate::sync::Role;

/// A value's word, as every screen, export and document shows it.
pub trait Label {
    fn label(&self) -> &'static str;
}

/// Shown where a held meeting has no grade yet: the judged parts are not scored.
pub const NOT_GRADED: &str = "Chưa chấm";

/// Shown for one of last month's tasks nobody has reviewed yet.
pub const NOT_REVIEWED: &str = "Chưa đánh giá";

impl Label for MeetingKind {
    fn label(&self) -> &'static str {
        match self {
            MeetingKind::Regular => "Sinh hoạt thường kỳ",
            MeetingKind::Thematic => "Sinh hoạt chuyên đề",
            MeetingKind::Extraordinary => "Sinh hoạt bất thường",
            MeetingKind::Model => "Sinh hoạt mẫu",
            MeetingKind::RegularWithThematic => "Sinh hoạt thường kỳ kết hợp chuyên đề",
        }
    }
}

impl Label for MeetingStatus {
    fn label(&self) -> &'static str {
        match self {
            MeetingStatus::Planned => "Đã lên lịch",
            MeetingStatus::InProgress => "Đang họp",
            MeetingStatus::Recorded => "Đã ghi biên bản, chưa ký",
            MeetingStatus::Signed => "Đã ký biên bản",
        }
    }
}

impl Label for Attendance {
    fn label(&self) -> &'static str {
        match self {
            Attendance::Present => "Có mặt",
            Attendance::Late => "Đến muộn",
            Attendance::AbsentExcused => "Vắng có lý do",
            Attendance::AbsentUnexcused => "Vắng không lý do",
            Attendance::Exempt => "Miễn sinh hoạt",
            Attendance::AttachedElsewhere => "Sinh hoạt tạm thời nơi khác",
        }
    }
}

impl Label for MemberStatus {
    fn label(&self) -> &'static str {
        match self {
            MemberStatus::Active => "Sinh hoạt bình thường",
            MemberStatus::Exempt => "Miễn sinh hoạt",
            MemberStatus::AttachedElsewhere => "Sinh hoạt tạm thời nơi khác",
            MemberStatus::WorkingAway => "Đi làm ăn xa",
        }
    }
}

impl Label for MembershipKind {
    fn label(&self) -> &'static str {
        match self {
            MembershipKind::Full => "Chính thức",
            MembershipKind::Probationary => "Dự bị",
        }
    }
}

impl Label for MemberRole {
    fn label(&self) -> &'static str {
        match self {
            MemberRole::Member => "Đảng viên",
            MemberRole::Secretary => "Bí thư chi bộ",
            MemberRole::DeputySecretary => "Phó Bí thư chi bộ",
            MemberRole::CellCommittee => "Chi ủy viên",
        }
    }
}

impl Label for CellKind {
    fn label(&self) -> &'static str {
        match self {
            CellKind::Village => "Thôn, bản, tổ dân phố",
            CellKind::Agency => "Cơ quan",
            CellKind::School => "Trường học",
            CellKind::HealthStation => "Trạm y tế",
            CellKind::Enterprise => "Doanh nghiệp",
        }
    }
}

impl Label for QualityGrade {
    fn label(&self) -> &'static str {
        match self {
            QualityGrade::Good => "Tốt",
            QualityGrade::Fair => "Khá",
            QualityGrade::Average => "Trung bình",
            QualityGrade::Poor => "Kém",
        }
    }
}

impl Label for PetitionStatus {
    fn label(&self) -> &'static str {
        match self {
            PetitionStatus::Raised => "Chi bộ tiếp nhận",
            // Forwarded by the cell to the commune, or by the office to a department.
            PetitionStatus::Forwarded => "Đã chuyển xử lý",
            PetitionStatus::Answered => "Đã trả lời",
            PetitionStatus::Resolved => "Đã giải quyết",
            PetitionStatus::Declined => "Không giải quyết, có nêu lý do",
        }
    }
}

impl Label for PetitionCategory {
    fn label(&self) -> &'static str {
        match self {
            PetitionCategory::Infrastructure => "Hạ tầng (đường, điện, nước)",
            PetitionCategory::Land => "Đất đai",
            PetitionCategory::SecurityOrder => "An ninh, trật tự",
            PetitionCategory::Environment => "Vệ sinh, môi trường",
            PetitionCategory::Livelihood => "Sản xuất, việc làm, giảm nghèo",
            PetitionCategory::SocialPolicy => "Chính sách xã hội",
            PetitionCategory::Other => "Khác",
        }
    }
}

impl Label for VerdictStatus {
    fn label(&self) -> &'static str {
        match self {
            VerdictStatus::Verified => "Đã xác minh",
            VerdictStatus::Provisional => "Chờ máy chủ xác minh",
            VerdictStatus::NeedsReview => "Cần xem xét",
        }
    }
}

/// The short name of a failed check, for a badge or a column; the reason's message
/// gives the figures.
impl Label for VerdictCode {
    fn label(&self) -> &'static str {
        match self {
            VerdictCode::SignatureInvalid => "Chữ ký không hợp lệ",
            VerdictCode::KeyNotEnrolled => "Máy chưa đăng ký",
            VerdictCode::NotAssigned => "Không được phân công",
            VerdictCode::WrongMeeting => "Sai buổi họp",
            VerdictCode::PresenceCodeMissing => "Thiếu mã xác nhận",
            VerdictCode::PresenceCodeWrong => "Sai mã xác nhận",
            VerdictCode::PresenceCodeExpired => "Mã xác nhận hết hạn",
            VerdictCode::PresenceCodeUnchecked => "Chưa kiểm tra mã xác nhận",
            VerdictCode::ClockSkew => "Giờ trên máy lệch",
            VerdictCode::ClockUnchecked => "Chưa kiểm tra giờ trên máy",
            VerdictCode::ClockMoved => "Giờ trên máy bị chỉnh",
            VerdictCode::MeetingUnchecked => "Chưa kiểm tra giờ họp",
            VerdictCode::OutsideMeetingTime => "Ngoài giờ họp",
            VerdictCode::GpsMissing => "Không có vị trí",
            VerdictCode::GpsInvalid => "Vị trí không hợp lệ",
            VerdictCode::GpsMocked => "Vị trí giả",
            VerdictCode::GpsInaccurate => "Vị trí sai số lớn",
            VerdictCode::GpsStale => "Vị trí đã cũ",
            VerdictCode::MeetingPlaceUnknown => "Chưa có địa điểm họp",
            VerdictCode::OutsideMeetingPlace => "Ngoài địa điểm họp",
            VerdictCode::PhotoMissing => "Không có ảnh",
            VerdictCode::PhotoInvalid => "Ảnh không hợp lệ",
            VerdictCode::PhotoReused => "Ảnh đã dùng trước đó",
            VerdictCode::PhotoNotReceived => "Máy chủ chưa nhận ảnh",
            VerdictCode::TravelImplausible => "Không kịp di chuyển",
        }
    }
}

impl Label for ReviewDecision {
    fn label(&self) -> &'static str {
        match self {
            ReviewDecision::Accepted => "Văn phòng đã công nhận",
            ReviewDecision::Rejected => "Văn phòng không công nhận",
        }
    }
}

/// A check-in's standing as every screen heads it: the office's decision once it made
/// one, else the automatic verdict.
impl Label for Verdict {
    fn label(&self) -> &'static str {
        match &self.review {
            Some(review) => review.decision.label(),
            None => self.status.label(),
        }
    }
}

impl Label for TaskOutcome {
    fn label(&self) -> &'static str {
        match self {
            TaskOutcome::Done => "Hoàn thành",
            TaskOutcome::PartlyDone => "Hoàn thành một phần",
            TaskOutcome::NotDone => "Chưa hoàn thành",
        }
    }
}

/// A task's review as it stands: its outcome, or [`NOT_REVIEWED`].
impl Label for Option<TaskOutcome> {
    fn label(&self) -> &'static str {
        self.as_ref().map_or(NOT_REVIEWED, Label::label)
    }
}

/// A grade, or [`NOT_GRADED`] for a meeting whose judged parts are not scored.
impl Label for Option<QualityGrade> {
    fn label(&self) -> &'static str {
        self.as_ref().map_or(NOT_GRADED, Label::label)
    }
}

impl Label for GuidanceKind {
    fn label(&self) -> &'static str {
        match self {
            GuidanceKind::MonthlyGuidance => "Hướng dẫn sinh hoạt tháng",
            GuidanceKind::ThematicTopic => "Chuyên đề quý",
            GuidanceKind::Notice => "Thông báo",
        }
    }
}

impl Label for VoteKind {
    fn label(&self) -> &'static str {
        match self {
            VoteKind::Ordinary => "Nghị quyết, kết luận (quá nửa)",
            VoteKind::Admission => "Kết nạp đảng viên (ít nhất 2/3)",
            VoteKind::ConfirmFullMembership => "Công nhận đảng viên chính thức (ít nhất 2/3)",
        }
    }
}

impl Label for AgendaSection {
    fn label(&self) -> &'static str {
        match self {
            AgendaSection::Opening => "Mở đầu",
            AgendaSection::Body => "Nội dung",
            AgendaSection::Closing => "Kết thúc",
        }
    }
}

impl Label for MonthlyMeetingStatus {
    fn label(&self) -> &'static str {
        match self {
            MonthlyMeetingStatus::Met => "Đã họp",
            MonthlyMeetingStatus::NotYet => "Chưa họp",
            MonthlyMeetingStatus::Overdue => "Quá hạn",
        }
    }
}

/// What a person's devices do in the commune.
impl Label for Role {
    fn label(&self) -> &'static str {
        match self {
            Role::Secretary { .. } => "Bí thư chi bộ",
            Role::Cadre { .. } => "Cấp ủy viên phụ trách",
            Role::Office => "Văn phòng Đảng ủy xã",
        }
    }
}

impl Label for VisitPeriod {
    fn label(&self) -> &'static str {
        match self {
            VisitPeriod::Month => "mỗi tháng",
            VisitPeriod::Year => "mỗi năm",
        }
    }
}

impl Label for FixQuality {
    fn label(&self) -> &'static str {
        match self {
            FixQuality::Good => "Chính xác tốt",
            FixQuality::Fair => "Chính xác vừa",
            FixQuality::Poor => "Chính xác kém, hãy ra chỗ thoáng",
        }
    }
}

/// "Thông qua" or "Không thông qua": a vote's result.
pub fn vote_result(passed: bool) -> &'static str {
    if passed {
        "Thông qua"
    } else {
        "Không thông qua"
    }
}

/// "1 lần mỗi tháng cho mỗi chi bộ được phân công".
pub fn visit_requirement_text(requirement: &VisitRequirement) -> String {
    format!(
        "{} lần {} cho mỗi chi bộ được phân công",
        requirement.visits,
        requirement.per.label()
    )
}

/// The commune's rule settings as sentences, for the screens that show them.
pub fn rule_settings_text(settings: &RuleSettings) -> Vec<String> {
    let small = settings.small_cell_max_members;
    vec![match settings.small_cell_min_minutes {
        Some(minutes) => {
            format!("Chi bộ có từ {small} đảng viên trở xuống sinh hoạt ít nhất {minutes} phút")
        }
        None => "Chi bộ nhỏ sinh hoạt đủ thời gian như các chi bộ khác (90 phút; 120 phút \
                 khi kết hợp chuyên đề hoặc chi bộ có từ 30 đảng viên)"
            .to_string(),
    }]
}

/// `label` with its first letter in lower case, for the middle of a sentence.
pub fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------- for the apps

macro_rules! exported_labels {
    ($($(#[$doc:meta])* $name:ident($value:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        #[cfg_attr(feature = "uniffi", uniffi::export)]
        pub fn $name($value: $ty) -> String {
            $value.label().to_string()
        }
    )*};
}

exported_labels! {
    /// "Sinh hoạt thường kỳ", …
    meeting_kind_label(kind: MeetingKind);
    /// "Đã lên lịch", "Đang họp", "Đã ghi biên bản, chưa ký", "Đã ký biên bản".
    meeting_status_label(status: MeetingStatus);
    attendance_label(attendance: Attendance);
    member_status_label(status: MemberStatus);
    membership_label(membership: MembershipKind);
    member_role_label(role: MemberRole);
    cell_kind_label(kind: CellKind);
    /// "Tốt", "Khá", "Trung bình", "Kém".
    quality_grade_label(grade: QualityGrade);
    /// A grade, or "Chưa chấm".
    grade_or_not_graded_label(grade: Option<QualityGrade>);
    petition_status_label(status: PetitionStatus);
    petition_category_label(category: PetitionCategory);
    verdict_status_label(status: VerdictStatus);
    /// The short name of a failed check.
    verdict_code_label(code: VerdictCode);
    review_decision_label(decision: ReviewDecision);
    /// The office's decision once it made one, else the automatic verdict.
    check_in_verdict_label(verdict: Verdict);
    task_outcome_label(outcome: TaskOutcome);
    /// The outcome, or "Chưa đánh giá".
    task_review_label(outcome: Option<TaskOutcome>);
    guidance_kind_label(kind: GuidanceKind);
    vote_kind_label(kind: VoteKind);
    agenda_section_label(section: AgendaSection);
    monthly_meeting_status_label(status: MonthlyMeetingStatus);
    /// How good the location fix is, while the cadre checks in.
    fix_quality_label(quality: FixQuality);
}

/// The commune's rule settings as sentences (the phone shows them, read-only).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn rule_settings_lines(settings: RuleSettings) -> Vec<String> {
    rule_settings_text(&settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_in_reads_as_the_offices_decision_once_it_made_one() {
        use crate::checkin::OfficeReview;
        let mut verdict = Verdict {
            status: VerdictStatus::NeedsReview,
            reasons: vec![],
            unchecked: vec![],
            effective_time: 0,
            review: None,
        };
        assert_eq!(verdict.label(), "Cần xem xét");
        verdict.review = Some(OfficeReview {
            decision: ReviewDecision::Rejected,
            note: String::new(),
            reviewer_id: "u".into(),
            reviewer_name: "Hà Thị Lan".into(),
            reviewed_at: 0,
        });
        assert_eq!(verdict.label(), "Văn phòng không công nhận");
    }

    #[test]
    fn missing_grades_and_reviews_have_words_too() {
        assert_eq!(None::<QualityGrade>.label(), "Chưa chấm");
        assert_eq!(Some(QualityGrade::Fair).label(), "Khá");
        assert_eq!(None::<TaskOutcome>.label(), "Chưa đánh giá");
        assert_eq!(in_sentence("Đã chuyển xử lý"), "đã chuyển xử lý");
    }

    #[test]
    fn settings_read_as_sentences() {
        let small = RuleSettings {
            small_cell_max_members: 9,
            small_cell_min_minutes: Some(60),
        };
        assert_eq!(
            rule_settings_text(&small),
            vec!["Chi bộ có từ 9 đảng viên trở xuống sinh hoạt ít nhất 60 phút"]
        );
        assert!(rule_settings_text(&RuleSettings::default())[0].contains("90 phút"));
        assert_eq!(
            visit_requirement_text(&VisitRequirement::default()),
            "1 lần mỗi tháng cho mỗi chi bộ được phân công"
        );
    }
}
