//! People and devices: who is registered (secretaries, cadres, the office), the working
//! teams and assignments with the visits required, the enrolled phones with their last
//! sync; and, for the commune admin, registering a person, issuing an enrolment code
//! (short code and QR) and revoking a device. Every action goes through
//! [`crate::accounts::enrolment`], which enforces the rules the JSON API enforces.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use chibo_domain::compliance::{Assignment, Cadre, WorkingTeam};
use chibo_domain::model::Cell;
use chibo_domain::sync::Role;

use crate::accounts::audit::{self, AuditAction};
use crate::accounts::enrolment::{self, DeviceInfo, IssuedCode, NewPerson};
use crate::docs::{CommuneDocs, WORKING_TEAM};
use crate::storage::{self, DocFilter};
use crate::AppState;

use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};
use chibo_domain::labels::{format_date_time as date_time, visit_requirement_text, Label};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/communes/{commune_id}/people",
            get(page).post(create_person),
        )
        .route(
            "/communes/{commune_id}/people/{person_id}/codes",
            post(issue_code),
        )
        .route(
            "/communes/{commune_id}/devices/{device_id}/revoke",
            post(revoke),
        )
}

fn people_path(commune_id: &str) -> String {
    format!("{}/people", commune_path(commune_id))
}

pub struct PersonView {
    pub id: String,
    pub name: String,
    pub role: String,
    pub code_action: String,
}

pub struct TeamView {
    pub name: String,
    pub cadres: Vec<String>,
}

pub struct AssignmentView {
    pub cadre: String,
    pub cell: String,
    pub team: String,
    pub period: String,
    pub current: bool,
}

pub struct DeviceView {
    pub label: String,
    pub person: String,
    pub enrolled: String,
    pub last_sync: String,
    pub revoked: Option<String>,
    pub clock_note: Option<String>,
    /// Where the device keeps its signing key, in words.
    pub key: String,
    pub revoke_action: String,
}

pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub chrome: Chrome,
    pub can_write: bool,
    pub notice: Option<String>,
    pub persons: Vec<PersonView>,
    pub teams: Vec<TeamView>,
    pub assignments: Vec<AssignmentView>,
    pub requirement: String,
    pub devices: Vec<DeviceView>,
    pub cells: Vec<Choice>,
    pub cadres: Vec<Choice>,
    pub create_action: String,
}

#[derive(Template)]
#[template(path = "people_code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub person: String,
    pub role: String,
    /// Grouped for reading aloud: `K7QM 4XTB`.
    pub code: String,
    pub qr_svg: String,
    pub qr_content: String,
    /// The address the QR carries, for a phone that enrols by the short code.
    pub server_url: String,
    pub expires: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "people_revoke.html")]
pub struct RevokePage {
    pub chrome: Chrome,
    pub device: String,
    pub person: String,
    pub action: String,
    pub back: String,
}

/// What the page needs from the documents.
struct Directory {
    cells: Vec<Cell>,
    cadres: Vec<Cadre>,
    teams: Vec<WorkingTeam>,
    assignments: Vec<Assignment>,
    requirement: chibo_domain::compliance::VisitRequirement,
}

fn directory(state: &AppState, commune_id: &str) -> Result<Directory, PageError> {
    Ok(storage::read(&*state.storage, |tx| {
        let docs = CommuneDocs::new(tx, commune_id);
        let mut teams: Vec<WorkingTeam> = docs.list(WORKING_TEAM, &DocFilter::default())?;
        teams.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(Directory {
            cells: docs.cells()?,
            cadres: docs.cadres()?,
            teams,
            assignments: docs.assignments()?,
            requirement: docs.visit_requirement()?.unwrap_or_default(),
        })
    })?)
}

fn role_text(role: &Role, dir: &Directory) -> String {
    let label = role.label();
    match role {
        Role::Office => label.to_string(),
        Role::Secretary { cell_id } => match dir.cells.iter().find(|c| &c.id == cell_id) {
            // "Bí thư Chi bộ bản Nà Hẩu": the title names the cell.
            Some(cell) => format!("Bí thư {}", cell.name),
            None => format!("{label} (chi bộ chưa đồng bộ)"),
        },
        Role::Cadre { cadre_id } => match dir.cadres.iter().find(|c| &c.id == cadre_id) {
            Some(c) => format!("{label} – {}", c.title),
            None => label.to_string(),
        },
    }
}

fn cadre_name(dir: &Directory, id: &str) -> String {
    dir.cadres
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.full_name.clone())
        .unwrap_or_else(|| "(cán bộ không rõ)".to_string())
}

#[derive(Deserialize)]
struct PageQuery {
    revoked: Option<String>,
}

async fn page(
    scope: CommuneScope,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let notice = query
        .revoked
        .map(|_| "Đã thu hồi thiết bị: lần đồng bộ tới của máy đó sẽ bị từ chối.".to_string());
    let page = people_page(state, scope, notice).await?;
    Ok(render(&page)?.into_response())
}

async fn people_page(
    state: AppState,
    scope: CommuneScope,
    notice: Option<String>,
) -> Result<PeoplePage, PageError> {
    let CommuneScope { user, commune } = scope;
    let commune_id = commune.id.clone();
    let today = chibo_domain::time::local_date(state.clock.now());
    let (dir, persons, devices) = blocking(move || {
        let dir = directory(&state, &commune_id)?;
        let persons = enrolment::list_persons(&*state.storage, &commune_id)?;
        let devices = enrolment::list_devices(&*state.storage, &commune_id)?;
        Ok((dir, persons, devices))
    })
    .await?;
    let base = commune_path(&commune.id);
    let persons = persons
        .iter()
        .map(|p| PersonView {
            id: p.id.clone(),
            name: p.full_name.clone(),
            role: role_text(&p.role, &dir),
            code_action: format!("{base}/people/{}/codes", urlencode(&p.id)),
        })
        .collect();
    let teams = dir
        .teams
        .iter()
        .map(|t| {
            let mut cadres: Vec<String> = dir
                .assignments
                .iter()
                .filter(|a| a.working_team_id.as_deref() == Some(t.id.as_str()))
                .map(|a| cadre_name(&dir, &a.cadre_id))
                .collect();
            cadres.sort();
            cadres.dedup();
            TeamView {
                name: t.name.clone(),
                cadres,
            }
        })
        .collect();
    let mut assignments: Vec<AssignmentView> = dir
        .assignments
        .iter()
        .map(|a| AssignmentView {
            cadre: cadre_name(&dir, &a.cadre_id),
            cell: dir
                .cells
                .iter()
                .find(|c| c.id == a.cell_id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "(chi bộ không rõ)".to_string()),
            team: a
                .working_team_id
                .as_ref()
                .and_then(|id| dir.teams.iter().find(|t| &t.id == id))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            period: match a.ends_on {
                Some(end) => format!("{} – {}", a.starts_on.to_vietnamese(), end.to_vietnamese()),
                None => format!("từ {}", a.starts_on.to_vietnamese()),
            },
            current: a.covers(today),
        })
        .collect();
    assignments.sort_by(|a, b| (&a.cadre, &a.cell).cmp(&(&b.cadre, &b.cell)));
    let requirement = visit_requirement_text(&dir.requirement);
    let mut devices: Vec<DeviceView> = devices.iter().map(|d| device_view(&base, d)).collect();
    devices.sort_by(|a, b| {
        (a.revoked.is_some(), &a.person, &a.label).cmp(&(b.revoked.is_some(), &b.person, &b.label))
    });
    Ok(PeoplePage {
        can_write: crate::access::dashboard_may_write(&user, &commune),
        create_action: people_path(&commune.id),
        chrome: Chrome::new(user, Some(commune), Nav::People, "Người dùng, thiết bị"),
        notice,
        persons,
        teams,
        assignments,
        requirement,
        devices,
        cells: dir
            .cells
            .iter()
            .map(|c| Choice {
                id: c.id.clone(),
                label: c.name.clone(),
            })
            .collect(),
        cadres: dir
            .cadres
            .iter()
            .map(|c| Choice {
                id: c.id.clone(),
                label: format!("{} – {}", c.full_name, c.title),
            })
            .collect(),
    })
}

fn device_view(base: &str, d: &DeviceInfo) -> DeviceView {
    DeviceView {
        label: d.label.clone(),
        person: d.person_name.clone(),
        enrolled: date_time(d.enrolled_at),
        last_sync: d
            .last_sync_at
            .map(date_time)
            .unwrap_or_else(|| "Chưa đồng bộ".to_string()),
        revoked: d.revoked_at.map(date_time),
        // Stored as how far ahead the clock was: negative when it was behind.
        clock_note: d.clock_ahead_ms.filter(|ms| *ms != 0).map(|ms| {
            format!(
                "Đồng hồ máy {}",
                chibo_domain::sync::clock_offset_words(-ms)
            )
        }),
        key: d
            .key_protection
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| "Không rõ (đăng ký trước khi ghi loại khóa)".to_string()),
        revoke_action: format!("{base}/devices/{}/revoke", urlencode(&d.device_id)),
    }
}

// ---------------------------------------------------------------- actions

#[derive(Deserialize)]
struct NewPersonForm {
    full_name: String,
    role: String,
    #[serde(default)]
    cell_id: String,
    #[serde(default)]
    cadre_id: String,
}

async fn create_person(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<NewPersonForm>,
) -> Result<Response, PageError> {
    let role = match form.role.as_str() {
        "office" => Role::Office,
        "secretary" if !form.cell_id.trim().is_empty() => Role::Secretary {
            cell_id: form.cell_id.trim().to_string(),
        },
        "cadre" if !form.cadre_id.trim().is_empty() => Role::Cadre {
            cadre_id: form.cadre_id.trim().to_string(),
        },
        "secretary" => {
            return Err(PageError::BadRequest(
                "Bí thư chi bộ: đồng chí cần chọn chi bộ.".into(),
            ))
        }
        "cadre" => {
            return Err(PageError::BadRequest(
                "Cấp ủy viên: đồng chí cần chọn cán bộ trong danh sách cấp ủy.".into(),
            ))
        }
        _ => return Err(PageError::BadRequest("Vai trò không hợp lệ.".into())),
    };
    let new = NewPerson {
        full_name: form.full_name,
        role,
    };
    let commune_id = scope.commune.id.clone();
    let now = state.clock.now();
    let st = state.clone();
    let person = blocking(move || {
        Ok(enrolment::create_person(
            &*st.storage,
            &commune_id,
            &new,
            now,
        )?)
    })
    .await?;
    crate::web::audit(
        &state,
        Some(scope.commune.id.clone()),
        audit::user_actor(&scope.user.id, &scope.user.username),
        AuditAction::PersonRegistered,
        person.full_name.clone(),
        scope.user.client_ip.clone(),
    )
    .await;
    let notice = format!(
        "Đã đăng ký {}. Bấm \"Cấp mã đăng ký\" để cài ứng dụng cho người này.",
        person.full_name
    );
    let page = people_page(state, scope, Some(notice)).await?;
    Ok(render(&page)?.into_response())
}

async fn issue_code(
    CommuneWriter(scope): CommuneWriter,
    Path((_, person_id)): Path<(String, String)>,
    State(state): State<AppState>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let commune_id = scope.commune.id.clone();
    let now = state.clock.now();
    let ttl = state.config.enrollment_code_ttl_ms();
    let st = state.clone();
    let (issued, role) = blocking(move || {
        let public_url = st.config.public_url();
        let issued =
            enrolment::issue_code(&*st.storage, &commune_id, &person_id, ttl, now, &public_url)?;
        let dir = directory(&st, &commune_id)?;
        let role = role_text(&issued.person.role, &dir);
        Ok((issued, role))
    })
    .await?;
    crate::web::audit(
        &state,
        Some(scope.commune.id.clone()),
        audit::user_actor(&scope.user.id, &scope.user.username),
        AuditAction::CodeIssued,
        format!("{} ({role})", issued.person.full_name),
        scope.user.client_ip.clone(),
    )
    .await;
    let back = people_path(&scope.commune.id);
    let page = code_page(scope, issued, role, back)?;
    Ok(render(&page)?.into_response())
}

/// `K7QM4XTB` as `K7QM 4XTB`, easier to read aloud over the phone.
fn grouped(code: &str) -> String {
    code.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The QR image of `content` as inline SVG (no XML declaration, scales with CSS).
pub fn qr_svg(content: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(content.as_bytes())
        .map_err(|e| PageError::Internal(format!("QR: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"Mã QR đăng ký thiết bị\" ",
        1,
    ))
}

fn code_page(
    scope: CommuneScope,
    issued: IssuedCode,
    role: String,
    back: String,
) -> Result<CodePage, PageError> {
    Ok(CodePage {
        qr_svg: qr_svg(&issued.qr)?,
        person: issued.person.full_name.clone(),
        role,
        code: grouped(&issued.code),
        qr_content: issued.qr,
        server_url: issued.server_url,
        expires: date_time(issued.expires_at),
        back,
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::People,
            "Mã đăng ký thiết bị",
        ),
    })
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    confirm: String,
}

async fn revoke(
    CommuneWriter(scope): CommuneWriter,
    Path((_, device_id)): Path<(String, String)>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    let commune_id = scope.commune.id.clone();
    let now = state.clock.now();
    let st = state.clone();
    if form.confirm != "yes" {
        // First step: say which phone and what follows, and ask again.
        let id = device_id.clone();
        let device = blocking(move || {
            Ok(enrolment::list_devices(&*st.storage, &commune_id)?
                .into_iter()
                .find(|d| d.device_id == id))
        })
        .await?
        .ok_or(PageError::NotFound)?;
        let page = RevokePage {
            device: device.label,
            person: device.person_name,
            action: format!(
                "{}/devices/{}/revoke",
                commune_path(&scope.commune.id),
                urlencode(&device_id)
            ),
            back: people_path(&scope.commune.id),
            chrome: Chrome::new(
                scope.user,
                Some(scope.commune),
                Nav::People,
                "Thu hồi thiết bị",
            ),
        };
        return Ok(render(&page)?.into_response());
    }
    let device = blocking(move || {
        Ok(enrolment::revoke_device(
            &*st.storage,
            &commune_id,
            &device_id,
            now,
        )?)
    })
    .await?;
    tracing::info!(device = %device.device_id, "dashboard: device revoked");
    crate::web::audit(
        &state,
        Some(scope.commune.id.clone()),
        audit::user_actor(&scope.user.id, &scope.user.username),
        AuditAction::DeviceRevoked,
        format!("{} của {}", device.label, device.person_name),
        scope.user.client_ip.clone(),
    )
    .await;
    Ok(Redirect::to(&format!("{}?revoked=1", people_path(&scope.commune.id))).into_response())
}
