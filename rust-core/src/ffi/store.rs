use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chibo_domain::change::Change;
use chibo_domain::checkin::{PresenceCheck, PresenceCode};
use chibo_domain::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use chibo_domain::rules::{CellViability, MeetingAssessment, RuleSettings};
use chibo_domain::*;

use super::ChiboError;
use crate::flow;
use crate::keystore::DeviceKeystore;
use crate::photos::{self, PhotoInfo};
use crate::store::{
    HomeSummary, MeetingSummary, MemberAttendanceRow, MemberYearAttendance, PetitionWithResponses,
    Store,
};
use crate::sync::{self, Engine, EnrolledAs, SyncReport, SyncStatus};

/// Told the sync status after every change written on this device and after every sync
/// run (when it starts and when it ends), so a banner follows it with no refresh. Called
/// on the thread that wrote, after the store is released: it may call back in.
#[uniffi::export(with_foreign)]
pub trait StatusListener: Send + Sync {
    fn on_status(&self, status: SyncStatus);
}

/// The device setting that keeps the server address asked for before enrolment.
const SERVER_ADDRESS: &str = "server_address";
use crate::visits::{self, CadreOverview, CellVisit, CheckInRequest, CheckInRow, PhotoRef};

type Result<T> = std::result::Result<T, ChiboError>;

pub(super) fn now() -> EpochMillis {
    chrono::Utc::now().timestamp_millis()
}

/// The device's record, opened at a path in the app's private storage.
#[derive(uniffi::Object)]
pub struct ChiboStore {
    // Shared with the sync engine, which locks it only between network calls.
    store: Arc<Mutex<Store>>,
    /// Started on first use: it owns a runtime thread and an HTTP client.
    engine: Mutex<Option<Arc<Engine>>>,
    listener: Mutex<Option<Arc<dyn StatusListener>>>,
}

/// The store, locked; when it is released after a change was written, the listener
/// hears the new status.
pub(super) struct StoreGuard<'a> {
    guard: Option<MutexGuard<'a, Store>>,
    owner: &'a ChiboStore,
    seq_before: u64,
}

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.guard.as_ref().expect("held until dropped")
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.guard.as_mut().expect("held until dropped")
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        // Every change made here is numbered in the outbox: a new number, a write.
        let written = guard.last_device_seq() != self.seq_before;
        drop(guard);
        if written {
            self.owner.notify();
        }
    }
}

impl ChiboStore {
    pub(super) fn store(&self) -> StoreGuard<'_> {
        // A panic mid-write rolled its transaction back, so the store is still sound.
        let guard = self
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        StoreGuard {
            seq_before: guard.last_device_seq(),
            guard: Some(guard),
            owner: self,
        }
    }

    /// Tells the listener the status now (nothing when there is none, or on an error:
    /// the next write tells it again).
    fn notify(&self) {
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(listener) = listener {
            if let Ok(status) = self.sync_status() {
                listener.on_status(status);
            }
        }
    }

    fn running_engine(&self) -> Option<Arc<Engine>> {
        self.engine
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn engine(&self) -> Result<Arc<Engine>> {
        let mut slot = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let engine = Arc::new(Engine::new(self.store.clone(), self.photo_dir())?);
        *slot = Some(engine.clone());
        Ok(engine)
    }

    fn photo_dir(&self) -> PathBuf {
        let store_path = self.store().path().unwrap_or_default();
        photos::photo_dir_for(&store_path)
    }

    /// Another boot clock for this store's outbox (`crate::boot`): a simulation that
    /// records past months through today's clock gives one that knows nothing, as a
    /// phone without a boot clock would. Not for the apps.
    pub fn set_boot_clock(&self, boot: Arc<dyn crate::boot::BootClock>) {
        self.store().set_boot_clock(boot);
    }

    fn apply(&self, change: Change) -> Result<()> {
        Ok(self.store().apply(change, now())?)
    }
}

#[uniffi::export]
impl ChiboStore {
    /// Opens (creating and migrating if needed) the device's encrypted store at `path`.
    /// Its key is 32 random bytes made on first open and kept wrapped by `keystore` in
    /// `<path>.key`; a plain store from an older version is encrypted on first open.
    #[uniffi::constructor]
    pub fn open(path: String, keystore: Arc<dyn DeviceKeystore>) -> Result<Arc<Self>> {
        let store = Store::open_encrypted(Path::new(&path), keystore.as_ref())?;
        Ok(Arc::new(ChiboStore {
            store: Arc::new(Mutex::new(store)),
            engine: Mutex::new(None),
            listener: Mutex::new(None),
        }))
    }

    /// Hears the sync status after every write and every sync run; `None` stops it.
    pub fn set_status_listener(&self, listener: Option<Arc<dyn StatusListener>>) {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner()) = listener;
    }

    // Drafts: text being typed, kept on this device only (never synced)

    /// Keeps a draft; an empty `value` removes it.
    pub fn save_draft(&self, key: String, value: String) -> Result<()> {
        Ok(self.store().save_draft(&key, &value, now())?)
    }

    pub fn draft(&self, key: String) -> Result<String> {
        Ok(self.store().draft(&key)?)
    }

    /// Removes the drafts whose keys start with `prefix`.
    pub fn clear_drafts(&self, prefix: String) -> Result<u64> {
        Ok(self.store().clear_drafts(&prefix)?)
    }

    // The commune server's address

    /// The address this device uses: the enrolled server's, else the one saved before
    /// enrolment, else `None`.
    pub fn server_address(&self) -> Result<Option<String>> {
        let store = self.store();
        Ok(match store.sync_account()? {
            Some(account) => Some(account.server_url),
            None => store.device_setting(SERVER_ADDRESS)?,
        })
    }

    /// Keeps the address typed for the short-code path, checked as enrolment checks it
    /// (`https://`, or `http://` to this machine only); returns it normalised.
    pub fn set_server_address(&self, address: String) -> Result<String> {
        let address = sync::check_server_url(&address)?;
        self.store().set_device_setting(SERVER_ADDRESS, &address)?;
        Ok(address)
    }

    /// Processes a camera file into this device's photo folder. With `remove_original`
    /// the camera file is deleted, but only once the result is safely stored.
    pub fn process_photo(&self, input_path: String, remove_original: bool) -> Result<PhotoInfo> {
        Ok(photos::process_into(
            Path::new(&input_path),
            &self.photo_dir(),
            remove_original,
        )?)
    }

    pub fn photo_dir_path(&self) -> String {
        self.photo_dir().display().to_string()
    }

    pub fn device_id(&self) -> String {
        self.store().device_id().to_string()
    }

    /// The commune's settings for the rules (e.g. a lower minimum for small cells), as
    /// the office set them on the dashboard; the phone shows them and cannot change them.
    pub fn rule_settings(&self, commune_id: String) -> Result<RuleSettings> {
        Ok(self.store().rule_settings(&commune_id)?)
    }

    // Roster

    pub fn save_cell(&self, cell: Cell) -> Result<()> {
        self.apply(Change::UpsertCell { cell })
    }

    pub fn save_member(&self, member: Member) -> Result<()> {
        self.apply(Change::UpsertMember { member })
    }

    /// A cell and its whole roster, all or nothing.
    pub fn import_roster(&self, cell: Cell, members: Vec<Member>) -> Result<()> {
        let mut changes = vec![Change::UpsertCell { cell }];
        changes.extend(
            members
                .into_iter()
                .map(|member| Change::UpsertMember { member }),
        );
        Ok(self.store().apply_all(changes, now())?)
    }

    pub fn cell(&self, cell_id: String) -> Result<Cell> {
        Ok(self.store().cell(&cell_id)?)
    }

    pub fn cells(&self) -> Result<Vec<Cell>> {
        Ok(self.store().cells()?)
    }

    pub fn members(&self, cell_id: String) -> Result<Vec<Member>> {
        Ok(self.store().members(&cell_id)?)
    }

    pub fn cell_viability(&self, cell_id: String) -> Result<CellViability> {
        Ok(chibo_domain::rules::cell_viability(
            &self.store().members(&cell_id)?,
        ))
    }

    // Meeting flow

    pub fn plan_meeting(
        &self,
        cell_id: String,
        kind: MeetingKind,
        planned_start: i64,
        planned_place: String,
    ) -> Result<Meeting> {
        Ok(flow::plan_meeting(
            &mut self.store(),
            &cell_id,
            kind,
            planned_start,
            planned_place,
            now(),
        )?)
    }

    /// Saves the editable header: times, chair, minute-taker, guests, preparation,
    /// conclusion, resolution.
    pub fn update_meeting(&self, meeting: Meeting) -> Result<()> {
        Ok(flow::update_meeting(&mut self.store(), meeting, now())?)
    }

    pub fn set_agenda(&self, meeting_id: String, items: Vec<AgendaItem>) -> Result<()> {
        self.apply(Change::SetAgenda { meeting_id, items })
    }

    pub fn mark_attendance(
        &self,
        meeting_id: String,
        member_id: String,
        attendance: Attendance,
        reason: Option<String>,
    ) -> Result<()> {
        self.apply(Change::SetAttendance {
            meeting_id,
            entry: RollCallEntry {
                member_id,
                attendance,
                reason,
            },
        })
    }

    pub fn add_speech(&self, meeting_id: String, speaker: Speaker, gist: String) -> Result<Speech> {
        Ok(flow::add_speech(
            &mut self.store(),
            &meeting_id,
            speaker,
            gist,
            now(),
        )?)
    }

    pub fn review_task(
        &self,
        meeting_id: String,
        task_id: String,
        outcome: TaskOutcome,
        note: Option<String>,
    ) -> Result<()> {
        self.apply(Change::ReviewTask {
            meeting_id,
            review: TaskReview {
                task_id,
                outcome,
                note,
            },
        })
    }

    pub fn add_task(
        &self,
        meeting_id: String,
        description: String,
        assignee_id: String,
        deadline: CalendarDate,
    ) -> Result<Task> {
        Ok(flow::add_task(
            &mut self.store(),
            &meeting_id,
            description,
            assignee_id,
            deadline,
            now(),
        )?)
    }

    pub fn record_vote(
        &self,
        meeting_id: String,
        question: String,
        kind: VoteKind,
        in_favor: u32,
        against: u32,
        abstain: u32,
    ) -> Result<VoteTally> {
        Ok(flow::record_vote(
            &mut self.store(),
            &meeting_id,
            question,
            kind,
            in_favor,
            against,
            abstain,
            now(),
        )?)
    }

    pub fn raise_petition(
        &self,
        meeting_id: String,
        content: String,
        category: PetitionCategory,
        raised_by: String,
    ) -> Result<Petition> {
        Ok(flow::raise_petition(
            &mut self.store(),
            &meeting_id,
            content,
            category,
            raised_by,
            now(),
        )?)
    }

    pub fn set_secretary_score(&self, meeting_id: String, scores: JudgedScores) -> Result<()> {
        self.apply(Change::SetJudgedScores { meeting_id, scores })
    }

    pub fn sign_meeting(&self, meeting_id: String) -> Result<MeetingRecord> {
        Ok(flow::sign_meeting(&mut self.store(), &meeting_id, now())?)
    }

    pub fn start_correction(&self, meeting_id: String) -> Result<Meeting> {
        Ok(flow::start_correction(
            &mut self.store(),
            &meeting_id,
            now(),
        )?)
    }

    /// Records a whole meeting at once, all or nothing.
    pub fn record_meeting(&self, record: MeetingRecord) -> Result<Meeting> {
        Ok(flow::record_meeting(&mut self.store(), record, now())?)
    }

    // Reads

    pub fn meeting(&self, meeting_id: String) -> Result<Meeting> {
        Ok(self.store().meeting(&meeting_id)?)
    }

    pub fn meeting_record(&self, meeting_id: String) -> Result<MeetingRecord> {
        Ok(self.store().meeting_record(&meeting_id)?)
    }

    /// Last month's tasks, to review at this meeting.
    pub fn previous_tasks(&self, meeting_id: String) -> Result<Vec<Task>> {
        Ok(self.store().previous_tasks(&meeting_id)?)
    }

    /// The rules' verdict on the record: attendance, score, grade and warnings.
    pub fn assess_meeting(&self, meeting_id: String) -> Result<MeetingAssessment> {
        let store = self.store();
        Ok(store.assess(&meeting_id)?)
    }

    /// The minutes as plain text, for reading back at the meeting.
    pub fn minutes_text(&self, meeting_id: String) -> Result<String> {
        Ok(flow::minutes_text(&self.store(), &meeting_id)?)
    }

    pub fn home(&self, cell_id: String) -> Result<HomeSummary> {
        Ok(self.store().home(&cell_id, now())?)
    }

    pub fn meeting_history(&self, cell_id: String) -> Result<Vec<MeetingSummary>> {
        Ok(self.store().meeting_history(&cell_id)?)
    }

    pub fn member_attendance_history(&self, member_id: String) -> Result<Vec<MemberAttendanceRow>> {
        Ok(self.store().member_attendance_history(&member_id)?)
    }

    pub fn attendance_for_year(
        &self,
        cell_id: String,
        year: i32,
    ) -> Result<Vec<MemberYearAttendance>> {
        Ok(self.store().attendance_for_year(&cell_id, year)?)
    }

    /// Changes recorded on this device and not yet acknowledged by the commune server.
    pub fn pending_change_count(&self) -> Result<u64> {
        Ok(self.store().pending_change_count()?)
    }

    // The commune's assignments of cadres to cells

    pub fn save_cadre(&self, cadre: Cadre) -> Result<Cadre> {
        Ok(visits::save_cadre(&mut self.store(), cadre, now())?)
    }

    pub fn save_working_team(&self, team: WorkingTeam) -> Result<WorkingTeam> {
        Ok(visits::save_working_team(&mut self.store(), team, now())?)
    }

    /// Assigns a cadre to a cell for a period; an empty id gets a new one.
    pub fn assign(&self, assignment: Assignment) -> Result<Assignment> {
        Ok(visits::assign(&mut self.store(), assignment, now())?)
    }

    pub fn set_visit_requirement(
        &self,
        commune_id: String,
        requirement: VisitRequirement,
    ) -> Result<()> {
        Ok(visits::set_visit_requirement(
            &mut self.store(),
            &commune_id,
            requirement,
            now(),
        )?)
    }

    // The secretary's side of a check-in

    /// The rotating code (and QR payload) the secretary's screen shows to a visiting cadre.
    pub fn presence_code(&self, meeting_id: String) -> Result<PresenceCode> {
        Ok(visits::presence_code(
            &mut self.store(),
            &meeting_id,
            now(),
        )?)
    }

    /// Checks a code (or scanned QR payload) offline on the secretary's device.
    pub fn verify_presence(&self, meeting_id: String, code: String) -> Result<PresenceCheck> {
        Ok(visits::verify_presence(
            &self.store(),
            &meeting_id,
            &code,
            now(),
        )?)
    }

    // The cadre's side

    /// Signs and stores a check-in, and returns it with its provisional verdict.
    pub fn check_in(
        &self,
        request: CheckInRequest,
        keystore: Arc<dyn DeviceKeystore>,
    ) -> Result<CheckInRow> {
        let (check_in, verdict) =
            visits::check_in(&mut self.store(), keystore.as_ref(), request, now())?;
        Ok(CheckInRow { check_in, verdict })
    }

    pub fn record_observation(&self, observation: Observation) -> Result<Observation> {
        Ok(visits::record_observation(
            &mut self.store(),
            observation,
            now(),
        )?)
    }

    pub fn attach_meeting_photo(
        &self,
        meeting_id: String,
        photo: PhotoRef,
    ) -> Result<PhotoAttachment> {
        Ok(visits::attach_meeting_photo(
            &mut self.store(),
            &meeting_id,
            photo,
            now(),
        )?)
    }

    pub fn meeting_photos(&self, meeting_id: String) -> Result<Vec<PhotoAttachment>> {
        Ok(visits::meeting_photos(&self.store(), &meeting_id)?)
    }

    /// A cadre's assigned cells, their planned meetings and visits against requirements.
    pub fn cadre_overview(&self, cadre_id: String) -> Result<CadreOverview> {
        Ok(visits::cadre_overview(&self.store(), &cadre_id, now())?)
    }

    /// Which cadres visited which meetings of a cell.
    pub fn cell_visits(&self, cell_id: String) -> Result<Vec<CellVisit>> {
        Ok(visits::cell_visits(&self.store(), &cell_id)?)
    }

    pub fn my_check_ins(&self, cadre_id: String) -> Result<Vec<CheckInRow>> {
        Ok(visits::my_check_ins(&self.store(), &cadre_id)?)
    }

    /// The cell's petitions with the commune's answers, for the next meeting.
    pub fn petitions_of_cell(&self, cell_id: String) -> Result<Vec<PetitionWithResponses>> {
        Ok(self.store().petitions_of_cell(&cell_id)?)
    }

    /// The commune's guidance and notices for the cell, newest first.
    pub fn guidance_for_cell(&self, cell_id: String) -> Result<Vec<Guidance>> {
        Ok(self.store().guidance_for_cell(&cell_id)?)
    }

    // Sync with the commune server. These block: call them off the main thread.

    /// Enrols this device with the one-time code (typed, or the scanned QR content)
    /// the commune office issued, using the keystore's public key. An empty
    /// `server_url` means the address the QR carries.
    pub fn enroll(
        &self,
        server_url: String,
        code_or_qr: String,
        device_label: String,
        keystore: Arc<dyn DeviceKeystore>,
    ) -> Result<EnrolledAs> {
        let enrolled =
            self.engine()?
                .enroll(&server_url, &code_or_qr, &device_label, keystore.as_ref())?;
        self.notify();
        Ok(enrolled)
    }

    /// Pushes pending changes, pulls the others', then uploads queued photos. While a
    /// run is going, a second call joins it: same outcome, no second exchange.
    pub fn sync_now(&self) -> Result<SyncReport> {
        self.sync_with(true)
    }

    /// [`ChiboStore::sync_now`]; with `upload_photos` false the photos wait for a later
    /// run (the person keeps them for Wi-Fi) while the record still goes.
    pub fn sync_with(&self, upload_photos: bool) -> Result<SyncReport> {
        let engine = self.engine()?;
        let joining = engine.is_running();
        if !joining {
            // The banner shows the run from its start.
            self.notify_running();
        }
        let result = engine.sync_with(upload_photos);
        self.notify();
        Ok(result?)
    }

    /// How many callers wait on the sync round in progress (they joined it).
    pub fn sync_callers_waiting(&self) -> u64 {
        self.running_engine()
            .map_or(0, |e| e.callers_waiting() as u64)
    }

    /// Pending changes and photos, the last success and error, the needs-attention
    /// list, and whether a run is going.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let running = self.running_engine().is_some_and(|e| e.is_running());
        let status = sync::status(&self.store())?;
        Ok(SyncStatus { running, ..status })
    }

    /// The meeting reminders still ahead for this device's person (a secretary's cell,
    /// a cadre's assigned cells), including a cell's fixed meeting day with nothing
    /// planned yet; the app plans its notifications from them.
    pub fn meeting_reminders(&self) -> Result<Vec<crate::reminders::MeetingReminder>> {
        let store = self.store();
        let role = store
            .sync_account()?
            .map(|account| EnrolledAs::from(&account).role);
        Ok(crate::reminders::upcoming(&store, role.as_ref(), now())?)
    }

    /// Takes an entry off the needs-attention list once it has been dealt with.
    pub fn dismiss_needs_attention(&self, id: i64) -> Result<()> {
        self.store().dismiss_needs_attention(id, now())?;
        self.notify();
        Ok(())
    }
}

impl ChiboStore {
    /// Tells the listener a run is starting (the store's figures, running).
    fn notify_running(&self) {
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(listener) = listener {
            if let Ok(status) = sync::status(&self.store()) {
                listener.on_status(SyncStatus {
                    running: true,
                    ..status
                });
            }
        }
    }
}
