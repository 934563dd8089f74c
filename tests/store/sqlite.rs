//! What only SQLite has: the file and its settings, in-memory databases, URLs.

use posdesk::store::sqlite::SqliteStore;
use posdesk::store::{self, redact_url, Store, StoreError};

use crate::checks::{at, dialogue};

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
