//! Errors at the database boundary. What the driver reports is classified by the backend that
//! reported it, from its codes (SQLite's extended result codes, PostgreSQL's SQLSTATEs; never
//! the message text), into what the callers act on: [`StoreError::Unavailable`] (leave the
//! update unconfirmed, tell the user, try later), [`StoreError::Busy`] and
//! [`StoreError::Conflict`] (run the transaction again at once), or a fault.

use crate::domain::CaseRef;
use thiserror::Error;

/// Why a store operation failed. Closed: a caller can match every case.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be used at the moment: unreachable or refusing connections,
    /// shutting down, out of connections or of resources, no connection within the pool's
    /// acquire timeout; SQLite's write lock held by another process past the busy timeout,
    /// or its disk full or failing. Nothing was applied, and retrying at once is pointless
    /// (each attempt already waited): the caller leaves the update unconfirmed, tries again
    /// later and may tell the user meanwhile.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// PostgreSQL gave up a lock wait (`lock_timeout`), broke a deadlock or failed a
    /// serialization: another transaction had what this one needed. Running the
    /// transaction again may succeed at once.
    #[error("the transaction lost a race for a lock: {0}")]
    Busy(#[source] sqlx::Error),
    /// The dialogue (or an update's record) was changed concurrently: run the update again.
    #[error("the dialogue was changed concurrently; retry the update")]
    Conflict,
    /// `insert_case`: the device serial already has an open case; its reference.
    #[error("an open case already exists for this device: {0}")]
    SerialTaken(CaseRef),
    /// A write addressed a case reference that does not exist; the reference.
    #[error("no case {0}")]
    UnknownCase(CaseRef),
    /// `store::open` was given a URL of no backend.
    #[error("unsupported database URL {0} (use sqlite://FILE or postgres://USER@HOST/DATABASE)")]
    UnsupportedUrl(String),
    /// Stored data is not what posdesk writes (the message names the row, never its value).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Applying the migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else the database reported: a constraint posdesk does not expect, a faulty
    /// statement, a bad configuration.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

/// What a database's error code means to posdesk (see [`StoreError`]); each backend maps its
/// own codes (`sqlite::error_class`, `postgres::error_class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    Unavailable,
    Busy,
    Fault,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let class = match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => ErrorClass::Unavailable,
            sqlx::Error::Database(db) => {
                if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                    super::sqlite::error_class(sqlite)
                } else if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    super::postgres::error_class(pg.code())
                } else {
                    ErrorClass::Fault
                }
            }
            _ => ErrorClass::Fault,
        };
        match class {
            ErrorClass::Unavailable => StoreError::Unavailable(e),
            ErrorClass::Busy => StoreError::Busy(e),
            ErrorClass::Fault => StoreError::Database(e),
        }
    }
}

impl StoreError {
    /// Whether running the whole transaction again at once may succeed: a lost race
    /// ([`StoreError::Conflict`]) or a lock given up ([`StoreError::Busy`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Conflict | StoreError::Busy(_))
    }

    /// Whether the database cannot be used at the moment ([`StoreError::Unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}
