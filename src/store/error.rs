//! Errors at the database boundary.

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
    SerialTaken(String),
    /// A write addressed a case reference that does not exist; the reference.
    #[error("no case {0}")]
    UnknownCase(String),
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
}
