//! Upper-level attendance: cadres, working teams, assignments, the commune's visit
//! requirement, presence secrets, check-ins and their verdicts, photos, observations.

use super::{require_cell, require_record, Effect, LedgerView, Refusal};
use crate::change::Change;
use crate::checkin::{is_sha256_hex, CheckIn, Verdict, VerdictStatus, PRESENCE_SECRET_LEN};
use crate::compliance::Assignment;
use crate::error::ValidationError;
use crate::model::*;
use crate::rules;

/// Name and title shown for a visiting cadre whom the store does not know by name.
const UNKNOWN_CADRE_NAME: &str = "Cấp ủy viên cấp trên";
const UNKNOWN_CADRE_TITLE: &str = "Đảng ủy viên, phụ trách chi bộ";

pub(super) fn decide_visit(view: &dyn LedgerView, change: &Change) -> Result<Effect, Refusal> {
    match change {
        Change::UpsertCadre { cadre } => {
            rules::valid_id(&cadre.id)?;
            rules::valid_id(&cadre.commune_id)?;
            rules::not_blank(&cadre.full_name, "họ và tên cấp ủy viên")?;
            Ok(Effect::Cadre(cadre.clone()))
        }
        Change::UpsertWorkingTeam { team } => {
            rules::valid_id(&team.id)?;
            rules::valid_id(&team.commune_id)?;
            rules::not_blank(&team.name, "tên tổ công tác")?;
            Ok(Effect::WorkingTeam(team.clone()))
        }
        Change::UpsertAssignment { assignment } => assign(view, assignment),
        Change::SetVisitRequirement {
            commune_id,
            requirement,
        } => {
            rules::valid_id(commune_id)?;
            Ok(Effect::VisitRequirement {
                commune_id: commune_id.clone(),
                requirement: *requirement,
            })
        }
        Change::SetPresenceSecret {
            meeting_id,
            secret_hex,
        } => presence_secret(view, meeting_id, secret_hex),
        Change::RecordCheckIn { check_in, verdict } => record_check_in(view, check_in, verdict),
        Change::AttachPhoto { photo } => attach_photo(view, photo),
        Change::RecordObservation { observation } => record_observation(view, observation),
        Change::SetCheckInVerdict {
            check_in_id,
            verdict,
        } => {
            rules::valid_id(check_in_id)?;
            let Some((_, current)) = view.check_in(check_in_id)? else {
                return Err(Refusal::not_found("check_in", check_in_id));
            };
            if !current.may_be_replaced_by(verdict) {
                return Err(ValidationError::CheckInAlreadyReviewed {
                    check_in_id: check_in_id.clone(),
                }
                .into());
            }
            let Some((check_in, _)) = view.check_in(check_in_id)? else {
                return Err(Refusal::not_found("check_in", check_in_id));
            };
            Ok(Effect::CheckInVerdict {
                check_in_id: check_in_id.clone(),
                verdict: verdict.clone(),
                delegate: delegate_after(view, &check_in, verdict)?,
            })
        }
        other => unreachable!("not an upper-level attendance change: {other:?}"),
    }
}

fn assign(view: &dyn LedgerView, a: &Assignment) -> Result<Effect, Refusal> {
    rules::valid_id(&a.id)?;
    if view.cadre(&a.cadre_id)?.is_none() {
        return Err(Refusal::not_found("cadre", &a.cadre_id));
    }
    require_cell(view, &a.cell_id)?;
    if let Some(team) = &a.working_team_id {
        if view.working_team(team)?.is_none() {
            return Err(Refusal::not_found("working_team", team));
        }
    }
    if let Some(end) = a.ends_on {
        if end < a.starts_on {
            return Err(ValidationError::EndBeforeStart {
                start: a.starts_on.to_vietnamese(),
                end: end.to_vietnamese(),
            }
            .into());
        }
    }
    Ok(Effect::Assignment(a.clone()))
}

/// Made once per meeting on the secretary's device: 32 random bytes as hex.
fn presence_secret(
    view: &dyn LedgerView,
    meeting_id: &str,
    secret_hex: &str,
) -> Result<Effect, Refusal> {
    require_record(view, meeting_id)?;
    let secret_hex = secret_hex.trim().to_lowercase();
    let valid = hex::decode(&secret_hex)
        .map(|b| b.len() == PRESENCE_SECRET_LEN)
        .unwrap_or(false);
    if !valid {
        return Err(ValidationError::EmptyField {
            field: "mã bí mật xác nhận (32 byte)",
        }
        .into());
    }
    if view.has_presence_secret(meeting_id)? {
        return Err(Refusal::AlreadyExists {
            kind: "presence_secret",
            id: meeting_id.to_string(),
        });
    }
    Ok(Effect::PresenceSecret {
        meeting_id: meeting_id.to_string(),
        secret_hex,
    })
}

/// Insert-only. The same check-in again (its author pulling it back) is already
/// applied, whatever verdict came with it: the server's own is a separate change.
fn record_check_in(
    view: &dyn LedgerView,
    c: &CheckIn,
    verdict: &Verdict,
) -> Result<Effect, Refusal> {
    for id in [&c.id, &c.meeting_id, &c.cell_id, &c.cadre_id, &c.device_id] {
        rules::valid_id(id)?;
    }
    // JSON cannot hold NaN: such a check-in could never be stored or synced.
    if let Some(gps) = &c.gps {
        if ![gps.latitude, gps.longitude, gps.accuracy_m]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(ValidationError::InvalidNumber {
                field: "tọa độ GPS",
            }
            .into());
        }
    }
    if let Some((existing, _)) = view.check_in(&c.id)? {
        let (kind, id) = ("check_in", c.id.clone());
        return Err(if existing == *c || c.is_redaction_of(&existing) {
            Refusal::AlreadyApplied { kind, id }
        } else {
            Refusal::AlreadyExists { kind, id }
        });
    }
    Ok(Effect::CheckIn {
        check_in: c.clone(),
        verdict: verdict.clone(),
        delegate: delegate_after(view, c, verdict)?,
    })
}

/// The meeting's header once a check-in has `verdict`, where it changes: the visiting
/// cadre enters the unsigned minutes as the upper-level delegate only when the visit
/// counts (verified, or accepted by the office), and leaves them when the office rejects
/// it. A check-in that is provisional or waits for review changes nothing: what a cadre
/// claims never writes them into the minutes. Signed minutes never change.
///
/// The server judges a check-in itself and calls this with its own verdict, never the
/// one the cadre's phone sent.
pub fn delegate_after(
    view: &dyn LedgerView,
    c: &CheckIn,
    verdict: &Verdict,
) -> Result<Option<Meeting>, Refusal> {
    let Some(record) = view.record(&c.meeting_id)? else {
        return Ok(None);
    };
    let mut meeting = record.meeting;
    if meeting.is_frozen() || meeting.cell_id != c.cell_id {
        return Ok(None);
    }
    let (name, title) = match view.cadre(&c.cadre_id)? {
        Some(cadre) => (cadre.full_name, cadre.title),
        None => (
            UNKNOWN_CADRE_NAME.to_string(),
            UNKNOWN_CADRE_TITLE.to_string(),
        ),
    };
    let is_delegate = |g: &Guest| g.upper_level && g.name.trim() == name.trim();
    let listed = meeting.guests.iter().any(is_delegate);
    if verdict.status == VerdictStatus::Verified && !listed {
        meeting.guests.push(Guest {
            name,
            title,
            upper_level: true,
        });
        return Ok(Some(meeting));
    }
    if verdict.is_rejected() && listed {
        meeting.guests.retain(|g| !is_delegate(g));
        return Ok(Some(meeting));
    }
    Ok(None)
}

fn attach_photo(view: &dyn LedgerView, p: &PhotoAttachment) -> Result<Effect, Refusal> {
    if !is_sha256_hex(&p.sha256) {
        return Err(ValidationError::EmptyField {
            field: "mã băm SHA-256 của ảnh",
        }
        .into());
    }
    if p.meeting_id.is_none() && p.check_in_id.is_none() {
        return Err(ValidationError::EmptyField {
            field: "buổi họp hoặc lượt điểm danh của ảnh",
        }
        .into());
    }
    let photo = PhotoAttachment {
        sha256: p.sha256.trim().to_lowercase(),
        ..p.clone()
    };
    if let Some(meeting_id) = &photo.meeting_id {
        let record = require_record(view, meeting_id)?;
        // Attached before the minutes were signed, and pulled back since.
        if record.meeting.is_frozen() && view.has_photo(&photo)? {
            return Err(Refusal::AlreadyApplied {
                kind: "photo",
                id: photo.sha256,
            });
        }
        rules::ensure_editable(&record.meeting)?;
    }
    if let Some(check_in_id) = &photo.check_in_id {
        if view.check_in(check_in_id)?.is_none() {
            return Err(Refusal::not_found("check_in", check_in_id));
        }
    }
    Ok(Effect::Photo(photo))
}

/// Editable by its cadre (last writer wins); an id already used for another meeting's
/// or another cadre's observation is refused, not taken over.
fn record_observation(view: &dyn LedgerView, o: &Observation) -> Result<Effect, Refusal> {
    rules::valid_id(&o.id)?;
    rules::valid_id(&o.meeting_id)?;
    rules::valid_id(&o.cadre_id)?;
    rules::validate_judged_scores(&o.judged)?;
    if let Some(existing) = view.observation(&o.id)? {
        if existing.meeting_id != o.meeting_id || existing.cadre_id != o.cadre_id {
            return Err(Refusal::AlreadyExists {
                kind: "observation",
                id: o.id.clone(),
            });
        }
    }
    Ok(Effect::Observation(o.clone()))
}
