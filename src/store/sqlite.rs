//! The SQLite backend: one file (or an in-memory database), created and migrated on open.
//!
//! - Timestamps are stored as INTEGER Unix milliseconds (UTC), truncated to whole
//!   milliseconds on write, so they sort correctly and round-trip exactly.
//! - JSON values are stored as TEXT (checked with `json_valid` by the schema).
//! - Every [`Tx`] is a `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so a
//!   read-then-write inside it never races another writer. Within one process, writers first
//!   queue on an async gate (first come, first served) so they never meet SQLite's lock
//!   at all: SQLite's busy handler retries by sleeping 1, 2, 5, 10 … ms, which cost
//!   throughput and put tens of milliseconds on unlucky replies (issue #6). Writers in other
//!   processes on the same file still queue on the busy timeout.
//! - File databases use WAL, so the read-only [`Store`] methods never wait for a writer.
//! - An in-memory database (`sqlite::memory:`) lives in one connection that the pool keeps
//!   for its whole life, so transactions on it run one at a time. Do not call the [`Store`]
//!   methods while holding a [`Tx`] on an in-memory store: they would wait for the same
//!   connection.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{FromRow, QueryBuilder, Sqlite, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{
    rows, BatchPeek, CaseEvent, CaseFilter, CaseSummary, ChatPeek, ClaimOutcome, DialogueWrite,
    InsertOutcome, NewCase, NewCaseEvent, NewDialogue, NewOutbox, OutboxItem, ProcessedMark,
    QueueStats, Store, StoreError, StoredDialogue, Tx,
};
use crate::domain::{CaseRecord, CaseRef, CaseStatus, ClaimUpdate, StatusChange};

/// The embedded migrations (`migrations/sqlite/*.sql`).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for the write lock before giving up with "database is locked"
/// (then the database counts as unavailable: [`StoreError::is_unavailable`]). A URL can set
/// another with `?busy_timeout=MILLISECONDS`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool of a file database.
const FILE_POOL_SIZE: u32 = 5;

/// Rows per multi-row statement: at most 7 parameters each, far below SQLite's limit of
/// 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

/// The statuses of an open case, as an SQL list (must agree with [`CaseStatus::is_open`]).
macro_rules! open_statuses {
    () => {
        "('queued', 'in_review', 'waiting_merchant')"
    };
}

/// The statuses of a decided case, as an SQL list (must agree with [`CaseStatus::is_decided`]).
macro_rules! decided_statuses {
    () => {
        "('approved', 'rejected', 'withdrawn')"
    };
}

/// The condition on `cases` for what retention erases: decided before the bound cutoff and
/// not erased yet. One bind (the cutoff, Unix ms). `+status` keeps SQLite from walking every
/// decided case by status: it uses the partial index `cases_to_erase` by time instead.
macro_rules! erasable {
    () => {
        concat!(
            "decided_at < ? AND erased_at IS NULL AND +status IN ",
            decided_statuses!()
        )
    };
}

/// The columns read into [`CaseRow`].
macro_rules! case_columns {
    () => {
        "case_ref, draft_id, kind, brand, serial, fields, attachments, chat_id, locale, status, \
         claimed_by, lease_until, created_at, updated_at, due_at, decided_at"
    };
}

/// Cases decided in a window (index `cases_decided`); bind: since.
const DECIDED_SINCE: &str = concat!(
    "SELECT COUNT(*) FROM cases WHERE decided_at >= ? AND +status IN ",
    decided_statuses!()
);

/// Cases approved or rejected in a window (index `cases_decided`); bind: since.
const REVIEWED_SINCE: &str = "SELECT COUNT(*) FROM cases \
     WHERE decided_at >= ? AND +status IN ('approved', 'rejected')";

/// The middle decision durations of [`REVIEWED_SINCE`]; binds: since, limit, offset.
const REVIEWED_MIDDLE: &str = "SELECT decided_at - created_at AS took FROM cases \
     WHERE decided_at >= ? AND +status IN ('approved', 'rejected') \
     ORDER BY took LIMIT ? OFFSET ?";

/// A reviewer's cases, oldest first (index `cases_claimed_created`); bind: staff.
const CLAIMED_BY: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases WHERE claimed_by = ? AND status IN ('in_review', 'waiting_merchant') \
     ORDER BY created_at, id"
);

/// One `lease_expired` event per case whose lease ran out (index `cases_status_lease`);
/// binds: at, now.
const LEASE_EXPIRED_EVENTS: &str = "INSERT INTO case_events (case_id, at, actor, action, detail) \
     SELECT id, ?, 'system', 'lease_expired', json_object('staff', claimed_by) \
     FROM cases WHERE status = 'in_review' AND lease_until <= ?";

/// Idle drafts not reminded yet (partial index `dialogues_draft_due`: `draft_since <= ?`
/// implies its `draft_since IS NOT NULL`); bind: idle since.
const DRAFTS_DUE: &str = "SELECT chat_id FROM dialogues WHERE draft_since <= ? AND reminded = 0 \
     ORDER BY draft_since, chat_id";

/// The references retention is about to erase (index `cases_to_erase`); bind: cutoff.
const ERASABLE_REFS: &str = concat!(
    "SELECT case_ref FROM cases WHERE ",
    erasable!(),
    " ORDER BY decided_at, id"
);

/// posdesk's state in SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One writer at a time in this process (see the module notes).
    writer: Arc<Semaphore>,
}

impl SqliteStore {
    /// Open (creating the file and its parent directory if missing) and migrate the database
    /// named by `url`: `sqlite://path/to/file.db`, `sqlite:file.db` or `sqlite::memory:`,
    /// optionally with `?busy_timeout=MILLISECONDS`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let in_memory = is_memory_url(url);
        let (url, busy_timeout) = take_busy_timeout(url)?;
        let mut options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .busy_timeout(busy_timeout)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Normal);

        let pool_options = if in_memory {
            // The database exists only while a connection to it is open: keep exactly one,
            // forever. (Several connections to a shared-cache memory database would use
            // table locks that fail at once with SQLITE_LOCKED instead of waiting.)
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            options = options.journal_mode(SqliteJournalMode::Wal);
            if let Some(parent) = options.get_filename().parent() {
                create_parent_dir(parent).await?;
            }
            SqlitePoolOptions::new().max_connections(FILE_POOL_SIZE)
        };

        let pool = pool_options.connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            writer: Arc::new(Semaphore::new(1)),
        })
    }

    /// This process's turn to write (see the module notes); held until dropped.
    async fn write_turn(&self) -> OwnedSemaphorePermit {
        self.writer
            .clone()
            .acquire_owned()
            .await
            .expect("the writer gate is never closed")
    }

    /// The underlying connection pool (for operator tooling and tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The URL without its `busy_timeout` query parameter (sqlx refuses parameters it does not
/// know), and the busy timeout it sets ([`BUSY_TIMEOUT`] when it sets none).
fn take_busy_timeout(url: &str) -> Result<(String, Duration), StoreError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), BUSY_TIMEOUT));
    };
    let mut timeout = BUSY_TIMEOUT;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("busy_timeout", ms)) => {
                let ms: u64 = ms.parse().map_err(|_| {
                    sqlx::Error::Configuration(
                        format!("busy_timeout is a number of milliseconds, not {ms:?}").into(),
                    )
                })?;
                timeout = Duration::from_millis(ms);
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, timeout))
}

fn is_memory_url(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

async fn create_parent_dir(parent: &Path) -> Result<(), StoreError> {
    if parent.as_os_str().is_empty() || tokio::fs::try_exists(parent).await.unwrap_or(false) {
        return Ok(());
    }
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let writer = self.write_turn().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteTx {
            tx,
            _writer: writer,
        }))
    }

    async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let mut query =
            QueryBuilder::<Sqlite>::new(concat!("SELECT ", case_columns!(), " FROM cases"));
        let mut glue = " WHERE ";
        if let Some(status) = filter.status {
            query
                .push(glue)
                .push("status = ")
                .push_bind(status.as_str());
            glue = " AND ";
        }
        if let Some(at) = filter.overdue_at {
            query
                .push(glue)
                .push(concat!("status IN ", open_statuses!(), " AND due_at < "))
                .push_bind(to_millis(at));
        }
        query.push(" ORDER BY created_at DESC, id DESC");
        if let Some(limit) = filter.limit {
            // SQLite treats a negative LIMIT as "no limit"; a negative request means none.
            query.push(" LIMIT ").push_bind(limit.max(0));
        }
        let rows: Vec<CaseRow> = query.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(CaseRow::into_record).collect()
    }

    async fn get_case(&self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        let row: Option<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE case_ref = ?"
        ))
        .bind(case_ref.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(CaseRow::into_record).transpose()
    }

    async fn case_events(&self, case_ref: &CaseRef) -> Result<Vec<CaseEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT c.case_ref, e.at, e.actor, e.action, e.detail \
             FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE c.case_ref = ? ORDER BY e.at, e.id",
        )
        .bind(case_ref.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(EventRow::into_event).collect()
    }

    async fn due_outbox(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows: Vec<(i64, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT id, chat_id, payload, attempts, not_before FROM outbox \
             WHERE not_before <= ? ORDER BY id LIMIT ?",
        )
        .bind(to_millis(now))
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, chat_id, payload, attempts, not_before)| {
                Ok(OutboxItem {
                    id,
                    chat_id,
                    payload: parse_json(&payload, "payload", &format!("outbox row {id}"))?,
                    attempts,
                    not_before: from_millis(not_before, "outbox.not_before")?,
                })
            })
            .collect()
    }

    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<i64> = sqlx::query_scalar("SELECT MIN(not_before) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        at.map(|ms| from_millis(ms, "outbox.not_before"))
            .transpose()
    }

    async fn outbox_done(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let _writer = self.write_turn().await;
        // Ids are sent in chunks below SQLite's limit of bound parameters.
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new("DELETE FROM outbox WHERE id IN (");
            push_ids(&mut query, chunk);
            query.build().execute(&self.pool).await?;
        }
        Ok(())
    }

    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError> {
        let _writer = self.write_turn().await;
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?")
            .bind(to_millis(not_before))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn queue(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError> {
        // Index `cases_status_created`, then a sort of the open cases only.
        let rows: Vec<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE status IN ",
            open_statuses!(),
            " ORDER BY created_at, id LIMIT ?"
        ))
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(CaseRow::into_record).collect()
    }

    async fn cases_claimed_by(&self, staff: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let rows: Vec<CaseRow> = sqlx::query_as(CLAIMED_BY)
            .bind(staff)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(CaseRow::into_record).collect()
    }

    async fn stats(&self, decided_since: DateTime<Utc>) -> Result<QueueStats, StoreError> {
        // One read transaction, so the numbers come from one snapshot (WAL: no writer waits).
        let mut tx = self.pool.begin().await?;
        let since = to_millis(decided_since);

        let counts: Vec<(String, i64)> = sqlx::query_as(concat!(
            "SELECT status, COUNT(*) FROM cases WHERE status IN ",
            open_statuses!(),
            " GROUP BY status"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let open_by_status = QueueStats::open_counts(&counts);

        let decided: i64 = sqlx::query_scalar(DECIDED_SINCE)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;

        // The median without reading every duration: count, then read the one or two
        // middle values in order.
        let reviewed: i64 = sqlx::query_scalar(REVIEWED_SINCE)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
        let median_decision_secs = if reviewed == 0 {
            None
        } else {
            let middle: Vec<i64> = sqlx::query_scalar(REVIEWED_MIDDLE)
                .bind(since)
                .bind(2 - reviewed % 2)
                .bind((reviewed - 1) / 2)
                .fetch_all(&mut *tx)
                .await?;
            QueueStats::median_secs(&middle)
        };
        tx.commit().await?;

        Ok(QueueStats {
            open_by_status,
            decided_since: decided,
            median_decision_secs,
        })
    }

    async fn peek_chat(
        &self,
        chat_id: i64,
        update_id: Option<i64>,
    ) -> Result<ChatPeek, StoreError> {
        type Row = (bool, Option<String>, Option<i32>, Option<i64>, Option<i64>);
        let (processed, state, schema_version, row_version, updated_at): Row = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?1),              d.state, d.schema_version, d.row_version, d.updated_at              FROM (SELECT 1) LEFT JOIN dialogues d ON d.chat_id = ?2",
        )
        .bind(update_id)
        .bind(chat_id)
        .fetch_one(&self.pool)
        .await?;
        let updated_at = updated_at
            .map(|ms| from_millis(ms, "dialogue updated_at"))
            .transpose()?;
        Ok(ChatPeek::from_columns(
            processed,
            state,
            schema_version,
            row_version,
            updated_at,
        ))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// One `BEGIN IMMEDIATE` transaction. Dropping it without commit rolls back: sqlx queues a
/// `ROLLBACK` on the connection, and the pool pings the connection (which runs after the
/// queued rollback) before it hands it out again.
struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    /// Released when the transaction ends (commit or drop), after sqlx queued its end.
    _writer: OwnedSemaphorePermit,
}

impl SqliteTx {
    async fn case_ref_of_draft(&mut self, draft_id: &str) -> Result<Option<CaseRef>, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT case_ref FROM cases WHERE draft_id = ?")
                .bind(draft_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        found.map(rows::case_ref).transpose()
    }

    /// The claim of a case that could not be claimed: (status, claimed_by), if it exists.
    async fn claim_state(
        &mut self,
        case_ref: &CaseRef,
    ) -> Result<Option<(CaseStatus, Option<i64>)>, StoreError> {
        let row: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT status, claimed_by FROM cases WHERE case_ref = ?")
                .bind(case_ref.as_str())
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(|(status, claimed_by)| Ok((rows::case_status(&status, case_ref)?, claimed_by)))
            .transpose()
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM processed_updates WHERE update_id = ?")
                .bind(update_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(found.is_some())
    }

    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Marking twice is harmless: the first record stays.
        sqlx::query(
            "INSERT INTO processed_updates (update_id, chat_id, processed_at) VALUES (?, ?, ?) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(chat_id)
        .bind(to_millis(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError> {
        let row: Option<(String, i32, i64, i64)> = sqlx::query_as(
            "SELECT state, schema_version, row_version, updated_at FROM dialogues \
             WHERE chat_id = ?",
        )
        .bind(chat_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|(state, schema_version, row_version, updated_at)| {
            Ok(StoredDialogue {
                state,
                schema_version,
                row_version,
                updated_at: from_millis(updated_at, "dialogue updated_at")?,
            })
        })
        .transpose()
    }

    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError> {
        let written = match expected_row_version {
            None => sqlx::query(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) \
                 VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING",
            )
            .bind(chat_id)
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(to_millis(dialogue.updated_at))
            .bind(dialogue.draft_since.map(to_millis))
            .bind(dialogue.reminded)
            .execute(&mut *self.tx)
            .await?
            .rows_affected(),
            Some(expected) => sqlx::query(
                "UPDATE dialogues SET state = ?, schema_version = ?, \
                 row_version = row_version + 1, updated_at = ?, draft_since = ?, reminded = ? \
                 WHERE chat_id = ? AND row_version = ?",
            )
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(to_millis(dialogue.updated_at))
            .bind(dialogue.draft_since.map(to_millis))
            .bind(dialogue.reminded)
            .bind(chat_id)
            .bind(expected)
            .execute(&mut *self.tx)
            .await?
            .rows_affected(),
        };
        if written == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn delete_dialogue(&mut self, chat_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM dialogues WHERE chat_id = ?")
            .bind(chat_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError> {
        // The write lock is held (BEGIN IMMEDIATE): what is read here stays true until commit.
        // All three reads in one statement (a round trip is what a batch waits on; the
        // reads themselves are index lookups). `part` 0 rows are processed update ids,
        // 1 dialogues, 2 the chats' cases; the columns mean what each part says.
        let mut peek = BatchPeek {
            cases: Some(chat_ids.iter().map(|c| (*c, Vec::new())).collect()),
            ..BatchPeek::default()
        };
        let update_chunks: Vec<&[i64]> = update_ids.chunks(ROWS_PER_STATEMENT).collect();
        let chat_chunks: Vec<&[i64]> = chat_ids.chunks(ROWS_PER_STATEMENT).collect();
        for i in 0..update_chunks.len().max(chat_chunks.len()) {
            let mut query = QueryBuilder::<Sqlite>::new("");
            if let Some(chunk) = update_chunks.get(i) {
                query.push(
                    "SELECT 0, update_id, NULL, NULL, NULL, NULL, NULL, NULL \
                     FROM processed_updates WHERE update_id IN (",
                );
                push_ids(&mut query, chunk);
            }
            if let Some(chunk) = chat_chunks.get(i) {
                if update_chunks.get(i).is_some() {
                    query.push(" UNION ALL ");
                }
                query.push(
                    "SELECT 1, chat_id, state, NULL, NULL, schema_version, row_version, \
                     updated_at FROM dialogues WHERE chat_id IN (",
                );
                push_ids(&mut query, chunk);
                query.push(
                    " UNION ALL SELECT 2, chat_id, case_ref, kind, status, created_at, due_at, id \
                     FROM cases WHERE chat_id IN (",
                );
                push_ids(&mut query, chunk);
            }
            // Each chat's cases newest first (created_at, then id), as `cases_of_chat`.
            query.push(" ORDER BY 1, 2, 6 DESC, 8 DESC");
            let rows: Vec<PeekRow> = query.build_query_as().fetch_all(&mut *self.tx).await?;
            for row in rows {
                peek_row(&mut peek, row)?;
            }
        }
        Ok(peek)
    }

    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError> {
        let (new, existing): (Vec<&DialogueWrite>, Vec<&DialogueWrite>) = writes
            .iter()
            .partition(|w| w.expected_row_version.is_none());
        let mut written = 0;
        for chunk in new.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) ",
            );
            query.push_values(chunk, |mut row, w| {
                row.push_bind(w.chat_id)
                    .push_bind(&w.dialogue.state)
                    .push_bind(w.dialogue.schema_version)
                    .push_bind(1_i64)
                    .push_bind(to_millis(w.dialogue.updated_at))
                    .push_bind(w.dialogue.draft_since.map(to_millis))
                    .push_bind(w.dialogue.reminded);
            });
            query.push(" ON CONFLICT (chat_id) DO NOTHING");
            written += query.build().execute(&mut *self.tx).await?.rows_affected();
        }
        for chunk in existing.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "WITH v (chat_id, state, schema_version, updated_at, draft_since, reminded, \
                 expected) AS (",
            );
            query.push_values(chunk, |mut row, w| {
                row.push_bind(w.chat_id)
                    .push_bind(&w.dialogue.state)
                    .push_bind(w.dialogue.schema_version)
                    .push_bind(to_millis(w.dialogue.updated_at))
                    .push_bind(w.dialogue.draft_since.map(to_millis))
                    .push_bind(w.dialogue.reminded)
                    .push_bind(w.expected_row_version);
            });
            query.push(
                ") UPDATE dialogues SET state = v.state, schema_version = v.schema_version, \
                 row_version = dialogues.row_version + 1, updated_at = v.updated_at, \
                 draft_since = v.draft_since, reminded = v.reminded \
                 FROM v WHERE dialogues.chat_id = v.chat_id AND dialogues.row_version = v.expected",
            );
            written += query.build().execute(&mut *self.tx).await?.rows_affected();
        }
        if written == writes.len() as u64 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        for chunk in items.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO outbox (chat_id, payload, not_before, created_at) ",
            );
            query.push_values(chunk, |mut row, item| {
                row.push_bind(item.chat_id)
                    .push_bind(item.payload.to_string())
                    .push_bind(to_millis(item.not_before))
                    .push_bind(to_millis(item.created_at));
            });
            query.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError> {
        for chunk in marks.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO processed_updates (update_id, chat_id, processed_at) ",
            );
            query.push_values(chunk, |mut row, mark| {
                row.push_bind(mark.update_id)
                    .push_bind(mark.chat_id)
                    .push_bind(to_millis(mark.at));
            });
            // Marking twice is harmless: the first record stays.
            query.push(" ON CONFLICT (update_id) DO NOTHING");
            query.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError> {
        if let Some(existing) = self.case_ref_of_draft(&case.draft_id).await? {
            return Ok(InsertOutcome::AlreadyExists(existing));
        }
        if let Some(serial) = &case.serial {
            if let Some(existing) = self.open_case_for_serial(serial).await? {
                return Err(StoreError::SerialTaken(existing));
            }
        }

        let created_at = to_millis(case.created_at);
        let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, attachments, \
             chat_id, locale, status, created_at, updated_at, due_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id",
        )
        .bind(case.case_ref.as_str())
        .bind(&case.draft_id)
        .bind(case.kind.id())
        .bind(&case.brand)
        .bind(&case.serial)
        .bind(case.fields.to_string())
        .bind(case.attachments.to_string())
        .bind(case.chat_id)
        .bind(case.locale.tag())
        .bind(created_at)
        .bind(created_at)
        .bind(to_millis(case.due_at))
        .fetch_one(&mut *self.tx)
        .await;

        let case_id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                // The checks above run under the write lock, so this is only reachable if
                // they were bypassed; classify the violation the same way.
                if let Some(existing) = self.case_ref_of_draft(&case.draft_id).await? {
                    return Ok(InsertOutcome::AlreadyExists(existing));
                }
                if let Some(serial) = &case.serial {
                    if let Some(existing) = self.open_case_for_serial(serial).await? {
                        return Err(StoreError::SerialTaken(existing));
                    }
                }
                // Otherwise the public reference itself collided.
                return Err(StoreError::Database(sqlx::Error::Database(db)));
            }
            Err(e) => return Err(e.into()),
        };

        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             VALUES (?, ?, ?, 'created', ?)",
        )
        .bind(case_id)
        .bind(created_at)
        .bind(format!("merchant:{}", case.chat_id))
        .bind(serde_json::json!({ "kind": case.kind.id(), "brand": case.brand }).to_string())
        .execute(&mut *self.tx)
        .await?;

        Ok(InsertOutcome::Inserted)
    }

    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError> {
        let found: Option<String> = sqlx::query_scalar(concat!(
            "SELECT case_ref FROM cases WHERE serial = ? AND status IN ",
            open_statuses!()
        ))
        .bind(serial)
        .fetch_optional(&mut *self.tx)
        .await?;
        found.map(rows::case_ref).transpose()
    }

    async fn cases_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError> {
        let mut cases: HashMap<i64, Vec<CaseSummary>> =
            chat_ids.iter().map(|c| (*c, Vec::new())).collect();
        for chunk in chat_ids.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT chat_id, case_ref, kind, status, created_at, due_at FROM cases \
                 WHERE chat_id IN (",
            );
            push_ids(&mut query, chunk);
            query.push(" ORDER BY chat_id, created_at DESC, id DESC");
            let rows: Vec<(i64, String, String, String, i64, i64)> =
                query.build_query_as().fetch_all(&mut *self.tx).await?;
            for (chat_id, case_ref, kind, status, created_at, due_at) in rows {
                let summary = case_summary(case_ref, kind, &status, created_at, due_at)?;
                cases.entry(chat_id).or_default().push(summary);
            }
        }
        Ok(cases)
    }

    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError> {
        let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT case_ref, kind, status, created_at, due_at FROM cases \
             WHERE chat_id = ? ORDER BY created_at DESC, id DESC",
        )
        .bind(chat_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|(case_ref, kind, status, created_at, due_at)| {
                case_summary(case_ref, kind, &status, created_at, due_at)
            })
            .collect()
    }

    async fn record_event(&mut self, event: &NewCaseEvent) -> Result<(), StoreError> {
        let written = sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             SELECT id, ?, ?, ?, ? FROM cases WHERE case_ref = ?",
        )
        .bind(to_millis(event.at))
        .bind(&event.actor)
        .bind(&event.action)
        .bind(event.detail.to_string())
        .bind(event.case_ref.as_str())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if written == 0 {
            // No such case.
            return Err(StoreError::Database(sqlx::Error::RowNotFound));
        }
        Ok(())
    }

    async fn enqueue(&mut self, item: &NewOutbox) -> Result<(), StoreError> {
        if let Some(key) = &item.coalesce_key {
            sqlx::query("DELETE FROM outbox WHERE chat_id = ? AND coalesce_key = ?")
                .bind(item.chat_id)
                .bind(key)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO outbox (chat_id, payload, coalesce_key, not_before, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(item.chat_id)
        .bind(item.payload.to_string())
        .bind(&item.coalesce_key)
        .bind(to_millis(item.not_before))
        .bind(to_millis(item.created_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let actor = format!("merchant:{chat_id}");
        let at = to_millis(at);
        sqlx::query("DELETE FROM dialogues WHERE chat_id = ?")
            .bind(chat_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             SELECT id, ?, 'merchant', 'erased', '{}' FROM cases WHERE chat_id = ?",
        )
        .bind(at)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE case_events SET actor = 'merchant' WHERE actor = ? \
             AND case_id IN (SELECT id FROM cases WHERE chat_id = ?)",
        )
        .bind(&actor)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, updated_at = ? \
             WHERE chat_id = ?",
        )
        .bind(at)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE processed_updates SET chat_id = 0 WHERE chat_id = ?")
            .bind(chat_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn last_event(
        &mut self,
        case_ref: &CaseRef,
        action: &str,
    ) -> Result<Option<CaseEvent>, StoreError> {
        let row: Option<EventRow> = sqlx::query_as(
            "SELECT c.case_ref, e.at, e.actor, e.action, e.detail \
             FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE c.case_ref = ? AND e.action = ? ORDER BY e.at DESC, e.id DESC LIMIT 1",
        )
        .bind(case_ref.as_str())
        .bind(action)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(EventRow::into_event).transpose()
    }

    async fn case(&mut self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        let row: Option<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE case_ref = ?"
        ))
        .bind(case_ref.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(CaseRow::into_record).transpose()
    }

    async fn claim_case(
        &mut self,
        case_ref: &CaseRef,
        staff: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        let now_ms = to_millis(now);
        let lease_ms = to_millis(lease_until);

        // The claim itself: only a queued case moves, so of two racing claims (serialized
        // by the write lock) the second finds it in review and falls through.
        let claimed: Option<CaseRow> = sqlx::query_as(concat!(
            "UPDATE cases SET status = 'in_review', claimed_by = ?, lease_until = ?, \
             updated_at = ? WHERE case_ref = ? AND status = 'queued' RETURNING ",
            case_columns!()
        ))
        .bind(staff)
        .bind(lease_ms)
        .bind(now_ms)
        .bind(case_ref.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(row) = claimed {
            let record = row.into_record()?;
            self.record_event(&NewCaseEvent {
                case_ref: record.case_ref.clone(),
                at: now,
                actor: format!("staff:{staff}"),
                action: "claimed".to_string(),
                detail: serde_json::json!({}),
            })
            .await?;
            return Ok(ClaimOutcome::Claimed(record));
        }

        // Pressing "claim" on one's own case renews the lease.
        let renewed: Option<CaseRow> = sqlx::query_as(concat!(
            "UPDATE cases SET lease_until = ?, updated_at = ? \
             WHERE case_ref = ? AND status = 'in_review' AND claimed_by = ? RETURNING ",
            case_columns!()
        ))
        .bind(lease_ms)
        .bind(now_ms)
        .bind(case_ref.as_str())
        .bind(staff)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(row) = renewed {
            return Ok(ClaimOutcome::AlreadyYours(row.into_record()?));
        }

        Ok(match self.claim_state(case_ref).await? {
            None => ClaimOutcome::NotFound,
            Some((CaseStatus::InReview, Some(holder))) => ClaimOutcome::HeldBy(holder),
            Some((status, _)) => ClaimOutcome::NotClaimable(status),
        })
    }

    async fn set_status(
        &mut self,
        change: &StatusChange,
    ) -> Result<Option<CaseRecord>, StoreError> {
        if change.from.is_empty() {
            // No current status is allowed: the condition cannot hold.
            return Ok(None);
        }
        let at = to_millis(change.at);
        let mut query = QueryBuilder::<Sqlite>::new("UPDATE cases SET status = ");
        query
            .push_bind(change.to.as_str())
            .push(", updated_at = ")
            .push_bind(at);
        if change.to.is_decided() {
            query.push(", decided_at = ").push_bind(at);
        }
        match change.claim {
            ClaimUpdate::Keep => {}
            ClaimUpdate::Clear => {
                query.push(", claimed_by = NULL, lease_until = NULL");
            }
            ClaimUpdate::KeepReviewerClearLease => {
                query.push(", lease_until = NULL");
            }
        }
        query
            .push(" WHERE case_ref = ")
            .push_bind(change.case_ref.as_str())
            .push(" AND status IN (");
        let mut statuses = query.separated(", ");
        for status in &change.from {
            statuses.push_bind(status.as_str());
        }
        statuses.push_unseparated(")");
        if let Some(staff) = change.require_claimed_by {
            query.push(" AND claimed_by = ").push_bind(staff);
        }
        if let Some(chat_id) = change.require_chat_id {
            query.push(" AND chat_id = ").push_bind(chat_id);
        }
        query.push(concat!(" RETURNING ", case_columns!()));

        let updated: Option<CaseRow> = query.build_query_as().fetch_optional(&mut *self.tx).await?;
        let Some(row) = updated else {
            return Ok(None);
        };
        let record = row.into_record()?;
        self.record_event(&NewCaseEvent {
            case_ref: record.case_ref.clone(),
            at: change.at,
            actor: change.actor.clone(),
            action: change.action.clone(),
            detail: change.detail.clone(),
        })
        .await?;
        Ok(Some(record))
    }

    async fn add_answer(
        &mut self,
        case_ref: &CaseRef,
        text: Option<&str>,
        files: &[serde_json::Value],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Read, change in Rust, write back: simple statements, and safe because this
        // transaction holds the write lock.
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT fields, attachments FROM cases WHERE case_ref = ?")
                .bind(case_ref.as_str())
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some((fields, attachments)) = row else {
            return Err(StoreError::UnknownCase(case_ref.clone()));
        };
        let owner = format!("case {case_ref}");
        let mut fields = parse_json(&fields, "fields", &owner)?;
        let mut attachments = parse_json(&attachments, "attachments", &owner)?;

        let answers = fields
            .as_object_mut()
            .ok_or_else(|| StoreError::Corrupt(format!("{owner}: fields is not an object")))?
            .entry("answers")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| {
                StoreError::Corrupt(format!("{owner}: fields.answers is not an array"))
            })?;
        answers.push(serde_json::json!({
            "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "text": text,
        }));
        attachments
            .as_array_mut()
            .ok_or_else(|| StoreError::Corrupt(format!("{owner}: attachments is not an array")))?
            .extend(files.iter().cloned());

        sqlx::query(
            "UPDATE cases SET fields = ?, attachments = ?, updated_at = ? WHERE case_ref = ?",
        )
        .bind(fields.to_string())
        .bind(attachments.to_string())
        .bind(to_millis(at))
        .bind(case_ref.as_str())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn expire_leases(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError> {
        let now_ms = to_millis(now);
        // The events first: they need the reviewer the update is about to clear. Both
        // statements select the same rows (index `cases_status_lease`) under the write lock.
        sqlx::query(LEASE_EXPIRED_EVENTS)
            .bind(now_ms)
            .bind(now_ms)
            .execute(&mut *self.tx)
            .await?;
        let rows: Vec<CaseRow> = sqlx::query_as(concat!(
            "UPDATE cases SET status = 'queued', claimed_by = NULL, lease_until = NULL, \
             updated_at = ? WHERE status = 'in_review' AND lease_until <= ? RETURNING ",
            case_columns!()
        ))
        .bind(now_ms)
        .bind(now_ms)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut requeued = rows
            .into_iter()
            .map(CaseRow::into_record)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING rows come in no defined order.
        requeued.sort_by(|a, b| (a.created_at, &a.case_ref).cmp(&(b.created_at, &b.case_ref)));
        Ok(requeued)
    }

    async fn set_staff_card(
        &mut self,
        case_ref: &CaseRef,
        chat_id: i64,
        message_id: i32,
    ) -> Result<(), StoreError> {
        // `WHERE` in the SELECT also keeps SQLite from parsing ON CONFLICT as a join clause.
        let written = sqlx::query(
            "INSERT INTO staff_cards (case_id, chat_id, message_id) \
             SELECT id, ?, ? FROM cases WHERE case_ref = ? \
             ON CONFLICT (case_id) DO UPDATE SET \
             chat_id = excluded.chat_id, message_id = excluded.message_id",
        )
        .bind(chat_id)
        .bind(message_id)
        .bind(case_ref.as_str())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if written == 0 {
            return Err(StoreError::UnknownCase(case_ref.clone()));
        }
        Ok(())
    }

    async fn staff_card(&mut self, case_ref: &CaseRef) -> Result<Option<(i64, i32)>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT s.chat_id, s.message_id FROM staff_cards s \
             JOIN cases c ON c.id = s.case_id WHERE c.case_ref = ?",
        )
        .bind(case_ref.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|(chat_id, message_id)| {
            let message_id = i32::try_from(message_id).map_err(|_| {
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
        sqlx::query(
            "INSERT INTO staff_pending (user_id, case_ref, action, created_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET \
             case_ref = excluded.case_ref, action = excluded.action, \
             created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(case_ref.as_str())
        .bind(action)
        .bind(to_millis(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn take_pending_input(
        &mut self,
        user_id: i64,
    ) -> Result<Option<(CaseRef, String, DateTime<Utc>)>, StoreError> {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "DELETE FROM staff_pending WHERE user_id = ? \
             RETURNING case_ref, action, created_at",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|(case_ref, action, created_at)| {
            Ok((
                rows::case_ref(case_ref)?,
                action,
                from_millis(created_at, "staff pending created_at")?,
            ))
        })
        .transpose()
    }

    async fn claim_job(
        &mut self,
        job: &str,
        period: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO job_runs (job, period, ran_at) VALUES (?, ?, ?) \
             ON CONFLICT (job, period) DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(to_millis(at))
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn drafts_to_remind(
        &mut self,
        idle_since: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(DRAFTS_DUE)
            .bind(to_millis(idle_since))
            .fetch_all(&mut *self.tx)
            .await?)
    }

    async fn erase_decided_before(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError> {
        let cutoff = to_millis(cutoff);
        let at = to_millis(at);
        let erased: Vec<String> = sqlx::query_scalar(ERASABLE_REFS)
            .bind(cutoff)
            .fetch_all(&mut *self.tx)
            .await?;
        let erased = erased
            .into_iter()
            .map(rows::case_ref)
            .collect::<Result<Vec<_>, _>>()?;
        if erased.is_empty() {
            return Ok(erased);
        }

        // The audit trail first, while the cases still match: the merchant's chat id leaves
        // the actor, and each detail keeps only a reason code and a staff id (plain values),
        // so no typed text (notes, questions, "other" reasons) survives.
        sqlx::query(concat!(
            "UPDATE case_events SET \
             actor = CASE WHEN actor LIKE 'merchant:%' THEN 'merchant' ELSE actor END, \
             detail = (SELECT json_group_object(key, value) FROM json_each(case_events.detail) \
                       WHERE key IN ('reason', 'staff') AND type IN ('text', 'integer', 'real')) \
             WHERE case_id IN (SELECT id FROM cases WHERE ",
            erasable!(),
            ")"
        ))
        .bind(cutoff)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(concat!(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             SELECT id, ?, 'system', 'erased', '{}' FROM cases WHERE ",
            erasable!()
        ))
        .bind(at)
        .bind(cutoff)
        .execute(&mut *self.tx)
        .await?;
        // Last, since marking them erased takes them out of `erasable!()`.
        sqlx::query(concat!(
            "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, \
             erased_at = ?, updated_at = ? WHERE ",
            erasable!()
        ))
        .bind(at)
        .bind(at)
        .bind(cutoff)
        .execute(&mut *self.tx)
        .await?;
        Ok(erased)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

#[derive(FromRow)]
struct CaseRow {
    case_ref: String,
    draft_id: String,
    kind: String,
    brand: String,
    serial: Option<String>,
    fields: String,
    attachments: String,
    chat_id: i64,
    locale: String,
    status: String,
    claimed_by: Option<i64>,
    lease_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
    due_at: i64,
    decided_at: Option<i64>,
}

impl CaseRow {
    fn into_record(self) -> Result<CaseRecord, StoreError> {
        let optional = |ms: Option<i64>, what| ms.map(|ms| from_millis(ms, what)).transpose();
        let case_ref = rows::case_ref(self.case_ref)?;
        let owner = format!("case {case_ref}");
        Ok(CaseRecord {
            fields: parse_json(&self.fields, "fields", &owner)?,
            attachments: parse_json(&self.attachments, "attachments", &owner)?,
            status: rows::case_status(&self.status, &case_ref)?,
            kind: rows::case_kind(&self.kind, &case_ref)?,
            locale: rows::locale(&self.locale, &case_ref)?,
            lease_until: optional(self.lease_until, "case lease_until")?,
            created_at: from_millis(self.created_at, "case created_at")?,
            updated_at: from_millis(self.updated_at, "case updated_at")?,
            due_at: from_millis(self.due_at, "case due_at")?,
            decided_at: optional(self.decided_at, "case decided_at")?,
            case_ref,
            draft_id: self.draft_id,
            brand: self.brand,
            serial: self.serial,
            chat_id: self.chat_id,
            claimed_by: self.claimed_by,
        })
    }
}

#[derive(FromRow)]
struct EventRow {
    case_ref: String,
    at: i64,
    actor: String,
    action: String,
    detail: String,
}

impl EventRow {
    fn into_event(self) -> Result<CaseEvent, StoreError> {
        let case_ref = rows::case_ref(self.case_ref)?;
        Ok(CaseEvent {
            at: from_millis(self.at, "case event at")?,
            detail: parse_json(&self.detail, "event detail", &format!("case {case_ref}"))?,
            case_ref,
            actor: self.actor,
            action: self.action,
        })
    }
}

/// The stored form of an instant: Unix milliseconds (sub-millisecond precision is dropped).
fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64, what: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} is out of range")))
}

/// Parse a stored JSON column. The error names the column and position only: serde's own
/// message may quote the stored text, which can be personal data.
fn parse_json(text: &str, what: &str, owner: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Corrupt(format!(
            "{owner}: {what} is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// Bind `ids` as the list of an `IN (` already pushed, and close it.
fn push_ids(query: &mut QueryBuilder<'_, Sqlite>, ids: &[i64]) {
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(")");
}

/// A row of the batch peek: (part, id, text, text, text, integer, integer, integer).
type PeekRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// File one row of the batch peek (see `peek_batch`).
fn peek_row(peek: &mut BatchPeek, row: PeekRow) -> Result<(), StoreError> {
    let missing = || StoreError::Corrupt("a batch peek row has a NULL column".into());
    match row {
        (0, update_id, ..) => {
            peek.processed.insert(update_id);
        }
        (1, chat_id, Some(state), _, _, Some(schema_version), Some(row_version), Some(updated)) => {
            let schema_version = i32::try_from(schema_version).map_err(|_| {
                StoreError::Corrupt("dialogue schema_version is out of range".into())
            })?;
            let dialogue = StoredDialogue {
                state,
                schema_version,
                row_version,
                updated_at: from_millis(updated, "dialogue updated_at")?,
            };
            peek.dialogues.insert(chat_id, dialogue);
        }
        (2, chat_id, Some(case_ref), Some(kind), Some(status), Some(created), Some(due), _) => {
            let summary = case_summary(case_ref, kind, &status, created, due)?;
            if let Some(cases) = &mut peek.cases {
                cases.entry(chat_id).or_default().push(summary);
            }
        }
        _ => return Err(missing()),
    }
    Ok(())
}

/// A [`CaseSummary`] from its columns.
fn case_summary(
    case_ref: String,
    kind: String,
    status: &str,
    created_at: i64,
    due_at: i64,
) -> Result<CaseSummary, StoreError> {
    let case_ref = rows::case_ref(case_ref)?;
    Ok(CaseSummary {
        status: rows::case_status(status, &case_ref)?,
        kind: rows::case_kind(&kind, &case_ref)?,
        created_at: from_millis(created_at, "case created_at")?,
        due_at: from_millis(due_at, "case due_at")?,
        case_ref,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_timeout_is_taken_out_of_the_url() {
        let (url, t) = take_busy_timeout("sqlite://a.db").unwrap();
        assert_eq!((url.as_str(), t), ("sqlite://a.db", BUSY_TIMEOUT));
        let (url, t) = take_busy_timeout("sqlite://a.db?busy_timeout=250").unwrap();
        assert_eq!(
            (url.as_str(), t),
            ("sqlite://a.db", Duration::from_millis(250))
        );
        let (url, t) =
            take_busy_timeout("sqlite:a.db?mode=rwc&busy_timeout=0&cache=private").unwrap();
        assert_eq!(url, "sqlite:a.db?mode=rwc&cache=private");
        assert_eq!(t, Duration::ZERO);
        assert!(take_busy_timeout("sqlite://a.db?busy_timeout=soon").is_err());
    }

    #[test]
    fn open_status_list_matches_the_model() {
        let open: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(open_statuses!(), format!("({})", open.join(", ")));
    }

    #[test]
    fn decided_status_list_matches_the_model() {
        let decided: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_decided())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(decided_statuses!(), format!("({})", decided.join(", ")));
    }

    /// The periodic and staff queries walk an index, never the whole `cases` table (which
    /// only grows). Checked on the SQLite that ships with the binary.
    #[tokio::test]
    async fn review_queries_use_their_indexes() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        for (sql, index) in [
            (DECIDED_SINCE, "cases_decided"),
            (REVIEWED_SINCE, "cases_decided"),
            (REVIEWED_MIDDLE, "cases_decided"),
            (CLAIMED_BY, "cases_claimed_created"),
            (LEASE_EXPIRED_EVENTS, "cases_status_lease"),
            (DRAFTS_DUE, "dialogues_draft_due"),
            (ERASABLE_REFS, "cases_to_erase"),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
            for _ in 0..sql.matches('?').count() {
                query = query.bind(0_i64);
            }
            let plan: Vec<String> = query
                .fetch_all(store.pool())
                .await
                .unwrap()
                .into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{sql}: {plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN")),
                "{sql}: {plan:?}"
            );
        }
        store.close().await;
    }

    #[test]
    fn median_of_the_middle_values() {
        assert_eq!(QueueStats::median_secs(&[]), None);
        assert_eq!(QueueStats::median_secs(&[90_500]), Some(90));
        assert_eq!(QueueStats::median_secs(&[60_000, 120_000]), Some(90));
        assert_eq!(QueueStats::median_secs(&[1_000, 2_000]), Some(1));
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_memory_url("sqlite::memory:"));
        assert!(is_memory_url("sqlite://:memory:"));
        assert!(is_memory_url("sqlite://file:x?mode=memory&cache=shared"));
        assert!(!is_memory_url("sqlite://posdesk.db"));
        assert!(!is_memory_url("sqlite:data/posdesk.db?mode=rwc"));
    }

    #[test]
    fn millis_round_trip() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        assert_eq!(from_millis(to_millis(at), "t").unwrap(), at);
        assert!(from_millis(i64::MAX, "t").is_err());
    }

    #[test]
    fn corrupt_json_error_does_not_quote_the_data() {
        let err =
            parse_json("{\"phone\": 13800138000 oops", "fields", "case UB-TEST01").unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("UB-TEST01"), "{shown}");
        assert!(!shown.contains("13800138000"), "{shown}");
        assert!(!shown.contains("oops"), "{shown}");
    }
}
