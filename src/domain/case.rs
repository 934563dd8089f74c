//! The case vocabulary shared by the review rules, the conversation core and the store: where
//! a case is in review ([`CaseStatus`]), the case as read ([`CaseRecord`]) and a guarded
//! change of its status ([`StatusChange`], [`ClaimUpdate`]). Plain data: the store reads and
//! writes it, `review::plan` decides on it, neither needs the other.

use super::{CaseKind, CaseRef};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a case is in the review process. Stored as [`CaseStatus::as_str`]; the Fluent
/// messages select on the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Submitted, waiting for a reviewer to claim it.
    Queued,
    /// Claimed by a reviewer (`claimed_by`), under a lease (`lease_until`).
    InReview,
    /// A reviewer asked the merchant a question; the answer requeues it.
    WaitingMerchant,
    /// Decided: approved.
    Approved,
    /// Decided: rejected, with a reason code.
    Rejected,
    /// Decided: the merchant withdrew it.
    Withdrawn,
}

impl CaseStatus {
    /// Every status, open ones first, in the order listings and `/stats` show them.
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Queued,
        CaseStatus::InReview,
        CaseStatus::WaitingMerchant,
        CaseStatus::Approved,
        CaseStatus::Rejected,
        CaseStatus::Withdrawn,
    ];

    /// The stored and displayed name (`in_review`).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Queued => "queued",
            CaseStatus::InReview => "in_review",
            CaseStatus::WaitingMerchant => "waiting_merchant",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status named exactly `s` ([`CaseStatus::as_str`]), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Open cases block a second case for the same device serial.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CaseStatus::Queued | CaseStatus::InReview | CaseStatus::WaitingMerchant
        )
    }

    /// A final status: moving into one sets `decided_at`, and retention erases the case's
    /// personal data some time after it.
    pub fn is_decided(self) -> bool {
        !self.is_open()
    }
}

/// A case as stored, read whole (staff cards, listings, decisions).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    /// The public reference, e.g. `UB-7K3QF9`.
    pub case_ref: CaseRef,
    /// The draft id: the idempotency key of the submission.
    pub draft_id: String,
    /// What the merchant applied for.
    pub kind: CaseKind,
    /// Brand id from the brand table (`lakala`, `other`, …).
    pub brand: String,
    /// Normalized device serial, for kinds that have one.
    pub serial: Option<String>,
    /// Field id → value, a JSON object; `{}` once erased. Answers to reviewers' questions
    /// are appended to `answers`.
    pub fields: serde_json::Value,
    /// A JSON array of `{ "field": id, "file_id": …, "kind": "photo"|"document" }`.
    pub attachments: serde_json::Value,
    /// The merchant's chat; 0 once the merchant's data was erased.
    pub chat_id: i64,
    /// The merchant's language, for notifications.
    pub locale: Locale,
    /// Where the case is in review.
    pub status: CaseStatus,
    /// The reviewer (Telegram user id) holding it, in review or waiting for the merchant.
    pub claimed_by: Option<i64>,
    /// When the reviewer's claim runs out (in review only).
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The promised answer date (the kind's business days after submission).
    pub due_at: DateTime<Utc>,
    /// When it moved into a decided status.
    pub decided_at: Option<DateTime<Utc>>,
}

/// A guarded status transition: it applies only when every condition holds at the moment of
/// the update, so two racing actors (a reviewer approving while the merchant withdraws, a
/// lease expiring under a reviewer) cannot both win. The store applies it with its audit
/// event in one statement pair.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The case to change.
    pub case_ref: CaseRef,
    /// The update applies only if the current status is one of these.
    pub from: Vec<CaseStatus>,
    /// …and, when `Some`, `claimed_by` equals it (only the reviewer holding a case decides it).
    pub require_claimed_by: Option<i64>,
    /// …and, when `Some`, `chat_id` equals it (a merchant withdrawing their own case).
    pub require_chat_id: Option<i64>,
    /// The new status.
    pub to: CaseStatus,
    /// What happens to `claimed_by` and `lease_until`.
    pub claim: ClaimUpdate,
    /// When: the new `updated_at` (and `decided_at` when `to` is decided), the event's time.
    pub at: DateTime<Utc>,
    /// The audit event's actor: `merchant:<chat id>`, `staff:<user id>` or `system`.
    pub actor: String,
    /// The audit event's action (`approved`, `withdrawn`, …).
    pub action: String,
    /// The audit event's detail, a JSON object; never personal data beyond what retention
    /// erases (typed texts).
    pub detail: serde_json::Value,
}

/// What a status change does to the claim of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimUpdate {
    /// `claimed_by` and `lease_until` stay as they are.
    Keep,
    /// `claimed_by` and `lease_until` become NULL (released, requeued by staff, decided).
    Clear,
    /// `claimed_by` stays (who to tell when the merchant answers), `lease_until` becomes NULL
    /// (waiting for the merchant is not the reviewer's time, so no lease runs out).
    KeepReviewerClearLease,
}
