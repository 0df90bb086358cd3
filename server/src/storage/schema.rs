//! The versioned schema, written once for both backends: `STEPS[n]` moves a database
//! from version n to n+1, and [`steps`] renders them for a [`Dialect`]. SQLite keeps the
//! version in `PRAGMA user_version`, PostgreSQL in a `schema_version` row; the numbers
//! and the resulting tables are the same on both (`storage_backends` checks the shapes,
//! `storage_upgrade` that databases made by earlier versions open and keep their rows).
//!
//! Never edit a step that has shipped: add one.

use super::sql::Dialect;

/// The text type of a column. SQLite compares text byte by byte; on PostgreSQL it is
/// `COLLATE "C"`, so that lists come out in the same order whatever the database's
/// locale.
const TEXT: &str = "{text}";
/// The type of a column of raw bytes.
const BYTES: &str = "{bytes}";
/// Starts a line that only PostgreSQL runs (SQLite gets it as a comment).
const POSTGRES_ONLY: &str = "{postgres_only}";

const STEPS: &[&str] = &[
    r#"
CREATE TABLE communes (
    id {text} PRIMARY KEY,
    name {text} NOT NULL,
    province_id {text} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE persons (
    id {text} PRIMARY KEY,
    commune_id {text} NOT NULL REFERENCES communes(id),
    full_name {text} NOT NULL,
    role {text} NOT NULL,
    cell_id {text},
    cadre_id {text},
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_commune ON persons (commune_id);
CREATE TABLE enrollment_codes (
    code_hash {text} PRIMARY KEY,
    commune_id {text} NOT NULL REFERENCES communes(id),
    person_id {text} NOT NULL REFERENCES persons(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE devices (
    id {text} PRIMARY KEY,
    commune_id {text} NOT NULL REFERENCES communes(id),
    person_id {text} NOT NULL REFERENCES persons(id),
    credential_hash {text} NOT NULL UNIQUE,
    public_key_hex {text} NOT NULL,
    label {text} NOT NULL,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_sync_at BIGINT,
    last_applied_seq BIGINT NOT NULL,
    clock_ahead_ms BIGINT,
    clock_flagged_at BIGINT
);
CREATE INDEX devices_commune ON devices (commune_id);
CREATE INDEX devices_person ON devices (person_id);
CREATE TABLE acks (
    device_id {text} NOT NULL REFERENCES devices(id),
    device_seq BIGINT NOT NULL,
    outcome {text} NOT NULL,
    PRIMARY KEY (device_id, device_seq)
);
CREATE TABLE scope_counters (
    commune_id {text} NOT NULL REFERENCES communes(id),
    scope {text} NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope)
);
CREATE TABLE change_log (
    scope {text} NOT NULL,
    server_seq BIGINT NOT NULL,
    commune_id {text} NOT NULL REFERENCES communes(id),
    origin_device {text},
    device_seq BIGINT,
    hlc {text} NOT NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    change {text} NOT NULL,
    PRIMARY KEY (commune_id, scope, server_seq)
);
CREATE TABLE docs (
    commune_id {text} NOT NULL REFERENCES communes(id),
    kind {text} NOT NULL,
    id {text} NOT NULL,
    cell_id {text},
    ref_id {text},
    at BIGINT,
    body {text} NOT NULL,
    PRIMARY KEY (commune_id, kind, id)
);
CREATE INDEX docs_cell ON docs (commune_id, kind, cell_id);
CREATE INDEX docs_ref ON docs (commune_id, kind, ref_id);
CREATE TABLE entity_clocks (
    commune_id {text} NOT NULL REFERENCES communes(id),
    key {text} NOT NULL,
    hlc {text} NOT NULL,
    PRIMARY KEY (commune_id, key)
);
CREATE TABLE presence_secrets (
    commune_id {text} NOT NULL REFERENCES communes(id),
    meeting_id {text} NOT NULL,
    secret_hex {text} NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, meeting_id)
);
CREATE TABLE blob_refs (
    commune_id {text} NOT NULL REFERENCES communes(id),
    sha256 {text} NOT NULL,
    cell_id {text}
);
CREATE INDEX blob_refs_sha ON blob_refs (sha256);
"#,
    r#"
CREATE INDEX docs_at ON docs (commune_id, kind, at);
CREATE TABLE device_cursors (
    commune_id {text} NOT NULL REFERENCES communes(id),
    scope {text} NOT NULL,
    device_id {text} NOT NULL,
    server_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope, device_id)
);
CREATE TABLE dashboard_users (
    id {text} PRIMARY KEY,
    username {text} NOT NULL,
    username_key {text} NOT NULL UNIQUE,
    display_name {text} NOT NULL,
    password_hash {text} NOT NULL,
    role {text} NOT NULL,
    commune_id {text} REFERENCES communes(id),
    province_id {text},
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE TABLE web_sessions (
    token_hash {text} PRIMARY KEY,
    user_id {text} NOT NULL REFERENCES dashboard_users(id),
    csrf_token {text} NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE TABLE sign_in_failures (
    username_key {text} NOT NULL,
    client_ip {text} NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_user ON sign_in_failures (username_key, at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (client_ip, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
"#,
    // Where each device keeps its signing key (issue 15). Shipped as plain TEXT: on
    // PostgreSQL the column has the database's collation (nothing sorts by it), and a
    // database made since must stay identical to one upgraded, so it stays so.
    r#"
ALTER TABLE devices ADD COLUMN key_protection TEXT;
"#,
    // Unfinished tus uploads shared by several server processes (issue 17): a row per
    // upload, its bytes in pieces keyed by the offset each was written at.
    r#"
CREATE TABLE tus_uploads (
    id {text} PRIMARY KEY,
    commune_id {text} NOT NULL,
    upload_offset BIGINT NOT NULL,
    info {text} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tus_uploads_created ON tus_uploads (created_at);
CREATE TABLE tus_chunks (
    upload_id {text} NOT NULL,
    chunk_offset BIGINT NOT NULL,
    bytes {bytes} NOT NULL,
    PRIMARY KEY (upload_id, chunk_offset)
);
"#,
    // Issue 14: attempt windows (sign-in, enrolment), counted atomically; the devices
    // that sent a blob's bytes (who may vouch for it).
    r#"
CREATE TABLE attempt_limits (
    key {text} PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX attempt_limits_window ON attempt_limits (window_start);
CREATE TABLE blob_holders (
    commune_id {text} NOT NULL,
    sha256 {text} NOT NULL,
    device_id {text} NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, sha256, device_id)
);
"#,
    // Issue 14: the audit log of account, device and office actions.
    r#"
CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    commune_id {text},
    at BIGINT NOT NULL,
    actor {text} NOT NULL,
    action {text} NOT NULL,
    detail {text} NOT NULL,
    client_ip {text} NOT NULL
);
CREATE INDEX audit_log_commune ON audit_log (commune_id, at);
CREATE INDEX audit_log_seq ON audit_log (seq);
"#,
    // Issue 13: a push's acknowledgements as one row per run of consecutive numbers (a
    // transaction's worth, a JSON array of outcomes), not one row per change. The rows
    // of `acks` written before stay where they are and are still read.
    r#"
CREATE TABLE ack_runs (
    device_id {text} NOT NULL,
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    outcomes {text} NOT NULL,
    PRIMARY KEY (device_id, first_seq)
);
"#,
    // Issue 13: the rows written for every change (its log entries, its entity's
    // document, its fields' clocks) no longer check their commune on PostgreSQL, where
    // each check is a query and a shared lock on the commune's row that every push of
    // the commune takes (an eighth of the database's time in a push). The server writes
    // them only for the commune it authenticated. SQLite checks in-process for almost
    // nothing and would have to rebuild the tables to drop them: it keeps them.
    r#"
{postgres_only}ALTER TABLE change_log DROP CONSTRAINT IF EXISTS change_log_commune_id_fkey;
{postgres_only}ALTER TABLE docs DROP CONSTRAINT IF EXISTS docs_commune_id_fkey;
{postgres_only}ALTER TABLE entity_clocks DROP CONSTRAINT IF EXISTS entity_clocks_commune_id_fkey;
"#,
];

/// The schema version this server writes.
pub(crate) const VERSION: usize = STEPS.len();

/// The migration steps in `dialect`'s SQL: step `n` (from 0) moves version n to n+1.
pub(crate) fn steps(dialect: Dialect) -> impl Iterator<Item = String> {
    STEPS.iter().map(move |step| {
        step.replace(TEXT, dialect.text_type())
            .replace(BYTES, dialect.bytes_type())
            .replace(
                POSTGRES_ONLY,
                match dialect {
                    Dialect::Postgres => "",
                    Dialect::Sqlite => "-- PostgreSQL only: ",
                },
            )
    })
}
