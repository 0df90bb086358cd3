//! The schema, as an ordered list of migrations tracked by `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes a database from version `i` to `i + 1`; a fresh database runs
//! them all. Never edit a released step: append a new one. Every foreign key has an
//! index (SQLite does not make them).

use rusqlite::{Connection, Transaction};

use super::error::StoreError;

/// v1: the first schema. v2: cached per-meeting totals for the history list, and an
/// index for "the cell's meetings by start time". v3: visiting cadres, their
/// assignments and check-ins, meeting photos and observations. v4: petition responses,
/// the commune's guidance, the server's check-in verdicts, and what sync needs to order
/// pulled changes (entity clocks, scope cursors). v5: the sync engine's enrolment, status,
/// needs-attention list and photo upload queue. v6: the boot clock of outbox entries,
/// members moved away, pulled changes waiting for what they name. v7: drafts and the
/// device's settings. v8: the commune's rule settings.
pub const MIGRATIONS: &[&str] = &[
    // ---- v1 ----
    r#"
CREATE TABLE device (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id TEXT NOT NULL,
    hlc TEXT NOT NULL,
    next_seq INTEGER NOT NULL CHECK (next_seq >= 1),
    created_at INTEGER NOT NULL
);

CREATE TABLE cells (
    id TEXT PRIMARY KEY NOT NULL,
    commune_id TEXT NOT NULL,
    commune_name TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    meeting_place TEXT,
    meeting_day INTEGER
);

CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    cell_id TEXT NOT NULL REFERENCES cells(id),
    full_name TEXT NOT NULL,
    membership TEXT NOT NULL,
    status TEXT NOT NULL,
    status_since TEXT,
    status_reason TEXT,
    role TEXT NOT NULL,
    party_group TEXT
);
CREATE INDEX members_cell ON members(cell_id);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    cell_id TEXT NOT NULL REFERENCES cells(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    revision_of TEXT REFERENCES meetings(id),
    planned_start INTEGER NOT NULL,
    planned_place TEXT NOT NULL,
    actual_start INTEGER,
    actual_end INTEGER,
    chair_id TEXT REFERENCES members(id),
    minute_taker_id TEXT REFERENCES members(id),
    guests TEXT NOT NULL,
    thematic_topic TEXT,
    preparation TEXT NOT NULL,
    party_fee_note TEXT,
    conclusion TEXT,
    resolution TEXT,
    minutes_approved INTEGER NOT NULL,
    secretary_judgement TEXT,
    final_documents_sent_at INTEGER,
    signature TEXT
);
CREATE INDEX meetings_cell ON meetings(cell_id);
CREATE INDEX meetings_revision_of ON meetings(revision_of);
CREATE INDEX meetings_chair ON meetings(chair_id);
CREATE INDEX meetings_minute_taker ON meetings(minute_taker_id);

CREATE TABLE roll_call (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    member_id TEXT NOT NULL REFERENCES members(id),
    attendance TEXT NOT NULL,
    reason TEXT,
    UNIQUE (meeting_id, member_id)
);
CREATE INDEX roll_call_member ON roll_call(member_id);

CREATE TABLE agenda_items (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    section TEXT NOT NULL,
    title TEXT NOT NULL,
    conclusion TEXT
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id);

CREATE TABLE speeches (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    id TEXT NOT NULL,
    speaker_member_id TEXT REFERENCES members(id),
    speaker_guest_name TEXT,
    gist TEXT NOT NULL,
    UNIQUE (meeting_id, id),
    CHECK ((speaker_member_id IS NULL) != (speaker_guest_name IS NULL))
);
CREATE INDEX speeches_speaker ON speeches(speaker_member_id);

CREATE TABLE task_reviews (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    task_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT,
    UNIQUE (meeting_id, task_id)
);
CREATE INDEX task_reviews_task ON task_reviews(task_id);

CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    id TEXT NOT NULL,
    description TEXT NOT NULL,
    assignee_id TEXT NOT NULL REFERENCES members(id),
    deadline TEXT NOT NULL,
    UNIQUE (meeting_id, id)
);
CREATE INDEX tasks_assignee ON tasks(assignee_id);

CREATE TABLE votes (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    id TEXT NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    in_favor INTEGER NOT NULL,
    against INTEGER NOT NULL,
    abstain INTEGER NOT NULL,
    UNIQUE (meeting_id, id)
);

-- A petition raised at a meeting is copied with the meeting into a correction, so its
-- id is unique per meeting (or once, when raised outside any meeting).
CREATE TABLE petitions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    cell_id TEXT NOT NULL REFERENCES cells(id),
    meeting_id TEXT REFERENCES meetings(id),
    content TEXT NOT NULL,
    category TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX petitions_identity ON petitions(id, ifnull(meeting_id, ''));
CREATE INDEX petitions_cell ON petitions(cell_id);
CREATE INDEX petitions_meeting ON petitions(meeting_id);

-- Every local change, in the transaction that made it, numbered per device.
CREATE TABLE outbox (
    device_seq INTEGER PRIMARY KEY,
    hlc TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked_at INTEGER
);
CREATE INDEX outbox_pending ON outbox(device_seq) WHERE acked_at IS NULL;
"#,
    // ---- v2 ----
    // Totals of each recorded meeting, computed by `rules::assess_meeting` when the
    // meeting changes, so the history list does not re-judge 60 meetings per screen.
    r#"
ALTER TABLE meetings ADD COLUMN summary_present INTEGER;
ALTER TABLE meetings ADD COLUMN summary_expected INTEGER;
ALTER TABLE meetings ADD COLUMN summary_rate_percent REAL;
ALTER TABLE meetings ADD COLUMN summary_quality_total INTEGER;
ALTER TABLE meetings ADD COLUMN summary_grade TEXT;
CREATE INDEX meetings_cell_start ON meetings(cell_id, coalesce(actual_start, planned_start));
"#,
    // ---- v3 ----
    // Upper-level attendance. A cadre's phone may not hold the meeting (or the cell) a
    // check-in, photo or observation names, so those keep the ids without a foreign key,
    // indexed.
    r#"
CREATE TABLE cadres (
    id TEXT PRIMARY KEY NOT NULL,
    commune_id TEXT NOT NULL,
    full_name TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX cadres_commune ON cadres(commune_id);

CREATE TABLE working_teams (
    id TEXT PRIMARY KEY NOT NULL,
    commune_id TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX working_teams_commune ON working_teams(commune_id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY NOT NULL,
    cadre_id TEXT NOT NULL REFERENCES cadres(id),
    cell_id TEXT NOT NULL REFERENCES cells(id),
    working_team_id TEXT REFERENCES working_teams(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT
);
CREATE INDEX assignments_cadre ON assignments(cadre_id);
CREATE INDEX assignments_cell ON assignments(cell_id);
CREATE INDEX assignments_team ON assignments(working_team_id);

CREATE TABLE visit_requirements (
    commune_id TEXT PRIMARY KEY NOT NULL,
    per TEXT NOT NULL,
    visits INTEGER NOT NULL CHECK (visits >= 0)
);

-- Made on the secretary's device; synced up to the server only, never down.
CREATE TABLE presence_secrets (
    meeting_id TEXT PRIMARY KEY NOT NULL REFERENCES meetings(id),
    secret_hex TEXT NOT NULL
);

-- Insert-only, signed by the device that made it.
CREATE TABLE check_ins (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    meeting_id TEXT NOT NULL,
    cell_id TEXT NOT NULL,
    cadre_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    photo_sha256 TEXT,
    gps TEXT,
    device_wall_time INTEGER NOT NULL,
    monotonic_ms INTEGER NOT NULL,
    server_offset_ms INTEGER,
    presence_code TEXT NOT NULL,
    public_key_hex TEXT NOT NULL,
    signature_hex TEXT NOT NULL,
    verdict_status TEXT NOT NULL,
    effective_time INTEGER NOT NULL,
    verdict TEXT NOT NULL
);
CREATE INDEX check_ins_meeting ON check_ins(meeting_id);
CREATE INDEX check_ins_cell ON check_ins(cell_id, effective_time);
CREATE INDEX check_ins_cadre ON check_ins(cadre_id, effective_time);
CREATE INDEX check_ins_photo ON check_ins(photo_sha256);

CREATE TABLE photos (
    seq INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    meeting_id TEXT,
    check_in_id TEXT REFERENCES check_ins(id),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    byte_size INTEGER NOT NULL,
    attached_at INTEGER NOT NULL,
    CHECK (meeting_id IS NOT NULL OR check_in_id IS NOT NULL)
);
CREATE UNIQUE INDEX photos_identity
    ON photos(sha256, ifnull(meeting_id, ''), ifnull(check_in_id, ''));
CREATE INDEX photos_meeting ON photos(meeting_id);
CREATE INDEX photos_check_in ON photos(check_in_id);

CREATE TABLE observations (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL,
    cadre_id TEXT NOT NULL,
    judged TEXT NOT NULL,
    guidance_given TEXT NOT NULL,
    lessons_exchanged TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX observations_meeting ON observations(meeting_id);
CREATE INDEX observations_cadre ON observations(cadre_id);
"#,
    // ---- v4 ----
    // Petition responses are insert-only; `petitions.status` of every copy of the
    // petition (a correction revision copies them) is kept at the latest response's.
    // A petition may be answered where its meeting is not held, so no foreign key.
    r#"
CREATE TABLE petition_responses (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    petition_id TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    responder TEXT NOT NULL,
    responded_at INTEGER NOT NULL
);
CREATE INDEX petition_responses_petition ON petition_responses(petition_id);

-- Last-writer-wins by the office; cell_ids and attachments as JSON.
CREATE TABLE guidance (
    id TEXT PRIMARY KEY NOT NULL,
    commune_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    period TEXT NOT NULL,
    cell_ids TEXT NOT NULL,
    attachments TEXT NOT NULL,
    published_at INTEGER NOT NULL
);
CREATE INDEX guidance_commune ON guidance(commune_id, period);

-- Set when the server's verdict replaced the one this device reached.
ALTER TABLE check_ins ADD COLUMN verdict_from_server INTEGER NOT NULL DEFAULT 0;

-- The HLC of the last write of each last-writer-wins field group (Change::lww_key).
CREATE TABLE entity_clocks (
    lww_key TEXT PRIMARY KEY NOT NULL,
    hlc TEXT NOT NULL
);

-- The last server sequence number applied per sync scope ("cell:<id>", "commune:<id>").
CREATE TABLE scope_cursors (
    scope TEXT PRIMARY KEY NOT NULL,
    after INTEGER NOT NULL CHECK (after >= 0)
);
"#,
    // ---- v5 ----
    // Sync: the enrolment, the status shown between runs, what needs a person's
    // attention (refused changes, photos that cannot go up), and the photo upload
    // queue, whose tus URL survives an app restart.
    r#"
CREATE TABLE sync_account (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url TEXT NOT NULL,
    device_id TEXT NOT NULL,
    credential TEXT NOT NULL,
    person TEXT NOT NULL,
    commune_name TEXT NOT NULL,
    seq_base INTEGER NOT NULL CHECK (seq_base >= 0),
    enrolled_at INTEGER NOT NULL
);

CREATE TABLE sync_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_attempt_at INTEGER,
    last_success_at INTEGER,
    last_error TEXT,
    server_offset_ms INTEGER,
    clock_warning TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

-- Kept until dismissed; one entry per refused change and per photo.
CREATE TABLE needs_attention (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL CHECK (subject IN ('change', 'photo')),
    device_seq INTEGER,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    what TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    dismissed_at INTEGER
);
CREATE UNIQUE INDEX needs_attention_change ON needs_attention(device_seq)
    WHERE subject = 'change';
CREATE UNIQUE INDEX needs_attention_photo ON needs_attention(entity_id)
    WHERE subject = 'photo';

CREATE TABLE photo_uploads (
    sha256 TEXT PRIMARY KEY NOT NULL,
    upload_url TEXT,
    offset INTEGER NOT NULL DEFAULT 0 CHECK (offset >= 0),
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    queued_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX photo_uploads_pending ON photo_uploads(queued_at) WHERE state = 'pending';
"#,
    // ---- v6 ----
    // The boot clock when each change was made (the push says how long ago it was); a
    // member moved to a cell this device does not hold leaves its roster but stays in
    // past records; a pulled change naming something not here yet waits for it.
    r#"
ALTER TABLE outbox ADD COLUMN boot_id TEXT;
ALTER TABLE outbox ADD COLUMN boot_ms INTEGER;

ALTER TABLE members ADD COLUMN moved_to_cell_id TEXT;

CREATE TABLE pulled_waiting (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    hlc TEXT NOT NULL,
    change TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (scope, server_seq)
);
"#,
    // ---- v7 ----
    // This device only, never synced: text being typed before it is added to the record
    // (drafts of a meeting), and the device's own settings (the server address asked
    // for before enrolment).
    r#"
CREATE TABLE drafts (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE device_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
"#,
    // ---- v8 ----
    // The commune's settings for the rules (Change::SetRuleSettings, written by the office
    // and pulled like everything else), as JSON; none means the defaults.
    r#"
CREATE TABLE rule_settings (
    commune_id TEXT PRIMARY KEY NOT NULL,
    settings TEXT NOT NULL
);
"#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Runs the steps from the database's version up to `target`, in one transaction.
/// Returns the version the database had before.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, StoreError> {
    let found = user_version(conn)?;
    if found > CURRENT_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: CURRENT_VERSION,
        });
    }
    if found >= target {
        return Ok(found);
    }
    let tx = conn.transaction()?;
    run_steps(&tx, found, target)?;
    tx.commit()?;
    Ok(found)
}

fn run_steps(tx: &Transaction<'_>, from: u32, to: u32) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(to as usize)
        .skip(from as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
    }
    Ok(())
}

/// Every schema object's SQL with whitespace normalised, sorted: two databases with the
/// same schema give the same list, however they got there.
pub fn schema_fingerprint(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        let name: String = r.get(1)?;
        let table: String = r.get(2)?;
        let sql: Option<String> = r.get(3)?;
        Ok(format!(
            "{kind} {name} on {table}: {}",
            normalize_sql(sql.as_deref().unwrap_or(""))
        ))
    })?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    out.sort();
    Ok(out)
}

fn normalize_sql(sql: &str) -> String {
    let collapsed = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",")
        .to_lowercase()
}
