//! The words of the "needs attention" list: what a refused change was, and what the
//! person can do about it, in Vietnamese.

use chibo_domain::change::Change;

/// Codes the engine itself gives to photos it cannot upload.
pub const PHOTO_MISSING: &str = "photo_missing";
pub const PHOTO_CORRUPT: &str = "photo_corrupt";
pub const PHOTO_TOO_LARGE: &str = "photo_too_large";
pub const PHOTO_REFUSED: &str = "photo_refused";

/// What a change did, as the person who made it would say it.
pub fn describe_change(change: &Change) -> String {
    match change {
        Change::UpsertCell { cell } => format!("Lưu thông tin {}", cell.name),
        Change::UpsertMember { member } => format!("Lưu thông tin đảng viên {}", member.full_name),
        Change::PlanMeeting { .. } => "Lên lịch buổi sinh hoạt".into(),
        Change::UpdateMeeting { .. } => "Sửa thông tin buổi sinh hoạt".into(),
        Change::SetAttendance { .. } => "Điểm danh đảng viên".into(),
        Change::SetAgenda { .. } => "Sửa chương trình buổi sinh hoạt".into(),
        Change::AddSpeech { .. } => "Ghi ý kiến phát biểu".into(),
        Change::ReviewTask { .. } => "Đánh giá việc thực hiện nhiệm vụ".into(),
        Change::AddTask { task, .. } => format!("Giao nhiệm vụ: {}", task.description),
        Change::RecordVote { vote, .. } => format!("Ghi kết quả biểu quyết: {}", vote.question),
        Change::RaisePetition { .. } => "Ghi kiến nghị của nhân dân".into(),
        Change::SetJudgedScores { .. } => "Tự chấm điểm buổi sinh hoạt".into(),
        Change::SignMeeting { .. } => "Ký biên bản".into(),
        Change::StartCorrection { .. } => "Lập bản đính chính biên bản".into(),
        Change::UpsertCadre { cadre } => format!("Lưu thông tin cấp ủy viên {}", cadre.full_name),
        Change::UpsertWorkingTeam { team } => format!("Lưu tổ công tác {}", team.name),
        Change::UpsertAssignment { .. } => "Phân công cấp ủy viên phụ trách chi bộ".into(),
        Change::SetVisitRequirement { .. } => "Đặt yêu cầu dự sinh hoạt chi bộ".into(),
        Change::SetRuleSettings { .. } => "Đặt quy định chấm điểm của xã".into(),
        Change::SetPresenceSecret { .. } => "Mã xác nhận có mặt của buổi sinh hoạt".into(),
        Change::RecordCheckIn { .. } => "Điểm danh của cấp ủy viên dự sinh hoạt".into(),
        Change::AttachPhoto { .. } => "Đính kèm ảnh".into(),
        Change::RecordObservation { .. } => "Nhận xét buổi sinh hoạt".into(),
        Change::RespondToPetition { .. } => "Trả lời kiến nghị".into(),
        Change::PublishGuidance { guidance } => format!("Gửi hướng dẫn: {}", guidance.title),
        Change::SetCheckInVerdict { .. } => "Kết luận lượt điểm danh".into(),
    }
}

/// What to do about an entry with this code.
pub fn advice(code: &str) -> &'static str {
    match code {
        "validation" => {
            "Mở lại mục này, sửa theo lý do ở trên rồi lưu lại; bản sửa sẽ được gửi ở lần đồng bộ sau."
        }
        "frozen" => {
            "Biên bản đã ký nên không sửa trực tiếp được; hãy lập bản đính chính nếu cần sửa."
        }
        "scope" | "forbidden" => {
            "Thiết bị này không có quyền ghi mục này. Nếu cần, hãy liên hệ văn phòng Đảng ủy xã."
        }
        "not_found" => {
            "Máy chủ chưa có mục mà thay đổi này nhắc tới. Hãy đồng bộ lại; nếu vẫn báo, hãy liên hệ văn phòng Đảng ủy xã."
        }
        "conflict" => {
            "Mục này đã được sửa ở nơi khác. Hãy xem lại nội dung sau khi đồng bộ và sửa lại nếu cần."
        }
        PHOTO_MISSING => {
            "Tệp ảnh không còn trên máy nên không gửi được. Nếu cần, hãy chụp lại và đính kèm lại."
        }
        PHOTO_CORRUPT => {
            "Tệp ảnh trên máy đã bị hỏng nên không gửi được. Nếu cần, hãy chụp lại và đính kèm lại."
        }
        PHOTO_TOO_LARGE => {
            "Ảnh lớn hơn giới hạn máy chủ cho phép. Hãy báo văn phòng Đảng ủy xã."
        }
        _ => "Hãy báo văn phòng Đảng ủy xã kèm lý do ở trên.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_known_code_has_its_own_advice_and_others_go_to_the_office() {
        let fallback = advice("something_new");
        assert!(fallback.contains("văn phòng Đảng ủy xã"));
        let known = [
            "validation",
            "frozen",
            "scope",
            "not_found",
            "conflict",
            PHOTO_MISSING,
            PHOTO_CORRUPT,
            PHOTO_TOO_LARGE,
        ];
        for code in known {
            assert_ne!(advice(code), fallback, "{code}");
        }
        assert!(advice("frozen").contains("bản đính chính"));
        assert!(advice(PHOTO_CORRUPT).contains("chụp lại"));
    }
}
