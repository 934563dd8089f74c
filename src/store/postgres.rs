//! The PostgreSQL backend, for operators who run several bot instances on one database.
//!
//! It behaves like the SQLite reference ([`super::sqlite`]) method by method; the tests in
//! `tests/support/store_cases.rs` run unchanged on both. Where PostgreSQL's concurrency
//! differs from SQLite's single writer, the differences are handled here:
//!
//! - A [`Tx`] is a READ COMMITTED transaction, not a database-wide write lock. Each
//!   read-then-write is therefore protected on its own: `load_dialogue` takes a
//!   transaction-scoped advisory lock per chat (updates of one chat are serialised across
//!   instances, DESIGN.md "Reliability"), case rows are locked (`FOR UPDATE`) before they
//!   are changed from what was read, and conditional `UPDATE`s re-check their condition
//!   on the latest committed row.
//! - Instants are `timestamptz`, truncated to whole milliseconds on write as on SQLite, so
//!   both backends return the same values. JSON columns are `jsonb`, except the dialogue
//!   state, which is `json`: it is kept as the exact text the core wrote.
//! - Unique violations caused by another instance (the same update, draft or serial
//!   applied concurrently) are reported as the same [`StoreError`]s the SQLite backend
//!   gives, or as [`StoreError::Conflict`] when the retried transaction will see the winner.
//! - Waits for row and advisory locks give up after [`LOCK_TIMEOUT`] (SQLite's busy
//!   timeout), with SQLSTATE 55P03, which [`StoreError::is_retryable`] accepts.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, Executor, FromRow, Postgres, QueryBuilder, Transaction};

use super::{
    rows, BatchPeek, CaseEvent, CaseFilter, CaseSummary, ChatPeek, ClaimOutcome, DialogueWrite,
    InsertOutcome, NewCase, NewCaseEvent, NewDialogue, NewOutbox, OutboxItem, ProcessedMark,
    QueueStats, Store, StoreError, StoredDialogue, Tx,
};
use crate::domain::{CaseRecord, CaseRef, CaseStatus, ClaimUpdate, StatusChange};

/// The embedded migrations (`migrations/postgres/*.sql`).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections in the pool unless [`PgOptions::max_connections`] says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 10;

/// How long a statement waits for a row or advisory lock before failing with a retryable
/// error: the counterpart of SQLite's busy timeout, so that a stuck instance delays the
/// others by seconds, not forever.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a transaction waits for a connection (a free one from the pool, or a new one)
/// before failing with [`sqlx::Error::PoolTimedOut`], which counts as the database being
/// unavailable. sqlx keeps retrying a refused connection until then; its default of 30 s
/// would leave a merchant waiting that long before hearing that we are busy.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The first key of the advisory locks that serialise the updates of one chat. The
/// two-key form keeps them apart from single-key advisory locks (sqlx takes one while
/// migrating) and from other applications' keys on a shared database.
const CHAT_LOCK_CLASS: i32 = 0x706f_7364; // "posd"

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

/// The columns read into [`CaseRow`].
macro_rules! case_columns {
    () => {
        "id, case_ref, draft_id, kind, brand, serial, fields, attachments, chat_id, locale, \
         status, claimed_by, lease_until, created_at, updated_at, due_at, decided_at"
    };
}

/// Cases decided in a window (index `cases_decided`); bind: since.
const DECIDED_SINCE: &str = concat!(
    "SELECT COUNT(*) FROM cases WHERE decided_at >= $1 AND status IN ",
    decided_statuses!()
);

/// Cases approved or rejected in a window (index `cases_decided`); bind: since.
const REVIEWED_SINCE: &str = "SELECT COUNT(*) FROM cases \
     WHERE decided_at >= $1 AND status IN ('approved', 'rejected')";

/// The middle decision durations (milliseconds) of [`REVIEWED_SINCE`]; binds: since,
/// limit, offset. Stored instants are whole milliseconds, so the durations are exact.
const REVIEWED_MIDDLE: &str = "SELECT \
     (EXTRACT(EPOCH FROM decided_at - created_at) * 1000)::bigint AS took FROM cases \
     WHERE decided_at >= $1 AND status IN ('approved', 'rejected') \
     ORDER BY took LIMIT $2 OFFSET $3";

/// A reviewer's cases, oldest first (index `cases_claimed_created`); bind: staff.
const CLAIMED_BY: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases WHERE claimed_by = $1 AND status IN ('in_review', 'waiting_merchant') \
     ORDER BY created_at, id"
);

/// Requeue the in-review cases whose lease ran out and write their `lease_expired` events,
/// in one statement; binds: now (already truncated), the same instant as the bound.
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

/// Idle drafts not reminded yet (partial index `dialogues_draft_due`); bind: idle since.
const DRAFTS_DUE: &str = "SELECT chat_id FROM dialogues \
     WHERE draft_since <= $1 AND NOT reminded ORDER BY draft_since, chat_id";

/// The cases retention is about to erase, locked so that a concurrent run waits and then
/// skips them (its `erased_at IS NULL` no longer holds); bind: cutoff.
const ERASABLE: &str = concat!(
    "SELECT id, case_ref FROM cases WHERE decided_at < $1 AND erased_at IS NULL \
     AND status IN ",
    decided_statuses!(),
    " ORDER BY decided_at, id FOR UPDATE"
);

/// How to connect: which schema, how many connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Use (and create if missing) this schema instead of the connection's default search
    /// path. Each test runs in a fresh schema of its own; operators can keep posdesk apart
    /// from other applications in one database.
    pub schema: Option<String>,
    /// The most connections the pool opens (at least 1).
    pub max_connections: u32,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            schema: None,
            max_connections: DEFAULT_POOL_SIZE,
        }
    }
}

/// posdesk's state in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The connection holding the outbox sender lock, while this instance holds it.
    sender_lock: Arc<tokio::sync::Mutex<Option<sqlx::PgConnection>>>,
}

impl PgStore {
    /// Connect to `url` (`postgres://…` or `postgresql://…`) and apply the migrations.
    /// Several instances may start at once: sqlx holds a PostgreSQL advisory lock while it
    /// migrates, so each migration is applied exactly once.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, &PgOptions::default()).await
    }

    /// Like [`PgStore::open`], in `schema` (created if missing): every pooled connection
    /// gets `search_path` set to it, so the tables, and sqlx's migration table, live there.
    pub async fn open_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::open_with(
            url,
            &PgOptions {
                schema: Some(schema.to_string()),
                ..PgOptions::default()
            },
        )
        .await
    }

    /// Connect with explicit [`PgOptions`] and apply the migrations.
    pub async fn open_with(url: &str, options: &PgOptions) -> Result<Self, StoreError> {
        let connect = PgConnectOptions::from_str(url)?;
        let set_search_path = options
            .schema
            .as_deref()
            .map(|schema| format!("SET search_path TO {}", quote_ident(schema)));

        // Migrate on a connection of its own, without the lock timeout: instances that
        // start together wait for sqlx's migration lock as long as the first one needs.
        // Notices ("_sqlx_migrations already exists, skipping" on every start) are not
        // worth a log line.
        let migration_pool = pool_options(1, set_search_path.clone())
            .connect_with(
                connect
                    .clone()
                    .options([("client_min_messages", "warning")]),
            )
            .await?;
        if let Some(schema) = &options.schema {
            create_schema(&migration_pool, schema).await?;
        }
        let migrated = MIGRATOR.run(&migration_pool).await;
        migration_pool.close().await;
        migrated?;

        let lock_timeout = format!("{}ms", LOCK_TIMEOUT.as_millis());
        let connect = connect.options([("lock_timeout", lock_timeout.as_str())]);
        let pool = pool_options(options.max_connections.max(1), set_search_path)
            .connect_with(connect)
            .await?;
        Ok(Self {
            pool,
            sender_lock: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// The underlying connection pool (for operator tooling and tests).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Pool settings; with a schema, every new connection first sets its `search_path`.
fn pool_options(max_connections: u32, set_search_path: Option<String>) -> PgPoolOptions {
    let options = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    match set_search_path {
        None => options,
        Some(set) => options.after_connect(move |conn, _meta| {
            let set = set.clone();
            Box::pin(async move {
                conn.execute(set.as_str()).await?;
                Ok(())
            })
        }),
    }
}

/// `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: two sessions creating the same
/// schema at once can both pass the "exists" test, and the loser fails on the catalog's
/// unique index. That loser has what it wanted, so both outcomes are success.
async fn create_schema(pool: &PgPool, schema: &str) -> Result<(), StoreError> {
    let sql = format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema));
    match pool.execute(sql.as_str()).await {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db))
            if db.is_unique_violation() || db.code().as_deref() == Some("42P06") =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// An SQL identifier, quoted (schema names come from configuration, not from SQL).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let tx = self.pool.begin().await?;
        Ok(Box::new(PgTx {
            tx,
            known_processed: HashSet::new(),
        }))
    }

    async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let mut query =
            QueryBuilder::<Postgres>::new(concat!("SELECT ", case_columns!(), " FROM cases"));
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
                .push_bind(ms(at));
        }
        query.push(" ORDER BY created_at DESC, id DESC");
        if let Some(limit) = filter.limit {
            // PostgreSQL refuses a negative LIMIT; a negative request means none.
            query.push(" LIMIT ").push_bind(limit.max(0));
        }
        let rows: Vec<CaseRow> = query.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(CaseRow::into_record).collect()
    }

    async fn get_case(&self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        let row: Option<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE case_ref = $1"
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
             WHERE c.case_ref = $1 ORDER BY e.at, e.id",
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
        let rows: Vec<(i64, i64, serde_json::Value, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, chat_id, payload, attempts, not_before FROM outbox \
             WHERE not_before <= $1 ORDER BY id LIMIT $2",
        )
        .bind(ms(now))
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, chat_id, payload, attempts, not_before)| OutboxItem {
                id,
                chat_id,
                payload,
                attempts,
                not_before,
            })
            .collect())
    }

    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(sqlx::query_scalar("SELECT MIN(not_before) FROM outbox")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn outbox_done(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query("DELETE FROM outbox WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, not_before = $1 WHERE id = $2")
            .bind(ms(not_before))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn queue(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let rows: Vec<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE status IN ",
            open_statuses!(),
            " ORDER BY created_at, id LIMIT $1"
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
        // One snapshot for all the numbers (READ COMMITTED would take one per statement);
        // a read-only snapshot never waits for writers nor makes them wait.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let since = ms(decided_since);

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

        // The same median as the SQLite backend: the one or two middle values, averaged in
        // integer milliseconds, in whole seconds rounded down.
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

    async fn acquire_sender_lock(&self) -> Result<bool, StoreError> {
        let mut held = self.sender_lock.lock().await;
        if let Some(conn) = held.as_mut() {
            if sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok() {
                return Ok(true);
            }
            // The connection died, and the lock with it: try to take it again.
            *held = None;
        }
        // A connection of its own, detached from the pool, so the session lock lives as
        // long as this process holds it. The key is per schema: instances share it only
        // when they share the tables.
        let mut conn = self.pool.acquire().await?.detach();
        let granted: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext('posdesk-outbox-sender:' || current_schema()))",
        )
        .fetch_one(&mut conn)
        .await?;
        if granted {
            *held = Some(conn);
        } else {
            let _ = conn.close().await;
        }
        Ok(granted)
    }

    async fn peek_chat(
        &self,
        chat_id: i64,
        update_id: Option<i64>,
    ) -> Result<ChatPeek, StoreError> {
        type Row = (
            bool,
            Option<String>,
            Option<i32>,
            Option<i64>,
            Option<DateTime<Utc>>,
        );
        let (processed, state, schema_version, row_version, updated_at): Row = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = $1), \
             d.state::text, d.schema_version, d.row_version, d.updated_at \
             FROM (SELECT 1) AS one LEFT JOIN dialogues d ON d.chat_id = $2",
        )
        .bind(update_id)
        .bind(chat_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(ChatPeek::from_columns(
            processed,
            state,
            schema_version,
            row_version,
            updated_at,
        ))
    }

    async fn close(&self) {
        if let Some(conn) = self.sender_lock.lock().await.take() {
            let _ = conn.close().await;
        }
        self.pool.close().await;
    }
}

/// One READ COMMITTED transaction. Dropping it without commit rolls back (sqlx queues the
/// `ROLLBACK` on the connection before it is reused).
struct PgTx {
    tx: Transaction<'static, Postgres>,
    /// Update ids this transaction marked processed, or saw processed with
    /// [`Tx::is_processed`]. Marking one of them again is harmless, as on SQLite; any other
    /// id found already recorded was applied by another transaction since this one looked,
    /// which is a lost race: [`StoreError::Conflict`].
    known_processed: HashSet<i64>,
}

impl PgTx {
    async fn case_ref_of_draft(&mut self, draft_id: &str) -> Result<Option<CaseRef>, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT case_ref FROM cases WHERE draft_id = $1")
                .bind(draft_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        found.map(rows::case_ref).transpose()
    }

    async fn insert_event(
        &mut self,
        case_id: i64,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(ms(at))
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The id, status and reviewer of a case, with its row locked by this transaction.
    /// `skip_locked`: return `None` at once when another transaction holds the lock.
    async fn lock_case(
        &mut self,
        case_ref: &CaseRef,
        skip_locked: bool,
    ) -> Result<Option<(i64, CaseStatus, Option<i64>)>, StoreError> {
        let sql = if skip_locked {
            "SELECT id, status, claimed_by FROM cases WHERE case_ref = $1 \
             FOR UPDATE SKIP LOCKED"
        } else {
            "SELECT id, status, claimed_by FROM cases WHERE case_ref = $1 \
             FOR UPDATE"
        };
        let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(sql)
            .bind(case_ref.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|(id, status, claimed_by)| {
            Ok((id, rows::case_status(&status, case_ref)?, claimed_by))
        })
        .transpose()
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError> {
        let found: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM processed_updates WHERE update_id = $1")
                .bind(update_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        if found.is_some() {
            self.known_processed.insert(update_id);
        }
        Ok(found.is_some())
    }

    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.known_processed.contains(&update_id) {
            // Marking twice is harmless: the first record stays.
            return Ok(());
        }
        // The insert waits for a concurrent transaction holding the same id. Its row, once
        // committed, is the unique violation of another instance applying this update too:
        // reported as a conflict (the transaction stays usable, and the caller's retry sees
        // the update processed).
        let inserted = sqlx::query(
            "INSERT INTO processed_updates (update_id, chat_id, processed_at) \
             VALUES ($1, $2, $3) ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(chat_id)
        .bind(ms(at))
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict);
        }
        self.known_processed.insert(update_id);
        Ok(())
    }

    async fn lock_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        // Held until this transaction ends; taking it twice in one transaction is harmless.
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(CHAT_LOCK_CLASS)
            .bind(chat_lock_key(chat_id))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError> {
        // A statement of its own: READ COMMITTED takes a statement's snapshot when it
        // starts, so the read below must start after the lock is granted to see what the
        // previous holder committed.
        self.lock_chat(chat_id).await?;
        let row: Option<(String, i32, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT state::text, schema_version, row_version, updated_at FROM dialogues \
             WHERE chat_id = $1",
        )
        .bind(chat_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(
            |(state, schema_version, row_version, updated_at)| StoredDialogue {
                state,
                schema_version,
                row_version,
                updated_at,
            },
        ))
    }

    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError> {
        // The row version check stays even under the chat lock: it also guards writers that
        // saved without loading, and it is the whole guard on the SQLite backend.
        let written = match expected_row_version {
            None => sqlx::query(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) \
                 VALUES ($1, $2::json, $3, 1, $4, $5, $6) ON CONFLICT (chat_id) DO NOTHING",
            )
            .bind(chat_id)
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(ms(dialogue.updated_at))
            .bind(dialogue.draft_since.map(ms))
            .bind(dialogue.reminded)
            .execute(&mut *self.tx)
            .await?
            .rows_affected(),
            Some(expected) => sqlx::query(
                "UPDATE dialogues SET state = $1::json, schema_version = $2, \
                 row_version = row_version + 1, updated_at = $3, draft_since = $4, \
                 reminded = $5 WHERE chat_id = $6 AND row_version = $7",
            )
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(ms(dialogue.updated_at))
            .bind(dialogue.draft_since.map(ms))
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
        sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
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
        // Every transaction that takes several chat locks takes them in ascending key order.
        let mut keys: Vec<i32> = chat_ids.iter().map(|c| chat_lock_key(*c)).collect();
        keys.sort_unstable();
        keys.dedup();
        // Volatile functions in the select list run after the sort, so in this order.
        sqlx::query(
            "SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int4[]) WITH ORDINALITY \
             AS t (k, n) ORDER BY n",
        )
        .bind(CHAT_LOCK_CLASS)
        .bind(&keys)
        .execute(&mut *self.tx)
        .await?;
        // Statements of their own, after the locks (see `load_dialogue`).
        let processed: Vec<i64> =
            sqlx::query_scalar("SELECT update_id FROM processed_updates WHERE update_id = ANY($1)")
                .bind(update_ids)
                .fetch_all(&mut *self.tx)
                .await?;
        self.known_processed.extend(&processed);
        let rows: Vec<(i64, String, i32, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT chat_id, state::text, schema_version, row_version, updated_at \
             FROM dialogues WHERE chat_id = ANY($1)",
        )
        .bind(chat_ids)
        .fetch_all(&mut *self.tx)
        .await?;
        let dialogues = rows
            .into_iter()
            .map(
                |(chat_id, state, schema_version, row_version, updated_at)| {
                    let dialogue = StoredDialogue {
                        state,
                        schema_version,
                        row_version,
                        updated_at,
                    };
                    (chat_id, dialogue)
                },
            )
            .collect();
        Ok(BatchPeek {
            processed: processed.into_iter().collect(),
            dialogues,
            cases: None,
        })
    }

    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError> {
        let (new, existing): (Vec<&DialogueWrite>, Vec<&DialogueWrite>) = writes
            .iter()
            .partition(|w| w.expected_row_version.is_none());
        let mut written = 0;
        if !new.is_empty() {
            let c = DialogueColumns::of(&new);
            let insert = sqlx::query(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) \
                 SELECT chat_id, state::json, schema_version, 1, updated_at, draft_since, reminded \
                 FROM unnest($1::int8[], $2::text[], $3::int4[], $4::timestamptz[], \
                 $5::timestamptz[], $6::bool[]) \
                 AS v (chat_id, state, schema_version, updated_at, draft_since, reminded) \
                 ON CONFLICT (chat_id) DO NOTHING",
            );
            written += c
                .bind_to(insert)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        }
        if !existing.is_empty() {
            let c = DialogueColumns::of(&existing);
            let expected: Vec<Option<i64>> =
                existing.iter().map(|w| w.expected_row_version).collect();
            let update = sqlx::query(
                "UPDATE dialogues AS d SET state = v.state::json, \
                 schema_version = v.schema_version, row_version = d.row_version + 1, \
                 updated_at = v.updated_at, draft_since = v.draft_since, reminded = v.reminded \
                 FROM unnest($1::int8[], $2::text[], $3::int4[], $4::timestamptz[], \
                 $5::timestamptz[], $6::bool[], $7::int8[]) \
                 AS v (chat_id, state, schema_version, updated_at, draft_since, reminded, expected) \
                 WHERE d.chat_id = v.chat_id AND d.row_version = v.expected",
            );
            written += c
                .bind_to(update)
                .bind(&expected)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        }
        if written == writes.len() as u64 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        let chat_id: Vec<i64> = items.iter().map(|i| i.chat_id).collect();
        let payload: Vec<String> = items.iter().map(|i| i.payload.to_string()).collect();
        let not_before: Vec<DateTime<Utc>> = items.iter().map(|i| ms(i.not_before)).collect();
        let created_at: Vec<DateTime<Utc>> = items.iter().map(|i| ms(i.created_at)).collect();
        // Ordered by position, so that ids ascend in the order given.
        sqlx::query(
            "INSERT INTO outbox (chat_id, payload, not_before, created_at) \
             SELECT chat_id, payload::jsonb, not_before, created_at \
             FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::timestamptz[]) \
             WITH ORDINALITY AS v (chat_id, payload, not_before, created_at, n) ORDER BY n",
        )
        .bind(&chat_id)
        .bind(&payload)
        .bind(&not_before)
        .bind(&created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError> {
        // As `mark_processed`: ids this transaction knows are skipped; any other found
        // recorded was applied by another transaction meanwhile, a lost race.
        let mut seen = HashSet::new();
        let fresh: Vec<&ProcessedMark> = marks
            .iter()
            .filter(|m| !self.known_processed.contains(&m.update_id) && seen.insert(m.update_id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let update_id: Vec<i64> = fresh.iter().map(|m| m.update_id).collect();
        let chat_id: Vec<i64> = fresh.iter().map(|m| m.chat_id).collect();
        let at: Vec<DateTime<Utc>> = fresh.iter().map(|m| ms(m.at)).collect();
        let inserted = sqlx::query(
            "INSERT INTO processed_updates (update_id, chat_id, processed_at) \
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::timestamptz[]) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(&update_id)
        .bind(&chat_id)
        .bind(&at)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if inserted != update_id.len() as u64 {
            return Err(StoreError::Conflict);
        }
        self.known_processed.extend(update_id);
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

        let created_at = ms(case.created_at);
        // In a savepoint: a unique violation aborts the statement's (sub)transaction, and
        // the transaction must stay usable to find and report the case that won.
        let mut savepoint = Connection::begin(&mut *self.tx).await?;
        let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, attachments, \
             chat_id, locale, status, created_at, updated_at, due_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10, $11) RETURNING id",
        )
        .bind(case.case_ref.as_str())
        .bind(&case.draft_id)
        .bind(case.kind.id())
        .bind(&case.brand)
        .bind(&case.serial)
        .bind(&case.fields)
        .bind(&case.attachments)
        .bind(case.chat_id)
        .bind(case.locale.tag())
        .bind(created_at)
        .bind(ms(case.due_at))
        .fetch_one(&mut *savepoint)
        .await;

        let case_id = match inserted {
            Ok(id) => {
                savepoint.commit().await?;
                id
            }
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                savepoint.rollback().await?;
                // The checks above ran before another transaction committed the same draft
                // or an open case for the same serial (the insert waited for it). Report
                // the winner as SQLite would have.
                if db.constraint() == Some("cases_case_ref_key") {
                    // The public reference itself collided.
                    return Err(StoreError::Database(sqlx::Error::Database(db)));
                }
                if let Some(existing) = self.case_ref_of_draft(&case.draft_id).await? {
                    return Ok(InsertOutcome::AlreadyExists(existing));
                }
                if let Some(serial) = &case.serial {
                    if let Some(existing) = self.open_case_for_serial(serial).await? {
                        return Err(StoreError::SerialTaken(existing));
                    }
                }
                // The winner changed again since (its case was decided): a retry inserts.
                return Err(StoreError::Conflict);
            }
            Err(e) => return Err(e.into()),
        };

        self.insert_event(
            case_id,
            case.created_at,
            &format!("merchant:{}", case.chat_id),
            "created",
            &serde_json::json!({ "kind": case.kind.id(), "brand": case.brand }),
        )
        .await?;

        Ok(InsertOutcome::Inserted)
    }

    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError> {
        let found: Option<String> = sqlx::query_scalar(concat!(
            "SELECT case_ref FROM cases WHERE serial = $1 AND status IN ",
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
        let rows: Vec<(i64, String, String, String, DateTime<Utc>, DateTime<Utc>)> =
            sqlx::query_as(
                "SELECT chat_id, case_ref, kind, status, created_at, due_at FROM cases \
                 WHERE chat_id = ANY($1) ORDER BY chat_id, created_at DESC, id DESC",
            )
            .bind(chat_ids)
            .fetch_all(&mut *self.tx)
            .await?;
        let mut cases: HashMap<i64, Vec<CaseSummary>> =
            chat_ids.iter().map(|c| (*c, Vec::new())).collect();
        for (chat_id, case_ref, kind, status, created_at, due_at) in rows {
            let summary = case_summary(case_ref, kind, &status, created_at, due_at)?;
            cases.entry(chat_id).or_default().push(summary);
        }
        Ok(cases)
    }

    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError> {
        let rows: Vec<(String, String, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT case_ref, kind, status, created_at, due_at FROM cases \
             WHERE chat_id = $1 ORDER BY created_at DESC, id DESC",
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
             SELECT id, $1, $2, $3, $4 FROM cases WHERE case_ref = $5",
        )
        .bind(ms(event.at))
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.detail)
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
            sqlx::query("DELETE FROM outbox WHERE chat_id = $1 AND coalesce_key = $2")
                .bind(item.chat_id)
                .bind(key)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO outbox (chat_id, payload, coalesce_key, not_before, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(item.chat_id)
        .bind(&item.payload)
        .bind(&item.coalesce_key)
        .bind(ms(item.not_before))
        .bind(ms(item.created_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let actor = format!("merchant:{chat_id}");
        let at = ms(at);
        sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
            .bind(chat_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             SELECT id, $1, 'merchant', 'erased', '{}' FROM cases WHERE chat_id = $2",
        )
        .bind(at)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE case_events SET actor = 'merchant' WHERE actor = $1 \
             AND case_id IN (SELECT id FROM cases WHERE chat_id = $2)",
        )
        .bind(&actor)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, updated_at = $1 \
             WHERE chat_id = $2",
        )
        .bind(at)
        .bind(chat_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE processed_updates SET chat_id = 0 WHERE chat_id = $1")
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
             WHERE c.case_ref = $1 AND e.action = $2 ORDER BY e.at DESC, e.id DESC LIMIT 1",
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
            " FROM cases WHERE case_ref = $1"
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
        // Lock the case row. An unlocked row is ours at once; a locked one (another
        // reviewer claiming it, a decision, a lease expiry in flight) is skipped, and then
        // waited for: the outcome must name the holder that transaction leaves, so the
        // second reviewer pressing "claim" is told who won, exactly as on SQLite.
        let locked = match self.lock_case(case_ref, true).await? {
            Some(row) => Some(row),
            None => self.lock_case(case_ref, false).await?,
        };
        let Some((id, status, claimed_by)) = locked else {
            return Ok(ClaimOutcome::NotFound);
        };

        // The row is locked until this transaction ends: what was read is what is written.
        match (status, claimed_by) {
            (CaseStatus::Queued, _) => {
                let row: CaseRow = sqlx::query_as(concat!(
                    "UPDATE cases SET status = 'in_review', claimed_by = $1, lease_until = $2, \
                     updated_at = $3 WHERE id = $4 RETURNING ",
                    case_columns!()
                ))
                .bind(staff)
                .bind(ms(lease_until))
                .bind(ms(now))
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?;
                let record = row.into_record()?;
                self.insert_event(
                    id,
                    now,
                    &format!("staff:{staff}"),
                    "claimed",
                    &serde_json::json!({}),
                )
                .await?;
                Ok(ClaimOutcome::Claimed(record))
            }
            (CaseStatus::InReview, Some(holder)) if holder == staff => {
                // Pressing "claim" on one's own case renews the lease.
                let row: CaseRow = sqlx::query_as(concat!(
                    "UPDATE cases SET lease_until = $1, updated_at = $2 WHERE id = $3 \
                     RETURNING ",
                    case_columns!()
                ))
                .bind(ms(lease_until))
                .bind(ms(now))
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(ClaimOutcome::AlreadyYours(row.into_record()?))
            }
            (CaseStatus::InReview, Some(holder)) => Ok(ClaimOutcome::HeldBy(holder)),
            (status, _) => Ok(ClaimOutcome::NotClaimable(status)),
        }
    }

    async fn set_status(
        &mut self,
        change: &StatusChange,
    ) -> Result<Option<CaseRecord>, StoreError> {
        if change.from.is_empty() {
            // No current status is allowed: the condition cannot hold.
            return Ok(None);
        }
        // One conditional UPDATE: under READ COMMITTED it waits for a concurrent writer of
        // the row and re-checks every condition on the committed row, so of two racing
        // changes the second applies only if its conditions still hold.
        let at = ms(change.at);
        let mut query = QueryBuilder::<Postgres>::new("UPDATE cases SET status = ");
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
        let id = row.id;
        let record = row.into_record()?;
        self.insert_event(id, change.at, &change.actor, &change.action, &change.detail)
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
        // Read (locking the row), change in Rust, write back: the same steps as on SQLite,
        // and no concurrent answer can slip in between the read and the write.
        let row: Option<(i64, serde_json::Value, serde_json::Value)> = sqlx::query_as(
            "SELECT id, fields, attachments FROM cases WHERE case_ref = $1 \
             FOR UPDATE",
        )
        .bind(case_ref.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some((id, mut fields, mut attachments)) = row else {
            return Err(StoreError::UnknownCase(case_ref.clone()));
        };
        let owner = format!("case {case_ref}");

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
            "at": ms(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "text": text,
        }));
        attachments
            .as_array_mut()
            .ok_or_else(|| StoreError::Corrupt(format!("{owner}: attachments is not an array")))?
            .extend(files.iter().cloned());

        sqlx::query(
            "UPDATE cases SET fields = $1, attachments = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(&fields)
        .bind(&attachments)
        .bind(ms(at))
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn expire_leases(&mut self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, StoreError> {
        let now = ms(now);
        let rows: Vec<CaseRow> = sqlx::query_as(EXPIRE_LEASES)
            .bind(now)
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.into_iter().map(CaseRow::into_record).collect()
    }

    async fn set_staff_card(
        &mut self,
        case_ref: &CaseRef,
        chat_id: i64,
        message_id: i32,
    ) -> Result<(), StoreError> {
        let written = sqlx::query(
            "INSERT INTO staff_cards (case_id, chat_id, message_id) \
             SELECT id, $1, $2 FROM cases WHERE case_ref = $3 \
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
        Ok(sqlx::query_as(
            "SELECT s.chat_id, s.message_id FROM staff_cards s \
             JOIN cases c ON c.id = s.case_id WHERE c.case_ref = $1",
        )
        .bind(case_ref.as_str())
        .fetch_optional(&mut *self.tx)
        .await?)
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
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
             case_ref = excluded.case_ref, action = excluded.action, \
             created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(case_ref.as_str())
        .bind(action)
        .bind(ms(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn take_pending_input(
        &mut self,
        user_id: i64,
    ) -> Result<Option<(CaseRef, String, DateTime<Utc>)>, StoreError> {
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "DELETE FROM staff_pending WHERE user_id = $1 \
             RETURNING case_ref, action, created_at",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|(case_ref, action, at)| Ok((rows::case_ref(case_ref)?, action, at)))
            .transpose()
    }

    async fn claim_job(
        &mut self,
        job: &str,
        period: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // A concurrent claim of the same (job, period) waits for the first transaction:
        // does nothing if it commits, inserts if it rolls back. One `true` per period.
        let inserted = sqlx::query(
            "INSERT INTO job_runs (job, period, ran_at) VALUES ($1, $2, $3) \
             ON CONFLICT (job, period) DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(ms(at))
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
            .bind(ms(idle_since))
            .fetch_all(&mut *self.tx)
            .await?)
    }

    async fn erase_decided_before(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError> {
        let at = ms(at);
        let rows: Vec<(i64, String)> = sqlx::query_as(ERASABLE)
            .bind(ms(cutoff))
            .fetch_all(&mut *self.tx)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (ids, erased): (Vec<i64>, Vec<String>) = rows.into_iter().unzip();
        let erased = erased
            .into_iter()
            .map(rows::case_ref)
            .collect::<Result<Vec<_>, _>>()?;

        // The merchant's chat id leaves the actor, and each detail keeps only a reason code
        // and a staff id (plain strings or numbers), so no typed text (notes, questions,
        // "other" reasons) survives. A detail that is not an object keeps nothing, as
        // SQLite's json_each finds no such keys in it.
        sqlx::query(
            "UPDATE case_events SET \
             actor = CASE WHEN actor LIKE 'merchant:%' THEN 'merchant' ELSE actor END, \
             detail = CASE WHEN jsonb_typeof(detail) = 'object' THEN COALESCE( \
                 (SELECT jsonb_object_agg(key, value) FROM jsonb_each(case_events.detail) \
                  WHERE key IN ('reason', 'staff') \
                  AND jsonb_typeof(value) IN ('string', 'number')), \
                 '{}'::jsonb) ELSE '{}'::jsonb END \
             WHERE case_id = ANY($1)",
        )
        .bind(&ids)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, detail) \
             SELECT id, $1, 'system', 'erased', '{}' FROM cases WHERE id = ANY($2) \
             ORDER BY decided_at, id",
        )
        .bind(at)
        .bind(&ids)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, \
             erased_at = $1, updated_at = $1 WHERE id = ANY($2)",
        )
        .bind(at)
        .bind(&ids)
        .execute(&mut *self.tx)
        .await?;
        Ok(erased)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The second advisory-lock key of a chat. Telegram chat ids use more than 32 bits; folding
/// the halves together may give two chats one key, which only serialises them needlessly.
/// The columns of dialogues to write, as arrays for `unnest`.
struct DialogueColumns {
    chat_id: Vec<i64>,
    state: Vec<String>,
    schema_version: Vec<i32>,
    updated_at: Vec<DateTime<Utc>>,
    draft_since: Vec<Option<DateTime<Utc>>>,
    reminded: Vec<bool>,
}

impl DialogueColumns {
    fn of(writes: &[&DialogueWrite]) -> Self {
        DialogueColumns {
            chat_id: writes.iter().map(|w| w.chat_id).collect(),
            state: writes.iter().map(|w| w.dialogue.state.clone()).collect(),
            schema_version: writes.iter().map(|w| w.dialogue.schema_version).collect(),
            updated_at: writes.iter().map(|w| ms(w.dialogue.updated_at)).collect(),
            draft_since: writes
                .iter()
                .map(|w| w.dialogue.draft_since.map(ms))
                .collect(),
            reminded: writes.iter().map(|w| w.dialogue.reminded).collect(),
        }
    }

    /// Bind the columns as `$1` … `$6`, in the order of the struct.
    fn bind_to<'q>(&'q self, query: PgQuery<'q>) -> PgQuery<'q> {
        query
            .bind(&self.chat_id)
            .bind(&self.state)
            .bind(&self.schema_version)
            .bind(&self.updated_at)
            .bind(&self.draft_since)
            .bind(&self.reminded)
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

fn chat_lock_key(chat_id: i64) -> i32 {
    // Truncation is the point: the key space is 32 bits.
    (chat_id ^ (chat_id >> 32)) as i32
}

/// The stored form of an instant: whole milliseconds, as on SQLite, so that both backends
/// return the same values (`timestamptz` itself keeps microseconds).
fn ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

#[derive(FromRow)]
struct CaseRow {
    id: i64,
    case_ref: String,
    draft_id: String,
    kind: String,
    brand: String,
    serial: Option<String>,
    fields: serde_json::Value,
    attachments: serde_json::Value,
    chat_id: i64,
    locale: String,
    status: String,
    claimed_by: Option<i64>,
    lease_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

impl CaseRow {
    fn into_record(self) -> Result<CaseRecord, StoreError> {
        let case_ref = rows::case_ref(self.case_ref)?;
        Ok(CaseRecord {
            status: rows::case_status(&self.status, &case_ref)?,
            kind: rows::case_kind(&self.kind, &case_ref)?,
            locale: rows::locale(&self.locale, &case_ref)?,
            case_ref,
            draft_id: self.draft_id,
            brand: self.brand,
            serial: self.serial,
            fields: self.fields,
            attachments: self.attachments,
            chat_id: self.chat_id,
            claimed_by: self.claimed_by,
            lease_until: self.lease_until,
            created_at: self.created_at,
            updated_at: self.updated_at,
            due_at: self.due_at,
            decided_at: self.decided_at,
        })
    }
}

#[derive(FromRow)]
struct EventRow {
    case_ref: String,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    detail: serde_json::Value,
}

impl EventRow {
    fn into_event(self) -> Result<CaseEvent, StoreError> {
        Ok(CaseEvent {
            case_ref: rows::case_ref(self.case_ref)?,
            at: self.at,
            actor: self.actor,
            action: self.action,
            detail: self.detail,
        })
    }
}

/// A [`CaseSummary`] from its columns.
fn case_summary(
    case_ref: String,
    kind: String,
    status: &str,
    created_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
) -> Result<CaseSummary, StoreError> {
    let case_ref = rows::case_ref(case_ref)?;
    Ok(CaseSummary {
        status: rows::case_status(status, &case_ref)?,
        kind: rows::case_kind(&kind, &case_ref)?,
        created_at,
        due_at,
        case_ref,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn instants_are_truncated_to_milliseconds() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        assert_eq!(ms(at + chrono::Duration::nanoseconds(999_999)), at);
        assert_eq!(ms(at), at);
    }

    #[test]
    fn chat_lock_keys_differ_for_nearby_chats() {
        assert_ne!(chat_lock_key(1), chat_lock_key(2));
        assert_ne!(
            chat_lock_key(-1_001_234_567_890),
            chat_lock_key(-1_001_234_567_891)
        );
        assert_eq!(chat_lock_key(42), 42);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("t_0123"), "\"t_0123\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn median_of_the_middle_values() {
        assert_eq!(QueueStats::median_secs(&[]), None);
        assert_eq!(QueueStats::median_secs(&[90_500]), Some(90));
        assert_eq!(QueueStats::median_secs(&[60_000, 120_000]), Some(90));
    }
}
