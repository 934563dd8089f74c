//! The durable side of posdesk: dialogues, cases, the audit trail and processed updates.
//!
//! The conversation core never touches the database. The service layer opens one
//! [`Tx`] per incoming update, reads what the core needs, runs the pure step, writes the
//! outcome and commits; only then are the effects sent (DESIGN.md, principle 4).
//! Backends implement [`Store`] and [`Tx`]; `open` picks one from the database URL.

mod error;
mod model;
pub mod sqlite;

pub use error::StoreError;
pub use model::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A database that holds posdesk's state. Cheap to clone behind an `Arc`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Start a write transaction. On SQLite this takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so that read-then-write inside it cannot deadlock or race.
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;

    /// Cases for operators, newest first, optionally only those in one status.
    async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError>;

    /// One case by its public reference (case-insensitive), if it exists.
    async fn get_case(&self, case_ref: &str) -> Result<Option<CaseRecord>, StoreError>;

    /// The audit trail of one case, oldest first.
    async fn case_events(&self, case_ref: &str) -> Result<Vec<CaseEvent>, StoreError>;

    /// Outbox rows due at `now`, oldest first (by id, so each chat's rows stay in order).
    async fn due_outbox(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// The earliest `not_before` of any outbox row, if there is one (when to wake next).
    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// A row was sent (or given up on): remove it, with whatever personal data it held.
    async fn outbox_done(&self, id: i64) -> Result<(), StoreError>;
    /// A row could not be sent: try again from `not_before`, counting the attempt.
    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError>;

    /// Close the connection pool, waiting for connections to be returned.
    async fn close(&self);
}

/// One open write transaction. Dropping it without [`Tx::commit`] rolls back.
#[async_trait]
pub trait Tx: Send {
    /// Whether this Telegram update id was already applied.
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError>;
    /// Record that this update id was applied (same transaction as its effects).
    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The stored dialogue of a chat, if any.
    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError>;
    /// Insert or replace the dialogue of a chat. `expected_row_version` is the version that
    /// was loaded (`None` when there was no row); a mismatch is [`StoreError::Conflict`].
    /// The stored row version becomes `expected + 1` (or 1 for a new row).
    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Remove a chat's dialogue (used by `/forget`).
    async fn delete_dialogue(&mut self, chat_id: i64) -> Result<(), StoreError>;

    /// Insert a submitted case, idempotent on `draft_id`: when a case with the same draft
    /// id exists, nothing is written and its reference is returned.
    /// Also writes the `created` audit event.
    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError>;
    /// The reference of an open case (queued, in review, waiting for the merchant) for
    /// this device serial number, if there is one.
    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<String>, StoreError>;
    /// The cases opened from one chat, newest first.
    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError>;
    /// Append to a case's audit trail.
    async fn record_event(&mut self, event: &NewCaseEvent) -> Result<(), StoreError>;

    /// Queue a request to send after commit. A row with a coalesce key first removes any
    /// unsent row of the same chat with the same key.
    async fn enqueue(&mut self, item: &NewOutbox) -> Result<(), StoreError>;

    /// Erase what is stored about a chat (`/forget`, only when none of its cases is open):
    /// the dialogue; the fields and attachments of its cases, which are also detached from
    /// the chat (chat id 0); the chat id in its audit trail and processed updates. Case
    /// references, statuses and the record of who did what when remain.
    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Open the database named by `url` (`sqlite://path` or `sqlite::memory:`), creating and
/// migrating it as needed.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// A database URL safe to print: any password is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
