//! The SQLite store against real database files.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use posdesk::store::sqlite::SqliteStore;
use posdesk::store::{
    self, redact_url, CaseFilter, CaseStatus, InsertOutcome, NewCase, NewCaseEvent, NewDialogue,
    Store, StoreError,
};
use serde_json::json;
use tempfile::TempDir;

/// A fresh database file in a temporary directory (kept alive by the returned `TempDir`).
async fn fresh() -> (TempDir, String, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("posdesk.db").display());
    let store = SqliteStore::open(&url).await.unwrap();
    (dir, url, store)
}

/// An instant `minutes` after a fixed base, with whole milliseconds.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

fn dialogue(state: &str, updated_at: DateTime<Utc>) -> NewDialogue {
    NewDialogue {
        state: state.to_string(),
        schema_version: 1,
        updated_at,
    }
}

fn new_case(case_ref: &str, draft_id: &str, chat_id: i64, serial: Option<&str>) -> NewCase {
    NewCase {
        case_ref: case_ref.to_string(),
        draft_id: draft_id.to_string(),
        kind: "unbind".to_string(),
        brand: "lakala".to_string(),
        serial: serial.map(str::to_string),
        fields: json!({ "merchant_no": "822100012345678", "contact_name": "张三" }),
        attachments: json!([{ "field": "photo", "file_id": "AgACAgUAAxkBAAIB", "kind": "photo" }]),
        chat_id,
        locale: "zh-CN".to_string(),
        created_at: at(0),
        due_at: at(0) + chrono::Duration::days(3),
    }
}

async fn insert(store: &SqliteStore, case: &NewCase) -> Result<InsertOutcome, StoreError> {
    let mut tx = store.begin().await?;
    let outcome = tx.insert_case(case).await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn set_status(store: &SqliteStore, case_ref: &str, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET status = ? WHERE case_ref = ?")
        .bind(status)
        .bind(case_ref)
        .execute(store.pool())
        .await
        .map(|_| ())
}

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
            "outbox",
            "processed_updates"
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
async fn dialogue_save_load_version_conflict_delete() {
    let (_dir, _url, store) = fresh().await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.load_dialogue(42).await.unwrap(), None);

    // Sub-millisecond precision is dropped on write.
    let precise = at(5) + chrono::Duration::nanoseconds(123_456_789);
    tx.save_dialogue(42, &dialogue(r#"{"step":1}"#, precise), None)
        .await
        .unwrap();
    let first = tx.load_dialogue(42).await.unwrap().unwrap();
    assert_eq!(first.state, r#"{"step":1}"#);
    assert_eq!(first.schema_version, 1);
    assert_eq!(first.row_version, 1);
    assert_eq!(
        first.updated_at,
        at(5) + chrono::Duration::milliseconds(123)
    );

    // Inserting when a row exists is a conflict.
    let err = tx
        .save_dialogue(42, &dialogue(r#"{"step":9}"#, at(6)), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert!(err.is_retryable());

    // Updating with the loaded version bumps it.
    tx.save_dialogue(42, &dialogue(r#"{"step":2}"#, at(6)), Some(1))
        .await
        .unwrap();
    let second = tx.load_dialogue(42).await.unwrap().unwrap();
    assert_eq!(second.row_version, 2);
    assert_eq!(second.state, r#"{"step":2}"#);
    assert_eq!(second.updated_at, at(6));

    // A stale version is a conflict and changes nothing.
    let err = tx
        .save_dialogue(42, &dialogue(r#"{"step":3}"#, at(7)), Some(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert_eq!(tx.load_dialogue(42).await.unwrap().unwrap(), second);

    // Updating a row that does not exist is a conflict.
    let err = tx
        .save_dialogue(43, &dialogue("{}", at(7)), Some(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.load_dialogue(42).await.unwrap().unwrap(), second);
    tx.delete_dialogue(42).await.unwrap();
    tx.delete_dialogue(42).await.unwrap(); // deleting nothing is fine
    assert_eq!(tx.load_dialogue(42).await.unwrap(), None);
    // After a delete the chat starts again at version 1.
    tx.save_dialogue(42, &dialogue("{}", at(8)), None)
        .await
        .unwrap();
    assert_eq!(tx.load_dialogue(42).await.unwrap().unwrap().row_version, 1);
    tx.commit().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn dropping_a_tx_without_commit_writes_nothing() {
    let (_dir, _url, store) = fresh().await;
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(5, &dialogue("{}", at(0)), None)
        .await
        .unwrap();
    tx.mark_processed(1001, 5, at(0)).await.unwrap();
    assert_eq!(
        tx.insert_case(&new_case("UB-AAAAA1", "d-1", 5, Some("SN1")))
            .await
            .unwrap(),
        InsertOutcome::Inserted
    );
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.load_dialogue(5).await.unwrap(), None);
    assert!(!tx.is_processed(1001).await.unwrap());
    assert_eq!(tx.open_case_for_serial("SN1").await.unwrap(), None);
    assert!(tx.cases_of_chat(5).await.unwrap().is_empty());
    drop(tx);
    assert!(store
        .list_cases(&CaseFilter::default())
        .await
        .unwrap()
        .is_empty());
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(events, 0);
    store.close().await;
}

#[tokio::test]
async fn processed_updates_are_remembered() {
    let (_dir, _url, store) = fresh().await;
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.is_processed(77).await.unwrap());
    tx.mark_processed(77, 5, at(0)).await.unwrap();
    assert!(tx.is_processed(77).await.unwrap());
    assert!(!tx.is_processed(78).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert!(tx.is_processed(77).await.unwrap());
    // Marking again is harmless and keeps the first record.
    tx.mark_processed(77, 5, at(9)).await.unwrap();
    tx.commit().await.unwrap();
    let (chat, processed_at): (i64, i64) =
        sqlx::query_as("SELECT chat_id, processed_at FROM processed_updates WHERE update_id = 77")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!((chat, processed_at), (5, at(0).timestamp_millis()));
    store.close().await;
}

#[tokio::test]
async fn insert_case_is_idempotent_on_the_draft_id() {
    let (_dir, _url, store) = fresh().await;
    let case = new_case("UB-7K3QF9", "draft-1", 100, Some("SN-0001"));
    assert_eq!(
        insert(&store, &case).await.unwrap(),
        InsertOutcome::Inserted
    );

    // The same draft again (even with a new reference) returns the first reference.
    let mut again = case.clone();
    again.case_ref = "UB-ZZZZZZ".to_string();
    assert_eq!(
        insert(&store, &again).await.unwrap(),
        InsertOutcome::AlreadyExists("UB-7K3QF9".to_string())
    );

    let all = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    let record = &all[0];
    assert_eq!(record.case_ref, "UB-7K3QF9");
    assert_eq!(record.draft_id, "draft-1");
    assert_eq!(record.kind, "unbind");
    assert_eq!(record.brand, "lakala");
    assert_eq!(record.serial.as_deref(), Some("SN-0001"));
    assert_eq!(record.fields, case.fields);
    assert_eq!(record.attachments, case.attachments);
    assert_eq!(record.chat_id, 100);
    assert_eq!(record.locale, "zh-CN");
    assert_eq!(record.status, CaseStatus::Queued);
    assert_eq!(record.claimed_by, None);
    assert_eq!(record.lease_until, None);
    assert_eq!(record.created_at, case.created_at);
    assert_eq!(record.updated_at, case.created_at);
    assert_eq!(record.due_at, case.due_at);
    assert_eq!(record.decided_at, None);

    // Exactly one `created` event, by the merchant.
    let events = store.case_events("UB-7K3QF9").await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].case_ref, "UB-7K3QF9");
    assert_eq!(events[0].action, "created");
    assert_eq!(events[0].actor, "merchant:100");
    assert_eq!(events[0].at, case.created_at);
    assert!(events[0].detail.is_object());
    store.close().await;
}

#[tokio::test]
async fn one_open_case_per_serial() {
    let (_dir, _url, store) = fresh().await;
    let first = new_case("UB-FIRST1", "d-1", 1, Some("SN-42"));
    assert_eq!(
        insert(&store, &first).await.unwrap(),
        InsertOutcome::Inserted
    );

    // A second open case for the same device is refused, naming the first.
    let second = new_case("UB-SECND2", "d-2", 2, Some("SN-42"));
    let err = insert(&store, &second).await.unwrap_err();
    match &err {
        StoreError::SerialTaken(existing) => assert_eq!(existing, "UB-FIRST1"),
        other => panic!("expected SerialTaken, got {other:?}"),
    }
    assert!(!err.is_retryable());
    // The message names the case, never the serial or any field value.
    let shown = err.to_string();
    assert!(shown.contains("UB-FIRST1"), "{shown}");
    assert!(!shown.contains("SN-42"), "{shown}");

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_case_for_serial("SN-42").await.unwrap().as_deref(),
        Some("UB-FIRST1")
    );
    assert_eq!(tx.open_case_for_serial("SN-43").await.unwrap(), None);
    drop(tx);

    // The database itself refuses a second open row, whatever the code does.
    let raw = sqlx::query(
        "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, attachments, \
         chat_id, locale, status, created_at, updated_at, due_at) \
         VALUES ('UB-RAW001', 'd-raw', 'unbind', 'lakala', 'SN-42', '{}', '[]', 3, 'en', \
         'waiting_merchant', 0, 0, 0)",
    )
    .execute(store.pool())
    .await
    .unwrap_err();
    assert!(
        raw.as_database_error().unwrap().is_unique_violation(),
        "{raw}"
    );

    // Once the first is no longer open, a new case for the device is allowed.
    for status in ["in_review", "waiting_merchant"] {
        set_status(&store, "UB-FIRST1", status).await.unwrap();
        assert!(matches!(
            insert(&store, &second).await,
            Err(StoreError::SerialTaken(_))
        ));
    }
    set_status(&store, "UB-FIRST1", "approved").await.unwrap();
    assert_eq!(
        insert(&store, &second).await.unwrap(),
        InsertOutcome::Inserted
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_case_for_serial("SN-42").await.unwrap().as_deref(),
        Some("UB-SECND2")
    );
    drop(tx);

    // Re-opening the first would make two open cases: the index refuses it.
    let err = set_status(&store, "UB-FIRST1", "queued").await.unwrap_err();
    assert!(
        err.as_database_error().unwrap().is_unique_violation(),
        "{err}"
    );
    // An unknown status is refused by the CHECK constraint.
    assert!(set_status(&store, "UB-FIRST1", "lost").await.is_err());

    // Cases without a serial never collide.
    for i in 0..3 {
        let case = new_case(&format!("UB-NOSER{i}"), &format!("d-noser-{i}"), 9, None);
        assert_eq!(
            insert(&store, &case).await.unwrap(),
            InsertOutcome::Inserted
        );
    }
    store.close().await;
}

#[tokio::test]
async fn cases_of_chat_newest_first_and_only_that_chat() {
    let (_dir, _url, store) = fresh().await;
    let mut tx = store.begin().await.unwrap();
    for (i, (case_ref, chat, minute)) in [
        ("UB-CHAT01", 1, 10),
        ("UB-CHAT02", 2, 20),
        ("UB-CHAT03", 1, 30),
        ("UB-CHAT04", 1, 5),
    ]
    .into_iter()
    .enumerate()
    {
        let mut case = new_case(case_ref, &format!("d-{i}"), chat, None);
        case.created_at = at(minute);
        case.due_at = at(minute + 60);
        tx.insert_case(&case).await.unwrap();
    }
    let mine = tx.cases_of_chat(1).await.unwrap();
    let refs: Vec<&str> = mine.iter().map(|c| c.case_ref.as_str()).collect();
    assert_eq!(refs, ["UB-CHAT03", "UB-CHAT01", "UB-CHAT04"]);
    assert_eq!(mine[0].kind, "unbind");
    assert_eq!(mine[0].status, CaseStatus::Queued);
    assert_eq!(mine[0].created_at, at(30));
    assert_eq!(mine[0].due_at, at(90));
    assert_eq!(tx.cases_of_chat(2).await.unwrap().len(), 1);
    assert!(tx.cases_of_chat(3).await.unwrap().is_empty());
    tx.commit().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn list_cases_filters() {
    let (_dir, _url, store) = fresh().await;
    // (ref, created minute, due minute, status)
    let rows = [
        ("UB-LIST01", 0, 100, "queued"),
        ("UB-LIST02", 1, 50, "in_review"),
        ("UB-LIST03", 2, 50, "approved"),
        ("UB-LIST04", 3, 200, "waiting_merchant"),
        ("UB-LIST05", 4, 10, "queued"),
        ("UB-LIST06", 5, 10, "rejected"),
    ];
    let mut tx = store.begin().await.unwrap();
    for (i, (case_ref, created, due, _)) in rows.iter().enumerate() {
        let mut case = new_case(case_ref, &format!("d-{i}"), 1, None);
        case.created_at = at(*created);
        case.due_at = at(*due);
        tx.insert_case(&case).await.unwrap();
    }
    tx.commit().await.unwrap();
    for (case_ref, _, _, status) in rows {
        set_status(&store, case_ref, status).await.unwrap();
    }

    let refs = |cases: Vec<posdesk::store::CaseRecord>| -> Vec<String> {
        cases.into_iter().map(|c| c.case_ref).collect()
    };

    let all = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(
        refs(all),
        [
            "UB-LIST06",
            "UB-LIST05",
            "UB-LIST04",
            "UB-LIST03",
            "UB-LIST02",
            "UB-LIST01"
        ]
    );

    let queued = CaseFilter {
        status: Some(CaseStatus::Queued),
        ..CaseFilter::default()
    };
    let found = store.list_cases(&queued).await.unwrap();
    assert!(found.iter().all(|c| c.status == CaseStatus::Queued));
    assert_eq!(refs(found), ["UB-LIST05", "UB-LIST01"]);

    // Overdue at minute 60: open cases due before then (not approved/rejected ones).
    let overdue = CaseFilter {
        overdue_at: Some(at(60)),
        ..CaseFilter::default()
    };
    assert_eq!(
        refs(store.list_cases(&overdue).await.unwrap()),
        ["UB-LIST05", "UB-LIST02"]
    );
    // Strictly before: a case due exactly then is not overdue.
    let at_due = CaseFilter {
        overdue_at: Some(at(10)),
        ..CaseFilter::default()
    };
    assert!(store.list_cases(&at_due).await.unwrap().is_empty());

    let overdue_queued = CaseFilter {
        status: Some(CaseStatus::Queued),
        overdue_at: Some(at(60)),
        limit: None,
    };
    assert_eq!(
        refs(store.list_cases(&overdue_queued).await.unwrap()),
        ["UB-LIST05"]
    );

    let limited = CaseFilter {
        limit: Some(2),
        ..CaseFilter::default()
    };
    assert_eq!(
        refs(store.list_cases(&limited).await.unwrap()),
        ["UB-LIST06", "UB-LIST05"]
    );
    let none = CaseFilter {
        limit: Some(0),
        ..CaseFilter::default()
    };
    assert!(store.list_cases(&none).await.unwrap().is_empty());
    store.close().await;
}

#[tokio::test]
async fn get_case_ignores_case() {
    let (_dir, _url, store) = fresh().await;
    let case = new_case("UB-7K3QF9", "draft-1", 100, Some("SN-1"));
    insert(&store, &case).await.unwrap();

    let exact = store.get_case("UB-7K3QF9").await.unwrap().unwrap();
    assert_eq!(exact.case_ref, "UB-7K3QF9");
    assert_eq!(exact.fields, case.fields);
    let lower = store.get_case("ub-7k3qf9").await.unwrap().unwrap();
    assert_eq!(lower, exact);
    let mixed = store.get_case(" Ub-7K3qF9 ").await.unwrap().unwrap();
    assert_eq!(mixed, exact);
    assert_eq!(store.get_case("UB-000000").await.unwrap(), None);
    store.close().await;
}

#[tokio::test]
async fn case_events_oldest_first() {
    let (_dir, _url, store) = fresh().await;
    insert(&store, &new_case("UB-EVENT1", "d-1", 100, None))
        .await
        .unwrap();
    insert(&store, &new_case("UB-EVENT2", "d-2", 200, None))
        .await
        .unwrap();

    let mut tx = store.begin().await.unwrap();
    // Recorded out of time order; two at the same instant keep their insertion order.
    for (minute, actor, action) in [
        (30, "staff:9", "approved"),
        (10, "staff:9", "claimed"),
        (20, "staff:9", "note"),
        (20, "system", "lease_expired"),
    ] {
        tx.record_event(&NewCaseEvent {
            case_ref: "ub-event1".to_string(),
            at: at(minute),
            actor: actor.to_string(),
            action: action.to_string(),
            detail: json!({ "minute": minute }),
        })
        .await
        .unwrap();
    }
    // An event for a case that does not exist is an error and writes nothing.
    let err = tx
        .record_event(&NewCaseEvent {
            case_ref: "UB-NOPE00".to_string(),
            at: at(1),
            actor: "system".to_string(),
            action: "note".to_string(),
            detail: json!({}),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(sqlx::Error::RowNotFound)),
        "{err:?}"
    );
    tx.commit().await.unwrap();

    let events = store.case_events("UB-EVENT1").await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["created", "claimed", "note", "lease_expired", "approved"]
    );
    assert!(events.iter().all(|e| e.case_ref == "UB-EVENT1"));
    assert_eq!(events[1].at, at(10));
    assert_eq!(events[1].actor, "staff:9");
    assert_eq!(events[1].detail, json!({ "minute": 10 }));
    assert_eq!(events[4].at, at(30));

    assert_eq!(store.case_events("ub-event2").await.unwrap().len(), 1);
    assert!(store.case_events("UB-NOPE00").await.unwrap().is_empty());

    // Deleting a case takes its trail with it (ON DELETE CASCADE, foreign keys on).
    sqlx::query("DELETE FROM cases WHERE case_ref = 'UB-EVENT1'")
        .execute(store.pool())
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(left, 1);
    store.close().await;
}

#[tokio::test]
async fn concurrent_transactions_serialize() {
    let (_dir, _url, store) = fresh().await;
    let store = Arc::new(store);
    const WRITERS: usize = 8;

    // Each writer reads the counter, waits a little while holding the transaction, and writes
    // counter + 1 with the version it read. Without the write lock taken up front they would
    // interleave and conflict (or fail with "database is locked"); with it, all succeed.
    let mut tasks = Vec::new();
    for i in 0..WRITERS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            let current = tx.load_dialogue(1).await?;
            let count: i64 = current.as_ref().map_or(0, |d| d.state.parse().unwrap());
            tokio::time::sleep(Duration::from_millis(15)).await;
            tx.save_dialogue(
                1,
                &dialogue(&(count + 1).to_string(), at(i as i64)),
                current.map(|d| d.row_version),
            )
            .await?;
            tx.mark_processed(i as i64, 1, at(0)).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut tx = store.begin().await.unwrap();
    let last = tx.load_dialogue(1).await.unwrap().unwrap();
    assert_eq!(last.state, WRITERS.to_string());
    assert_eq!(last.row_version, WRITERS as i64);
    for i in 0..WRITERS {
        assert!(tx.is_processed(i as i64).await.unwrap());
    }
    drop(tx);

    // Readers outside a transaction are not blocked by an open writer (WAL).
    let mut writer = store.begin().await.unwrap();
    writer
        .save_dialogue(2, &dialogue("{}", at(0)), None)
        .await
        .unwrap();
    let read = tokio::time::timeout(
        Duration::from_secs(1),
        store.list_cases(&CaseFilter::default()),
    )
    .await
    .expect("a reader waited for the writer")
    .unwrap();
    assert!(read.is_empty());
    writer.commit().await.unwrap();
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

#[tokio::test]
async fn outbox_rows_are_due_in_order_coalesce_and_retry() {
    use chrono::Duration;
    use posdesk::store::NewOutbox;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("o.db").display()))
        .await
        .unwrap();
    let now = chrono::DateTime::from_timestamp_millis(1_800_000_000_000).unwrap();
    let row = |chat: i64, text: &str, key: Option<&str>, delay: i64| NewOutbox {
        chat_id: chat,
        payload: serde_json::json!({ "text": text }),
        coalesce_key: key.map(String::from),
        not_before: now + Duration::milliseconds(delay),
        created_at: now,
    };
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&row(1, "a", None, 0)).await.unwrap();
    tx.enqueue(&row(1, "album-1", Some("album:g"), 1500))
        .await
        .unwrap();
    tx.enqueue(&row(2, "b", None, 0)).await.unwrap();
    tx.commit().await.unwrap();
    // A later part of the album replaces the unsent answer.
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&row(1, "album-2", Some("album:g"), 1600))
        .await
        .unwrap();
    // A rolled-back enqueue leaves nothing.
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&row(1, "album-2", Some("album:g"), 1600))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let due = store.due_outbox(now, 10).await.unwrap();
    let texts: Vec<_> = due
        .iter()
        .map(|i| i.payload["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["a", "b"]);
    assert_eq!(store.next_outbox_due().await.unwrap(), Some(now));
    let later = store
        .due_outbox(now + Duration::seconds(2), 10)
        .await
        .unwrap();
    let texts: Vec<_> = later
        .iter()
        .map(|i| i.payload["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["a", "b", "album-2"]);

    store.outbox_done(due[0].id).await.unwrap();
    store
        .outbox_retry(due[1].id, now + Duration::seconds(60))
        .await
        .unwrap();
    let due = store
        .due_outbox(now + Duration::seconds(2), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].payload["text"], "album-2");
    let retried = store
        .due_outbox(now + Duration::seconds(61), 10)
        .await
        .unwrap();
    assert_eq!(retried.iter().find(|i| i.chat_id == 2).unwrap().attempts, 1);
}
