//! chibo's commune server: enrolment, sync (push, acknowledgements and pull in one round
//! trip), the office's admin API and read-only reports, over one storage interface with
//! an embedded SQLite and a PostgreSQL backend. Every rule comes from `chibo_domain`.

pub mod storage;
