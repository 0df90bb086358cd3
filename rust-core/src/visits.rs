//! The visiting cadre's side of a meeting and the commune's assignments, as use cases over
//! the store. Each builds domain [`Change`]s and lets the store validate and write them;
//! every judgement (presence codes, the check-in verdict, compliance) is the domain's.

use chibo_domain::change::Change;
use chibo_domain::checkin::{
    self, CheckIn, CheckInError, CheckInSettings, Evidence, GpsFix, PresenceCheck, PresenceCode,
    Verdict, VerdictInput, VerdictStatus,
};
use chibo_domain::compliance::{
    self, Assignment, Cadre, CadreCompliance, VisitRecord, VisitRequirement, WorkingTeam,
};
use chibo_domain::time::{local_date, local_year_month};
use chibo_domain::*;

use crate::keystore::{DeviceKeystore, KeystoreError};
use crate::store::{Store, StoreError, StoreErrorKind};

pub type VisitResult<T> = Result<T, StoreError>;

/// Why a check-in or a presence code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The device keystore refused to give its key or to sign.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// Bad key material from the keystore, or no randomness for a presence secret.
    #[error(transparent)]
    CheckIn(#[from] CheckInError),
}

impl VisitError {
    /// The public kind, as for [`StoreError::kind`]; keystore and randomness failures are
    /// the device's (`Storage`).
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            VisitError::Store(e) => e.kind(),
            VisitError::Keystore(_) | VisitError::CheckIn(_) => StoreErrorKind::Storage,
        }
    }
}

/// A processed photo as the photo pipeline hands it over (stored by its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, uniffi::Record)]
pub struct PhotoRef {
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
}

/// What the cadre's app gathers for a check-in.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, uniffi::Record)]
pub struct CheckInRequest {
    pub meeting_id: Id,
    pub cell_id: Id,
    pub cadre_id: Id,
    pub photo: Option<PhotoRef>,
    pub gps: Option<GpsFix>,
    pub device_wall_time: EpochMillis,
    pub monotonic_ms: i64,
    pub server_offset_ms: Option<i64>,
    /// Typed, or read from the QR payload (`chibo:presence:<meeting>:<code>`).
    pub presence_code: String,
}

/// A check-in with the verdict stored with it.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CheckInRow {
    pub check_in: CheckIn,
    pub verdict: Verdict,
}

/// One cell a cadre follows, with its unsigned meetings this device holds.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct AssignedCell {
    pub cell_id: Id,
    /// `None` when this device does not hold the cell yet.
    pub cell: Option<Cell>,
    /// Meetings of the cell not signed yet, by start time.
    pub planned_meetings: Vec<Meeting>,
}

/// The cadre's home screen.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CadreOverview {
    pub cadre: Option<Cadre>,
    /// Cells assigned today or later, in assignment order.
    pub cells: Vec<AssignedCell>,
    pub compliance: CadreCompliance,
}

/// A cadre's visit to one of a cell's meetings, for the cell's screen.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CellVisit {
    pub meeting_id: Id,
    pub cadre_id: Id,
    /// From the cadres this device holds (`None` if unknown here).
    pub cadre_name: Option<String>,
    /// The check-in's effective (corrected) time.
    pub at: EpochMillis,
    pub status: VerdictStatus,
}

// ---------------------------------------------------------------- the commune's setup

pub fn save_cadre(store: &mut Store, cadre: Cadre, now: EpochMillis) -> VisitResult<Cadre> {
    store.apply(
        Change::UpsertCadre {
            cadre: cadre.clone(),
        },
        now,
    )?;
    Ok(cadre)
}

pub fn save_working_team(
    store: &mut Store,
    team: WorkingTeam,
    now: EpochMillis,
) -> VisitResult<WorkingTeam> {
    store.apply(Change::UpsertWorkingTeam { team: team.clone() }, now)?;
    Ok(team)
}

/// Assigns a cadre to follow a cell (a new assignment id when `assignment.id` is empty).
pub fn assign(
    store: &mut Store,
    mut assignment: Assignment,
    now: EpochMillis,
) -> VisitResult<Assignment> {
    if assignment.id.is_empty() {
        assignment.id = new_id();
    }
    store.apply(
        Change::UpsertAssignment {
            assignment: assignment.clone(),
        },
        now,
    )?;
    Ok(assignment)
}

pub fn set_visit_requirement(
    store: &mut Store,
    commune_id: &str,
    requirement: VisitRequirement,
    now: EpochMillis,
) -> VisitResult<()> {
    store.apply(
        Change::SetVisitRequirement {
            commune_id: commune_id.to_string(),
            requirement,
        },
        now,
    )
}

// ---------------------------------------------------------------- the secretary's side

/// The code the secretary's screen shows now; the meeting's secret is made (and stored,
/// to sync up to the server only) on first use.
pub fn presence_code(
    store: &mut Store,
    meeting_id: &str,
    now: EpochMillis,
) -> Result<PresenceCode, VisitError> {
    store.meeting(meeting_id)?;
    let secret = match store.presence_secret(meeting_id)? {
        Some(secret) => secret,
        None => {
            let secret = checkin::generate_presence_secret()?;
            store.apply(
                Change::SetPresenceSecret {
                    meeting_id: meeting_id.to_string(),
                    secret_hex: hex::encode(&secret),
                },
                now,
            )?;
            secret
        }
    };
    Ok(checkin::presence_code(&secret, meeting_id, now))
}

/// Checks a code on the secretary's device, offline (the code as typed or as the QR
/// payload).
pub fn verify_presence(
    store: &Store,
    meeting_id: &str,
    code: &str,
    now: EpochMillis,
) -> VisitResult<PresenceCheck> {
    let secret = store
        .presence_secret(meeting_id)?
        .ok_or_else(|| StoreError::NotFound {
            kind: "presence_secret",
            id: meeting_id.to_string(),
        })?;
    let code = presence_code_text(meeting_id, code)?;
    Ok(checkin::verify_presence_code(
        &secret,
        meeting_id,
        &code,
        now,
        CheckInSettings::default().code_tolerance_steps,
    ))
}

/// The six digits of a typed code or a scanned QR payload. A QR shown at another
/// meeting is refused rather than judged a wrong code.
fn presence_code_text(meeting_id: &str, text: &str) -> Result<String, StoreError> {
    match checkin::parse_presence_qr_payload(text) {
        Some(payload) if payload.meeting_id != meeting_id => {
            Err(ValidationError::PresenceCodeForAnotherMeeting {
                meeting_id: payload.meeting_id,
            }
            .into())
        }
        Some(payload) => Ok(payload.code),
        None => Ok(text.to_string()),
    }
}

// ---------------------------------------------------------------- the cadre's side

/// Makes, signs, judges (provisionally, with what this device knows) and stores a
/// check-in, with its photo, in one transaction.
pub fn check_in(
    store: &mut Store,
    keystore: &dyn DeviceKeystore,
    request: CheckInRequest,
    now: EpochMillis,
) -> Result<(CheckIn, Verdict), VisitError> {
    let public_key = keystore.public_key()?;
    let public_key_hex = hex::encode(&public_key);
    checkin::parse_public_key(&public_key_hex)?;
    let presence_code = presence_code_text(&request.meeting_id, &request.presence_code)
        .map_err(VisitError::Store)?;
    let mut check_in = CheckIn {
        id: new_id(),
        meeting_id: request.meeting_id,
        cell_id: request.cell_id,
        cadre_id: request.cadre_id,
        device_id: store.device_id().to_string(),
        photo_sha256: request
            .photo
            .as_ref()
            .map(|p| p.sha256.trim().to_lowercase()),
        gps: request.gps,
        device_wall_time: request.device_wall_time,
        monotonic_ms: request.monotonic_ms,
        server_offset_ms: request.server_offset_ms,
        presence_code,
        public_key_hex,
        signature_hex: String::new(),
    };
    let signature = keystore.sign(checkin::signing_payload(&check_in))?;
    check_in.signature_hex = hex::encode(signature);

    let verdict = judge_here(store, &check_in)?;
    let mut changes = vec![Change::RecordCheckIn {
        check_in: check_in.clone(),
        verdict: verdict.clone(),
    }];
    if let (Some(photo), Some(sha256)) = (request.photo, &check_in.photo_sha256) {
        changes.push(Change::AttachPhoto {
            photo: PhotoAttachment {
                sha256: sha256.clone(),
                meeting_id: None,
                check_in_id: Some(check_in.id.clone()),
                width: photo.width,
                height: photo.height,
                byte_size: photo.byte_size,
                attached_at: now,
            },
        });
    }
    store.apply_all(changes, now)?;
    Ok((check_in, verdict))
}

/// The verdict with what this device holds: the meeting and its place if held, the
/// secret if held, stored assignments and photo uses, its own key as the enrolled one.
fn judge_here(store: &Store, c: &CheckIn) -> VisitResult<Verdict> {
    let settings = CheckInSettings::default();
    let assignments = store.assignments()?;
    let cadre_assigned = compliance::is_assigned(
        &assignments,
        &c.cadre_id,
        &c.cell_id,
        local_date(c.corrected_time()),
    );
    let place = store
        .cell_if_held(&c.cell_id)?
        .and_then(|cell| cell.meeting_place);
    let earlier_photos = store.photo_uses()?;
    let enrolled_keys = [c.public_key_hex.clone()];
    Ok(match store.meeting_if_held(&c.meeting_id)? {
        Some(meeting) => {
            let secret = store.presence_secret(&meeting.id)?;
            checkin::judge_check_in(&VerdictInput {
                check_in: c,
                meeting: &meeting,
                meeting_place: place.as_ref(),
                cadre_assigned,
                presence_secret: secret.as_deref(),
                enrolled_keys: &enrolled_keys,
                earlier_photos: &earlier_photos,
                receipt: None,
                settings: &settings,
                evidence: Evidence::default(),
            })
        }
        None => checkin::judge_check_in_without_meeting(
            c,
            place.as_ref(),
            cadre_assigned,
            &enrolled_keys,
            &earlier_photos,
            &settings,
            Evidence::default(),
        ),
    })
}

/// Attaches a processed photo to a meeting held here (refused once it is signed).
pub fn attach_meeting_photo(
    store: &mut Store,
    meeting_id: &str,
    photo: PhotoRef,
    now: EpochMillis,
) -> VisitResult<PhotoAttachment> {
    let attachment = PhotoAttachment {
        sha256: photo.sha256.trim().to_lowercase(),
        meeting_id: Some(meeting_id.to_string()),
        check_in_id: None,
        width: photo.width,
        height: photo.height,
        byte_size: photo.byte_size,
        attached_at: now,
    };
    store.apply(
        Change::AttachPhoto {
            photo: attachment.clone(),
        },
        now,
    )?;
    Ok(attachment)
}

pub fn meeting_photos(store: &Store, meeting_id: &str) -> VisitResult<Vec<PhotoAttachment>> {
    store.meeting_photos(meeting_id)
}

/// The cadre's scoring and notes of a meeting (a new id when `observation.id` is empty).
pub fn record_observation(
    store: &mut Store,
    mut observation: Observation,
    now: EpochMillis,
) -> VisitResult<Observation> {
    if observation.id.is_empty() {
        observation.id = new_id();
    }
    store.apply(
        Change::RecordObservation {
            observation: observation.clone(),
        },
        now,
    )?;
    Ok(observation)
}

// ---------------------------------------------------------------- queries

/// The cadre's cells, their unsigned meetings held here, and attendance against the
/// commune's requirement (the default one when the commune set none) for the Vietnam-time
/// month of `now`.
pub fn cadre_overview(
    store: &Store,
    cadre_id: &str,
    now: EpochMillis,
) -> VisitResult<CadreOverview> {
    let cadre = store.cadre(cadre_id)?;
    let assignments = store.assignments()?;
    let today = local_date(now);
    let mut cell_ids: Vec<Id> = Vec::new();
    for a in assignments.iter().filter(|a| a.cadre_id == cadre_id) {
        let current = a.ends_on.is_none_or(|end| end >= today);
        if current && !cell_ids.contains(&a.cell_id) {
            cell_ids.push(a.cell_id.clone());
        }
    }
    let cells = cell_ids
        .into_iter()
        .map(|cell_id| {
            Ok(AssignedCell {
                cell: store.cell_if_held(&cell_id)?,
                planned_meetings: store.unsigned_meetings(&cell_id)?,
                cell_id,
            })
        })
        .collect::<VisitResult<Vec<_>>>()?;
    let requirement = match &cadre {
        Some(c) => store.visit_requirement(&c.commune_id)?.unwrap_or_default(),
        None => VisitRequirement::default(),
    };
    let visits: Vec<VisitRecord> = store
        .check_ins_of_cadre(cadre_id)?
        .iter()
        .filter_map(|(c, v)| VisitRecord::of(c, v))
        .collect();
    let (year, month) = local_year_month(now);
    let compliance =
        compliance::compliance(cadre_id, &assignments, &visits, requirement, year, month);
    Ok(CadreOverview {
        cadre,
        cells,
        compliance,
    })
}

/// Cadres' visits to a cell's meetings, newest first.
pub fn cell_visits(store: &Store, cell_id: &str) -> VisitResult<Vec<CellVisit>> {
    store
        .check_ins_of_cell(cell_id)?
        .into_iter()
        .map(|(c, v)| {
            Ok(CellVisit {
                cadre_name: store.cadre(&c.cadre_id)?.map(|k| k.full_name),
                meeting_id: c.meeting_id,
                cadre_id: c.cadre_id,
                at: v.effective_time,
                status: v.status,
            })
        })
        .collect()
}

/// The cadre's own check-ins with their verdicts, newest first.
pub fn my_check_ins(store: &Store, cadre_id: &str) -> VisitResult<Vec<CheckInRow>> {
    Ok(store
        .check_ins_of_cadre(cadre_id)?
        .into_iter()
        .map(|(check_in, verdict)| CheckInRow { check_in, verdict })
        .collect())
}
