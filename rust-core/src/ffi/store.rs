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
}

impl ChiboStore {
    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic mid-write rolled its transaction back, so the store is still sound.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    /// Opens (creating and migrating if needed) the store file at `path`.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>> {
        let store = Store::open(Path::new(&path))?;
        Ok(Arc::new(ChiboStore {
            store: Arc::new(Mutex::new(store)),
            engine: Mutex::new(None),
        }))
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

    /// The commune's settings for the rules (e.g. a lower minimum for small cells).
    pub fn set_rule_settings(&self, settings: RuleSettings) -> Result<()> {
        Ok(self.store().set_rule_settings(settings)?)
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
        Ok(store.assess(&meeting_id, store.rule_settings())?)
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
    /// the commune office issued, using the keystore's public key.
    pub fn enroll(
        &self,
        server_url: String,
        code_or_qr: String,
        device_label: String,
        keystore: Arc<dyn DeviceKeystore>,
    ) -> Result<EnrolledAs> {
        Ok(self
            .engine()?
            .enroll(&server_url, &code_or_qr, &device_label, keystore.as_ref())?)
    }

    /// Pushes pending changes, pulls the others', then uploads queued photos.
    pub fn sync_now(&self) -> Result<SyncReport> {
        Ok(self.engine()?.sync_now()?)
    }

    /// Pending changes and photos, the last success and error, the needs-attention list.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        Ok(sync::status(&self.store())?)
    }

    /// Takes an entry off the needs-attention list once it has been dealt with.
    pub fn dismiss_needs_attention(&self, id: i64) -> Result<()> {
        Ok(self.store().dismiss_needs_attention(id, now())?)
    }
}
