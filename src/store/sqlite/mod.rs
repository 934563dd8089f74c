//! The SQLite backend: one file (or an in-memory database), created and migrated on open.
//!
//! Most of its statements are the shared ones (`store/cases.rs` …); this folder holds how
//! SQLite binds and reads them (`rows.rs`), the chats role (`chats.rs`), and what SQLite does
//! its own way in each role (`cases.rs`, `staff.rs`, `outbox.rs`, `jobs.rs`).
//!
//! - Every [`Tx`] is a `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so a
//!   read-then-write inside it never races another writer. Within one process, writers first
//!   queue on an async gate (first come, first served) so they never meet SQLite's lock
//!   at all: SQLite's busy handler retries by sleeping 1, 2, 5, 10 … ms, which cost
//!   throughput and put tens of milliseconds on unlucky replies (BENCHMARKS.md). Writers in
//!   other processes on the same file still queue on the busy timeout. The few writes
//!   outside a transaction (the outbox's bookkeeping) take the same gate.
//! - File databases use WAL, so the read-only [`Store`](crate::store::Store) methods never
//!   wait for a writer.
//! - An in-memory database (`sqlite::memory:`) lives in one connection that the pool keeps
//!   for its whole life, so transactions on it run one at a time. Do not call the `Store`
//!   methods while holding a [`Tx`] on an in-memory store: they would wait for the same
//!   connection.

mod cases;
mod chats;
mod jobs;
mod outbox;
mod rows;
mod staff;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::store::error::ErrorClass;
use crate::store::pool::PoolDialect;
use crate::store::statement::{execute, fetch, Cells, Kind, Run, Statement};
use crate::store::{ChatPeek, StoreError, Tx};

/// The embedded migrations (`migrations/sqlite/*.sql`).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for the write lock before giving up with "database is locked"
/// (then the database counts as unavailable: [`StoreError::is_unavailable`]). A URL can set
/// another with `?busy_timeout=MILLISECONDS`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool of a file database.
const FILE_POOL_SIZE: u32 = 5;

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
        .map_err(|e| StoreError::from(sqlx::Error::Io(e)))
}

/// One transaction: `BEGIN IMMEDIATE` with this process's turn to write, or a read snapshot
/// without it. Dropping it without commit rolls back: sqlx queues a `ROLLBACK` on the
/// connection, and the pool pings the connection (which runs after the queued rollback)
/// before it hands it out again.
struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    /// Released when the transaction ends (commit or drop), after sqlx queued its end.
    _writer: Option<OwnedSemaphorePermit>,
}

#[async_trait]
impl PoolDialect for SqliteStore {
    const STATUS_BY_TIME: &'static str = "+status";
    const DECISION_MILLIS: &'static str = "decided_at - created_at";

    async fn begin_tx(&self) -> Result<Box<dyn Tx>, StoreError> {
        let writer = self.write_turn().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteTx {
            tx,
            _writer: Some(writer),
        }))
    }

    async fn read(
        &self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Vec<Cells>, StoreError> {
        fetch(&self.pool, statement, shape).await
    }

    async fn write(&self, statement: Statement<'_>) -> Result<u64, StoreError> {
        let _writer = self.write_turn().await;
        execute(&self.pool, statement).await
    }

    async fn snapshot(&self) -> Result<Box<dyn Run>, StoreError> {
        // A deferred transaction reads one snapshot (WAL: no writer waits).
        Ok(Box::new(SqliteTx {
            tx: self.pool.begin().await?,
            _writer: None,
        }))
    }

    async fn delete_outbox(&self, ids: &[i64]) -> Result<(), StoreError> {
        let _writer = self.write_turn().await;
        for chunk in ids.chunks(rows::ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new("DELETE FROM outbox WHERE id IN (");
            rows::push_ids(&mut query, chunk);
            query.build().execute(&self.pool).await?;
        }
        Ok(())
    }

    async fn peek(&self, chat_id: i64, update_id: Option<i64>) -> Result<ChatPeek, StoreError> {
        let st = Statement::new(crate::store::chats::PEEK_CHAT)
            .bind(update_id)
            .bind(chat_id);
        let rows = fetch(&self.pool, st, crate::store::chats::PEEK_SHAPE).await?;
        crate::store::chats::chat_peek(rows)
    }

    async fn shut(&self) {
        self.pool.close().await;
    }
}

/// What an SQLite error means to posdesk, by its extended result code's primary code (the
/// low byte): the write lock held elsewhere past the busy timeout (`SQLITE_BUSY`,
/// `SQLITE_LOCKED`, in any extended form), the disk full (`SQLITE_FULL`) or failing
/// (`SQLITE_IOERR`, `SQLITE_CANTOPEN`), memory exhausted (`SQLITE_NOMEM`): unavailable.
/// Anything else (constraints, `SQLITE_CORRUPT`, a faulty statement) is a fault.
pub(crate) fn error_class(error: &sqlx::sqlite::SqliteError) -> ErrorClass {
    use sqlx::error::DatabaseError as _;
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const NOMEM: i32 = 7;
    const IOERR: i32 = 10;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    let code = error.code().and_then(|c| c.parse::<i32>().ok());
    match code.map(|c| c & 0xff) {
        Some(BUSY | LOCKED | NOMEM | IOERR | FULL | CANTOPEN) => ErrorClass::Unavailable,
        _ => ErrorClass::Fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

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
    fn memory_urls_are_recognised() {
        assert!(is_memory_url("sqlite::memory:"));
        assert!(is_memory_url("sqlite://:memory:"));
        assert!(is_memory_url("sqlite://file:x?mode=memory&cache=shared"));
        assert!(!is_memory_url("sqlite://posdesk.db"));
        assert!(!is_memory_url("sqlite:data/posdesk.db?mode=rwc"));
    }

    /// The periodic and staff queries walk an index, never the whole `cases` table (which
    /// only grows). Checked on the SQLite that ships with the binary.
    #[tokio::test]
    async fn review_queries_use_their_indexes() {
        use crate::store::jobs::JobDialect;
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let [decided, reviewed, middle] = crate::store::pool::stats_statements::<SqliteStore>();
        for (sql, index) in [
            (decided.as_str(), "cases_decided"),
            (reviewed.as_str(), "cases_decided"),
            (middle.as_str(), "cases_decided"),
            (crate::store::staff::CLAIMED_BY, "cases_claimed_created"),
            (staff::LEASE_EXPIRED_EVENTS, "cases_status_lease"),
            (<SqliteTx as JobDialect>::DRAFTS_DUE, "dialogues_draft_due"),
            (jobs::ERASABLE_REFS, "cases_to_erase"),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
            for _ in 0..placeholders(sql) {
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

    /// The driver's errors reach the callers classified by their result codes: a full
    /// disk and a write lock held elsewhere are "unavailable" (try later), a constraint is a
    /// fault.
    #[tokio::test]
    async fn driver_errors_are_classified_by_code() {
        let at = chrono::DateTime::from_timestamp_millis(1_732_000_000_000).unwrap();

        // SQLITE_FULL: the database may not grow past the pages it has.
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(store.pool())
            .await
            .unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(store.pool())
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let err = tx
            .claim_job("big", &"p".repeat(1 << 20), at)
            .await
            .unwrap_err();
        assert!(err.is_unavailable() && !err.is_retryable(), "{err:?}");
        drop(tx);

        // A constraint: a fault, neither unavailable nor worth retrying at once.
        let violated =
            sqlx::query("INSERT INTO job_runs (job, period, ran_at) VALUES (NULL, 'p', 0)")
                .execute(store.pool())
                .await
                .unwrap_err();
        let err = StoreError::from(violated);
        assert!(matches!(err, StoreError::Database(_)), "{err:?}");
        store.close().await;

        // SQLITE_BUSY: another process holds the write lock (no busy timeout here).
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?busy_timeout=0",
            dir.path().join("p.db").display()
        );
        let (one, other) = (
            SqliteStore::open(&url).await.unwrap(),
            SqliteStore::open(&url).await.unwrap(),
        );
        let held = one.begin().await.unwrap();
        let err = other.begin().await.err().unwrap();
        assert!(err.is_unavailable(), "{err:?}");
        drop(held);
        one.close().await;
        other.close().await;
    }

    /// The highest `$N` of a statement.
    fn placeholders(sql: &str) -> usize {
        sql.split('$')
            .skip(1)
            .filter_map(|s| {
                let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .max()
            .unwrap_or(0)
    }
}
