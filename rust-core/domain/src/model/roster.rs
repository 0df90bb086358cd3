use serde::{Deserialize, Serialize};

use super::{name_order_key, Id};
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

impl MemberStatus {
    /// Every status, in the order screens group members by: the active first.
    pub const ALL: [MemberStatus; 4] = [
        MemberStatus::Active,
        MemberStatus::WorkingAway,
        MemberStatus::Exempt,
        MemberStatus::AttachedElsewhere,
    ];
}

impl MemberRole {
    /// Where the role stands in a roster: secretary, deputy, committee, then members.
    pub fn rank(self) -> u8 {
        match self {
            MemberRole::Secretary => 0,
            MemberRole::DeputySecretary => 1,
            MemberRole::CellCommittee => 2,
            MemberRole::Member => 3,
        }
    }
}

/// The order every roster is listed in, on the phone, the dashboard and in the minutes:
/// by role (secretary first), then by name in the Vietnamese alphabet, then by id.
pub fn sort_roster(members: &mut [Member]) {
    members.sort_by_cached_key(|m| (m.role.rank(), name_order_key(&m.full_name), m.id.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, name: &str, role: MemberRole) -> Member {
        Member {
            id: id.into(),
            cell_id: "c".into(),
            full_name: name.into(),
            membership: MembershipKind::Full,
            status: MemberStatus::Active,
            status_since: None,
            status_reason: None,
            role,
            party_group: None,
        }
    }

    #[test]
    fn the_secretary_leads_the_roster_then_the_committee_then_members_by_name() {
        let mut roster = vec![
            member("1", "Hoàng Thị Ánh", MemberRole::Member),
            member("2", "Lò Văn Thắng", MemberRole::Secretary),
            member("3", "Vàng A Páo", MemberRole::CellCommittee),
            member("4", "Đinh Văn Ân", MemberRole::Member),
            member("5", "Lò Thị Xuân", MemberRole::DeputySecretary),
            member("6", "Hoàng Thị Ánh", MemberRole::Member),
        ];
        sort_roster(&mut roster);
        let ids: Vec<&str> = roster.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["2", "5", "3", "1", "6", "4"]);
    }
}
