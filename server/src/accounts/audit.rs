//! The audit log: who did what to which account, device or commune record, when and from
//! which address. Written in the same transaction as the action where there is one
//! ([`record_in`]), so an action and its entry commit together; shown to the commune's
//! admins. No web types: the web layer passes the client's address as text.

use chibo_domain::time::EpochMillis;

use crate::storage::{self, AuditRow, Storage, StorageResult, Tx};

/// What was done. The stored code is stable; the label is what the admin reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignInThrottled,
    AccountCreated,
    AccountLocked,
    AccountUnlocked,
    PasswordReset,
    OwnPasswordChanged,
    PersonRegistered,
    CodeIssued,
    DeviceEnrolled,
    DeviceRevoked,
    /// An office action on the commune's records (`Change`'s op in the detail).
    OfficeAction,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignInThrottled,
        AuditAction::AccountCreated,
        AuditAction::AccountLocked,
        AuditAction::AccountUnlocked,
        AuditAction::PasswordReset,
        AuditAction::OwnPasswordChanged,
        AuditAction::PersonRegistered,
        AuditAction::CodeIssued,
        AuditAction::DeviceEnrolled,
        AuditAction::DeviceRevoked,
        AuditAction::OfficeAction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignInThrottled => "sign_in_throttled",
            AuditAction::AccountCreated => "account_created",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::AccountUnlocked => "account_unlocked",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::OwnPasswordChanged => "own_password_changed",
            AuditAction::PersonRegistered => "person_registered",
            AuditAction::CodeIssued => "code_issued",
            AuditAction::DeviceEnrolled => "device_enrolled",
            AuditAction::DeviceRevoked => "device_revoked",
            AuditAction::OfficeAction => "office_action",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The admin's words for it.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignIn => "Đăng nhập",
            AuditAction::SignInFailed => "Đăng nhập sai mật khẩu",
            AuditAction::SignInThrottled => "Đăng nhập bị tạm chặn (sai quá nhiều lần)",
            AuditAction::AccountCreated => "Tạo tài khoản",
            AuditAction::AccountLocked => "Khóa tài khoản",
            AuditAction::AccountUnlocked => "Mở khóa tài khoản",
            AuditAction::PasswordReset => "Đặt lại mật khẩu",
            AuditAction::OwnPasswordChanged => "Tự đổi mật khẩu",
            AuditAction::PersonRegistered => "Đăng ký người dùng thiết bị",
            AuditAction::CodeIssued => "Cấp mã đăng ký thiết bị",
            AuditAction::DeviceEnrolled => "Thiết bị đăng ký",
            AuditAction::DeviceRevoked => "Thu hồi thiết bị",
            AuditAction::OfficeAction => "Thao tác của văn phòng",
        }
    }
}

/// The actor text of a dashboard account.
pub fn user_actor(user_id: &str, username: &str) -> String {
    format!("Tài khoản {username} ({user_id})")
}

/// The actor text of a device.
pub fn device_actor(device_id: &str, label: &str) -> String {
    format!("Thiết bị {label} ({device_id})")
}

/// One entry to write.
pub struct Entry<'a> {
    pub commune_id: Option<&'a str>,
    pub actor: &'a str,
    pub action: AuditAction,
    pub detail: &'a str,
    pub client_ip: &'a str,
}

fn row(entry: &Entry<'_>, at: EpochMillis) -> AuditRow {
    AuditRow {
        commune_id: entry.commune_id.map(str::to_string),
        at,
        actor: entry.actor.to_string(),
        action: entry.action.code().to_string(),
        detail: entry.detail.to_string(),
        client_ip: entry.client_ip.to_string(),
    }
}

/// Writes `entry` inside the action's own transaction.
pub fn record_in(tx: &mut dyn Tx, entry: &Entry<'_>, at: EpochMillis) -> StorageResult<()> {
    tx.append_audit(&row(entry, at))
}

/// Writes `entry` on its own (the action had no transaction of its own, or is over).
pub fn record(storage: &dyn Storage, entry: &Entry<'_>, at: EpochMillis) -> StorageResult<()> {
    let row = row(entry, at);
    storage::write(storage, |tx| tx.append_audit(&row))
}

/// The latest entries of a commune's log, newest first.
pub fn recent(storage: &dyn Storage, commune_id: &str, limit: u32) -> StorageResult<Vec<AuditRow>> {
    storage::read(storage, |tx| tx.audit_log(commune_id, limit))
}

/// The Vietnamese words for an office action's op (`Change`'s tag).
pub fn office_op_label(op: &str) -> &'static str {
    match op {
        "publish_guidance" => "ban hành văn bản hướng dẫn",
        "respond_to_petition" => "trả lời kiến nghị",
        "set_check_in_verdict" => "xem xét lượt điểm danh",
        "upsert_cadre" => "cập nhật cấp ủy viên",
        "upsert_assignment" => "phân công phụ trách chi bộ",
        "upsert_working_team" => "cập nhật tổ công tác",
        "set_rule_settings" => "đổi cài đặt quy định",
        "set_visit_requirement" => "đổi yêu cầu dự họp chi bộ",
        "upsert_cell" => "cập nhật chi bộ",
        "upsert_member" => "cập nhật đảng viên",
        _ => "thay đổi dữ liệu",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_code_and_has_words() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.code()), Some(action));
            assert!(!action.label().is_empty());
        }
        assert_eq!(AuditAction::parse("nothing"), None);
    }
}
