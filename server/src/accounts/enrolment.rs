//! Enrolment and the office's administration: communes (CLI only, for bootstrapping),
//! persons with their roles, one-time enrolment codes, devices and their revocation.
//! The HTTP handlers and the `chibo-server admin` commands call the same functions.

use serde::{Deserialize, Serialize};

use chibo_domain::checkin::parse_public_key;
use chibo_domain::model::{new_id, Id};
use chibo_domain::sync::{
    enrollment_code_from, enrollment_qr, EnrollRequest, EnrollResponse, KeyProtection, Person, Role,
};
use chibo_domain::time::EpochMillis;

use crate::accounts::devices;
use crate::docs::{CommuneDocs, CADRE};
use crate::error::ApiError;
use crate::storage::{
    CommuneRow, DeviceRow, EnrollmentCodeRow, PersonRow, Storage, StorageResult, Tx,
};

/// The longest name or label kept.
const MAX_TEXT: usize = 200;

fn clean(text: &str, what: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::BadRequest(format!("Thiếu {what}")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::BadRequest(format!(
            "{what} dài quá {MAX_TEXT} ký tự"
        )));
    }
    Ok(text.to_string())
}

// ---------------------------------------------------------------- wire types

/// `POST ADMIN_PERSONS_PATH`: a person and their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub full_name: String,
    #[serde(flatten)]
    pub role: Role,
}

/// A one-time enrolment code, shown once to the office (the server keeps its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    pub person: Person,
    /// The short code to read aloud or type, e.g. `K7QM4XTB`.
    pub code: String,
    /// The address phones use to reach this server (carried in the QR).
    pub server_url: String,
    /// The QR content: the versioned payload with the server's address and the code
    /// (`chibo_domain::sync::enrollment_qr`).
    pub qr: String,
    pub expires_at: EpochMillis,
}

/// A device as the office's device list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device_id: Id,
    pub person_id: Id,
    pub person_name: String,
    pub label: String,
    pub enrolled_at: EpochMillis,
    pub revoked_at: Option<EpochMillis>,
    pub last_sync_at: Option<EpochMillis>,
    pub last_applied_seq: u64,
    /// How far ahead its clock was when last flagged.
    pub clock_ahead_ms: Option<i64>,
    pub clock_flagged_at: Option<EpochMillis>,
    /// Where the device keeps its signing key; `None` for devices enrolled before it was
    /// asked.
    pub key_protection: Option<KeyProtection>,
}

/// A commune as the CLI lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneInfo {
    pub id: Id,
    pub name: String,
    pub province_id: String,
    pub created_at: EpochMillis,
}

impl From<CommuneRow> for CommuneInfo {
    fn from(c: CommuneRow) -> CommuneInfo {
        CommuneInfo {
            id: c.id,
            name: c.name,
            province_id: c.province_id,
            created_at: c.created_at,
        }
    }
}

// ---------------------------------------------------------------- operations

/// Creates a commune (the server CLI's bootstrap; no HTTP route creates communes).
pub fn create_commune(
    storage: &dyn Storage,
    name: &str,
    province_id: &str,
    id: Option<Id>,
    now: EpochMillis,
) -> Result<CommuneInfo, ApiError> {
    let row = CommuneRow {
        id: id.unwrap_or_else(new_id),
        name: clean(name, "tên xã")?,
        province_id: clean(province_id, "mã tỉnh")?,
        created_at: now,
    };
    if !chibo_domain::model::is_valid_id(&row.id) {
        return Err(ApiError::BadRequest(format!(
            "Mã xã không hợp lệ: {}",
            row.id
        )));
    }
    crate::in_write(storage, |tx| {
        if tx.commune(&row.id)?.is_some() {
            return Ok(Err(ApiError::Conflict(format!(
                "Đã có xã với mã {}",
                row.id
            ))));
        }
        tx.insert_commune(&row)?;
        // A new commune has no meetings: its summaries are current from the start.
        crate::figures::summaries::mark_summaries_current(&CommuneDocs::new(tx, &row.id))?;
        Ok(Ok(()))
    })?;
    Ok(row.into())
}

pub fn list_communes(storage: &dyn Storage) -> Result<Vec<CommuneInfo>, ApiError> {
    crate::in_read(storage, |tx| {
        Ok(Ok(tx
            .communes()?
            .into_iter()
            .map(CommuneInfo::from)
            .collect()))
    })
}

/// Registers a person in a commune. A secretary's cell and a cadre's cadre record must be
/// the commune's (pushed by the office first).
pub fn create_person(
    storage: &dyn Storage,
    commune_id: &str,
    new: &NewPerson,
    now: EpochMillis,
) -> Result<Person, ApiError> {
    let full_name = clean(&new.full_name, "họ và tên")?;
    crate::in_write(storage, |tx| {
        if tx.commune(commune_id)?.is_none() {
            return Ok(Err(ApiError::NotFound(format!(
                "Không có xã với mã {commune_id}"
            ))));
        }
        if let Err(e) = check_role_target(tx, commune_id, &new.role)? {
            return Ok(Err(e));
        }
        let (role, cell_id, cadre_id) = devices::role_columns(&new.role);
        let row = PersonRow {
            id: new_id(),
            commune_id: commune_id.to_string(),
            full_name: full_name.clone(),
            role,
            cell_id,
            cadre_id,
            created_at: now,
        };
        tx.insert_person(&row)?;
        Ok(devices::person_of(&row).ok_or_else(|| ApiError::Internal("role".into())))
    })
}

/// A secretary's cell and a cadre's cadre record must be the commune's.
fn check_role_target(
    tx: &mut dyn Tx,
    commune_id: &str,
    role: &Role,
) -> StorageResult<Result<(), ApiError>> {
    let docs = CommuneDocs::new(tx, commune_id);
    Ok(match role {
        Role::Secretary { cell_id } if docs.cell(cell_id)?.is_none() => Err(ApiError::NotFound(
            format!("Xã chưa có chi bộ với mã {cell_id}"),
        )),
        Role::Cadre { cadre_id }
            if docs
                .get::<chibo_domain::compliance::Cadre>(CADRE, cadre_id)?
                .is_none() =>
        {
            Err(ApiError::NotFound(format!(
                "Xã chưa có cấp ủy viên với mã {cadre_id}"
            )))
        }
        _ => Ok(()),
    })
}

pub fn list_persons(storage: &dyn Storage, commune_id: &str) -> Result<Vec<Person>, ApiError> {
    crate::in_read(storage, |tx| {
        Ok(Ok(tx
            .persons(commune_id)?
            .iter()
            .filter_map(devices::person_of)
            .collect()))
    })
}

/// Issues a one-time code for a person of the commune, valid for `ttl_ms`. The QR carries
/// `server_url`, the address phones use (`Config::public_url`).
pub fn issue_code(
    storage: &dyn Storage,
    commune_id: &str,
    person_id: &str,
    ttl_ms: i64,
    now: EpochMillis,
    server_url: &str,
) -> Result<IssuedCode, ApiError> {
    let code = devices::new_enrollment_code()?;
    let expires_at = now.saturating_add(ttl_ms);
    crate::in_write(storage, |tx| {
        let person = match tx.person(person_id)? {
            Some(p) if p.commune_id == commune_id => p,
            _ => {
                return Ok(Err(ApiError::NotFound(format!(
                    "Xã không có người với mã {person_id}"
                ))))
            }
        };
        tx.insert_enrollment_code(&EnrollmentCodeRow {
            code_hash: devices::hash_secret(&code),
            commune_id: commune_id.to_string(),
            person_id: person.id.clone(),
            created_at: now,
            expires_at,
            used_at: None,
        })?;
        Ok(devices::person_of(&person)
            .ok_or_else(|| ApiError::Internal("role".into()))
            .map(|person| IssuedCode {
                person,
                qr: enrollment_qr(server_url, &code),
                server_url: server_url.to_string(),
                code: code.clone(),
                expires_at,
            }))
    })
}

fn device_info(tx: &mut dyn Tx, d: DeviceRow) -> StorageResult<DeviceInfo> {
    let person_name = tx
        .person(&d.person_id)?
        .map(|p| p.full_name)
        .unwrap_or_default();
    Ok(DeviceInfo {
        device_id: d.id,
        person_id: d.person_id,
        person_name,
        label: d.label,
        enrolled_at: d.enrolled_at,
        revoked_at: d.revoked_at,
        last_sync_at: d.last_sync_at,
        last_applied_seq: d.last_applied_seq,
        clock_ahead_ms: d.clock_ahead_ms,
        clock_flagged_at: d.clock_flagged_at,
        key_protection: d.key_protection.as_deref().and_then(KeyProtection::parse),
    })
}

pub fn list_devices(storage: &dyn Storage, commune_id: &str) -> Result<Vec<DeviceInfo>, ApiError> {
    crate::in_read(storage, |tx| {
        let devices = tx.devices(commune_id)?;
        let mut out = Vec::with_capacity(devices.len());
        for d in devices {
            out.push(device_info(tx, d)?);
        }
        Ok(Ok(out))
    })
}

/// Revokes a device of the commune: its next request is refused (401 `revoked`).
pub fn revoke_device(
    storage: &dyn Storage,
    commune_id: &str,
    device_id: &str,
    now: EpochMillis,
) -> Result<DeviceInfo, ApiError> {
    crate::in_write(storage, |tx| {
        let device = match tx.device(device_id)? {
            Some(d) if d.commune_id == commune_id => d,
            _ => {
                return Ok(Err(ApiError::NotFound(format!(
                    "Xã không có thiết bị với mã {device_id}"
                ))))
            }
        };
        tx.revoke_device(commune_id, device_id, now)?;
        let device = tx.device(&device.id)?.unwrap_or(device);
        Ok(Ok(device_info(tx, device)?))
    })
}

/// Wrong enrolment codes allowed from one address per [`WRONG_CODE_WINDOW_MS`]; the
/// attempt is counted (atomically, in storage) before the code is looked up.
pub const MAX_WRONG_CODES: u64 = 10;
pub const WRONG_CODE_WINDOW_MS: i64 = 15 * 60_000;

/// [`enroll`] for a request from `client_ip`, under the wrong-code limit: parallel
/// guesses are counted one by one, and a successful enrolment gives its attempt back
/// (an office enrolling a roomful of phones from one address is not held up).
pub fn enroll_from(
    storage: &dyn Storage,
    request: &EnrollRequest,
    client_ip: &str,
    now: EpochMillis,
) -> Result<EnrollResponse, ApiError> {
    let keys = [format!("enrol:ip:{client_ip}")];
    let sessions = crate::accounts::sessions::take_attempts;
    if !sessions(storage, &keys, MAX_WRONG_CODES, WRONG_CODE_WINDOW_MS, now)? {
        return Err(ApiError::TooManyAttempts);
    }
    let result = enroll(storage, request, now);
    // Only a code that matched nothing stays counted.
    let guessed_wrong = matches!(&result, Err(ApiError::Unauthorized(_)));
    if !guessed_wrong {
        crate::accounts::sessions::release_attempts(storage, &keys, WRONG_CODE_WINDOW_MS, now)?;
    }
    result
}

/// `POST ENROLL_PATH`: a one-time code and a public key in, a device credential out.
///
/// A lost answer can be retried: the same code with the same public key, before the code
/// expires and before that device has synced (so before the phone can have had the
/// answer), gets the same device with a new credential; the one never delivered stops
/// working. Anything else with a used code is refused (`code_used`).
pub fn enroll(
    storage: &dyn Storage,
    request: &EnrollRequest,
    now: EpochMillis,
) -> Result<EnrollResponse, ApiError> {
    crate::check_protocol(request.protocol)?;
    let code = enrollment_code_from(&request.code);
    if code.is_empty() {
        return Err(ApiError::BadRequest("Thiếu mã đăng ký".into()));
    }
    parse_public_key(&request.public_key_hex).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let public_key_hex = request.public_key_hex.trim().to_lowercase();
    let label = clean(&request.device_label, "tên thiết bị")?;
    let code_hash = devices::hash_secret(&code);
    let credential = devices::new_credential()?;
    crate::in_write(storage, |tx| {
        let Some(row) = tx.enrollment_code(&code_hash)? else {
            return Ok(Err(ApiError::Unauthorized(
                "Mã đăng ký không đúng; hãy kiểm tra lại hoặc xin văn phòng Đảng ủy xã mã mới"
                    .into(),
            )));
        };
        if now >= row.expires_at {
            return Ok(Err(if row.used_at.is_some() {
                ApiError::CodeUsed
            } else {
                ApiError::CodeExpired
            }));
        }
        let retried = match row.used_at {
            None if tx.use_enrollment_code(&code_hash, now)? => None,
            None => return Ok(Err(ApiError::CodeUsed)),
            Some(used_at) => match device_enrolled_with(tx, &row, used_at, &public_key_hex)? {
                Some(device) => Some(device),
                None => return Ok(Err(ApiError::CodeUsed)),
            },
        };
        let (Some(person), Some(commune)) =
            (tx.person(&row.person_id)?, tx.commune(&row.commune_id)?)
        else {
            return Ok(Err(ApiError::Internal(
                "enrolment code without person".into(),
            )));
        };
        let Some(wire_person) = devices::person_of(&person) else {
            return Ok(Err(ApiError::Internal("person without role".into())));
        };
        let credential_hash = devices::hash_secret(&credential);
        let device_id = match retried {
            Some(device) => {
                tx.replace_device_credential(&device.id, &credential_hash)?;
                device.id
            }
            None => {
                let device = DeviceRow {
                    id: new_id(),
                    commune_id: commune.id.clone(),
                    person_id: person.id.clone(),
                    credential_hash,
                    public_key_hex: public_key_hex.clone(),
                    label: label.clone(),
                    enrolled_at: now,
                    revoked_at: None,
                    last_sync_at: None,
                    last_applied_seq: 0,
                    clock_ahead_ms: None,
                    clock_flagged_at: None,
                    key_protection: request.key_protection.map(|k| k.as_str().to_string()),
                };
                tx.insert_device(&device)?;
                device.id
            }
        };
        Ok(Ok(EnrollResponse {
            device_id,
            credential: credential.clone(),
            person: wire_person,
            commune_name: commune.name,
            server_time: now,
        }))
    })
}

/// The device a used code enrolled (in the same transaction that used it), if it has the
/// same public key and has neither synced nor been revoked since.
fn device_enrolled_with(
    tx: &mut dyn Tx,
    code: &EnrollmentCodeRow,
    used_at: EpochMillis,
    public_key_hex: &str,
) -> StorageResult<Option<DeviceRow>> {
    Ok(tx.devices(&code.commune_id)?.into_iter().find(|d| {
        d.person_id == code.person_id
            && d.enrolled_at == used_at
            && d.public_key_hex == public_key_hex
            && d.revoked_at.is_none()
            && d.last_sync_at.is_none()
    }))
}
