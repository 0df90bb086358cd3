//! Xuân Hòa, the commune the seeds describe: 43 cells (30 of them village cells) and
//! 581 members, a committee split into working teams of 6–7 who follow the village
//! cells, and a required visit a month per assigned cell. Deterministic: the same names
//! and figures every run; only the ids are fresh.

use chibo_domain::compliance::{Assignment, Cadre, VisitPeriod, VisitRequirement, WorkingTeam};
use chibo_domain::*;
use chrono::Datelike;

pub const COMMUNE_NAME: &str = "Xuân Hòa";
pub const CELL_COUNT: usize = 43;
pub const VILLAGE_CELL_COUNT: usize = 30;
pub const MEMBER_COUNT: usize = 581;

/// The commune as the office registers it.
#[derive(Clone, Debug)]
pub struct Commune {
    pub id: Id,
    pub name: String,
    pub cells: Vec<Cell>,
    pub members: Vec<Member>,
    pub cadres: Vec<Cadre>,
    pub teams: Vec<WorkingTeam>,
    pub assignments: Vec<Assignment>,
    pub requirement: VisitRequirement,
}

impl Commune {
    pub fn village_cells(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.kind == CellKind::Village)
    }

    pub fn roster(&self, cell_id: &str) -> Vec<&Member> {
        self.members
            .iter()
            .filter(|m| m.cell_id == cell_id)
            .collect()
    }

    pub fn secretary(&self, cell_id: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.cell_id == cell_id && m.role == MemberRole::Secretary)
    }

    /// The cadres assigned to follow `cell_id`.
    pub fn cadres_of(&self, cell_id: &str) -> Vec<&Cadre> {
        self.assignments
            .iter()
            .filter(|a| a.cell_id == cell_id)
            .filter_map(|a| self.cadres.iter().find(|c| c.id == a.cadre_id))
            .collect()
    }
}

const VILLAGES: [&str; VILLAGE_CELL_COUNT] = [
    "Bản Nà Khoang",
    "Bản Pắc Ta",
    "Bản Hô Sáng",
    "Bản Phiêng Ngàm",
    "Bản Nậm Cang",
    "Bản Tà Sùng",
    "Bản Khe Lếch",
    "Bản Mường Bon",
    "Thôn Xuân Sơn",
    "Thôn Xuân Thượng",
    "Thôn Đồng Tâm",
    "Thôn Làng Mới",
    "Bản Cốc Lùng",
    "Bản Séo Phìn",
    "Bản Lũng Pô",
    "Bản Sín Chải",
    "Bản Na Lang",
    "Bản Phìn Hồ",
    "Thôn Tân Lập",
    "Thôn Hòa Bình",
    "Bản Nặm Khắt",
    "Bản Co Muông",
    "Bản Hua Pù",
    "Bản Tả Van",
    "Thôn Xuân Hạ",
    "Thôn Đoàn Kết",
    "Bản Pá Hu",
    "Bản Nà Hẩu",
    "Bản Khuổi Bốc",
    "Tổ dân phố Trung Tâm",
];

const OTHER_CELLS: [(&str, CellKind); CELL_COUNT - VILLAGE_CELL_COUNT] = [
    ("Cơ quan Đảng ủy xã", CellKind::Agency),
    ("Cơ quan Ủy ban nhân dân xã", CellKind::Agency),
    ("Mặt trận Tổ quốc và các đoàn thể xã", CellKind::Agency),
    ("Công an xã", CellKind::Agency),
    ("Quân sự xã", CellKind::Agency),
    ("Trường Mầm non Xuân Hòa", CellKind::School),
    ("Trường Tiểu học Xuân Hòa", CellKind::School),
    ("Trường Trung học cơ sở Xuân Hòa", CellKind::School),
    (
        "Trường Phổ thông dân tộc bán trú Xuân Hòa",
        CellKind::School,
    ),
    ("Trường Tiểu học Nà Khoang", CellKind::School),
    ("Trạm Y tế xã", CellKind::HealthStation),
    ("Hợp tác xã Nông nghiệp Xuân Hòa", CellKind::Enterprise),
    ("Công ty Chè Xuân Hòa", CellKind::Enterprise),
];

/// Members per village cell: highland villages are small, the valley ones larger.
const VILLAGE_SIZES: [usize; VILLAGE_CELL_COUNT] = [
    14, 9, 16, 12, 18, 8, 15, 11, 24, 19, 17, 13, 9, 12, 11, 8, 15, 13, 22, 20, 12, 9, 8, 16, 23,
    18, 11, 14, 10, 30,
];
const OTHER_SIZES: [usize; CELL_COUNT - VILLAGE_CELL_COUNT] =
    [15, 17, 11, 12, 9, 10, 13, 16, 12, 7, 9, 8, 5];

const FAMILY: [&str; 20] = [
    "Lò", "Hoàng", "Giàng", "Sùng", "Vàng", "Lục", "Nông", "Thào", "Ma", "Lý", "Hà", "Mùa",
    "Nguyễn", "Trần", "Lê", "Phạm", "Đinh", "Bùi", "Triệu", "Đặng",
];
const MALE: [&str; 16] = [
    "Thắng", "Páo", "Lử", "Hùng", "Sử", "Dũng", "Tài", "Chứ", "Quang", "Minh", "Tuấn", "Sơn",
    "Hải", "Cường", "Long", "Phong",
];
const FEMALE: [&str; 14] = [
    "Lan", "Mai", "Hoa", "Hương", "Thảo", "Dung", "Nga", "Huyền", "Liên", "Trang", "Xuân", "Hằng",
    "Phương", "Yến",
];

/// A full name, different for each `n`, with the middle names highland and lowland
/// families use.
fn full_name(n: usize) -> String {
    let family = FAMILY[n % FAMILY.len()];
    let female = (n / 3) % 2 == 1;
    let given = if female {
        FEMALE[(n * 7 + n / FAMILY.len()) % FEMALE.len()]
    } else {
        MALE[(n * 5 + n / FAMILY.len()) % MALE.len()]
    };
    let middle = match (female, n % 4) {
        (true, _) => "Thị",
        (false, 0) => "A",
        (false, 1) => "Seo",
        (false, _) => "Văn",
    };
    format!("{family} {middle} {given}")
}

/// A member's situation, spread as the seeds describe highland cells: most active, a few
/// working far away, some exempt for age or illness, an occasional one attached to
/// another cell, and a few probationary members.
fn situation(
    index_in_cell: usize,
    n: usize,
) -> (MembershipKind, MemberStatus, Option<&'static str>) {
    if index_in_cell < 2 {
        return (MembershipKind::Full, MemberStatus::Active, None);
    }
    match n % 23 {
        3 | 14 => (
            MembershipKind::Full,
            MemberStatus::WorkingAway,
            Some("Đi làm ăn xa tại Bắc Ninh"),
        ),
        7 => (
            MembershipKind::Full,
            MemberStatus::Exempt,
            Some("Tuổi cao, sức yếu"),
        ),
        18 => (
            MembershipKind::Full,
            MemberStatus::Exempt,
            Some("Điều trị bệnh dài ngày"),
        ),
        11 => (
            MembershipKind::Full,
            MemberStatus::AttachedElsewhere,
            Some("Sinh hoạt tạm thời tại chi bộ nơi làm việc"),
        ),
        5 | 20 => (MembershipKind::Probationary, MemberStatus::Active, None),
        _ => (MembershipKind::Full, MemberStatus::Active, None),
    }
}

fn role(index_in_cell: usize, full_members: usize) -> MemberRole {
    match index_in_cell {
        0 => MemberRole::Secretary,
        1 => MemberRole::DeputySecretary,
        // A cell committee is elected only with 9 or more full members.
        2 | 3 if full_members >= 9 => MemberRole::CellCommittee,
        _ => MemberRole::Member,
    }
}

/// Builds Xuân Hòa. `today` fixes when the assignments start (the first of the year).
pub fn xuan_hoa(today: CalendarDate) -> Commune {
    let commune_id = new_id();
    let mut cells = Vec::with_capacity(CELL_COUNT);
    let mut members = Vec::with_capacity(MEMBER_COUNT);
    let mut person = 0usize;

    let plan = VILLAGES
        .iter()
        .map(|name| (*name, CellKind::Village))
        .zip(VILLAGE_SIZES)
        .chain(OTHER_CELLS.iter().copied().zip(OTHER_SIZES));
    for (i, ((name, kind), size)) in plan.enumerate() {
        let cell = Cell {
            id: new_id(),
            commune_id: commune_id.clone(),
            commune_name: COMMUNE_NAME.to_string(),
            name: format!("Chi bộ {name}"),
            kind,
            meeting_place: Some(MeetingPlace {
                label: if kind == CellKind::Village {
                    format!("Nhà văn hóa {name}")
                } else {
                    format!("Phòng họp {name}")
                },
                // Spread over the hills around 22.1° N, 104.2° E.
                latitude: 22.05 + (i % 7) as f64 * 0.013,
                longitude: 104.15 + (i / 7) as f64 * 0.017,
                radius_m: 150.0,
            }),
            meeting_day: Some(24),
        };
        let situations: Vec<_> = (0..size).map(|k| situation(k, person + k)).collect();
        let full = situations
            .iter()
            .filter(|(kind, ..)| *kind == MembershipKind::Full)
            .count();
        for (k, (membership, status, reason)) in situations.into_iter().enumerate() {
            members.push(Member {
                id: new_id(),
                cell_id: cell.id.clone(),
                full_name: full_name(person),
                membership,
                status,
                status_since: reason
                    .map(|_| CalendarDate::from_ymd(today.0.year(), 1, 15).expect("valid date")),
                status_reason: reason.map(str::to_string),
                role: role(k, full),
                party_group: None,
            });
            person += 1;
        }
        cells.push(cell);
    }

    let (teams, cadres, assignments) = committee(&commune_id, &cells, today);
    Commune {
        id: commune_id,
        name: COMMUNE_NAME.to_string(),
        cells,
        members,
        cadres,
        teams,
        assignments,
        requirement: VisitRequirement {
            per: VisitPeriod::Month,
            visits: 1,
        },
    }
}

/// Five working teams of 6–7 committee members; each member follows the village cells
/// of their team in turn.
fn committee(
    commune_id: &str,
    cells: &[Cell],
    today: CalendarDate,
) -> (Vec<WorkingTeam>, Vec<Cadre>, Vec<Assignment>) {
    const TEAM_SIZES: [usize; 5] = [7, 6, 7, 6, 6];
    let villages: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.kind == CellKind::Village)
        .collect();
    let starts_on = CalendarDate::from_ymd(today.0.year(), 1, 1).expect("1 January");
    let mut teams = Vec::new();
    let mut cadres = Vec::new();
    let mut assignments = Vec::new();
    let mut village = 0usize;
    let mut person = 1000usize;
    for (t, size) in TEAM_SIZES.iter().enumerate() {
        let team = WorkingTeam {
            id: new_id(),
            commune_id: commune_id.to_string(),
            name: format!("Tổ công tác số {}", t + 1),
        };
        let villages_per_team = VILLAGE_CELL_COUNT / TEAM_SIZES.len();
        for k in 0..*size {
            let cadre = Cadre {
                id: new_id(),
                commune_id: commune_id.to_string(),
                full_name: full_name(person),
                title: if k == 0 {
                    format!("Phó Bí thư Đảng ủy xã, Tổ trưởng {}", team.name)
                } else {
                    "Đảng ủy viên".to_string()
                },
            };
            person += 1;
            // Each cadre follows one of the team's villages; the seventh shares one.
            let cell = villages[village + k % villages_per_team];
            assignments.push(Assignment {
                id: new_id(),
                cadre_id: cadre.id.clone(),
                cell_id: cell.id.clone(),
                working_team_id: Some(team.id.clone()),
                starts_on,
                ends_on: None,
            });
            cadres.push(cadre);
        }
        village += villages_per_team;
        teams.push(team);
    }
    (teams, cadres, assignments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xuan_hoa_has_the_seeds_figures() {
        let c = xuan_hoa(CalendarDate::from_ymd(2026, 11, 23).unwrap());
        assert_eq!(c.cells.len(), CELL_COUNT);
        assert_eq!(c.village_cells().count(), VILLAGE_CELL_COUNT);
        assert_eq!(c.members.len(), MEMBER_COUNT);
        for cell in &c.cells {
            assert!(
                c.secretary(&cell.id).is_some(),
                "{} has a secretary",
                cell.name
            );
        }
        for team in &c.teams {
            let size = c
                .assignments
                .iter()
                .filter(|a| a.working_team_id.as_ref() == Some(&team.id))
                .count();
            assert!((6..=7).contains(&size), "{} has {size}", team.name);
        }
        for village in c.village_cells() {
            assert!(
                !c.cadres_of(&village.id).is_empty(),
                "{} is followed",
                village.name
            );
        }
        let mut names: Vec<_> = c.members.iter().map(|m| &m.full_name).collect();
        names.sort();
        names.dedup();
        assert!(names.len() > 300, "names vary: {}", names.len());
    }
}
