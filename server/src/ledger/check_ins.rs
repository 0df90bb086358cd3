//! Check-ins on the write path: recorded only from the device whose key signed them,
//! judged by the server with what only it knows, judged again when something they depend
//! on arrives (the presence secret, the meeting's times, the photo's bytes), and each
//! verdict logged for the cell's readers without the proof.

use chibo_domain::change::Change;
use chibo_domain::checkin::{
    self, CheckInSettings, Evidence, Verdict, VerdictInput, MAX_CHECK_INS_PER_MEETING,
};
use chibo_domain::compliance;
use chibo_domain::hlc::Hlc;
use chibo_domain::ledger::{self, Refusal};
use chibo_domain::sync::{AckOutcome, PushedChange, Scope};
use chibo_domain::time::{local_date, EpochMillis};

use crate::access::Target;
use crate::docs::{CommuneDocs, StoredCheckIn};
use crate::error::ApiError;
use crate::storage::StorageResult;
use crate::AppState;

use super::{append, log_server_change, lookup_failed, refused, Origin, PushContext};

/// A check-in: only from the device whose key signed it, a few per meeting at most,
/// judged by the server and logged without its proof.
pub(super) fn record_check_in(
    docs: &CommuneDocs,
    ctx: &PushContext<'_>,
    entry: &PushedChange,
    target: &Target,
    change: &Change,
    origin: &Origin,
    hlc: &Hlc,
) -> StorageResult<AckOutcome> {
    let Change::RecordCheckIn { check_in: c, .. } = change else {
        unreachable!("called for check-ins only");
    };
    if !c
        .public_key_hex
        .trim()
        .eq_ignore_ascii_case(ctx.actor.device.public_key_hex.trim())
    {
        return Ok(AckOutcome::Rejected {
            code: "replay".into(),
            reason: "Lượt điểm danh phải do chính thiết bị đã ký gửi lên; bản sao từ thiết bị \
                     khác không được nhận"
                .into(),
        });
    }
    match ledger::decide(docs, change) {
        Ok(_) => {}
        Err(Refusal::AlreadyApplied { .. }) => {
            return Ok(AckOutcome::Rejected {
                code: "already_applied".into(),
                reason: "Lượt điểm danh này đã được ghi nhận trước đó; gửi lại không tính \
                         thêm lần nào"
                    .into(),
            })
        }
        Err(refusal) => return refused(refusal),
    }
    let attempts = docs.check_in_attempts(&c.cadre_id, &c.meeting_id)?;
    if attempts >= MAX_CHECK_INS_PER_MEETING {
        return Ok(AckOutcome::Rejected {
            code: "too_many_attempts".into(),
            reason: format!(
                "Đồng chí đã gửi {attempts} lượt điểm danh cho buổi họp này; máy chủ không \
                 nhận thêm. Nếu đồng chí có dự họp, hãy báo văn phòng Đảng ủy xã"
            ),
        });
    }
    let mut stored = StoredCheckIn {
        check_in: c.clone(),
        verdict: Verdict {
            status: checkin::VerdictStatus::Provisional,
            reasons: Vec::new(),
            unchecked: Vec::new(),
            effective_time: c.corrected_time(),
            review: None,
        },
        receipt: Some(ctx.receipt),
        true_time: ctx.receipt.true_time(entry.elapsed_ms),
    };
    stored.verdict = judge(docs, &stored, ctx.settings)?;
    let delegate = ledger::delegate_after(docs, c, &stored.verdict).map_err(lookup_failed)?;
    docs.write_check_in(&stored, delegate.as_ref())?;
    // Readers get who, when and the verdict; the proof stays here.
    let logged = Change::RecordCheckIn {
        check_in: c.for_readers(&stored.verdict),
        verdict: stored.verdict.clone(),
    };
    append(docs, &target.scope, &logged, origin, hlc, ctx.now)?;
    // The device that sent it does not pull its own entry: it learns the verdict here.
    log_verdict(docs, &stored, ctx.now)?;
    Ok(AckOutcome::Applied)
}

/// Logs the server's verdict on a check-in for every reader of its cell.
fn log_verdict(docs: &CommuneDocs, stored: &StoredCheckIn, now: EpochMillis) -> StorageResult<()> {
    let change = Change::SetCheckInVerdict {
        check_in_id: stored.check_in.id.clone(),
        verdict: stored.verdict.clone(),
    };
    log_server_change(
        docs,
        &Scope::Cell(stored.check_in.cell_id.clone()),
        &change,
        now,
    )
}

/// The server's verdict on a check-in: the domain's rule, with what only the server
/// knows (the meeting as recorded, its presence secret, the keys enrolled for the cadre,
/// every use of the photo and whether its bytes arrived, the cadre's other check-ins, and
/// when the check-in arrived and really happened).
pub fn judge(
    docs: &CommuneDocs,
    stored: &StoredCheckIn,
    settings: &CheckInSettings,
) -> StorageResult<Verdict> {
    let c = &stored.check_in;
    let assignments = docs.assignments()?;
    let when = stored.true_time.unwrap_or_else(|| c.corrected_time());
    let cadre_assigned =
        compliance::is_assigned(&assignments, &c.cadre_id, &c.cell_id, local_date(when));
    let place = docs.cell(&c.cell_id)?.and_then(|cell| cell.meeting_place);
    let enrolled_keys = docs.with_tx(|tx| tx.cadre_device_keys(docs.commune_id(), &c.cadre_id))?;
    let (earlier_photos, photo_received) = match &c.photo_sha256 {
        Some(hash) if checkin::is_sha256_hex(hash) => {
            (docs.photo_uses(hash)?, Some(docs.blob_received(hash)?))
        }
        _ => (Vec::new(), None),
    };
    let other_fixes = docs.cadre_fixes_near(&c.cadre_id, when)?;
    let evidence = Evidence {
        photo_received,
        true_time: stored.true_time,
        other_fixes: &other_fixes,
    };
    Ok(match docs.record_of(&c.meeting_id)? {
        Some(record) => {
            let secret = docs.presence_secret(&c.meeting_id)?;
            checkin::judge_check_in(&VerdictInput {
                check_in: c,
                meeting: &record.meeting,
                meeting_place: place.as_ref(),
                cadre_assigned,
                presence_secret: secret.as_deref(),
                enrolled_keys: &enrolled_keys,
                earlier_photos: &earlier_photos,
                receipt: stored.receipt,
                settings,
                evidence,
            })
        }
        None => checkin::judge_check_in_without_meeting(
            c,
            place.as_ref(),
            cadre_assigned,
            &enrolled_keys,
            &earlier_photos,
            settings,
            evidence,
        ),
    })
}

/// Judges a stored check-in again (something it depends on arrived or changed) and, if
/// the verdict changed, writes it, moves the meeting's delegates with it and tells every
/// reader of the cell. The office's review is final.
fn rejudge(
    docs: &CommuneDocs,
    settings: &CheckInSettings,
    stored: &StoredCheckIn,
    now: EpochMillis,
) -> StorageResult<()> {
    if stored.verdict.review.is_some() {
        return Ok(());
    }
    let verdict = judge(docs, stored, settings)?;
    if verdict == stored.verdict {
        return Ok(());
    }
    let stored = StoredCheckIn {
        verdict,
        ..stored.clone()
    };
    let delegate =
        ledger::delegate_after(docs, &stored.check_in, &stored.verdict).map_err(lookup_failed)?;
    docs.write_check_in(&stored, delegate.as_ref())?;
    log_verdict(docs, &stored, now)
}

/// The presence secret of a meeting arrived, or its times changed: judge its check-ins
/// again.
pub(super) fn rejudge_meeting(
    docs: &CommuneDocs,
    settings: &CheckInSettings,
    meeting_id: &str,
    now: EpochMillis,
) -> StorageResult<()> {
    for stored in docs.check_ins_of_meeting(meeting_id)? {
        rejudge(docs, settings, &stored, now)?;
    }
    Ok(())
}

/// The verified bytes of `sha256` reached the server (an upload of `device_id`'s): the
/// check-ins that waited for their photo are judged again.
pub fn photo_received(state: &AppState, device_id: &str, sha256: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    let settings = state.config.check_in_settings();
    let Some(device) = crate::in_read(&*state.storage, |tx| tx.device(device_id).map(Ok))? else {
        return Ok(());
    };
    // The photo's check-ins may be any cell's: alone among the commune's writers.
    let writers = crate::storage::Writers::Commune(&device.commune_id);
    crate::in_queued_write(&*state.storage, writers, |tx| {
        let docs = CommuneDocs::buffered(tx, &device.commune_id);
        docs.note_blob_received(sha256, now)?;
        for stored in docs.check_ins_with_photo(sha256)? {
            rejudge(&docs, &settings, &stored, now)?;
        }
        docs.finish()?;
        Ok(Ok(()))
    })
}
