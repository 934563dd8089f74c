//! What PostgreSQL does its own way for the staff role: rows are locked before a claim is
//! decided, and expiring leases is one statement that locks the expired rows first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PgTx;
use crate::domain::{CaseRecord, CaseRef, CaseStatus};
use crate::store::rows::{self, case_columns, CASE_SHAPE};
use crate::store::staff::{claim_queued, renew_own, StaffDialect};
use crate::store::statement::{Run, Statement};
use crate::store::{ClaimOutcome, StoreError};

/// Requeue the in-review cases whose lease ran out and write their `lease_expired` events,
/// in one statement; binds: now, now.
///
/// The first CTE locks the expired rows and reads the reviewer the update clears (an
/// `UPDATE … RETURNING` only sees the new values). A concurrent run blocks on those locks
/// and then re-checks `status = 'in_review'` on the committed rows, so it skips every case
/// the first run requeued: each case is requeued, and audited, once. The result is ordered
/// as on SQLite: by creation, then by reference in byte order (`COLLATE "C"`, whatever the
/// database's collation).
const EXPIRE_LEASES: &str = concat!(
    "WITH expired AS ( \
         SELECT id, claimed_by FROM cases \
         WHERE status = 'in_review' AND lease_until <= $2 FOR UPDATE \
     ), requeued AS ( \
         UPDATE cases c SET status = 'queued', claimed_by = NULL, lease_until = NULL, \
         updated_at = $1 FROM expired e WHERE c.id = e.id \
         RETURNING c.*, e.claimed_by AS previous \
     ), audited AS ( \
         INSERT INTO case_events (case_id, at, actor, action, detail) \
         SELECT id, $1, 'system', 'lease_expired', jsonb_build_object('staff', previous) \
         FROM requeued \
     ) SELECT ",
    case_columns!(),
    " FROM requeued ORDER BY created_at, case_ref COLLATE \"C\""
);

#[async_trait]
impl StaffDialect for PgTx {
    async fn claim(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        // Lock the case row. An unlocked row is ours at once; a locked one (another
        // reviewer claiming it, a decision, a lease expiry in flight) is skipped, and then
        // waited for: the outcome must name the holder that transaction leaves, so the
        // second reviewer pressing "claim" is told who won, exactly as on SQLite.
        let locked = match self.lock_case(case_ref, true).await? {
            Some(row) => Some(row),
            None => self.lock_case(case_ref, false).await?,
        };
        let Some((_, status, claimed_by)) = locked else {
            return Ok(ClaimOutcome::NotFound);
        };
        // The row is locked until this transaction ends: what was read is what is written.
        let changed = match (status, claimed_by) {
            (CaseStatus::Queued, _) => {
                claim_queued(self, case_ref, staff, now, lease_until).await?
            }
            (CaseStatus::InReview, Some(holder)) if holder == staff => {
                renew_own(self, case_ref, staff, now, lease_until).await?
            }
            (CaseStatus::InReview, Some(holder)) => Some(ClaimOutcome::HeldBy(holder)),
            (status, _) => Some(ClaimOutcome::NotClaimable(status)),
        };
        // The row is locked, so the update matches; were it not to, the retry reads it anew.
        changed.ok_or(StoreError::Conflict)
    }

    async fn requeue_expired(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError> {
        let st = Statement::new(EXPIRE_LEASES).bind(now).bind(now);
        let rows = self.fetch(st, CASE_SHAPE).await?;
        rows.into_iter().map(rows::case_record).collect()
    }
}
