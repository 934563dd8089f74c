//! The jobs role: what the periodic jobs (`service::jobs`) read and write. Written once for
//! both backends, except retention's JSON surgery and the reminder query's index predicate
//! ([`JobDialect`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::statement::{Kind, Run, Statement};
use super::StoreError;
use crate::domain::CaseRef;

/// Claim a (job, period); binds: job, period, at. A concurrent claim of the same pair on
/// PostgreSQL waits for the first transaction: does nothing if it commits, inserts if it
/// rolls back. One row written per period.
const CLAIM_JOB: &str = "INSERT INTO job_runs (job, period, ran_at) VALUES ($1, $2, $3) \
     ON CONFLICT (job, period) DO NOTHING";

/// The periodic jobs' reads and writes, inside one transaction.
#[async_trait]
pub trait JobTx: Send {
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
}

/// What each backend does its own way for [`JobTx`].
#[async_trait]
pub(crate) trait JobDialect: Run {
    /// Idle drafts not reminded yet, longest idle first; bind: idle since. Each backend
    /// writes the condition as its partial index `dialogues_draft_due` does (SQLite
    /// `reminded = 0`, PostgreSQL `NOT reminded`), so the index serves it.
    const DRAFTS_DUE: &'static str;

    /// [`JobTx::erase_decided_before`]: the detail's surgery is SQLite's `json_each` and
    /// PostgreSQL's `jsonb_each`, and PostgreSQL locks the cases first.
    async fn erase(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError>;
}

#[async_trait]
impl<T: JobDialect> JobTx for T {
    async fn claim_job(
        &mut self,
        job: &str,
        period: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let st = Statement::new(CLAIM_JOB).bind(job).bind(period).bind(at);
        Ok(self.execute(st).await? == 1)
    }

    async fn drafts_to_remind(
        &mut self,
        idle_since: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let st = Statement::new(Self::DRAFTS_DUE).bind(idle_since);
        let rows = self.fetch(st, &[Kind::Int]).await?;
        rows.into_iter().map(|mut row| row.int()).collect()
    }

    async fn erase_decided_before(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError> {
        self.erase(cutoff, at).await
    }
}
