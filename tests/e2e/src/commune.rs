//! Small communes cut from the Xuân Hòa seed, set up the way a commune starts using
//! chibo: the server's admin CLI creates the commune and its office person, the office
//! phone enrols and pushes the rosters and the committee's assignments, then the office
//! registers each secretary and cadre, whose phones enrol with their one-time codes and
//! pull what they may read.

use chibo_core::sync::SyncReport;
use chibo_demo::seed::{self, Commune};
use chibo_demo::Phone;
use chibo_domain::compliance::{Assignment, Cadre};
use chibo_domain::sync::Role;
use chibo_domain::time::local_date;
use chibo_domain::*;
use chibo_server::accounts::enrolment::{self, NewPerson};

use crate::cluster::Site;

pub fn now() -> EpochMillis {
    chrono::Utc::now().timestamp_millis()
}

/// The first `cells` village cells of a fresh Xuân Hòa (new ids every call), with their
/// members and the cadres assigned to them.
pub fn small_commune(cells: usize) -> Commune {
    commune_of_villages(&(0..cells).collect::<Vec<_>>())
}

/// The village cells of a fresh Xuân Hòa at these indexes (0–29; the last, Tổ dân phố
/// Trung Tâm, has 30 members), with their members and cadres.
pub fn commune_of_villages(indexes: &[usize]) -> Commune {
    let mut full = seed::xuan_hoa(local_date(now()));
    let keep: Vec<Id> = full
        .village_cells()
        .enumerate()
        .filter(|(i, _)| indexes.contains(i))
        .map(|(_, c)| c.id.clone())
        .collect();
    full.cells.retain(|c| keep.contains(&c.id));
    full.members.retain(|m| keep.contains(&m.cell_id));
    full.assignments.retain(|a| keep.contains(&a.cell_id));
    let cadre_ids: Vec<Id> = full
        .assignments
        .iter()
        .map(|a| a.cadre_id.clone())
        .collect();
    full.cadres.retain(|c| cadre_ids.contains(&c.id));
    let team_ids: Vec<Id> = full
        .assignments
        .iter()
        .filter_map(|a| a.working_team_id.clone())
        .collect();
    full.teams.retain(|t| team_ids.contains(&t.id));
    full
}

/// A commune on the server with its office phone enrolled and its data pushed.
pub struct Town {
    pub seed: Commune,
    pub office: Phone,
    /// The name the phones' directories start with.
    tag: String,
}

/// Unwraps a façade result with the error's Vietnamese message.
pub fn ok<T>(result: Result<T, chibo_core::ffi::ChiboError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Syncs and insists that everything went through.
pub fn sync_all(phone: &Phone) -> SyncReport {
    let report = ok(phone.sync(), &format!("sync {}", phone.name));
    assert!(report.complete, "{}: {}", phone.name, report.summary);
    report
}

impl Town {
    /// Creates `seed` on the server, enrols the office phone and pushes the commune's
    /// rosters, committee and assignments from it.
    pub fn create(cluster: &impl Site, tag: &str, seed: Commune) -> Town {
        let storage = cluster.storage();
        enrolment::create_commune(
            storage,
            &format!("{} ({tag})", seed.name),
            "tinh-lao-cai",
            Some(seed.id.clone()),
            now(),
        )
        .expect("create the commune");
        let office_person = enrolment::create_person(
            storage,
            &seed.id,
            &NewPerson {
                full_name: "Lường Thị Hạnh".into(),
                role: Role::Office,
            },
            now(),
        )
        .expect("register the office");
        let code = enrolment::issue_code(
            storage,
            &seed.id,
            &office_person.id,
            3_600_000,
            now(),
            &cluster.url(),
        )
        .expect("issue the office's code");
        let office = cluster.phone(&format!("{tag}-van-phong"));
        ok(office.enroll(&cluster.url(), &code.qr), "enrol the office");

        let store = &office.store;
        for cell in &seed.cells {
            let roster: Vec<Member> = seed.roster(&cell.id).into_iter().cloned().collect();
            ok(store.import_roster(cell.clone(), roster), "import a roster");
        }
        for team in &seed.teams {
            ok(store.save_working_team(team.clone()), "save a team");
        }
        for cadre in &seed.cadres {
            ok(store.save_cadre(cadre.clone()), "save a cadre");
        }
        for assignment in &seed.assignments {
            ok(store.assign(assignment.clone()), "assign a cadre");
        }
        ok(
            store.set_visit_requirement(seed.id.clone(), seed.requirement),
            "set the visit requirement",
        );
        sync_all(&office);
        Town {
            seed,
            office,
            tag: tag.to_string(),
        }
    }

    pub fn cell(&self, index: usize) -> &Cell {
        &self.seed.cells[index]
    }

    pub fn roster(&self, index: usize) -> Vec<Member> {
        self.seed
            .roster(&self.cell(index).id)
            .into_iter()
            .cloned()
            .collect()
    }

    /// The cadre assigned to cell `index` (the first, when several are).
    pub fn cadre_of(&self, index: usize) -> Cadre {
        self.seed.cadres_of(&self.cell(index).id)[0].clone()
    }

    pub fn assignment_of(&self, cadre: &Cadre) -> Assignment {
        self.seed
            .assignments
            .iter()
            .find(|a| a.cadre_id == cadre.id)
            .expect("the cadre is assigned")
            .clone()
    }

    /// The office registers `full_name` as `role` and issues a one-time code.
    pub fn issue(&self, cluster: &impl Site, full_name: &str, role: Role) -> String {
        let storage = cluster.storage();
        let person = enrolment::create_person(
            storage,
            &self.seed.id,
            &NewPerson {
                full_name: full_name.into(),
                role,
            },
            now(),
        )
        .expect("register the person");
        enrolment::issue_code(
            storage,
            &self.seed.id,
            &person.id,
            3_600_000,
            now(),
            &cluster.url(),
        )
        .expect("issue a code")
        .qr
    }

    /// The secretary of cell `index`, enrolled, with the cell pulled.
    pub fn secretary_phone(&self, cluster: &impl Site, index: usize) -> Phone {
        let cell = self.cell(index).clone();
        let name = self
            .seed
            .secretary(&cell.id)
            .map(|m| m.full_name.clone())
            .expect("the cell has a secretary");
        let code = self.issue(cluster, &name, Role::Secretary { cell_id: cell.id });
        let phone = cluster.phone(&format!("{}-bi-thu-{index}", self.tag));
        ok(phone.enroll(&cluster.url(), &code), "enrol a secretary");
        sync_all(&phone);
        phone
    }

    /// The cadre following cell `index`, enrolled, with the assigned cells pulled.
    pub fn cadre_phone(&self, cluster: &impl Site, index: usize) -> Phone {
        let cadre = self.cadre_of(index);
        let code = self.issue(
            cluster,
            &cadre.full_name,
            Role::Cadre {
                cadre_id: cadre.id.clone(),
            },
        );
        let phone = cluster.phone(&format!("{}-can-bo-{index}", self.tag));
        ok(phone.enroll(&cluster.url(), &code), "enrol a cadre");
        sync_all(&phone);
        phone
    }
}
