//! What SQLite does its own way for the staff role: its transaction holds the only write
//! lock, so a claim is a conditional update (of two racing claims the second finds the case
//! in review and reads who has it), and expiring leases is two plain statements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqliteTx;
use crate::domain::{CaseRecord, CaseRef, CaseStatus};
use crate::store::rows::{self, case_columns, CASE_SHAPE};
use crate::store::staff::{claim_queued, renew_own, StaffDialect};
use crate::store::statement::{Kind, Run, Statement};
use crate::store::{ClaimOutcome, StoreError};

/// The status and reviewer of a case that could not be claimed; bind: reference.
const CLAIM_STATE: &str = "SELECT status, claimed_by FROM cases WHERE case_ref = $1";

/// One `lease_expired` event per case whose lease ran out (index `cases_status_lease`);
/// binds: at, now.
pub(super) const LEASE_EXPIRED_EVENTS: &str =
    "INSERT INTO case_events (case_id, at, actor, action, detail) \
     SELECT id, $1, 'system', 'lease_expired', json_object('staff', claimed_by) \
     FROM cases WHERE status = 'in_review' AND lease_until <= $2";

/// Requeue the cases of [`LEASE_EXPIRED_EVENTS`]; binds: now, now.
const REQUEUE_EXPIRED: &str = concat!(
    "UPDATE cases SET status = 'queued', claimed_by = NULL, lease_until = NULL, \
     updated_at = $1 WHERE status = 'in_review' AND lease_until <= $2 RETURNING ",
    case_columns!()
);

#[async_trait]
impl StaffDialect for SqliteTx {
    async fn claim(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        // Of two racing claims (serialised by the write lock) the second finds the case in
        // review and reads who has it.
        if let Some(claimed) = claim_queued(self, case_ref, staff, now, lease_until).await? {
            return Ok(claimed);
        }
        if let Some(renewed) = renew_own(self, case_ref, staff, now, lease_until).await? {
            return Ok(renewed);
        }
        let state = Statement::new(CLAIM_STATE).bind(case_ref);
        let Some(mut row) = self.fetch_optional(state, &[Kind::Text, Kind::Int]).await? else {
            return Ok(ClaimOutcome::NotFound);
        };
        Ok(
            match (rows::case_status(&row.text()?, case_ref)?, row.opt_int()?) {
                (CaseStatus::InReview, Some(holder)) => ClaimOutcome::HeldBy(holder),
                (status, _) => ClaimOutcome::NotClaimable(status),
            },
        )
    }

    async fn requeue_expired(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError> {
        // The events first: they need the reviewer the update is about to clear. Both
        // statements select the same rows (index `cases_status_lease`) under the write lock.
        let events = Statement::new(LEASE_EXPIRED_EVENTS).bind(now).bind(now);
        self.execute(events).await?;
        let requeue = Statement::new(REQUEUE_EXPIRED).bind(now).bind(now);
        let mut requeued = self
            .fetch(requeue, CASE_SHAPE)
            .await?
            .into_iter()
            .map(rows::case_record)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING rows come in no defined order.
        requeued.sort_by(|a, b| (a.created_at, &a.case_ref).cmp(&(b.created_at, &b.case_ref)));
        Ok(requeued)
    }
}
