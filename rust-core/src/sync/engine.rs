//! The engine and its run: push + pull round trips until nothing is left, then photos.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use chibo_domain::change::{Change, MeetingField};
use chibo_domain::sync::{
    AckOutcome, PushedChange, Scope, SyncRequest, SyncResponse, PROTOCOL_VERSION, SYNC_PATH,
};
use chibo_domain::EpochMillis;

use super::attention::describe_change;
use super::error::SyncError;
use super::retry::{Clock, Sleeper, SystemClock, ThreadSleeper};
use super::transport::{endpoint, Transport};
use super::{status, NeedsAttention, SyncConfig, SyncReport, SyncStatus};
use crate::store::{BatchEntry, Settlement, Store, SyncAccount};

/// The sync engine of one device store. Cheap to keep for the app's lifetime; one run
/// at a time: a caller who asks while a run is going joins it and gets its outcome,
/// never a second run.
pub struct Engine {
    pub(super) store: Arc<Mutex<Store>>,
    pub(super) photo_dir: PathBuf,
    pub(super) config: SyncConfig,
    pub(super) transport: Transport,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) sleeper: Arc<dyn Sleeper>,
    running: Mutex<()>,
    /// The run in progress, which later callers join.
    flight: Mutex<Option<Arc<Flight>>>,
}

/// One run's outcome, shared with the callers who joined it.
#[derive(Default)]
struct Flight {
    outcome: Mutex<Option<Result<SyncReport, Arc<SyncError>>>>,
    done: Condvar,
}

impl Flight {
    fn wait(&self) -> Result<SyncReport, SyncError> {
        let mut outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(result) = outcome.as_ref() {
                return result.clone().map_err(SyncError::Joined);
            }
            outcome = self.done.wait(outcome).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finish(&self, result: Result<SyncReport, Arc<SyncError>>) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        self.done.notify_all();
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("photo_dir", &self.photo_dir)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Engine`] with other settings, clock or sleeper (tests inject theirs).
pub struct EngineBuilder {
    store: Arc<Mutex<Store>>,
    photo_dir: PathBuf,
    config: SyncConfig,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
}

impl EngineBuilder {
    pub fn config(mut self, config: SyncConfig) -> Self {
        self.config = config;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Starts the engine's runtime and HTTP client.
    pub fn build(self) -> Result<Engine, SyncError> {
        Ok(Engine {
            transport: Transport::new(self.config.timeouts)?,
            store: self.store,
            photo_dir: self.photo_dir,
            config: self.config,
            clock: self.clock,
            sleeper: self.sleeper,
            running: Mutex::new(()),
            flight: Mutex::new(None),
        })
    }
}

/// What a run has done so far.
#[derive(Default)]
pub(super) struct Progress {
    pub pushed: u64,
    pub pulled: u64,
    pub photos_uploaded: u64,
    pub pulled_refused: u64,
    pub round_trips: u32,
    pub clock_warning: Option<String>,
    /// The server said there is more to pull, or pending changes were left, when the
    /// run stopped at `max_rounds`.
    pub cut_short: bool,
}

impl Engine {
    /// An engine over `store`, whose photos live in `photo_dir`, with the app's settings.
    pub fn new(store: Arc<Mutex<Store>>, photo_dir: PathBuf) -> Result<Engine, SyncError> {
        Engine::builder(store, photo_dir).build()
    }

    pub fn builder(store: Arc<Mutex<Store>>, photo_dir: PathBuf) -> EngineBuilder {
        EngineBuilder {
            store,
            photo_dir,
            config: SyncConfig::default(),
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(ThreadSleeper),
        }
    }

    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// The status screen's figures (the store only; no network).
    pub fn status(&self) -> Result<SyncStatus, SyncError> {
        let running = self.is_running();
        Ok(SyncStatus {
            running,
            ..status(&self.store())?
        })
    }

    /// Removes an entry from the needs-attention list once the person has dealt with it.
    pub fn dismiss(&self, needs_attention_id: i64) -> Result<(), SyncError> {
        let now = self.now();
        Ok(self
            .store()
            .dismiss_needs_attention(needs_attention_id, now)?)
    }

    /// Pushes the outbox, pulls every scope, uploads queued photos. The outcome is also
    /// kept for [`Engine::status`]: the last success, or the last error in Vietnamese.
    ///
    /// Errors: [`SyncError::NotEnrolled`]; [`SyncError::Revoked`] /
    /// [`SyncError::Unauthorized`]; transient failures after the retries are spent
    /// (network, 5xx); an answer that is not the protocol. Photos failing for the
    /// network after the records went through do not make the run fail: the report
    /// says so in `photo_error`.
    ///
    /// One run at a time: while a run is going, a second call waits for it and returns
    /// the same report (or the same error, as [`SyncError::Joined`]) without exchanging
    /// anything itself.
    pub fn sync_now(&self) -> Result<SyncReport, SyncError> {
        self.sync_with(true)
    }

    /// [`Engine::sync_now`], with the photo uploads left for a later run when
    /// `upload_photos` is false (the person keeps photos for Wi-Fi): the records still go.
    pub fn sync_with(&self, upload_photos: bool) -> Result<SyncReport, SyncError> {
        let flight = {
            let mut slot = self.flight.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(running) = slot.as_ref() {
                let running = running.clone();
                drop(slot);
                return running.wait();
            }
            let flight = Arc::new(Flight::default());
            *slot = Some(flight.clone());
            flight
        };
        let result = self.run_alone(upload_photos);
        // No one can join once the slot is empty; whoever holds the flight now joined.
        self.flight.lock().unwrap_or_else(|e| e.into_inner()).take();
        if Arc::strong_count(&flight) == 1 {
            return result;
        }
        let shared = result.map_err(Arc::new);
        flight.finish(shared.clone());
        shared.map_err(SyncError::Joined)
    }

    /// Whether a run is going now.
    pub fn is_running(&self) -> bool {
        self.flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// How many callers are waiting on the run in progress (joined it).
    pub fn callers_waiting(&self) -> usize {
        self.flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            // The slot and the caller running it hold one each.
            .map_or(0, |flight| Arc::strong_count(flight).saturating_sub(2))
    }

    fn run_alone(&self, upload_photos: bool) -> Result<SyncReport, SyncError> {
        let _one_at_a_time = self.running_guard();
        let attention_before = self.store().last_needs_attention_id()?;
        let result = self.run(attention_before, upload_photos);
        let now = self.now();
        match result {
            Ok(report) => {
                self.store()
                    .record_sync_run(now, Some(now), report.photo_error.as_deref())?;
                Ok(report)
            }
            Err(error) => {
                // The run's error is the one to report, even if noting it fails too.
                let _ = self
                    .store()
                    .record_sync_run(now, None, Some(&error.to_string()));
                Err(error)
            }
        }
    }

    fn run(&self, attention_before: i64, upload_photos: bool) -> Result<SyncReport, SyncError> {
        let account = self.store().sync_account()?.ok_or(SyncError::NotEnrolled)?;
        let mut progress = Progress::default();
        self.exchange(&account, &mut progress)?;
        let photo_error = if !upload_photos {
            None
        } else {
            match self.upload_photos(&account, &mut progress) {
                Ok(()) => None,
                // The records went through; the photos wait for a better connection.
                Err(e) if e.kind() == super::SyncErrorKind::Network => Some(e.to_string()),
                Err(e) => return Err(e),
            }
        };

        let store = self.store();
        let (rejected, photos_failed): (Vec<NeedsAttention>, Vec<NeedsAttention>) = store
            .needs_attention()?
            .into_iter()
            .filter(|entry| entry.id > attention_before)
            .map(NeedsAttention::from)
            .partition(|entry| entry.kind == super::AttentionKind::Change);
        let pending_changes = store.pending_change_count()?;
        let pending_photos = store.pending_photo_count()?;
        let mut report = SyncReport {
            pushed: progress.pushed,
            rejected,
            pulled: progress.pulled,
            pulled_refused: progress.pulled_refused,
            photos_uploaded: progress.photos_uploaded,
            photos_failed,
            round_trips: progress.round_trips,
            pending_changes,
            pending_photos,
            photo_error,
            clock_warning: progress.clock_warning,
            complete: !progress.cut_short && pending_changes == 0 && pending_photos == 0,
            summary: String::new(),
        };
        report.summary = report.summarize();
        Ok(report)
    }

    /// Round trips until the outbox is empty and the server has nothing more to give.
    fn exchange(&self, account: &SyncAccount, progress: &mut Progress) -> Result<(), SyncError> {
        let url = endpoint(&account.server_url, SYNC_PATH)?;
        let base = account.seq_base;
        // Set after a sequence gap: resend from here, settled entries included.
        let mut resend_from: Option<u64> = None;
        let mut last_gap: Option<u64> = None;
        let mut last_conflict: Option<u64> = None;
        let mut max_changes = self.config.batch_max_changes.max(1);

        for _ in 0..self.config.max_rounds {
            let (batch, cursors) = {
                let store = self.store();
                let from = match (resend_from, store.first_pending_seq()?) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let batch = match from {
                    // Entries up to `seq_base` belong to an earlier enrolment.
                    Some(from) => store.outbox_batch(
                        from.max(base + 1),
                        max_changes,
                        self.config.batch_max_bytes,
                    )?,
                    None => Vec::new(),
                };
                (batch, store.scope_cursors()?)
            };
            // How long ago each change was made, by the boot clock (same boot only).
            let boot_now = self.store().boot_reading();
            let push = batch
                .iter()
                .map(|b| {
                    Ok(PushedChange {
                        device_seq: b.entry.device_seq - base,
                        hlc: b.entry.hlc.clone(),
                        created_at: b.entry.created_at,
                        elapsed_ms: boot_now
                            .as_ref()
                            .zip(b.entry.boot.as_ref())
                            .and_then(|(now, then)| now.elapsed_since(then)),
                        change: b.entry.change()?,
                    })
                })
                .collect::<Result<Vec<_>, SyncError>>()?;

            let sent_at = self.now();
            let request = SyncRequest {
                protocol: PROTOCOL_VERSION,
                device_clock_at_send: sent_at,
                push,
                cursors,
                pull_limit: Some(self.config.pull_limit),
            };
            let result: Result<SyncResponse, SyncError> =
                self.config.retry.run(self.sleeper.as_ref(), |_| {
                    self.transport
                        .post_json(url.clone(), Some(&account.credential), &request)
                });
            let response = match result {
                Ok(response) => response,
                Err(SyncError::SequenceGap { expected }) => {
                    let expected_local = expected.saturating_add(base);
                    let last_written = self.store().last_device_seq();
                    // The server cannot expect an entry we never wrote, nor the same one
                    // again after we resent from it.
                    if expected == 0
                        || expected_local > last_written + 1
                        || last_gap == Some(expected_local)
                    {
                        return Err(SyncError::SequenceGap { expected });
                    }
                    last_gap = Some(expected_local);
                    // Everything below what the server expects is settled there.
                    let now = self.now();
                    self.store().ack_outbox(expected_local - 1, now)?;
                    resend_from = Some(expected_local);
                    continue;
                }
                Err(SyncError::TooLarge) if batch.len() > 1 => {
                    max_changes = batch.len() / 2;
                    continue;
                }
                Err(SyncError::SeqConflict { expected }) => {
                    // The server holds other changes under numbers we sent again: ours
                    // move after them, so nothing of either is lost.
                    let expected_local = expected.saturating_add(base);
                    if last_conflict == Some(expected_local) {
                        return Err(SyncError::SeqConflict { expected });
                    }
                    last_conflict = Some(expected_local);
                    self.store().renumber_pending_from(expected_local)?;
                    resend_from = None;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let received_at = self.now();
            progress.round_trips += 1;
            last_gap = None;

            let now = self.now();
            let settlements = settle(&batch, &response, base);
            progress.pushed += settlements
                .iter()
                .filter(|(s, was_pending)| {
                    *was_pending
                        && matches!(
                            s,
                            Settlement::Accepted { .. } | Settlement::Superseded { .. }
                        )
                })
                .count() as u64;
            let settlements: Vec<Settlement> = settlements.into_iter().map(|(s, _)| s).collect();
            {
                let mut store = self.store();
                // Server clock minus ours, at the middle of the round trip. Too far off
                // either way, the person is told (the server's words, or the same rule's).
                let midpoint = sent_at + (received_at - sent_at) / 2;
                let offset = response.server_time - midpoint;
                let warning = response
                    .clock_warning
                    .clone()
                    .or_else(|| chibo_domain::sync::clock_warning(offset))
                    .map(|w| w.message);
                store.record_server_clock(offset, warning.as_deref())?;
                store.settle_outbox(&settlements, now)?;
                // A cell this device no longer reads (its assignment moved) is removed.
                store.forget_unreadable_cells(&response.readable)?;
                // Cells before the commune: an assignment in the commune's scope names a
                // cell the device may only learn in that cell's page of the same response.
                let mut pages: Vec<_> = response.pulled.iter().collect();
                pages.sort_by_key(|page| !matches!(page.scope, Scope::Cell(_)));
                for page in pages {
                    let applied = store.apply_pulled(page, now)?;
                    progress.pulled += u64::from(applied.applied);
                    progress.pulled_refused += applied.refused.len() as u64;
                }
            }
            progress.clock_warning = self.store().sync_state()?.clock_warning;

            let first_pending = self.store().first_pending_seq()?;
            // Keep resending settled entries only while the server has not had them.
            resend_from = resend_from
                .map(|_| response.last_applied_seq + base + 1)
                .filter(|next| first_pending.is_some_and(|p| *next < p));
            if !batch.is_empty() && response.acks.is_empty() {
                return Err(SyncError::Garbage {
                    detail: "máy chủ không xác nhận thay đổi nào đã gửi".into(),
                });
            }
            if response.more || first_pending.is_some() {
                continue;
            }
            return Ok(());
        }
        progress.cut_short = true;
        Ok(())
    }

    /// One run (or enrolment) at a time.
    pub(super) fn running_guard(&self) -> MutexGuard<'_, ()> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic mid-write rolled its transaction back, so the store is still sound.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn now(&self) -> EpochMillis {
        self.clock.now_ms()
    }
}

/// The settlement of each acknowledged entry of the batch (local numbering), and
/// whether it was pending before. Acks for entries not sent are ignored.
fn settle(batch: &[BatchEntry], response: &SyncResponse, base: u64) -> Vec<(Settlement, bool)> {
    response
        .acks
        .iter()
        .filter_map(|ack| {
            let device_seq = ack.device_seq.checked_add(base)?;
            let sent = batch.iter().find(|b| b.entry.device_seq == device_seq)?;
            let change = sent.entry.change().ok();
            let what = change
                .as_ref()
                .map(describe_change)
                .unwrap_or_else(|| sent.entry.entity_kind.clone());
            let settlement = match &ack.outcome {
                AckOutcome::Applied => Settlement::Accepted { device_seq },
                // Our own check-in sent again (after numbering again): already counted.
                AckOutcome::Rejected { code, .. } if code == "already_applied" => {
                    Settlement::Accepted { device_seq }
                }
                AckOutcome::Superseded => Settlement::Superseded {
                    device_seq,
                    what,
                    reason: lost_fields_reason(change.as_ref(), None),
                },
                AckOutcome::PartlyApplied { lost } => Settlement::Superseded {
                    device_seq,
                    what,
                    reason: lost_fields_reason(change.as_ref(), Some(lost)),
                },
                AckOutcome::Rejected { code, reason } => Settlement::Rejected {
                    device_seq,
                    what,
                    code: code.clone(),
                    reason: reason.clone(),
                },
            };
            Some((settlement, !sent.acked))
        })
        .collect()
}

/// Why a change of ours was not (wholly) kept: which fields a later write from elsewhere
/// holds, in Vietnamese.
fn lost_fields_reason(change: Option<&Change>, lost: Option<&[MeetingField]>) -> String {
    let fields: Vec<MeetingField> = match (lost, change) {
        (Some(lost), _) => lost.to_vec(),
        (None, Some(Change::UpdateMeeting { fields, .. })) => MeetingField::named_or_all(fields),
        _ => Vec::new(),
    };
    if fields.is_empty() {
        return "Máy khác (hoặc văn phòng Đảng ủy xã) đã sửa mục này sau đồng chí; nội dung \
                mới hơn được giữ"
            .to_string();
    }
    let labels: Vec<&str> = fields.iter().map(|f| f.label()).collect();
    format!(
        "Máy khác đã sửa {} sau đồng chí; nội dung của máy khác được giữ",
        labels.join(", ")
    )
}
