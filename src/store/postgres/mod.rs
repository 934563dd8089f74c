//! The PostgreSQL backend, for operators who run several bot instances on one database.
//!
//! It behaves like the SQLite reference ([`super::sqlite`]) method by method; most statements
//! are the shared ones (`store/cases.rs` …), and the checks in `tests/store/checks/`
//! run unchanged on both. This folder holds how PostgreSQL binds and reads them (`rows.rs`),
//! its locks (`locks.rs`), the chats role (`chats.rs`) and what it does its own way in each
//! role (`cases.rs`, `staff.rs`, `outbox.rs`, `jobs.rs`). Where PostgreSQL's concurrency
//! differs from SQLite's single writer:
//!
//! - A [`Tx`] is a READ COMMITTED transaction, not a database-wide write lock. Each
//!   read-then-write is therefore protected on its own: `load_dialogue` takes a
//!   transaction-scoped advisory lock per chat (updates of one chat are serialised across
//!   instances), case rows are locked (`FOR UPDATE`) before they
//!   are changed from what was read, and conditional `UPDATE`s re-check their condition
//!   on the latest committed row.
//! - Instants are `timestamptz`, truncated to whole milliseconds on write as on SQLite, so
//!   both backends return the same values. JSON columns are `jsonb`, except the dialogue
//!   state, which is `json`: it is kept as the exact text the core wrote.
//! - Unique violations caused by another instance (the same update, draft or serial
//!   applied concurrently) are reported as the same [`StoreError`]s the SQLite backend
//!   gives, or as [`StoreError::Conflict`] when the retried transaction will see the winner.
//! - Waits for row and advisory locks give up after [`LOCK_TIMEOUT`] (SQLite's busy
//!   timeout), with SQLSTATE 55P03: [`StoreError::Busy`], which the service retries.

mod cases;
mod chats;
mod jobs;
mod locks;
mod outbox;
mod rows;
mod staff;

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Executor, Postgres, Transaction};

use crate::store::chats::{chat_peek, PEEK_CHAT, PEEK_SHAPE};
use crate::store::error::ErrorClass;
use crate::store::pool::PoolDialect;
use crate::store::statement::{execute, fetch, Cells, Kind, Run, Statement};
use crate::store::{ChatPeek, StoreError, Tx};

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

/// One READ COMMITTED transaction (or a read-only snapshot). Dropping it without commit
/// rolls back (sqlx queues the `ROLLBACK` on the connection before it is reused).
struct PgTx {
    tx: Transaction<'static, Postgres>,
    /// Update ids this transaction marked processed, or saw processed with
    /// [`ChatTx::is_processed`](crate::store::ChatTx::is_processed). Marking one of them
    /// again is harmless, as on SQLite; any other id found already recorded was applied by
    /// another transaction since this one looked, which is a lost race:
    /// [`StoreError::Conflict`].
    known_processed: HashSet<i64>,
}

impl PgTx {
    fn new(tx: Transaction<'static, Postgres>) -> Self {
        PgTx {
            tx,
            known_processed: HashSet::new(),
        }
    }
}

#[async_trait]
impl PoolDialect for PgStore {
    const STATUS_BY_TIME: &'static str = "status";
    const DECISION_MILLIS: &'static str =
        "(EXTRACT(EPOCH FROM decided_at - created_at) * 1000)::bigint";

    async fn begin_tx(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(PgTx::new(self.pool.begin().await?)))
    }

    async fn read(
        &self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Vec<Cells>, StoreError> {
        fetch(&self.pool, statement, shape).await
    }

    async fn write(&self, statement: Statement<'_>) -> Result<u64, StoreError> {
        execute(&self.pool, statement).await
    }

    async fn snapshot(&self) -> Result<Box<dyn Run>, StoreError> {
        // One snapshot for all the reads (READ COMMITTED would take one per statement); a
        // read-only snapshot never waits for writers nor makes them wait.
        let tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        Ok(Box::new(PgTx::new(tx)))
    }

    async fn delete_outbox(&self, ids: &[i64]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sender_lock(&self) -> Result<bool, StoreError> {
        self.hold_sender_lock().await
    }

    async fn peek(&self, chat_id: i64, update_id: Option<i64>) -> Result<ChatPeek, StoreError> {
        let st = Statement::new(PEEK_CHAT).bind(update_id).bind(chat_id);
        chat_peek(fetch(&self.pool, st, PEEK_SHAPE).await?)
    }

    async fn shut(&self) {
        self.release_sender_lock().await;
        self.pool.close().await;
    }
}

/// What a PostgreSQL error means to posdesk, by its SQLSTATE: the connection lost or refused
/// (class 08), the server shutting down or starting (57P01–57P05), out of resources (class
/// 53: disk full, out of memory, too many connections) or failing I/O (58030): unavailable.
/// A lock wait given up after `lock_timeout` (55P03), a deadlock broken (40P01), a
/// serialization failure (40001): busy, run the transaction again. Anything else is a fault.
pub(crate) fn error_class(sqlstate: &str) -> ErrorClass {
    match sqlstate {
        "40001" | "40P01" | "55P03" => ErrorClass::Busy,
        "57P01" | "57P02" | "57P03" | "57P04" | "57P05" | "58030" => ErrorClass::Unavailable,
        _ if sqlstate.starts_with("08") || sqlstate.starts_with("53") => ErrorClass::Unavailable,
        _ => ErrorClass::Fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_are_classified() {
        for (sqlstate, class) in [
            ("08006", ErrorClass::Unavailable),
            ("08P01", ErrorClass::Unavailable),
            ("57P01", ErrorClass::Unavailable),
            ("57P03", ErrorClass::Unavailable),
            ("53100", ErrorClass::Unavailable),
            ("53300", ErrorClass::Unavailable),
            ("58030", ErrorClass::Unavailable),
            ("55P03", ErrorClass::Busy),
            ("40P01", ErrorClass::Busy),
            ("40001", ErrorClass::Busy),
            ("23505", ErrorClass::Fault),
            ("42P01", ErrorClass::Fault),
            ("57014", ErrorClass::Fault),
        ] {
            assert_eq!(error_class(sqlstate), class, "{sqlstate}");
        }
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("t_0123"), "\"t_0123\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
