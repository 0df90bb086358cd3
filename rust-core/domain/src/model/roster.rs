use serde::{Deserialize, Serialize};

use super::Id;
use crate::time::CalendarDate;

/// Chi bộ: kinds of cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// Thôn, bản, tổ dân phố.
    Village,
    /// Cơ quan.
    Agency,
    School,
    HealthStation,
    Enterprise,
}

/// The registered meeting place, used to judge a visiting cadre's GPS fix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MeetingPlace {
    /// e.g. "Nhà văn hóa bản Nà Hẩu".
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: f64,
}

/// Chi bộ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cell {
    pub id: Id,
    pub commune_id: Id,
    /// e.g. "Đảng bộ xã Xuân Hòa".
    pub commune_name: String,
    /// e.g. "Chi bộ bản Nà Hẩu".
    pub name: String,
    pub kind: CellKind,
    pub meeting_place: Option<MeetingPlace>,
    /// A fixed day of the month for the regular meeting (e.g. 24), if the commune set one.
    pub meeting_day: Option<u8>,
}

/// Chính thức / dự bị.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MembershipKind {
    Full,
    Probationary,
}

/// A member's standing situation, which decides whether they are expected at meetings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// Miễn sinh hoạt: not expected, still counted in the cell's total.
    Exempt,
    /// Sinh hoạt tạm thời nơi khác: attends another cell for now.
    AttachedElsewhere,
    /// Đi làm ăn xa: still expected; their absences are the chronic problem.
    WorkingAway,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Member,
    /// Bí thư.
    Secretary,
    /// Phó bí thư.
    DeputySecretary,
    /// Chi ủy viên.
    CellCommittee,
}

/// Đảng viên.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Member {
    pub id: Id,
    pub cell_id: Id,
    pub full_name: String,
    pub membership: MembershipKind,
    pub status: MemberStatus,
    /// When the current status began (e.g. the resolution granting exemption).
    pub status_since: Option<CalendarDate>,
    /// Why (e.g. "Tuổi cao, sức yếu", "Đi làm ăn tại Bình Dương").
    pub status_reason: Option<String>,
    pub role: MemberRole,
    /// Tổ đảng, for large cells.
    pub party_group: Option<String>,
}
