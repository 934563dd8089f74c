//! The [`Store`] methods, which run on the connection pool outside any transaction, written
//! once for both backends. [`PoolDialect`] is what each backend does its own way.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::cases::{decided_statuses, open_statuses, CASE_BY_REF};
use super::rows::{self, case_columns, CASE_SHAPE, EVENT_SHAPE, OUTBOX_SHAPE};
use super::statement::{Cells, Kind, Run, Statement};
use super::{outbox, staff, CaseEvent, CaseFilter, ChatPeek, OutboxItem, QueueStats, Store};
use super::{StoreError, Tx};
use crate::domain::{CaseRecord, CaseRef};

/// A case's audit trail, oldest first; bind: reference.
const CASE_EVENTS: &str = "SELECT c.case_ref, e.at, e.actor, e.action, e.detail \
     FROM case_events e JOIN cases c ON c.id = e.case_id \
     WHERE c.case_ref = $1 ORDER BY e.at, e.id";

/// What each backend does its own way for [`Store`].
#[async_trait]
pub(crate) trait PoolDialect: Send + Sync + 'static {
    /// The status column where a query walks the decisions by time (index
    /// `cases_decided`): SQLite writes `+status`, so that its planner does not walk every
    /// decided case by status instead; PostgreSQL has no unary plus on text.
    const STATUS_BY_TIME: &'static str;
    /// A case's time from creation to decision in milliseconds: a difference of integers
    /// on SQLite, of `timestamptz`s on PostgreSQL (whole milliseconds there too, as stored).
    const DECISION_MILLIS: &'static str;

    /// [`Store::begin`].
    async fn begin_tx(&self) -> Result<Box<dyn Tx>, StoreError>;

    /// Run a query on the pool (see [`Run::fetch`]).
    async fn read(
        &self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Vec<Cells>, StoreError>;

    /// Run a write on the pool; on SQLite it first waits for this process's turn to write.
    async fn write(&self, statement: Statement<'_>) -> Result<u64, StoreError>;

    /// A read-only transaction, so that several reads see one snapshot.
    async fn snapshot(&self) -> Result<Box<dyn Run>, StoreError>;

    /// [`Store::outbox_done`]: the ids as SQLite's `IN (…)` in chunks, as one PostgreSQL
    /// array.
    async fn delete_outbox(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// [`Store::acquire_sender_lock`]: always granted on SQLite (one process).
    async fn sender_lock(&self) -> Result<bool, StoreError> {
        Ok(true)
    }

    /// [`Store::peek_chat`]: PostgreSQL reads the `json` state as text.
    async fn peek(&self, chat_id: i64, update_id: Option<i64>) -> Result<ChatPeek, StoreError>;

    /// [`Store::close`].
    async fn shut(&self);
}

#[async_trait]
impl<P: PoolDialect> Store for P {
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        self.begin_tx().await
    }

    async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let mut st = Statement::built(String::new());
        let mut sql = String::from(concat!("SELECT ", case_columns!(), " FROM cases"));
        let mut glue = " WHERE ";
        if let Some(status) = filter.status {
            sql.push_str(&format!("{glue}status = {}", st.push(status.as_str())));
            glue = " AND ";
        }
        if let Some(at) = filter.overdue_at {
            sql.push_str(&format!(
                "{glue}status IN {} AND due_at < {}",
                open_statuses!(),
                st.push(at)
            ));
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC");
        if let Some(limit) = filter.limit {
            // SQLite treats a negative LIMIT as "no limit", PostgreSQL refuses one; a
            // negative request means none.
            sql.push_str(&format!(" LIMIT {}", st.push(limit.max(0))));
        }
        st.sql = sql.into();
        cases(self.read(st, CASE_SHAPE).await?)
    }

    async fn get_case(&self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        let st = Statement::new(CASE_BY_REF).bind(case_ref);
        Ok(cases(self.read(st, CASE_SHAPE).await?)?.into_iter().next())
    }

    async fn case_events(&self, case_ref: &CaseRef) -> Result<Vec<CaseEvent>, StoreError> {
        let st = Statement::new(CASE_EVENTS).bind(case_ref);
        let rows = self.read(st, EVENT_SHAPE).await?;
        rows.into_iter().map(rows::case_event).collect()
    }

    async fn due_outbox(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let st = Statement::new(outbox::DUE).bind(now).bind(limit.max(0));
        let rows = self.read(st, OUTBOX_SHAPE).await?;
        rows.into_iter().map(rows::outbox_item).collect()
    }

    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let st = Statement::new(outbox::NEXT_DUE);
        let mut rows = self.read(st, &[Kind::At]).await?;
        match rows.pop() {
            Some(mut row) => row.opt_at(),
            None => Ok(None),
        }
    }

    async fn outbox_done(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.delete_outbox(ids).await
    }

    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError> {
        let st = Statement::new(outbox::RETRY).bind(not_before).bind(id);
        self.write(st).await?;
        Ok(())
    }

    async fn queue(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let st = Statement::new(staff::QUEUE).bind(limit.max(0));
        cases(self.read(st, CASE_SHAPE).await?)
    }

    async fn cases_claimed_by(&self, staff: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let st = Statement::new(staff::CLAIMED_BY).bind(staff);
        cases(self.read(st, CASE_SHAPE).await?)
    }

    async fn stats(&self, decided_since: DateTime<Utc>) -> Result<QueueStats, StoreError> {
        let mut snapshot = self.snapshot().await?;
        let counts = snapshot
            .fetch(
                Statement::new(staff::OPEN_BY_STATUS),
                &[Kind::Text, Kind::Int],
            )
            .await?
            .into_iter()
            .map(|mut row| Ok((row.text()?, row.int()?)))
            .collect::<Result<Vec<(String, i64)>, StoreError>>()?;
        let [decided_in_window, reviewed_in_window, middle_durations] = stats_statements::<Self>();
        let in_window = |sql: &String| Statement::built(sql.clone()).bind(decided_since);
        let decided = one_int(
            snapshot
                .fetch(in_window(&decided_in_window), &[Kind::Int])
                .await?,
        )?;
        // The median without reading every duration: count, then read the one or two middle
        // values in order.
        let reviewed = one_int(
            snapshot
                .fetch(in_window(&reviewed_in_window), &[Kind::Int])
                .await?,
        )?;
        let median_decision_secs = if reviewed == 0 {
            None
        } else {
            let middle = in_window(&middle_durations)
                .bind(2 - reviewed % 2)
                .bind((reviewed - 1) / 2);
            let middle = snapshot
                .fetch(middle, &[Kind::Int])
                .await?
                .into_iter()
                .map(|mut row| row.int())
                .collect::<Result<Vec<i64>, StoreError>>()?;
            QueueStats::median_secs(&middle)
        };
        Ok(QueueStats {
            open_by_status: QueueStats::open_counts(&counts),
            decided_since: decided,
            median_decision_secs,
        })
    }

    async fn acquire_sender_lock(&self) -> Result<bool, StoreError> {
        self.sender_lock().await
    }

    async fn peek_chat(
        &self,
        chat_id: i64,
        update_id: Option<i64>,
    ) -> Result<ChatPeek, StoreError> {
        self.peek(chat_id, update_id).await
    }

    async fn close(&self) {
        self.shut().await;
    }
}

/// The statements of `/stats` on `P`, bind `$1` the start of the window: the cases decided
/// in it, those approved or rejected in it, and the middle decision durations of the latter
/// (binds `$2` limit, `$3` offset).
pub(crate) fn stats_statements<P: PoolDialect>() -> [String; 3] {
    let status = P::STATUS_BY_TIME;
    let reviewed = format!("decided_at >= $1 AND {status} IN ('approved', 'rejected')");
    [
        format!(
            "SELECT COUNT(*) FROM cases WHERE decided_at >= $1 AND {status} IN {}",
            decided_statuses!()
        ),
        format!("SELECT COUNT(*) FROM cases WHERE {reviewed}"),
        format!(
            "SELECT {} AS took FROM cases WHERE {reviewed} ORDER BY took LIMIT $2 OFFSET $3",
            P::DECISION_MILLIS
        ),
    ]
}

fn cases(rows: Vec<Cells>) -> Result<Vec<CaseRecord>, StoreError> {
    rows.into_iter().map(rows::case_record).collect()
}

/// The integer of a one-row, one-column answer (a count).
fn one_int(rows: Vec<Cells>) -> Result<i64, StoreError> {
    match rows.into_iter().next() {
        Some(mut row) => row.int(),
        None => Err(StoreError::Corrupt("a count returned no row".into())),
    }
}
