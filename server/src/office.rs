//! What the commune office does from the dashboard: review a check-in that needs review,
//! answer a petition, publish guidance. Each action is a [`Change`] the server authors on
//! behalf of the signed-in office user, judged by `chibo_domain::ledger::decide` like a
//! device's push and appended to its scope's log with a server HLC, so the phones of that
//! scope pull it on their next sync.

use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use chibo_domain::change::Change;
use chibo_domain::checkin::{review_verdict, OfficeReview, ReviewDecision, Verdict};
use chibo_domain::ledger::Refusal;
use chibo_domain::model::{
    new_id, Guidance, GuidanceAttachment, GuidanceKind, Id, PetitionResponse, PetitionStatus,
};
use chibo_domain::rules::RuleSettings;
use chibo_domain::sync::Scope;
use chibo_domain::time::EpochMillis;

use crate::accounts::audit;
use crate::blobs::{BlobId, BlobStore};
use crate::docs::{CommuneDocs, StoredCheckIn};
use crate::ledger::{self, Author};
use crate::storage::{self, StorageError, Tx};
use crate::AppState;

/// The largest attachment the office may publish, in bytes: phones download it on
/// village mobile data.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// The signed-in office user an action is taken for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    pub id: String,
    pub name: String,
    pub username: String,
    /// Where the action came from, for the audit log.
    pub client_ip: String,
}

/// Why an office action was not taken. `Refused` and `NotFound` are for the user (in
/// Vietnamese, shown on the page); the others are the server's trouble.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// A rule of the record refused it; the message says which, in Vietnamese.
    #[error("{0}")]
    Refused(String),
    #[error("Không tìm thấy {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("kho tệp: {0}")]
    Blob(String),
}

fn refused(refusal: Refusal) -> OfficeError {
    match refusal {
        Refusal::Lookup(e) => OfficeError::Storage(StorageError::Unavailable(e.0)),
        other => OfficeError::Refused(other.to_string()),
    }
}

/// Runs `f` in one write transaction, alone among the commune's writers (it may write
/// any cell's records): committed on `Ok`, rolled back on any error.
fn in_write<T>(
    state: &AppState,
    commune_id: &str,
    mut f: impl FnMut(&mut dyn Tx) -> Result<T, OfficeError>,
) -> Result<T, OfficeError> {
    let mut refusal: Option<OfficeError> = None;
    let writers = storage::Writers::Commune(commune_id);
    let result = storage::queued_write(&*state.storage, writers, |tx| {
        refusal = None;
        match f(tx) {
            Ok(v) => Ok(Some(v)),
            Err(OfficeError::Storage(e)) => Err(e),
            Err(other) => {
                refusal = Some(other);
                Err(StorageError::Conflict("office action refused".into()))
            }
        }
    });
    match (result, refusal) {
        (_, Some(e)) => Err(e),
        (Ok(Some(v)), None) => Ok(v),
        (Ok(None), None) => Err(OfficeError::Storage(StorageError::Corrupt(
            "office action without result".into(),
        ))),
        (Err(e), None) => Err(e.into()),
    }
}

/// Takes the action through the server's one write path, as the signed-in officer.
fn author(
    docs: &CommuneDocs,
    change: &Change,
    scope: &Scope,
    officer: &Officer,
    now: EpochMillis,
) -> Result<(), OfficeError> {
    let author = Author::Office {
        user_id: officer.id.clone(),
    };
    ledger::author(docs, change, scope, &author, now)?.map_err(refused)?;
    // In the action's transaction: the entry commits with it or not at all.
    let op = serde_json::to_value(change)
        .ok()
        .and_then(|v| v["op"].as_str().map(str::to_string))
        .unwrap_or_default();
    let actor = audit::user_actor(&officer.id, &officer.username);
    let detail = format!("{} ({op})", audit::office_op_label(&op));
    let commune_id = docs.commune_id().to_string();
    docs.with_tx(|tx| {
        audit::record_in(
            tx,
            &audit::Entry {
                commune_id: Some(&commune_id),
                actor: &actor,
                action: audit::AuditAction::OfficeAction,
                detail: &detail,
                client_ip: &officer.client_ip,
            },
            now,
        )
    })?;
    Ok(())
}

// ---------------------------------------------------------------- check-ins

/// The office's decision on a check-in the server flagged "needs review": kept in the
/// verdict (decision, note, who, when), final over any later automatic judgement, and
/// sent to the cell's readers (the cadre and the secretary) as a `SetCheckInVerdict`.
pub fn review_check_in(
    state: &AppState,
    commune_id: &str,
    check_in_id: &str,
    decision: ReviewDecision,
    note: &str,
    officer: &Officer,
) -> Result<Verdict, OfficeError> {
    let now = state.clock.now();
    in_write(state, commune_id, |tx| {
        let docs = CommuneDocs::new(tx, commune_id);
        let stored: StoredCheckIn = docs
            .stored_check_in(check_in_id)?
            .ok_or(OfficeError::NotFound("lượt điểm danh"))?;
        let verdict = review_verdict(
            check_in_id,
            &stored.verdict,
            OfficeReview {
                decision,
                note: note.trim().to_string(),
                reviewer_id: officer.id.clone(),
                reviewer_name: officer.name.clone(),
                reviewed_at: now,
            },
        )
        .map_err(|e| OfficeError::Refused(e.to_string()))?;
        let change = Change::SetCheckInVerdict {
            check_in_id: check_in_id.to_string(),
            verdict: verdict.clone(),
        };
        let scope = Scope::Cell(stored.check_in.cell_id.clone());
        author(&docs, &change, &scope, officer, now)?;
        Ok(verdict)
    })
}

// ---------------------------------------------------------------- rule settings

/// The commune admin sets the settings every meeting of the commune is judged with. The
/// `SetRuleSettings` change goes into the commune's log, so every phone judges with them
/// after its next sync; the summaries here are judged again in the same transaction.
pub fn set_rule_settings(
    state: &AppState,
    commune_id: &str,
    settings: &RuleSettings,
    officer: &Officer,
) -> Result<(), OfficeError> {
    let now = state.clock.now();
    in_write(state, commune_id, |tx| {
        let docs = CommuneDocs::new(tx, commune_id);
        let change = Change::SetRuleSettings {
            commune_id: commune_id.to_string(),
            settings: settings.clone(),
        };
        author(
            &docs,
            &change,
            &Scope::Commune(commune_id.to_string()),
            officer,
            now,
        )
    })
}

// ---------------------------------------------------------------- petitions

/// What the office does with a petition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PetitionAction {
    Answer,
    Forward,
    Resolve,
    Decline,
}

impl PetitionAction {
    pub fn parse(text: &str) -> Option<PetitionAction> {
        match text {
            "answer" => Some(PetitionAction::Answer),
            "forward" => Some(PetitionAction::Forward),
            "resolve" => Some(PetitionAction::Resolve),
            "decline" => Some(PetitionAction::Decline),
            _ => None,
        }
    }

    pub fn status(self) -> PetitionStatus {
        match self {
            PetitionAction::Answer => PetitionStatus::Answered,
            PetitionAction::Forward => PetitionStatus::Forwarded,
            PetitionAction::Resolve => PetitionStatus::Resolved,
            PetitionAction::Decline => PetitionStatus::Declined,
        }
    }
}

/// The office answers, forwards, resolves or declines (with a reason) a petition; the
/// rules of `rules::petition` decide whether the move is allowed. The response goes to
/// the petition's cell.
pub fn respond_to_petition(
    state: &AppState,
    commune_id: &str,
    petition_id: &str,
    action: PetitionAction,
    text: &str,
    officer: &Officer,
) -> Result<PetitionResponse, OfficeError> {
    let now = state.clock.now();
    let response = PetitionResponse {
        id: new_id(),
        petition_id: petition_id.to_string(),
        status: action.status(),
        text: text.trim().to_string(),
        responder: format!("Văn phòng Đảng ủy xã ({})", officer.name),
        responded_at: now,
    };
    in_write(state, commune_id, |tx| {
        let docs = CommuneDocs::new(tx, commune_id);
        let petition = docs
            .get::<chibo_domain::model::Petition>(crate::docs::PETITION, petition_id)?
            .ok_or(OfficeError::NotFound("kiến nghị"))?;
        let change = Change::RespondToPetition {
            response: response.clone(),
        };
        author(&docs, &change, &Scope::Cell(petition.cell_id), officer, now)?;
        Ok(response.clone())
    })
}

// ---------------------------------------------------------------- guidance

/// A file the office attaches to guidance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentUpload {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Guidance as composed on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuidanceDraft {
    pub kind: GuidanceKind,
    pub title: String,
    pub body: String,
    /// "2026-11" or "2026-Q4".
    pub period: String,
    /// Empty: every cell of the commune.
    pub cell_ids: Vec<Id>,
    pub attachments: Vec<AttachmentUpload>,
}

/// The blob store the tus uploads publish into.
pub fn blob_store(state: &AppState) -> Result<Arc<dyn BlobStore>, OfficeError> {
    Ok(state.blobs.clone())
}

/// Publishes guidance to the cells in scope: its attachments go into the blob store
/// (by SHA-256, readable by the phones the guidance is for), then the `PublishGuidance`
/// change into the commune's log.
pub async fn publish_guidance(
    state: &AppState,
    commune_id: &str,
    draft: GuidanceDraft,
    officer: &Officer,
) -> Result<Guidance, OfficeError> {
    for a in &draft.attachments {
        if a.bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(OfficeError::Refused(format!(
                "Tệp \"{}\" nặng {:.1} MB, quá giới hạn {} MB cho mỗi tệp đính kèm",
                a.file_name,
                a.bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            )));
        }
        if a.file_name.trim().is_empty() {
            return Err(OfficeError::Refused("Tệp đính kèm không có tên".into()));
        }
    }
    let guidance = Guidance {
        id: new_id(),
        commune_id: commune_id.to_string(),
        kind: draft.kind,
        title: draft.title.trim().to_string(),
        body: draft.body.trim().to_string(),
        period: draft.period.trim().to_string(),
        cell_ids: draft.cell_ids.clone(),
        attachments: draft
            .attachments
            .iter()
            .map(|a| GuidanceAttachment {
                sha256: hex::encode(Sha256::digest(&a.bytes)),
                file_name: clean_file_name(&a.file_name),
                byte_size: a.bytes.len() as u64,
            })
            .collect(),
        published_at: state.clock.now(),
    };
    // The rules first, so a refused draft stores no file.
    chibo_domain::rules::validate_guidance(&guidance)
        .map_err(|e| OfficeError::Refused(e.to_string()))?;
    let store = blob_store(state)?;
    for (a, upload) in guidance.attachments.iter().zip(&draft.attachments) {
        put_blob(&*store, &state.config.data_dir, &a.sha256, &upload.bytes).await?;
    }
    let state = state.clone();
    let commune_id = commune_id.to_string();
    let officer = officer.clone();
    tokio::task::spawn_blocking(move || {
        let now = state.clock.now();
        in_write(&state, &commune_id, |tx| {
            let docs = CommuneDocs::new(tx, &commune_id);
            for cell_id in &guidance.cell_ids {
                if docs.cell(cell_id)?.is_none() {
                    return Err(OfficeError::NotFound("chi bộ"));
                }
            }
            // The office sent these bytes: its commune holds them (access::device_may_read_blob).
            let holder = crate::access::dashboard_holder(&officer.id);
            for a in &guidance.attachments {
                docs.with_tx(|tx| tx.add_blob_holder(&commune_id, &a.sha256, &holder, now))?;
            }
            let change = Change::PublishGuidance {
                guidance: guidance.clone(),
            };
            let scope = Scope::Commune(commune_id.clone());
            author(&docs, &change, &scope, &officer, now)?;
            Ok(guidance.clone())
        })
    })
    .await
    .map_err(|e| OfficeError::Blob(format!("blocking task: {e}")))?
}

/// The last path component, without control characters (browsers may send a path).
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

async fn put_blob(
    store: &dyn BlobStore,
    data_dir: &std::path::Path,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), OfficeError> {
    let id = BlobId::parse(sha256).ok_or_else(|| OfficeError::Blob("bad hash".into()))?;
    // Beside the filesystem store's directory, so publishing there stays a rename.
    let dir = data_dir.join("tmp");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| OfficeError::Blob(e.to_string()))?;
    let tmp: PathBuf = dir.join(new_id());
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| OfficeError::Blob(e.to_string()))?;
    let put = store.put(&id, &tmp).await;
    if put.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    put.map_err(|e| OfficeError::Blob(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_path_is_cut_to_the_file_name() {
        assert_eq!(
            clean_file_name("C:\\Users\\vp\\Huong dan 11.pdf"),
            "Huong dan 11.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            PetitionAction::parse("decline"),
            Some(PetitionAction::Decline)
        );
        assert_eq!(PetitionAction::parse("delete"), None);
    }
}
