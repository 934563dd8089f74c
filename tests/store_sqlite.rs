//! The SQLite store against real database files: every check of
//! `tests/support/store_cases.rs` (shared with the PostgreSQL backend), and what only SQLite
//! has (the file, its PRAGMAs, in-memory databases).

#[path = "support/store_cases.rs"]
mod store_cases;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use posdesk::store::sqlite::SqliteStore;
use posdesk::store::{self, redact_url, NewDialogue, Store, StoreError};
use store_cases::Backend;
use tempfile::TempDir;

/// A fresh database file in a temporary directory (deleted with it).
struct SqliteDb {
    _dir: TempDir,
    url: String,
    store: Arc<SqliteStore>,
}

async fn fresh() -> SqliteDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("posdesk.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.unwrap());
    SqliteDb {
        _dir: dir,
        url,
        store,
    }
}

#[async_trait]
impl Backend for SqliteDb {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn another_instance(&self) -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&self.url).await.unwrap())
    }

    async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(sql).execute(self.store.pool()).await?;
        Ok(done.rows_affected())
    }

    async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    async fn force_status(&self, case_ref: &str, status: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE cases SET status = ? WHERE case_ref = ?")
            .bind(status)
            .bind(case_ref)
            .execute(self.store.pool())
            .await
            .map(|_| ())
    }

    async fn insert_raw_case(
        &self,
        case_ref: &str,
        draft_id: &str,
        serial: &str,
        status: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, attachments, \
             chat_id, locale, status, created_at, updated_at, due_at) \
             VALUES (?, ?, 'unbind', 'lakala', ?, '{}', '[]', 3, 'en', ?, 0, 0, 0)",
        )
        .bind(case_ref)
        .bind(draft_id)
        .bind(serial)
        .bind(status)
        .execute(self.store.pool())
        .await
        .map(|_| ())
    }

    async fn processed_row(&self, update_id: i64) -> (i64, DateTime<Utc>) {
        let (chat, at): (i64, i64) = sqlx::query_as(
            "SELECT chat_id, processed_at FROM processed_updates WHERE update_id = ?",
        )
        .bind(update_id)
        .fetch_one(self.store.pool())
        .await
        .unwrap();
        (chat, DateTime::from_timestamp_millis(at).unwrap())
    }

    async fn job_ran_at(&self, job: &str, period: &str) -> DateTime<Utc> {
        let at: i64 =
            sqlx::query_scalar("SELECT ran_at FROM job_runs WHERE job = ? AND period = ?")
                .bind(job)
                .bind(period)
                .fetch_one(self.store.pool())
                .await
                .unwrap();
        DateTime::from_timestamp_millis(at).unwrap()
    }

    async fn draft_columns(&self) -> Vec<(i64, Option<DateTime<Utc>>, bool)> {
        let rows: Vec<(i64, Option<i64>, i64)> =
            sqlx::query_as("SELECT chat_id, draft_since, reminded FROM dialogues ORDER BY chat_id")
                .fetch_all(self.store.pool())
                .await
                .unwrap();
        rows.into_iter()
            .map(|(chat, since, reminded)| {
                let since = since.map(|ms| DateTime::from_timestamp_millis(ms).unwrap());
                assert!(reminded == 0 || reminded == 1, "reminded is 0 or 1");
                (chat, since, reminded == 1)
            })
            .collect()
    }

    async fn mentions(&self, needle: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id \
                     WHERE e.detail LIKE '%' || ? || '%' AND c.case_ref LIKE 'UB-QKD%') \
                  + (SELECT COUNT(*) FROM cases WHERE fields LIKE '%' || ? || '%')",
        )
        .bind(needle)
        .bind(needle)
        .fetch_one(self.store.pool())
        .await
        .unwrap()
    }
}

/// One test per shared check, each on a fresh database file.
macro_rules! shared_checks {
    ($($flavor:tt $name:ident),* $(,)?) => {$(
        shared_checks!(@one $flavor $name);
    )*};
    (@one current $name:ident) => {
        #[tokio::test]
        async fn $name() {
            store_cases::$name(&fresh().await).await;
        }
    };
    (@one multi $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            store_cases::$name(&fresh().await).await;
        }
    };
}

shared_checks!(
    current dialogue_save_load_version_conflict_forget,
    current dropping_a_tx_without_commit_writes_nothing,
    current processed_updates_are_remembered,
    current peek_chat_sees_processed_updates_and_the_saved_dialogue,
    current batch_forms_match_the_single_forms,
    current insert_case_is_idempotent_on_the_draft_id,
    current one_open_case_per_serial,
    current cases_of_chat_newest_first_and_only_that_chat,
    current list_cases_filters,
    current get_case_by_reference,
    current case_events_oldest_first,
    current concurrent_transactions_serialize,
    current outbox_rows_are_due_in_order_coalesce_and_retry,
    current claim_outcomes,
    multi concurrent_claims_have_exactly_one_winner,
    current set_status_conditions_decisions_and_claims,
    current add_answer_appends_text_and_files,
    current expire_leases_requeues_only_expired_reviews,
    current staff_cards_and_pending_inputs_round_trip,
    multi claim_job_once_per_period,
    current drafts_to_remind_follows_draft_since_and_reminded,
    current erase_decided_before_removes_personal_data_only_of_old_decisions,
    current queue_claimed_by_and_stats,
);

/// An instant `minutes` after a fixed base, with whole milliseconds.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

fn dialogue(state: &str, updated_at: DateTime<Utc>) -> NewDialogue {
    NewDialogue {
        state: state.to_string(),
        schema_version: 1,
        updated_at,
        draft_since: None,
        reminded: false,
    }
}

// ---------------------------------------------------------------------------------------
// SQLite only: the file, its settings, in-memory databases, URLs.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn migrations_apply_on_a_fresh_file_and_reopen_works() {
    let dir = tempfile::tempdir().unwrap();
    // The parent directory does not exist yet: it is created too.
    let url = format!(
        "sqlite://{}",
        dir.path().join("data").join("posdesk.db").display()
    );
    let store = SqliteStore::open(&url).await.unwrap();

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' \
         AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "case_events",
            "cases",
            "dialogues",
            "job_runs",
            "outbox",
            "processed_updates",
            "staff_cards",
            "staff_pending"
        ]
    );
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(foreign_keys, 1);

    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(7, &dialogue(r#"{"Menu":null}"#, at(0)), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;

    // Re-open: migrations are already applied, the data is still there.
    let store = SqliteStore::open(&url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(applied as usize, files, "each migration applied once");
    let mut tx = store.begin().await.unwrap();
    let loaded = tx.load_dialogue(7).await.unwrap().unwrap();
    assert_eq!(loaded.state, r#"{"Menu":null}"#);
    assert_eq!(loaded.row_version, 1);
    drop(tx);
    store.close().await;

    // The generic entry point picks SQLite from the URL.
    let generic = store::open(&url).await.unwrap();
    let mut tx = generic.begin().await.unwrap();
    assert!(tx.load_dialogue(7).await.unwrap().is_some());
    drop(tx);
    generic.close().await;
}

#[tokio::test]
async fn in_memory_database_works_and_survives_a_dropped_tx() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(1, &dialogue("{}", at(0)), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Dropped without commit on the single connection: the next BEGIN IMMEDIATE must work
    // (the connection did not come back mid-transaction) and see nothing of it.
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(2, &dialogue("{}", at(0)), None)
        .await
        .unwrap();
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.load_dialogue(1).await.unwrap().is_some());
    assert!(tx.load_dialogue(2).await.unwrap().is_none());
    tx.commit().await.unwrap();

    // Two memory stores are two databases.
    let other = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = other.begin().await.unwrap();
    assert!(tx.load_dialogue(1).await.unwrap().is_none());
    drop(tx);
    other.close().await;
    store.close().await;
}

#[tokio::test]
async fn unsupported_urls_and_redaction() {
    assert_eq!(
        redact_url("postgres://posdesk:s3cret@db.example:5432/posdesk"),
        "postgres://posdesk:***@db.example:5432/posdesk"
    );
    assert_eq!(
        redact_url("postgres://posdesk@db.example/posdesk"),
        "postgres://posdesk@db.example/posdesk"
    );
    assert_eq!(redact_url("sqlite://posdesk.db"), "sqlite://posdesk.db");
    assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    // A password containing '@' is still hidden entirely.
    assert_eq!(
        redact_url("postgres://u:p@ss@host/db"),
        "postgres://u:***@host/db"
    );

    let err = match store::open("mysql://root:hunter2@localhost/posdesk").await {
        Err(err) => err,
        Ok(_) => panic!("mysql URLs are not supported"),
    };
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err:?}");
    let shown = err.to_string();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("root:***@localhost"), "{shown}");
}
