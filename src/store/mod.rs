//! The durable side of posdesk: dialogues, cases, the audit trail and processed updates.
//!
//! The conversation core never touches the database. The service layer opens one
//! [`Tx`] per incoming update (or per polling batch: `service::batch`), reads what the core
//! needs, runs the pure step, writes the outcome and commits; only then are the effects
//! sent (DESIGN.md, principle 4).
//! Backends implement [`Store`] and [`Tx`]; `open` picks one from the database URL.

mod error;
mod model;
pub mod postgres;
mod rows;
pub mod sqlite;

pub use error::StoreError;
pub use model::*;

use crate::domain::{CaseRecord, CaseRef, StatusChange};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
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
    async fn acquire_sender_lock(&self) -> Result<bool, StoreError> {
        Ok(true)
    }

    /// Whether `update_id` was applied, and the chat's dialogue: one read outside any
    /// transaction, so that the write transaction that follows stays short (on SQLite it
    /// holds the only write lock). The caller saves the dialogue with the row version read
    /// here and starts again from this read if it changed meanwhile ([`StoreError::Conflict`]).
    async fn peek_chat(&self, chat_id: i64, update_id: Option<i64>)
        -> Result<ChatPeek, StoreError>;

    /// Close the connection pool, waiting for connections to be returned.
    async fn close(&self);
}

/// One open write transaction. Dropping it without [`Tx::commit`] rolls back.
#[async_trait]
pub trait Tx: Send {
    /// Whether this Telegram update id was already applied.
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError>;
    /// Serialise this chat's transactions until this one ends (PostgreSQL: an advisory
    /// lock, so instances apply one chat's updates one at a time; SQLite has one writer
    /// anyway). [`Tx::load_dialogue`] takes it too.
    async fn lock_chat(&mut self, _chat_id: i64) -> Result<(), StoreError> {
        Ok(())
    }
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

    // A polling batch is applied in one transaction (`service::batch`): these read and
    // write for many chats in a statement or two, where the single forms would take a
    // round trip each.

    /// Before applying a batch: which of `update_ids` were applied, and the dialogues of
    /// `chat_ids` (PostgreSQL takes each chat's lock first, in one fixed order, so that
    /// two batches cannot deadlock).
    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError>;
    /// [`Tx::save_dialogue`] for several chats (each at most once).
    /// [`StoreError::Conflict`] when any row version differs from the one expected.
    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError>;
    /// [`Tx::enqueue`] of each row, in order (ids ascend in that order).
    async fn enqueue_all(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        // Runs of rows without a coalesce key go in one statement; a row with one first
        // removes its predecessors, so it is enqueued on its own, in its place.
        for run in items.chunk_by(|a, b| a.coalesce_key.is_none() && b.coalesce_key.is_none()) {
            if run[0].coalesce_key.is_some() {
                for item in run {
                    self.enqueue(item).await?;
                }
            } else {
                self.enqueue_unkeyed(run).await?;
            }
        }
        Ok(())
    }
    /// [`Tx::enqueue`] of rows without a coalesce key, in order, in as few statements as
    /// the backend can (the rows' keys are not looked at).
    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError>;
    /// [`Tx::mark_processed`] of each update.
    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError>;

    /// Insert a submitted case, idempotent on `draft_id`: when a case with the same draft
    /// id exists, nothing is written and its reference is returned.
    /// Also writes the `created` audit event.
    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError>;
    /// The reference of an open case (queued, in review, waiting for the merchant) for
    /// this device serial number, if there is one.
    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError>;
    /// The cases opened from one chat, newest first.
    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError>;
    /// [`Tx::cases_of_chat`] for several chats in one statement (a batch's `/start`s): every
    /// chat of `chat_ids` is in the answer, those without cases with an empty list.
    async fn cases_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError>;
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

    /// The newest audit event of a case with this `action` (a rejection's reason, the
    /// question a reviewer asked: `rejected`, `asked`), read inside the transaction; `None`
    /// when there is none (or no such case).
    async fn last_event(
        &mut self,
        case_ref: &CaseRef,
        action: &str,
    ) -> Result<Option<CaseEvent>, StoreError>;

    /// One case by its public reference, read inside the transaction so
    /// that a decision based on it cannot be overtaken by another writer.
    async fn case(&mut self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError>;

    /// A reviewer claims a case. Atomic: the status moves from `queued` to `in_review` by a
    /// conditional update under the write lock, so of two reviewers pressing "claim" at
    /// once exactly one gets [`ClaimOutcome::Claimed`] and the other
    /// [`ClaimOutcome::HeldBy`] the winner. A claim sets `claimed_by`, `lease_until` and
    /// `updated_at` and writes the `claimed` event (actor `staff:<id>`). Claiming again a
    /// case one already has in review renews its lease to `lease_until`
    /// ([`ClaimOutcome::AlreadyYours`], no event: the holder did not change).
    async fn claim_case(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// Apply a guarded status change. `Some(updated case)` when every condition of `change`
    /// held: the status, `updated_at`, the claim (per
    /// [`ClaimUpdate`](crate::domain::ClaimUpdate)) and, when moving to a decided status,
    /// `decided_at` are written with the audit event. `None` when a condition did not hold
    /// (or the case does not exist): nothing is written.
    async fn set_status(&mut self, change: &StatusChange)
        -> Result<Option<CaseRecord>, StoreError>;

    /// Record the merchant's answer to a reviewer's question: `{"at", "text"}` is appended to
    /// the JSON array `fields.answers` (created when missing) and each file object to
    /// `attachments`. No audit event: the status change that goes with the answer
    /// (`set_status` back to `queued`) records it. [`StoreError::UnknownCase`] when there
    /// is no such case.
    async fn add_answer(
        &mut self,
        case_ref: &CaseRef,
        text: Option<&str>,
        files: &[serde_json::Value],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Return the in-review cases whose lease ran out (`lease_until <= now`) to the queue,
    /// clearing the claim, with a `lease_expired` event (actor `system`, detail
    /// `{"staff": previous reviewer}`). Returns the requeued cases as they are now, oldest
    /// first.
    async fn expire_leases(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError>;

    /// Remember the staff group message that shows a case (replacing an earlier one).
    /// [`StoreError::UnknownCase`] when there is no such case.
    async fn set_staff_card(
        &mut self,
        case_ref: &CaseRef,
        chat_id: i64,
        message_id: i32,
    ) -> Result<(), StoreError>;
    /// The staff group message of a case: (chat id, message id).
    async fn staff_card(&mut self, case_ref: &CaseRef) -> Result<Option<(i64, i32)>, StoreError>;

    /// A reviewer's next message in the staff group is the text for `action` on `case_ref`.
    /// One pending input per reviewer: a newer one replaces the older.
    async fn set_pending_input(
        &mut self,
        user_id: i64,
        case_ref: &CaseRef,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Take (and delete) a reviewer's pending input: (case ref, action, created at).
    async fn take_pending_input(
        &mut self,
        user_id: i64,
    ) -> Result<Option<(CaseRef, String, DateTime<Utc>)>, StoreError>;

    /// Claim the run of a periodic `job` for `period` (e.g. `2025-03-03`): `true` for exactly
    /// one caller per (job, period), across instances sharing the database.
    async fn claim_job(
        &mut self,
        job: &str,
        period: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Chats with an unfinished draft idle since `idle_since` or earlier and not reminded
    /// yet, longest idle first.
    async fn drafts_to_remind(&mut self, idle_since: DateTime<Utc>)
        -> Result<Vec<i64>, StoreError>;

    /// Retention: erase the personal data of cases decided (approved, rejected, withdrawn)
    /// before `cutoff` and not erased yet. Fields become `{}`, attachments `[]`, the chat id
    /// 0; in their audit trail `merchant:<chat>` actors become `merchant` and each event's
    /// detail keeps only the keys `reason` (a reason code) and `staff` (a user id) when they
    /// hold a plain string or number, so notes, questions and typed reasons are gone while
    /// who did what when remains. An `erased` event (actor `system`) is appended. Returns
    /// the references erased, oldest decision first; a second call erases nothing again.
    async fn erase_decided_before(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
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
