//! Errors at the database boundary.

use crate::domain::CaseRef;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the dialogue was changed concurrently; retry the update")]
    Conflict,
    /// `insert_case`: the device serial already has an open case; its reference.
    #[error("an open case already exists for this device: {0}")]
    SerialTaken(CaseRef),
    /// A write addressed a case reference that does not exist; the reference.
    #[error("no case {0}")]
    UnknownCase(CaseRef),
    #[error("unsupported database URL {0} (use sqlite://FILE or postgres://USER@HOST/DATABASE)")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether retrying the whole transaction may succeed (lock contention, lost race).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Conflict => true,
            StoreError::Database(sqlx::Error::Database(db)) => {
                let msg = db.message();
                msg.contains("database is locked")
                    || msg.contains("busy")
                    || db.code().as_deref() == Some("40001")
                    || db.code().as_deref() == Some("40P01")
                    // PostgreSQL lock_not_available: a lock wait ran past `lock_timeout`.
                    || db.code().as_deref() == Some("55P03")
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }

    /// Whether the database cannot be used at the moment: unreachable, shutting down, out of
    /// connections, no connection within the pool's acquire timeout, or (SQLite) its write
    /// lock held by someone else past the busy timeout. Retrying at once is pointless: the
    /// caller leaves the update unconfirmed, tries again later and may tell the user
    /// meanwhile. (SQLite's busy timeout and the pool timeout also count as
    /// [`StoreError::is_retryable`], for callers that simply try again.)
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                use sqlx::error::DatabaseError as _;
                if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                    // SQLITE_BUSY (5) or SQLITE_LOCKED (6), in any extended form: the whole
                    // database refused the write lock for the busy timeout.
                    let code = sqlite.code().and_then(|c| c.parse::<i32>().ok());
                    return code.is_some_and(|c| matches!(c & 0xff, 5 | 6));
                }
                // PostgreSQL: connection exceptions (class 08), the server shutting down or
                // starting up (57P01-57P03), too many connections (53300).
                db.code().is_some_and(|c| {
                    c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "53300")
                })
            }
            _ => false,
        }
    }
}
