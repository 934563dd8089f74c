//! The durable side of posdesk: dialogues, cases, the audit trail, processed updates, the
//! outbox and the periodic jobs' bookkeeping.
//!
//! The conversation core never touches the database. The service layer opens one [`Tx`] per
//! incoming update (or per polling batch: `service::batch`), reads what the core needs, runs
//! the pure step, writes the outcome and commits; only then are the effects sent.
//!
//! ## The contract, by role
//! A transaction is one [`Tx`], which is every role at once: [`ChatTx`] (dialogues, processed
//! updates), [`CaseTx`] (submitting, the merchant's cases, guarded status changes, the audit
//! trail), [`StaffTx`] (claims, staff cards, pending inputs), [`OutboxTx`] (requests to send)
//! and [`JobTx`] (the periodic jobs). A merchant's step needs only [`MerchantTx`]; the group
//! commit's `BatchTx` is one. [`Store`] holds what runs outside a transaction. The role
//! traits' docs are the contract both backends keep; `tests/store/` checks it on both.
//!
//! ## Written once, and where the backends differ
//! Each role's file (`cases.rs`, `staff.rs`, `outbox.rs`, `jobs.rs`, `pool.rs` for [`Store`])
//! holds its SQL (with `$N` placeholders, which SQLite accepts too) and its implementation,
//! written once for both backends on top of `statement.rs`: a backend binds values and reads
//! columns in its own types (`sqlite/rows.rs`, `postgres/rows.rs`: instants as Unix
//! milliseconds or `timestamptz`, JSON as text or `jsonb`). What a backend must do its own
//! way is a method or constant of the role's dialect trait (`CaseDialect`, `StaffDialect`,
//! …), documented there with why, and implemented in `sqlite/<role>.rs` and
//! `postgres/<role>.rs`: PostgreSQL's advisory and row locks, `FOR UPDATE SKIP LOCKED`,
//! arrays and `unnest`; SQLite's writer gate, its compound batch peek, its index hints.
//! [`ChatTx`] is written by each backend whole: it is where the two concurrency models
//! differ most.
//!
//! ## Adding a query or a table
//! 1. A table: a migration in both `migrations/sqlite/` and `migrations/postgres/` (the next
//!    number; instants `INTEGER` milliseconds / `timestamptz`, JSON `TEXT CHECK
//!    (json_valid(…))` / `jsonb`), and its records in `model.rs` (or `domain/` when the rules
//!    decide on them).
//! 2. A query: a method on the role trait it belongs to (or a new role file, added to
//!    [`Tx`]), with a doc comment that says what it reads or writes, its order, its errors.
//! 3. Its statement next to the role's others, written once; its implementation in the
//!    role's blanket `impl`, binding with `Statement::bind` and reading with a shape of
//!    `Kind`s (`statement.rs`). Only if the dialects truly differ: a method on the
//!    role's dialect trait, implemented in both backends' `<role>.rs`, with the reason.
//! 4. A check in `tests/store/checks/<role>.rs`, which runs on both backends. A method a
//!    merchant's step calls also needs its `BatchTx` form (`service/batch.rs`).

mod cases;
mod chats;
pub(crate) mod error;
mod jobs;
mod model;
mod outbox;
mod pool;
pub mod postgres;
mod rows;
pub mod sqlite;
mod staff;
pub(crate) mod statement;

pub use cases::CaseTx;
pub use chats::ChatTx;
pub use error::StoreError;
pub use jobs::JobTx;
pub use model::*;
pub use outbox::OutboxTx;
pub use staff::StaffTx;

use crate::domain::{CaseRecord, CaseRef};

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

    /// One case by its public reference, if it exists.
    async fn get_case(&self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError>;

    /// The audit trail of one case, oldest first.
    async fn case_events(&self, case_ref: &CaseRef) -> Result<Vec<CaseEvent>, StoreError>;

    /// Outbox rows due at `now`, oldest first (by id, so each chat's rows stay in order).
    async fn due_outbox(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// The earliest `not_before` of any outbox row, if there is one (when to wake next).
    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Rows were sent (or given up on): remove them, with whatever personal data they held.
    /// One statement for a whole round of sends.
    async fn outbox_done(&self, ids: &[i64]) -> Result<(), StoreError>;
    /// A row could not be sent: try again from `not_before`, counting the attempt.
    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError>;

    /// Open cases (queued, in review, waiting for the merchant), oldest first: the staff
    /// `/queue`. At most `limit` (a negative limit returns none).
    async fn queue(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError>;

    /// The cases a reviewer holds (in review or waiting for the merchant with
    /// `claimed_by = staff`), oldest first.
    async fn cases_claimed_by(&self, staff: i64) -> Result<Vec<CaseRecord>, StoreError>;

    /// Queue statistics for `/stats`; decisions are counted from `decided_since` on.
    async fn stats(&self, decided_since: DateTime<Utc>) -> Result<QueueStats, StoreError>;

    /// Whether this process may deliver the outbox now. Several instances on one database
    /// must not send the same rows twice, nor one chat's rows out of order, so exactly one
    /// of them holds the sender lock at a time (PostgreSQL: a session advisory lock held on
    /// a dedicated connection, released when the process dies). SQLite serves a single
    /// process: the lock is always granted.
    async fn acquire_sender_lock(&self) -> Result<bool, StoreError>;

    /// Whether `update_id` was applied, and the chat's dialogue: one read outside any
    /// transaction, so that the write transaction that follows stays short (on SQLite it
    /// holds the only write lock). The caller saves the dialogue with the row version read
    /// here and starts again from this read if it changed meanwhile ([`StoreError::Conflict`]).
    async fn peek_chat(&self, chat_id: i64, update_id: Option<i64>)
        -> Result<ChatPeek, StoreError>;

    /// Close the connection pool, waiting for connections to be returned.
    async fn close(&self);
}

/// One open write transaction: every role. Dropping it without [`Tx::commit`] rolls back.
#[async_trait]
pub trait Tx: ChatTx + CaseTx + StaffTx + OutboxTx + JobTx {
    /// Make every write of the transaction durable and visible, or none of them.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// What a merchant's step reads and writes: a chat's dialogue and updates, its cases, the
/// replies to send. Staff and periodic work reuse the step inside their own [`Tx`]; a polling
/// batch applies its steps to a `BatchTx`, which implements these roles only.
pub trait MerchantTx: ChatTx + CaseTx + OutboxTx {}

impl<T: ChatTx + CaseTx + OutboxTx + ?Sized> MerchantTx for T {}

/// A backend's transaction is a [`Tx`] once it has every role.
#[async_trait]
impl<T> Tx for T
where
    T: statement::InTransaction + ChatTx + CaseTx + StaffTx + OutboxTx + JobTx,
{
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.into_transaction().commit().await?;
        Ok(())
    }
}

/// Open the database named by `url`, creating and migrating it as needed:
/// `sqlite://path` or `sqlite::memory:` for SQLite, `postgres://…` or `postgresql://…` for
/// PostgreSQL (the database must exist; the tables are created in it).
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
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
