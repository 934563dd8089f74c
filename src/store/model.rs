//! Plain records that cross the store boundary. They carry no behaviour beyond building
//! them from rows, and no conversation types: the state is stored as JSON produced by the core.

use crate::domain::{CaseKind, CaseRecord, CaseRef, CaseStatus};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Where handling an update starts, read outside any transaction (see
/// [`super::Store::peek_chat`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatPeek {
    /// The update was applied before: a redelivery.
    pub processed: bool,
    /// The chat's dialogue, if it has one.
    pub dialogue: Option<StoredDialogue>,
}

/// A dialogue row as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDialogue {
    /// The serialized conversation state (JSON text).
    pub state: String,
    /// Version of the state's JSON shape; an unknown version is reset by the core.
    pub schema_version: i32,
    /// Optimistic-concurrency counter, bumped on every save.
    pub row_version: i64,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

/// What [`ChatTx::peek_batch`](super::ChatTx::peek_batch) read for a batch of updates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchPeek {
    /// The batch's update ids that were applied before: redeliveries.
    pub processed: HashSet<i64>,
    /// The stored dialogues of the batch's chats (a chat without one is absent).
    pub dialogues: HashMap<i64, StoredDialogue>,
    /// The case lists of the batch's chats, as
    /// [`CaseTx::cases_of_chats`](super::CaseTx::cases_of_chats) gives them, when the backend
    /// read them with the rest (SQLite: in the same statement, cheaper than a round trip
    /// later); `None` when they are to be read when needed.
    pub cases: Option<HashMap<i64, Vec<CaseSummary>>>,
}

/// One dialogue of [`ChatTx::save_dialogues`](super::ChatTx::save_dialogues).
#[derive(Debug, Clone, PartialEq)]
pub struct DialogueWrite {
    /// The chat.
    pub chat_id: i64,
    /// Its dialogue as the step left it.
    pub dialogue: NewDialogue,
    /// As for [`ChatTx::save_dialogue`](super::ChatTx::save_dialogue).
    pub expected_row_version: Option<i64>,
}

/// One update of [`ChatTx::mark_all_processed`](super::ChatTx::mark_all_processed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessedMark {
    /// Telegram's update id.
    pub update_id: i64,
    /// The chat it came from (0 once the chat was forgotten).
    pub chat_id: i64,
    /// When it was applied.
    pub at: DateTime<Utc>,
}

/// A dialogue to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDialogue {
    /// The serialized conversation state (JSON text, kept exactly as given).
    pub state: String,
    /// Version of the state's JSON shape.
    pub schema_version: i32,
    /// When the step ran.
    pub updated_at: DateTime<Utc>,
    /// When the merchant last worked on an unfinished draft (`None`: no draft). Stored in
    /// its own column so the reminder job can find idle drafts without parsing every state.
    pub draft_since: Option<DateTime<Utc>>,
    /// Whether the merchant was already reminded of this draft, so a reminder goes out once.
    pub reminded: bool,
}

/// A case as the core submits it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// Public reference, e.g. `UB-7K3QF9`.
    pub case_ref: CaseRef,
    /// The draft id: the idempotency key of the submission.
    pub draft_id: String,
    /// What the merchant applies for.
    pub kind: CaseKind,
    /// Brand id from the brand table (`lakala`, `other`, …).
    pub brand: String,
    /// Normalized device serial, for kinds that have one.
    pub serial: Option<String>,
    /// Field id → value, as JSON object.
    pub fields: serde_json::Value,
    /// Attachments as JSON array of `{ "field": id, "file_id": …, "kind": "photo"|"document" }`.
    pub attachments: serde_json::Value,
    /// The merchant's chat.
    pub chat_id: i64,
    /// The merchant's language, for notifications.
    pub locale: Locale,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// The promised answer date.
    pub due_at: DateTime<Utc>,
}

/// What [`CaseTx::insert_case`](super::CaseTx::insert_case) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// The case is queued, with its `created` event.
    Inserted,
    /// A case with the same draft id already exists; its reference.
    AlreadyExists(CaseRef),
}

/// What a merchant sees of one of their cases in `/status`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    /// The public reference.
    pub case_ref: CaseRef,
    /// What was applied for.
    pub kind: CaseKind,
    /// Where it is in review.
    pub status: CaseStatus,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// The promised answer date.
    pub due_at: DateTime<Utc>,
}

/// One line of the audit trail, as read and as written
/// ([`CaseTx::record_event`](super::CaseTx::record_event)).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    /// The case.
    pub case_ref: CaseRef,
    /// When it happened (whole milliseconds as stored).
    pub at: DateTime<Utc>,
    /// `merchant:<chat id>`, `staff:<user id>`, `system`.
    pub actor: String,
    /// `created`, `withdrawn`, `claimed`, …
    pub action: String,
    /// Free-form JSON detail; never personal data.
    pub detail: serde_json::Value,
}

/// A request to send later, written in the update's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    /// The chat to send to.
    pub chat_id: i64,
    /// The rendered request; its shape belongs to the adapter that sends it.
    pub payload: serde_json::Value,
    /// Replaces an unsent row of the same chat with the same key.
    pub coalesce_key: Option<String>,
    /// Not sent before this instant (album answers wait for the album's last part).
    pub not_before: DateTime<Utc>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A stored outbox row.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// The row's id: rows of one chat are sent in id order.
    pub id: i64,
    /// The chat to send to.
    pub chat_id: i64,
    /// The rendered request.
    pub payload: serde_json::Value,
    /// How many times sending it failed.
    pub attempts: i64,
    /// Not sent before this instant.
    pub not_before: DateTime<Utc>,
}

impl QueueStats {
    /// Every open status with its count (zero when absent from `counts`), in
    /// [`CaseStatus::ALL`] order; `counts` are `(status, count)` rows from `GROUP BY status`.
    pub fn open_counts(counts: &[(String, i64)]) -> Vec<(CaseStatus, i64)> {
        CaseStatus::ALL
            .into_iter()
            .filter(|status| status.is_open())
            .map(|status| {
                let count = counts
                    .iter()
                    .find(|(name, _)| name == status.as_str())
                    .map_or(0, |(_, count)| *count);
                (status, count)
            })
            .collect()
    }

    /// The median of the one or two middle values (milliseconds), in whole seconds rounded
    /// down; `None` when there is no value. Both backends use it, so they agree exactly.
    pub fn median_secs(middle: &[i64]) -> Option<i64> {
        if middle.is_empty() {
            return None;
        }
        let sum: i64 = middle.iter().sum();
        let len = i64::try_from(middle.len()).ok()?;
        Some((sum / len).div_euclid(1000))
    }
}

/// Which cases `list_cases` returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only open cases whose due date is before this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// At most this many (default: all).
    pub limit: Option<i64>,
}

/// What [`StaffTx::claim_case`](super::StaffTx::claim_case) did.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimOutcome {
    /// The case was queued and is now in review by the caller.
    Claimed(CaseRecord),
    /// The caller already had it in review; the lease was renewed.
    AlreadyYours(CaseRecord),
    /// Another reviewer (this staff user id) has it in review.
    HeldBy(i64),
    /// The case is in a status that cannot be claimed (waiting for the merchant, decided).
    NotClaimable(CaseStatus),
    /// No case with that reference.
    NotFound,
}

/// The numbers behind `/stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    /// Every open status with its count, zero counts included, in [`CaseStatus::ALL`] order.
    pub open_by_status: Vec<(CaseStatus, i64)>,
    /// Cases decided (approved, rejected or withdrawn) at or after the `since` instant.
    pub decided_since: i64,
    /// Median seconds from creation to decision over the approved and rejected cases
    /// decided at or after `since` (`None` when there are none). Withdrawals are left out:
    /// they measure the merchant, not the review.
    pub median_decision_secs: Option<i64>,
}
