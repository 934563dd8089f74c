//! The staff role: claims and their leases, the group message that shows each case, and the
//! text a reviewer was asked to type. Written once for both backends, except claiming and
//! expiring leases ([`StaffDialect`]), where SQLite's single writer and PostgreSQL's row locks
//! call for different statements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rows::{self, case_columns};
use super::statement::{Kind, Run, Statement};
use super::{CaseEvent, CaseTx, ClaimOutcome, StoreError};
use crate::domain::{CaseRecord, CaseRef};

/// The open cases, oldest first (index `cases_status_created`, then a sort of the open
/// cases only); bind: limit.
pub(crate) const QUEUE: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases WHERE status IN ",
    super::cases::open_statuses!(),
    " ORDER BY created_at, id LIMIT $1"
);

/// A reviewer's cases, oldest first (index `cases_claimed_created`); bind: staff.
pub(crate) const CLAIMED_BY: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases WHERE claimed_by = $1 AND status IN ('in_review', 'waiting_merchant') \
     ORDER BY created_at, id"
);

/// The open cases by status, for `/stats`.
pub(crate) const OPEN_BY_STATUS: &str = concat!(
    "SELECT status, COUNT(*) FROM cases WHERE status IN ",
    super::cases::open_statuses!(),
    " GROUP BY status"
);

/// Claim a case if it is queued; binds: staff, lease until, now, reference.
const CLAIM: &str = concat!(
    "UPDATE cases SET status = 'in_review', claimed_by = $1, lease_until = $2, updated_at = $3 \
     WHERE case_ref = $4 AND status = 'queued' RETURNING ",
    case_columns!()
);

/// Renew one's own claim of a case in review; binds: lease until, now, reference, staff.
const RENEW: &str = concat!(
    "UPDATE cases SET lease_until = $1, updated_at = $2 \
     WHERE case_ref = $3 AND status = 'in_review' AND claimed_by = $4 RETURNING ",
    case_columns!()
);

/// Remember a case's staff card; binds: chat id, message id, reference. (The `WHERE` also
/// keeps SQLite from reading `ON CONFLICT` as a join clause.) Writes nothing without the case.
const SET_STAFF_CARD: &str = "INSERT INTO staff_cards (case_id, chat_id, message_id) \
     SELECT id, $1, $2 FROM cases WHERE case_ref = $3 \
     ON CONFLICT (case_id) DO UPDATE SET \
     chat_id = excluded.chat_id, message_id = excluded.message_id";

/// A case's staff card (chat id, message id); bind: reference.
const STAFF_CARD: &str = "SELECT s.chat_id, s.message_id FROM staff_cards s \
     JOIN cases c ON c.id = s.case_id WHERE c.case_ref = $1";

/// A reviewer's pending input, replacing theirs; binds: user, reference, action, at.
const SET_PENDING_INPUT: &str =
    "INSERT INTO staff_pending (user_id, case_ref, action, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
     case_ref = excluded.case_ref, action = excluded.action, created_at = excluded.created_at";

/// Take a reviewer's pending input; bind: user.
const TAKE_PENDING_INPUT: &str = "DELETE FROM staff_pending WHERE user_id = $1 \
     RETURNING case_ref, action, created_at";

/// What reviewers do to cases inside one transaction.
#[async_trait]
pub trait StaffTx: Send {
    /// A reviewer claims a case. Atomic: of two reviewers pressing "claim" at once exactly
    /// one gets [`ClaimOutcome::Claimed`] and the other [`ClaimOutcome::HeldBy`] the winner.
    /// A claim moves the case from `queued` to `in_review`, sets `claimed_by`, `lease_until`
    /// and `updated_at` and writes the `claimed` event (actor `staff:<id>`). Claiming again
    /// a case one already has in review renews its lease to `lease_until`
    /// ([`ClaimOutcome::AlreadyYours`], no event: the holder did not change).
    async fn claim_case(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// Return the in-review cases whose lease ran out (`lease_until <= now`) to the queue,
    /// clearing the claim, with a `lease_expired` event (actor `system`, detail
    /// `{"staff": previous reviewer}`), each case once however many instances run this at
    /// once. Returns the requeued cases as they are now, by creation, then reference.
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
}

/// What each backend does its own way for [`StaffTx`].
#[async_trait]
pub(crate) trait StaffDialect: Run {
    /// [`StaffTx::claim_case`]. SQLite: conditional updates under its write lock.
    /// PostgreSQL: the row locked first, so the loser can be told who won.
    async fn claim(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// [`StaffTx::expire_leases`]. SQLite: the events, then the update, under its write
    /// lock. PostgreSQL: one statement that locks the expired rows first.
    async fn requeue_expired(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError>;
}

#[async_trait]
impl<T: StaffDialect> StaffTx for T {
    async fn claim_case(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        self.claim(case_ref, staff, now, lease_until).await
    }

    async fn expire_leases(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError> {
        self.requeue_expired(now).await
    }

    async fn set_staff_card(
        &mut self,
        case_ref: &CaseRef,
        chat_id: i64,
        message_id: i32,
    ) -> Result<(), StoreError> {
        let st = Statement::new(SET_STAFF_CARD)
            .bind(chat_id)
            .bind(message_id)
            .bind(case_ref);
        if self.execute(st).await? == 0 {
            return Err(StoreError::UnknownCase(case_ref.clone()));
        }
        Ok(())
    }

    async fn staff_card(&mut self, case_ref: &CaseRef) -> Result<Option<(i64, i32)>, StoreError> {
        let st = Statement::new(STAFF_CARD).bind(case_ref);
        let row = self.fetch_optional(st, &[Kind::Int, Kind::Int32]).await?;
        row.map(|mut row| {
            let chat_id = row.int()?;
            let message_id = i32::try_from(row.int()?).map_err(|_| {
                StoreError::Corrupt(format!(
                    "case {case_ref}: staff card message id out of range"
                ))
            })?;
            Ok((chat_id, message_id))
        })
        .transpose()
    }

    async fn set_pending_input(
        &mut self,
        user_id: i64,
        case_ref: &CaseRef,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let st = Statement::new(SET_PENDING_INPUT)
            .bind(user_id)
            .bind(case_ref)
            .bind(action)
            .bind(at);
        self.execute(st).await?;
        Ok(())
    }

    async fn take_pending_input(
        &mut self,
        user_id: i64,
    ) -> Result<Option<(CaseRef, String, DateTime<Utc>)>, StoreError> {
        let st = Statement::new(TAKE_PENDING_INPUT).bind(user_id);
        let row = self
            .fetch_optional(st, &[Kind::Text, Kind::Text, Kind::At])
            .await?;
        row.map(|mut row| Ok((rows::case_ref(row.text()?)?, row.text()?, row.at()?)))
            .transpose()
    }
}

/// The claim of a queued case, with its `claimed` event: `Claimed`, or `None` when the case
/// is not queued (or does not exist). Each backend calls it once the race is settled its way.
pub(crate) async fn claim_queued<T: Run + CaseTx>(
    tx: &mut T,
    case_ref: &CaseRef,
    staff: i64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<ClaimOutcome>, StoreError> {
    let claim = Statement::new(CLAIM)
        .bind(staff)
        .bind(lease_until)
        .bind(now)
        .bind(case_ref);
    let Some(row) = tx.fetch_optional(claim, rows::CASE_SHAPE).await? else {
        return Ok(None);
    };
    let record = rows::case_record(row)?;
    tx.record_event(&CaseEvent {
        case_ref: record.case_ref.clone(),
        at: now,
        actor: format!("staff:{staff}"),
        action: "claimed".to_string(),
        detail: serde_json::json!({}),
    })
    .await?;
    Ok(Some(ClaimOutcome::Claimed(record)))
}

/// Pressing "claim" on one's own case in review renews the lease (no event: the holder did
/// not change): `AlreadyYours`, or `None` when the case is not `staff`'s in review.
pub(crate) async fn renew_own<T: Run>(
    tx: &mut T,
    case_ref: &CaseRef,
    staff: i64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<ClaimOutcome>, StoreError> {
    let renew = Statement::new(RENEW)
        .bind(lease_until)
        .bind(now)
        .bind(case_ref)
        .bind(staff);
    let row = tx.fetch_optional(renew, rows::CASE_SHAPE).await?;
    row.map(|row| Ok(ClaimOutcome::AlreadyYours(rows::case_record(row)?)))
        .transpose()
}
