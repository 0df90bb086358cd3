//! Every "may X read or write Y", in one place. A secretary writes their own cell; a
//! cadre reads the cells assigned to them and writes check-ins, observations and
//! petitions there; the office stays within its commune and authors the commune's own
//! data; nobody but the server authors a check-in verdict. A device reads a blob only
//! through a record it may read; the dashboard's users read their commune (or province)
//! and only a commune's admins act for it.

use chibo_domain::change::Change;
use chibo_domain::ledger::Refusal;
use chibo_domain::model::Id;
use chibo_domain::sync::{Role, Scope};
use chibo_domain::time::{local_date, CalendarDate, EpochMillis};

use crate::accounts::devices::Actor;
use crate::accounts::sessions::DashboardUser;
use crate::accounts::users::{DashboardRole, UserInfo};
use crate::docs::CommuneDocs;
use crate::error::ApiError;
use crate::storage::{self, CommuneRow, Storage, StorageResult};

/// The code of a pushed change refused for its scope.
pub const SCOPE_CODE: &str = "scope";

/// Where a change belongs: the scope its log entry goes to, and every cell it touches
/// (a member moved between cells touches both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub scope: Scope,
    pub cells: Vec<Id>,
}

impl Target {
    /// Every log the change goes into: each cell it touches (a member moved from A to B
    /// reaches A's phones too, which take them off A's roster), or the commune's.
    pub fn log_scopes(&self) -> Vec<Scope> {
        match &self.scope {
            Scope::Commune(_) => vec![self.scope.clone()],
            Scope::Cell(_) => self.cells.iter().cloned().map(Scope::Cell).collect(),
        }
    }
}

/// Why a pushed change is refused before the rules see it.
#[derive(Debug)]
pub enum Denial {
    /// Outside what the device may write.
    Scope(String),
    /// It refers to something the commune does not hold.
    Refusal(Refusal),
}

impl Denial {
    pub fn code(&self) -> &'static str {
        match self {
            Denial::Scope(_) => SCOPE_CODE,
            Denial::Refusal(r) => r.code(),
        }
    }

    pub fn reason(&self) -> String {
        match self {
            Denial::Scope(reason) => reason.clone(),
            Denial::Refusal(r) => r.to_string(),
        }
    }
}

fn other_commune() -> Denial {
    Denial::Scope("Dữ liệu thuộc một xã khác; thiết bị này chỉ ghi được dữ liệu của xã mình".into())
}

fn server_only() -> Denial {
    Denial::Scope("Chỉ máy chủ mới kết luận được lượt điểm danh".into())
}

fn not_found(kind: &'static str, id: &str) -> Denial {
    Denial::Refusal(Refusal::NotFound {
        kind,
        id: id.to_string(),
    })
}

fn cell_target(cells: Vec<Id>) -> Target {
    let mut unique: Vec<Id> = Vec::new();
    for c in cells {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    Target {
        scope: Scope::Cell(unique[0].clone()),
        cells: unique,
    }
}

/// The scope and cells of `change`, read from what the commune holds (the stored cell
/// of an existing entity, the change's own for a new one).
pub fn target(docs: &CommuneDocs, change: &Change) -> StorageResult<Result<Target, Denial>> {
    let commune = docs.commune_id().to_string();
    let commune_target = |commune_id: &str| {
        if commune_id == commune {
            Ok(Target {
                scope: Scope::Commune(commune.clone()),
                cells: Vec::new(),
            })
        } else {
            Err(other_commune())
        }
    };
    let meeting_cell = |meeting_id: &str| -> StorageResult<Result<Target, Denial>> {
        Ok(
            match docs.with_record(meeting_id, |r| r.meeting.cell_id.clone())? {
                Some(cell_id) => Ok(cell_target(vec![cell_id])),
                None => Err(not_found("meeting", meeting_id)),
            },
        )
    };
    let result = match change {
        Change::UpsertCell { cell } => {
            if cell.commune_id != commune {
                Err(other_commune())
            } else {
                Ok(cell_target(vec![cell.id.clone()]))
            }
        }
        Change::UpsertMember { member } => {
            let mut cells = vec![member.cell_id.clone()];
            if let Some(old) =
                docs.get::<chibo_domain::model::Member>(crate::docs::MEMBER, &member.id)?
            {
                cells.push(old.cell_id);
            }
            Ok(cell_target(cells))
        }
        Change::PlanMeeting { meeting } => {
            let mut cells = vec![meeting.cell_id.clone()];
            if let Some(old) = docs.with_record(&meeting.id, |r| r.meeting.cell_id.clone())? {
                cells.push(old);
            }
            Ok(cell_target(cells))
        }
        Change::UpdateMeeting { meeting, .. } => {
            match docs.with_record(&meeting.id, |r| r.meeting.cell_id.clone())? {
                Some(old) => Ok(cell_target(vec![old, meeting.cell_id.clone()])),
                None => Err(not_found("meeting", &meeting.id)),
            }
        }
        Change::StartCorrection { original_id, .. } => return meeting_cell(original_id),
        Change::RaisePetition { petition } => {
            let mut cells = vec![petition.cell_id.clone()];
            if let Some(old) =
                docs.get::<chibo_domain::model::Petition>(crate::docs::PETITION, &petition.id)?
            {
                cells.push(old.cell_id);
            }
            Ok(cell_target(cells))
        }
        Change::RecordCheckIn { check_in, .. } => match docs.cell(&check_in.cell_id)? {
            Some(cell) => Ok(cell_target(vec![cell.id])),
            None => Err(not_found("cell", &check_in.cell_id)),
        },
        Change::AttachPhoto { photo } => match (&photo.meeting_id, &photo.check_in_id) {
            (Some(meeting_id), _) => return meeting_cell(meeting_id),
            (None, Some(check_in_id)) => match docs.stored_check_in(check_in_id)? {
                Some(stored) => Ok(cell_target(vec![stored.check_in.cell_id])),
                None => Err(not_found("check_in", check_in_id)),
            },
            // The rules refuse it with their own reason.
            (None, None) => Err(Denial::Refusal(
                chibo_domain::ValidationError::EmptyField {
                    field: "buổi họp hoặc lượt điểm danh của ảnh",
                }
                .into(),
            )),
        },
        Change::RecordObservation { observation } => {
            match docs.cell_of_meeting(&observation.meeting_id)? {
                Some(cell) => Ok(cell_target(vec![cell])),
                None => Err(not_found("meeting", &observation.meeting_id)),
            }
        }
        Change::RespondToPetition { response } => match docs
            .get::<chibo_domain::model::Petition>(crate::docs::PETITION, &response.petition_id)?
        {
            Some(p) => Ok(cell_target(vec![p.cell_id])),
            None => Err(not_found("petition", &response.petition_id)),
        },
        // Only the server authors verdicts, whatever the check-in.
        Change::SetCheckInVerdict { .. } => Err(server_only()),
        Change::UpsertCadre { cadre } => commune_target(&cadre.commune_id),
        Change::UpsertWorkingTeam { team } => commune_target(&team.commune_id),
        Change::UpsertAssignment { .. } => commune_target(&commune),
        Change::SetVisitRequirement { commune_id, .. } => commune_target(commune_id),
        Change::SetRuleSettings { commune_id, .. } => commune_target(commune_id),
        Change::PublishGuidance { guidance } => commune_target(&guidance.commune_id),
        // A part of a meeting's minutes (the domain's one list) goes to the meeting's cell.
        part => match part.meeting_part() {
            Some(meeting_id) => return meeting_cell(meeting_id),
            None => Err(server_only()),
        },
    };
    Ok(result)
}

/// The cells `actor` may read on `today`: their own (secretary), those assigned to them
/// now or lately (cadre, `Assignment::readable_on`), every cell of the commune (office).
pub fn readable_cells(
    docs: &CommuneDocs,
    actor: &Actor,
    today: CalendarDate,
) -> StorageResult<Vec<Id>> {
    let mut cells: Vec<Id> = match &actor.role {
        Role::Secretary { cell_id } => vec![cell_id.clone()],
        Role::Cadre { cadre_id } => docs
            .assignments()?
            .into_iter()
            .filter(|a| &a.cadre_id == cadre_id && a.readable_on(today))
            .map(|a| a.cell_id)
            .collect(),
        Role::Office => docs.cells()?.into_iter().map(|c| c.id).collect(),
    };
    let mut seen = Vec::new();
    cells.retain(|c| {
        let new = !seen.contains(c);
        seen.push(c.clone());
        new
    });
    Ok(cells)
}

/// Whether `actor` receives this guidance: a secretary only what is for their cell; the
/// cadres and the office all of the commune's.
pub fn guidance_visible(actor: &Actor, guidance: &chibo_domain::model::Guidance) -> bool {
    match &actor.role {
        Role::Secretary { cell_id } => guidance.is_for_cell(cell_id),
        Role::Cadre { .. } | Role::Office => true,
    }
}

/// Whether `actor`'s device, which reads `readable_cells`, receives a change of a scope it
/// reads: guidance only for its audience; an assignment only when it is about a cell the
/// device reads or (for a cadre) the cadre themselves, so a secretary's phone is not sent
/// the other cells' business; everything else of the scope.
pub fn delivers(actor: &Actor, change: &Change, readable_cells: &[Id]) -> bool {
    match change {
        Change::PublishGuidance { guidance } => guidance_visible(actor, guidance),
        Change::UpsertAssignment { assignment } => match &actor.role {
            Role::Office => true,
            Role::Secretary { .. } => readable_cells.contains(&assignment.cell_id),
            Role::Cadre { cadre_id } => {
                &assignment.cadre_id == cadre_id || readable_cells.contains(&assignment.cell_id)
            }
        },
        _ => true,
    }
}

/// Every scope `actor` may read on `today`: the cells first, then the commune, so a
/// commune change naming a cell (an assignment) never arrives before the cell itself.
pub fn readable_scopes(
    docs: &CommuneDocs,
    actor: &Actor,
    today: CalendarDate,
) -> StorageResult<Vec<Scope>> {
    let mut scopes: Vec<Scope> = readable_cells(docs, actor, today)?
        .into_iter()
        .map(Scope::Cell)
        .collect();
    scopes.push(Scope::Commune(actor.commune_id().to_string()));
    Ok(scopes)
}

/// Whether `actor` may author `change`, which lands in `target`.
pub fn may_write(
    docs: &CommuneDocs,
    actor: &Actor,
    change: &Change,
    target: &Target,
    now: EpochMillis,
) -> StorageResult<Result<(), Denial>> {
    let deny = |reason: &str| Ok(Err(Denial::Scope(reason.to_string())));
    if let Change::SetCheckInVerdict { .. } = change {
        return Ok(Err(server_only()));
    }
    let commune_level = matches!(target.scope, Scope::Commune(_));
    match &actor.role {
        Role::Office => {
            let allowed = commune_level
                || matches!(
                    change,
                    Change::UpsertCell { .. }
                        | Change::UpsertMember { .. }
                        | Change::RespondToPetition { .. }
                );
            if allowed {
                Ok(Ok(()))
            } else {
                deny("Văn phòng Đảng ủy xã không ghi biên bản thay chi bộ")
            }
        }
        Role::Secretary { cell_id } => {
            if commune_level {
                return deny("Chỉ văn phòng Đảng ủy xã mới ghi được dữ liệu chung của xã");
            }
            if matches!(
                change,
                Change::RecordCheckIn { .. } | Change::RecordObservation { .. }
            ) {
                return deny("Điểm danh và nhận xét do cấp ủy viên phụ trách ghi");
            }
            if target.cells.iter().all(|c| c == cell_id) {
                Ok(Ok(()))
            } else {
                deny("Đồng chí chỉ ghi được dữ liệu của chi bộ mình")
            }
        }
        Role::Cadre { cadre_id } => {
            let own = match change {
                Change::RecordCheckIn { check_in, .. } => &check_in.cadre_id == cadre_id,
                Change::RecordObservation { observation } => &observation.cadre_id == cadre_id,
                // A cadre raises petitions; editing one already recorded is the cell's
                // (or the office's) business.
                Change::RaisePetition { petition } => {
                    if docs
                        .get::<chibo_domain::model::Petition>(crate::docs::PETITION, &petition.id)?
                        .is_some()
                    {
                        return deny("Cấp ủy viên không sửa được kiến nghị đã ghi nhận");
                    }
                    true
                }
                Change::AttachPhoto { photo } => match &photo.check_in_id {
                    Some(check_in_id) if photo.meeting_id.is_none() => docs
                        .stored_check_in(check_in_id)?
                        .is_some_and(|s| &s.check_in.cadre_id == cadre_id),
                    _ => false,
                },
                _ => return deny(
                    "Cấp ủy viên chỉ ghi điểm danh, nhận xét và kiến nghị ở chi bộ được phân công",
                ),
            };
            if !own {
                return deny("Đồng chí chỉ ghi được điểm danh, nhận xét và ảnh của chính mình");
            }
            let readable = readable_cells(docs, actor, local_date(now))?;
            if target.cells.iter().all(|c| readable.contains(c)) {
                Ok(Ok(()))
            } else {
                deny("Đồng chí không được phân công phụ trách chi bộ này")
            }
        }
    }
}

// ---------------------------------------------------------------- the JSON API's office routes

/// The caller must be an office device; returns its commune (the JSON API's admin
/// routes).
pub fn require_office(actor: &Actor) -> Result<&str, ApiError> {
    if actor.is_office() {
        Ok(actor.commune_id())
    } else {
        Err(ApiError::Forbidden(
            "Chỉ văn phòng Đảng ủy xã mới dùng được chức năng này".into(),
        ))
    }
}

/// Whether an office device may register, issue a code for, or revoke the device of a
/// person with `role` (the JSON API's admin routes): the cells' secretaries and the
/// cadres only. Office persons and their devices are the commune admin's business (the
/// dashboard, the admin CLI): an office device is not a commune admin, so a lost or
/// stolen one cannot mint more office credentials or cut the others off.
pub fn office_device_may_administer(actor: &Actor, role: &Role) -> Result<(), ApiError> {
    require_office(actor)?;
    match role {
        Role::Secretary { .. } | Role::Cadre { .. } => Ok(()),
        Role::Office => Err(ApiError::Forbidden(
            "Thiết bị văn phòng không quản lý được tài khoản văn phòng; việc này do quản trị \
             viên của xã làm trên trang quản trị"
                .into(),
        )),
    }
}

/// The caller must be an office device of `commune_id` (the JSON API's reports).
pub fn require_office_of(actor: &Actor, commune_id: &str) -> Result<(), ApiError> {
    require_office(actor)?;
    if actor.commune_id() != commune_id {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

// ---------------------------------------------------------------- photos and attachments

/// The holder id of a file the dashboard's user `user_id` put in the store (a guidance
/// attachment): the commune office holds it.
pub fn dashboard_holder(user_id: &str) -> String {
    format!("dashboard:{user_id}")
}

/// The actor of a device, if it is enrolled, not revoked, and has a role.
fn actor_of(tx: &mut dyn crate::Tx, device_id: &str) -> StorageResult<Option<Actor>> {
    let Some(device) = tx.device(device_id)? else {
        return Ok(None);
    };
    if device.revoked_at.is_some() {
        return Ok(None);
    }
    let (Some(person), Some(commune)) = (
        tx.person(&device.person_id)?,
        tx.commune(&device.commune_id)?,
    ) else {
        return Ok(None);
    };
    let Some(role) = crate::accounts::devices::role_of(&person) else {
        return Ok(None);
    };
    Ok(Some(Actor {
        device,
        person,
        role,
        commune,
    }))
}

/// Whether the scope `cell` of the commune (`None`: the commune's own, e.g. guidance)
/// holds the blob `sha256`: someone who writes there sent its bytes. A cell is held by
/// its secretary's uploads and by those of the cadres who read it; the commune's own
/// scope by any upload of the commune (its office reads every cell) and the office's.
/// Naming a hash in a record proves nothing; sending the bytes does.
fn scope_holds_blob(
    docs: &CommuneDocs,
    cell: Option<&Id>,
    sha256: &str,
    today: CalendarDate,
) -> StorageResult<bool> {
    let commune_id = docs.commune_id().to_string();
    let holders = docs.with_tx(|tx| tx.blob_holders(&commune_id, sha256))?;
    let Some(cell) = cell else {
        return Ok(!holders.is_empty());
    };
    for holder in holders {
        if holder.starts_with("dashboard:") {
            continue;
        }
        let Some(actor) = docs.with_tx(|tx| actor_of(tx, &holder))? else {
            continue;
        };
        let holds = match &actor.role {
            Role::Secretary { cell_id } => cell_id == cell,
            Role::Cadre { .. } => readable_cells(docs, &actor, today)?.contains(cell),
            Role::Office => false,
        };
        if holds {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The references of `sha256` in `commune_id` whose scope holds the blob: only these
/// make it readable.
fn vouched_refs(
    docs: &CommuneDocs,
    sha256: &str,
    today: CalendarDate,
) -> StorageResult<Vec<storage::BlobRef>> {
    let commune_id = docs.commune_id().to_string();
    let refs: Vec<_> = docs
        .with_tx(|tx| tx.blob_refs(sha256))?
        .into_iter()
        .filter(|r| r.commune_id == commune_id)
        .collect();
    let mut vouched = Vec::new();
    for r in refs {
        if scope_holds_blob(docs, r.cell_id.as_ref(), sha256, today)? {
            vouched.push(r);
        }
    }
    Ok(vouched)
}

/// Whether the device may read the blob `sha256`: a record in a scope it reads (a
/// meeting or check-in photo of its cells, an attachment of guidance for it) references
/// it, and that record's scope holds the blob ([`scope_holds_blob`]). A hash named in a
/// record of another commune or cell, without its bytes, opens nothing.
pub fn device_may_read_blob(
    storage: &dyn crate::Storage,
    now: &chibo_domain::time::EpochMillis,
    device_id: &str,
    sha256: &str,
) -> Result<bool, ApiError> {
    let today = chibo_domain::time::local_date(*now);
    let sha256 = sha256.trim().to_lowercase();
    crate::in_read(storage, |tx| {
        let Some(actor) = actor_of(tx, device_id)? else {
            return Ok(Ok(false));
        };
        let docs = CommuneDocs::new(tx, &actor.commune.id);
        let refs = vouched_refs(&docs, &sha256, today)?;
        if refs.is_empty() {
            return Ok(Ok(false));
        }
        let cells = readable_cells(&docs, &actor, today)?;
        if refs
            .iter()
            .any(|r| r.cell_id.as_ref().is_some_and(|c| cells.contains(c)))
        {
            return Ok(Ok(true));
        }
        // A commune-level reference: an attachment of guidance this device receives.
        if refs.iter().any(|r| r.cell_id.is_none()) {
            let visible = docs.guidances()?.iter().any(|g| {
                guidance_visible(&actor, g)
                    && g.attachments
                        .iter()
                        .any(|a| a.sha256.eq_ignore_ascii_case(&sha256))
            });
            return Ok(Ok(visible));
        }
        Ok(Ok(false))
    })
}

/// Whether the device's own scope already holds the blob `sha256` (so an upload of it
/// need not send the bytes again): its cell (secretary), a cell it reads (cadre), the
/// commune (office).
pub fn device_holds_blob(
    storage: &dyn crate::Storage,
    now: EpochMillis,
    device_id: &str,
    sha256: &str,
) -> StorageResult<bool> {
    let today = local_date(now);
    let sha256 = sha256.trim().to_lowercase();
    storage::read(storage, |tx| {
        let Some(actor) = actor_of(tx, device_id)? else {
            return Ok(false);
        };
        let docs = CommuneDocs::new(tx, &actor.commune.id);
        let scopes: Vec<Option<Id>> = match &actor.role {
            Role::Office => vec![None],
            _ => readable_cells(&docs, &actor, today)?
                .into_iter()
                .map(Some)
                .collect(),
        };
        for scope in scopes {
            if scope_holds_blob(&docs, scope.as_ref(), &sha256, today)? {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

/// Whether the dashboard of `commune_id` may show the blob `sha256`: a record or
/// check-in of one of the commune's cells references it, and that cell holds it. A photo
/// of another commune is answered like one that does not exist.
pub fn commune_may_show_blob(
    storage: &dyn Storage,
    commune_id: &str,
    sha256: &str,
    now: EpochMillis,
) -> StorageResult<bool> {
    let sha256 = sha256.trim().to_lowercase();
    storage::read(storage, |tx| {
        let docs = CommuneDocs::new(tx, commune_id);
        Ok(vouched_refs(&docs, &sha256, local_date(now))?
            .iter()
            .any(|r| r.cell_id.is_some()))
    })
}

// ---------------------------------------------------------------- dashboard users

/// Whether a dashboard user may read `commune`: its own admins and viewers, and the
/// viewers and admins of its province.
pub fn dashboard_may_read(user: &DashboardUser, commune: &CommuneRow) -> bool {
    match user.role {
        DashboardRole::CommuneAdmin | DashboardRole::CommuneViewer => {
            user.commune_id.as_deref() == Some(commune.id.as_str())
        }
        DashboardRole::ProvinceViewer | DashboardRole::ProvinceAdmin => {
            user.province_id.as_deref() == Some(commune.province_id.as_str())
        }
    }
}

/// Whether a dashboard user may act for `commune`: its own admins only.
pub fn dashboard_may_write(user: &DashboardUser, commune: &CommuneRow) -> bool {
    user.role == DashboardRole::CommuneAdmin
        && user.commune_id.as_deref() == Some(commune.id.as_str())
}

/// Whether `user` may set a new password for the account `target` (without knowing the
/// current one): a commune admin, for the commune's other accounts that are not admins;
/// a province admin, for the province's viewers. An admin's password is changed only by
/// its holder, who proves the current one; so one admin cannot take over another's
/// account.
pub fn dashboard_may_set_password(user: &DashboardUser, target: &UserInfo) -> bool {
    if target.id == user.id {
        return false;
    }
    let target_role = DashboardRole::parse(&target.role);
    match user.role {
        DashboardRole::CommuneAdmin => {
            user.commune_id.is_some()
                && target.commune_id == user.commune_id
                && target_role != Some(DashboardRole::CommuneAdmin)
        }
        DashboardRole::ProvinceAdmin => {
            user.province_id.is_some()
                && target.province_id == user.province_id
                && target_role == Some(DashboardRole::ProvinceViewer)
        }
        DashboardRole::CommuneViewer | DashboardRole::ProvinceViewer => false,
    }
}
