//! The SQLite backend: one file (or an in-memory database), created and migrated on open.
//!
//! - Timestamps are stored as INTEGER Unix milliseconds (UTC), truncated to whole
//!   milliseconds on write, so they sort correctly and round-trip exactly.
//! - JSON values are stored as TEXT (checked with `json_valid` by the schema).
//! - Every [`Tx`] is a `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so a
//!   read-then-write inside it never races another writer, and concurrent writers queue on
//!   the busy timeout instead of failing with "database is locked".
//! - File databases use WAL, so the read-only [`Store`] methods never wait for a writer.
//! - An in-memory database (`sqlite::memory:`) lives in one connection that the pool keeps
//!   for its whole life, so transactions on it run one at a time. Do not call the [`Store`]
//!   methods while holding a [`Tx`] on an in-memory store: they would wait for the same
//!   connection.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{FromRow, QueryBuilder, Sqlite, Transaction};

use super::{
    CaseEvent, CaseFilter, CaseRecord, CaseStatus, CaseSummary, InsertOutcome, NewCase,
    NewCaseEvent, NewDialogue, NewOutbox, OutboxItem, Store, StoreError, StoredDialogue, Tx,
};

/// The embedded migrations (`migrations/sqlite/*.sql`).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for the write lock before giving up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool of a file database.
const FILE_POOL_SIZE: u32 = 5;

/// The statuses of an open case, as an SQL list (must agree with [`CaseStatus::is_open`]).
macro_rules! open_statuses {
    () => {
        "('queued', 'in_review', 'waiting_merchant')"
    };
}

/// The columns read into [`CaseRow`].
macro_rules! case_columns {
    () => {
        "case_ref, draft_id, kind, brand, serial, fields, attachments, chat_id, locale, status, \
         claimed_by, lease_until, created_at, updated_at, due_at, decided_at"
    };
}

/// posdesk's state in SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Open (creating the file and its parent directory if missing) and migrate the database
    /// named by `url`: `sqlite://path/to/file.db`, `sqlite:file.db` or `sqlite::memory:`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let in_memory = is_memory_url(url);
        let mut options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
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
        Ok(Self { pool })
    }

    /// The underlying connection pool (for operator tooling and tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
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
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteTx { tx }))
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

    async fn get_case(&self, case_ref: &str) -> Result<Option<CaseRecord>, StoreError> {
        // `case_ref` is declared COLLATE NOCASE, so `=` ignores ASCII case.
        let row: Option<CaseRow> = sqlx::query_as(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE case_ref = ?"
        ))
        .bind(case_ref.trim())
        .fetch_optional(&self.pool)
        .await?;
        row.map(CaseRow::into_record).transpose()
    }

    async fn case_events(&self, case_ref: &str) -> Result<Vec<CaseEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT c.case_ref, e.at, e.actor, e.action, e.detail \
             FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE c.case_ref = ? ORDER BY e.at, e.id",
        )
        .bind(case_ref.trim())
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

    async fn outbox_done(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_retry(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?")
            .bind(to_millis(not_before))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
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
}

impl SqliteTx {
    async fn case_ref_of_draft(&mut self, draft_id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT case_ref FROM cases WHERE draft_id = ?")
                .bind(draft_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
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
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at) \
                 VALUES (?, ?, ?, 1, ?) ON CONFLICT (chat_id) DO NOTHING",
            )
            .bind(chat_id)
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(to_millis(dialogue.updated_at))
            .execute(&mut *self.tx)
            .await?
            .rows_affected(),
            Some(expected) => sqlx::query(
                "UPDATE dialogues SET state = ?, schema_version = ?, \
                 row_version = row_version + 1, updated_at = ? \
                 WHERE chat_id = ? AND row_version = ?",
            )
            .bind(&dialogue.state)
            .bind(dialogue.schema_version)
            .bind(to_millis(dialogue.updated_at))
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
        .bind(&case.case_ref)
        .bind(&case.draft_id)
        .bind(&case.kind)
        .bind(&case.brand)
        .bind(&case.serial)
        .bind(case.fields.to_string())
        .bind(case.attachments.to_string())
        .bind(case.chat_id)
        .bind(&case.locale)
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
        .bind(serde_json::json!({ "kind": case.kind, "brand": case.brand }).to_string())
        .execute(&mut *self.tx)
        .await?;

        Ok(InsertOutcome::Inserted)
    }

    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT case_ref FROM cases WHERE serial = ? AND status IN ",
            open_statuses!()
        ))
        .bind(serial)
        .fetch_optional(&mut *self.tx)
        .await?)
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
                Ok(CaseSummary {
                    status: parse_status(&status, &case_ref)?,
                    created_at: from_millis(created_at, "case created_at")?,
                    due_at: from_millis(due_at, "case due_at")?,
                    case_ref,
                    kind,
                })
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
        .bind(event.case_ref.trim())
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
        Ok(CaseRecord {
            fields: parse_json(&self.fields, "fields", &format!("case {}", self.case_ref))?,
            attachments: parse_json(
                &self.attachments,
                "attachments",
                &format!("case {}", self.case_ref),
            )?,
            status: parse_status(&self.status, &self.case_ref)?,
            lease_until: optional(self.lease_until, "case lease_until")?,
            created_at: from_millis(self.created_at, "case created_at")?,
            updated_at: from_millis(self.updated_at, "case updated_at")?,
            due_at: from_millis(self.due_at, "case due_at")?,
            decided_at: optional(self.decided_at, "case decided_at")?,
            case_ref: self.case_ref,
            draft_id: self.draft_id,
            kind: self.kind,
            brand: self.brand,
            serial: self.serial,
            chat_id: self.chat_id,
            locale: self.locale,
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
        Ok(CaseEvent {
            at: from_millis(self.at, "case event at")?,
            detail: parse_json(
                &self.detail,
                "event detail",
                &format!("case {}", self.case_ref),
            )?,
            case_ref: self.case_ref,
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

fn parse_status(status: &str, case_ref: &str) -> Result<CaseStatus, StoreError> {
    CaseStatus::parse(status)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown status")))
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
