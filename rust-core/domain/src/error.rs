//! Why a change cannot be stored. Shortfalls against the guidance are not errors: they
//! are [`crate::rules::Warning`]s and the record still saves.

use thiserror::Error;

use crate::labels::Label;
use crate::model::{Id, MeetingStatus, PetitionStatus};

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("Mã định danh không hợp lệ: \"{text}\"")]
    InvalidId { text: String },
    #[error("Không được để trống: {field}")]
    EmptyField { field: &'static str },
    #[error("Không tìm thấy đảng viên có mã {member_id} trong chi bộ")]
    UnknownMember { member_id: Id },
    #[error("Đảng viên {member_name} thuộc chi bộ khác, không thể điểm danh ở chi bộ này")]
    MemberOfAnotherCell { member_id: Id, member_name: String },
    #[error("Đảng viên {member_name} được điểm danh hai lần")]
    DuplicateRollCall { member_id: Id, member_name: String },
    #[error("Không tìm thấy nhiệm vụ có mã {task_id} của kỳ họp trước")]
    UnknownTask { task_id: Id },
    #[error("Giờ kết thúc ({end}) trước giờ bắt đầu ({start})")]
    EndBeforeStart { start: String, end: String },
    #[error("Điểm \"{part}\" là {given}, vượt mức tối đa {max}")]
    ScoreAboveMaximum {
        part: &'static str,
        given: u8,
        max: u8,
    },
    #[error("Buổi sinh hoạt đã ký biên bản, không thể sửa; hãy lập bản đính chính")]
    MeetingFrozen { meeting_id: Id },
    #[error(
        "Không thể chuyển buổi sinh hoạt từ trạng thái \"{}\" sang \"{}\"",
        from.label(),
        to.label()
    )]
    InvalidTransition {
        from: MeetingStatus,
        to: MeetingStatus,
    },
    #[error("Chưa điểm danh, không thể ký biên bản")]
    EmptyRollCallOnSign,
    #[error("Chưa có {role}, không thể ký biên bản")]
    MissingSigner { role: &'static str },
    #[error("Giá trị không hợp lệ: {field}")]
    InvalidNumber { field: &'static str },
    #[error("Mã QR này là của buổi sinh hoạt khác; hãy chọn đúng buổi sinh hoạt đang dự")]
    PresenceCodeForAnotherMeeting { meeting_id: Id },
    #[error("Chỉ có thể đính chính biên bản đã ký")]
    CorrectionOfUnsigned { meeting_id: Id },
    #[error(
        "Kiến nghị đang ở trạng thái \"{}\", không thể chuyển sang \"{}\"",
        from.label(),
        to.label()
    )]
    PetitionTransition {
        from: PetitionStatus,
        to: PetitionStatus,
    },
    #[error("Kỳ không hợp lệ: \"{text}\" (cần dạng 2026-11 cho tháng hoặc 2026-Q4 cho quý)")]
    InvalidPeriod { text: String },
    #[error("Mã băm SHA-256 không hợp lệ: {field}")]
    InvalidHash { field: &'static str },
    /// Only a check-in the server flagged "needs review" (or one already reviewed) is
    /// reviewed by the office.
    #[error("Lượt điểm danh này không thuộc diện cần xem xét")]
    CheckInNotUnderReview { check_in_id: Id },
    /// The office's review is final: a later automatic verdict does not replace it.
    #[error(
        "Văn phòng Đảng ủy xã đã xem xét lượt điểm danh này; kết luận của văn phòng là cuối cùng"
    )]
    CheckInAlreadyReviewed { check_in_id: Id },
    #[error("{field} phải từ {min} đến {max} (đã nhập {given})")]
    OutOfRange {
        field: &'static str,
        given: i64,
        min: i64,
        max: i64,
    },
    #[error("Đồng hồ HLC không hợp lệ: \"{text}\"")]
    InvalidClock { text: String },
    #[error("Trường \"{field}\" quá dài: {given} ký tự (tối đa {max})")]
    TooLong {
        field: String,
        given: usize,
        max: usize,
    },
    #[error("Trường \"{field}\" có quá nhiều mục: {given} (tối đa {max})")]
    TooMany {
        field: String,
        given: usize,
        max: usize,
    },
    #[error("Trường \"{field}\" chứa ký tự điều khiển không hợp lệ")]
    ControlCharacter { field: String },
    #[error("Thay đổi quá lớn: {given} byte (tối đa {max})")]
    ChangeTooLarge { given: usize, max: usize },
    #[error("Thời điểm không hợp lệ: {field}")]
    InvalidTime { field: &'static str },
    #[error("Bán kính điểm họp {given} vượt mức tối đa {max}")]
    RadiusTooLarge { given: String, max: String },
    #[error("Kiến nghị đã ghi không thể chuyển sang chi bộ hoặc buổi họp khác")]
    PetitionMoved { petition_id: Id },
    #[error("Kiến nghị đã được chuyển hoặc trả lời, không thể sửa nội dung")]
    PetitionAlreadyActedOn { petition_id: Id },
}
