//! The store's behaviour, written once and run on every backend: `tests/store_sqlite.rs`
//! and `tests/store_postgres.rs` each call every check here with a fresh database of
//! their own (DESIGN.md: "Two backends, one behaviour"). A check reaches the database
//! directly only through [`Backend`], whose few methods hide the SQL dialect.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use posdesk::domain::{CaseKind, CaseRecord, CaseRef, CaseStatus, ClaimUpdate, StatusChange};
use posdesk::i18n::Locale;
use posdesk::store::{
    CaseEvent, CaseFilter, ClaimOutcome, DialogueWrite, InsertOutcome, NewCase, NewDialogue,
    NewOutbox, ProcessedMark, Store, StoreError,
};
use serde_json::json;

/// One fresh database under test, as the backend's test file opened it.
#[async_trait]
pub trait Backend: Send + Sync {
    /// The store under test.
    fn store(&self) -> Arc<dyn Store>;
    /// A second store on the same database, as a second bot instance would open it.
    async fn another_instance(&self) -> Arc<dyn Store>;
    /// Run one statement written the same in both dialects (no binds).
    async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error>;
    /// The integer that a query written the same in both dialects returns.
    async fn scalar(&self, sql: &str) -> i64;
    /// Set a case's status behind the store's back (the schema's checks still apply).
    async fn force_status(&self, case_ref: &str, status: &str) -> Result<(), sqlx::Error>;
    /// Insert a case row behind the store's back (the schema's checks still apply).
    async fn insert_raw_case(
        &self,
        case_ref: &str,
        draft_id: &str,
        serial: &str,
        status: &str,
    ) -> Result<(), sqlx::Error>;
    /// The stored (chat id, processed at) of an update.
    async fn processed_row(&self, update_id: i64) -> (i64, DateTime<Utc>);
    /// When the stored run of `job` for `period` ran.
    async fn job_ran_at(&self, job: &str, period: &str) -> DateTime<Utc>;
    /// (chat id, draft_since, reminded) of every dialogue, by chat id.
    async fn draft_columns(&self) -> Vec<(i64, Option<DateTime<Utc>>, bool)>;
    /// How many event details of the `UB-QKD%` cases and case fields contain `needle`.
    async fn mentions(&self, needle: &str) -> i64;
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
        draft_since: None,
        reminded: false,
    }
}

/// A case reference written in a check (as canonical, or as a merchant might type it).
fn r(text: &str) -> CaseRef {
    CaseRef::parse(text).expect("a well-formed case reference")
}

fn new_case(case_ref: &str, draft_id: &str, chat_id: i64, serial: Option<&str>) -> NewCase {
    NewCase {
        case_ref: r(case_ref),
        draft_id: draft_id.to_string(),
        kind: CaseKind::Unbind,
        brand: "lakala".to_string(),
        serial: serial.map(str::to_string),
        fields: json!({ "merchant_no": "822100012345678", "contact_name": "张三" }),
        attachments: json!([{ "field": "photo", "file_id": "AgACAgUAAxkBAAIB", "kind": "photo" }]),
        chat_id,
        locale: Locale::ZhCn,
        created_at: at(0),
        due_at: at(0) + chrono::Duration::days(3),
    }
}

async fn insert(store: &Arc<dyn Store>, case: &NewCase) -> Result<InsertOutcome, StoreError> {
    let mut tx = store.begin().await?;
    let outcome = tx.insert_case(case).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub async fn dialogue_save_load_version_conflict_forget(db: &dyn Backend) {
    let store = db.store();
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
    tx.forget_chat(42, at(8)).await.unwrap();
    tx.forget_chat(42, at(8)).await.unwrap(); // forgetting nothing is fine
    assert_eq!(tx.load_dialogue(42).await.unwrap(), None);
    // A forgotten chat starts again at version 1.
    tx.save_dialogue(42, &dialogue("{}", at(8)), None)
        .await
        .unwrap();
    assert_eq!(tx.load_dialogue(42).await.unwrap().unwrap().row_version, 1);
    tx.commit().await.unwrap();
    store.close().await;
}

pub async fn dropping_a_tx_without_commit_writes_nothing(db: &dyn Backend) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(5, &dialogue("{}", at(0)), None)
        .await
        .unwrap();
    tx.mark_processed(1001, 5, at(0)).await.unwrap();
    assert_eq!(
        tx.insert_case(&new_case("UB-AAAAA3", "d-1", 5, Some("SN1")))
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
    assert_eq!(event_count(db).await, 0);
    store.close().await;
}

pub async fn processed_updates_are_remembered(db: &dyn Backend) {
    let store = db.store();
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
    assert_eq!(db.processed_row(77).await, (5, at(0)));
    store.close().await;
}

/// The read that starts an update, outside any transaction: redelivery and the dialogue
/// with the row version the write transaction must still find.
pub async fn peek_chat_sees_processed_updates_and_the_saved_dialogue(db: &dyn Backend) {
    let store = db.store();
    let fresh = store.peek_chat(41, Some(900)).await.unwrap();
    assert!(!fresh.processed);
    assert_eq!(fresh.dialogue, None);
    assert!(!store.peek_chat(41, None).await.unwrap().processed);

    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(41, &dialogue(r#"{"s":1}"#, at(0)), None)
        .await
        .unwrap();
    tx.mark_processed(900, 41, at(0)).await.unwrap();
    tx.commit().await.unwrap();

    let seen = store.peek_chat(41, Some(900)).await.unwrap();
    assert!(seen.processed);
    let stored = seen.dialogue.expect("the saved dialogue");
    assert_eq!(stored.state, r#"{"s":1}"#);
    assert_eq!(stored.row_version, 1);
    assert_eq!(stored.updated_at, at(0));
    // Another update of the same chat: not processed, same dialogue.
    let next = store.peek_chat(41, Some(901)).await.unwrap();
    assert!(!next.processed);
    assert_eq!(next.dialogue, Some(stored.clone()));
    // Another chat sees nothing of this one.
    assert_eq!(store.peek_chat(42, Some(901)).await.unwrap().dialogue, None);

    // A save from the version read succeeds once; the second writer from the same read
    // loses, which is how an update handled from a stale read starts over.
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(41, &dialogue(r#"{"s":2}"#, at(1)), Some(stored.row_version))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let stale = tx
        .save_dialogue(41, &dialogue(r#"{"s":3}"#, at(2)), Some(stored.row_version))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
}

/// The batched forms a polling batch is applied with (`service::batch`) read and write
/// what the single forms would, with the same conflicts, in any number of rows.
pub async fn batch_forms_match_the_single_forms(db: &dyn Backend) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogue(1, &dialogue(r#"{"s":1}"#, at(0)), None)
        .await
        .unwrap();
    tx.save_dialogue(2, &dialogue(r#"{"s":2}"#, at(0)), None)
        .await
        .unwrap();
    tx.mark_processed(500, 1, at(0)).await.unwrap();
    tx.commit().await.unwrap();

    // The peek: processed ids among those asked, dialogues of the chats that have one.
    let mut tx = store.begin().await.unwrap();
    let peek = tx.peek_batch(&[1, 2, 3], &[500, 501, 502]).await.unwrap();
    assert_eq!(peek.processed, [500].into_iter().collect());
    let mut chats: Vec<_> = peek.dialogues.keys().copied().collect();
    chats.sort();
    assert_eq!(chats, [1, 2]);
    assert_eq!(peek.dialogues[&1].state, r#"{"s":1}"#);
    assert_eq!(peek.dialogues[&1].row_version, 1);
    assert_eq!(peek.dialogues[&2].updated_at, at(0));

    // Saves: an update from the version read, a new row; both bump as the single form does.
    let mut draft = dialogue(r#"{"s":11}"#, at(1));
    draft.draft_since = Some(at(1));
    tx.save_dialogues(&[
        DialogueWrite {
            chat_id: 1,
            dialogue: draft,
            expected_row_version: Some(1),
        },
        DialogueWrite {
            chat_id: 3,
            dialogue: dialogue(r#"{"s":3}"#, at(1)),
            expected_row_version: None,
        },
    ])
    .await
    .unwrap();
    // Outbox rows keep their order, and a coalesce key replaces what it replaces.
    let now = at(2);
    let row = |chat: i64, text: &str, key: Option<&str>| NewOutbox {
        chat_id: chat,
        payload: json!({ "text": text }),
        coalesce_key: key.map(String::from),
        not_before: now,
        created_at: now,
    };
    tx.enqueue_all(&[
        row(1, "a", None),
        row(3, "album-1", Some("album:g")),
        row(1, "b", None),
        row(3, "album-2", Some("album:g")),
        row(2, "c", None),
    ])
    .await
    .unwrap();
    // Marks: new ones, and one this transaction saw processed (harmless).
    tx.mark_all_processed(&[
        ProcessedMark {
            update_id: 501,
            chat_id: 1,
            at: at(2),
        },
        ProcessedMark {
            update_id: 502,
            chat_id: 3,
            at: at(2),
        },
        ProcessedMark {
            update_id: 500,
            chat_id: 1,
            at: at(2),
        },
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let one = tx.load_dialogue(1).await.unwrap().unwrap();
    assert_eq!((one.state.as_str(), one.row_version), (r#"{"s":11}"#, 2));
    let three = tx.load_dialogue(3).await.unwrap().unwrap();
    assert_eq!((three.state.as_str(), three.row_version), (r#"{"s":3}"#, 1));
    assert!(tx.is_processed(501).await.unwrap());
    assert!(tx.is_processed(502).await.unwrap());
    drop(tx);
    assert_eq!(
        db.processed_row(500).await,
        (1, at(0)),
        "the first mark stays"
    );
    assert_eq!(db.processed_row(502).await, (3, at(2)));
    let drafts = db.draft_columns().await;
    assert_eq!(drafts[0], (1, Some(at(1)), false));
    let texts: Vec<String> = store
        .due_outbox(now, 10)
        .await
        .unwrap()
        .iter()
        .map(|i| i.payload["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["a", "b", "album-2", "c"]);

    // Conflicts: a stale version, a new row where one exists. Nothing of a failed
    // transaction stays.
    for stale in [
        DialogueWrite {
            chat_id: 1,
            dialogue: dialogue(r#"{"s":"stale"}"#, at(3)),
            expected_row_version: Some(1),
        },
        DialogueWrite {
            chat_id: 2,
            dialogue: dialogue(r#"{"s":"stale"}"#, at(3)),
            expected_row_version: None,
        },
    ] {
        let mut tx = store.begin().await.unwrap();
        let fresh = DialogueWrite {
            chat_id: 9,
            dialogue: dialogue(r#"{"s":9}"#, at(3)),
            expected_row_version: None,
        };
        let result = tx.save_dialogues(&[fresh, stale]).await;
        assert!(matches!(result, Err(StoreError::Conflict)), "{result:?}");
    }
    assert!(store.peek_chat(9, None).await.unwrap().dialogue.is_none());

    // More rows than one statement binds.
    let many: Vec<DialogueWrite> = (1_000..2_200)
        .map(|chat_id| DialogueWrite {
            chat_id,
            dialogue: dialogue("{}", at(4)),
            expected_row_version: None,
        })
        .collect();
    let marks: Vec<ProcessedMark> = (1_000..2_200)
        .map(|n| ProcessedMark {
            update_id: n,
            chat_id: n,
            at: at(4),
        })
        .collect();
    let rows: Vec<NewOutbox> = (1_000..2_200).map(|n| row(n, "x", None)).collect();
    let mut tx = store.begin().await.unwrap();
    tx.save_dialogues(&many).await.unwrap();
    tx.enqueue_all(&rows).await.unwrap();
    tx.mark_all_processed(&marks).await.unwrap();
    tx.commit().await.unwrap();
    let chats: Vec<i64> = (1_000..2_200).collect();
    let mut tx = store.begin().await.unwrap();
    let peek = tx.peek_batch(&chats, &chats).await.unwrap();
    assert_eq!(peek.processed.len(), 1_200);
    assert_eq!(peek.dialogues.len(), 1_200);
    // Lists of different lengths (SQLite reads both in one statement per slice).
    let peek = tx.peek_batch(&chats, &chats[..3]).await.unwrap();
    assert_eq!((peek.processed.len(), peek.dialogues.len()), (3, 1_200));
    let peek = tx.peek_batch(&chats[..2], &chats).await.unwrap();
    assert_eq!((peek.processed.len(), peek.dialogues.len()), (1_200, 2));
    let peek = tx.peek_batch(&[], &[]).await.unwrap();
    assert!(peek.processed.is_empty() && peek.dialogues.is_empty());
    drop(tx);
    let due = store.due_outbox(now, 2_000).await.unwrap();
    let chats_in_order: Vec<i64> = due
        .iter()
        .map(|i| i.chat_id)
        .filter(|c| *c >= 1_000)
        .collect();
    assert_eq!(chats_in_order, chats, "ids ascend in the order given");
}

pub async fn insert_case_is_idempotent_on_the_draft_id(db: &dyn Backend) {
    let store = db.store();
    let case = new_case("UB-9K5QFB", "draft-1", 100, Some("SN-0001"));
    assert_eq!(
        insert(&store, &case).await.unwrap(),
        InsertOutcome::Inserted
    );

    // The same draft again (even with a new reference) returns the first reference.
    let mut again = case.clone();
    again.case_ref = r("UB-ZZZZZZ");
    assert_eq!(
        insert(&store, &again).await.unwrap(),
        InsertOutcome::AlreadyExists(r("UB-9K5QFB"))
    );

    let all = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    let record = &all[0];
    assert_eq!(record.case_ref, "UB-9K5QFB");
    assert_eq!(record.draft_id, "draft-1");
    assert_eq!(record.kind, CaseKind::Unbind);
    assert_eq!(record.brand, "lakala");
    assert_eq!(record.serial.as_deref(), Some("SN-0001"));
    assert_eq!(record.fields, case.fields);
    assert_eq!(record.attachments, case.attachments);
    assert_eq!(record.chat_id, 100);
    assert_eq!(record.locale, Locale::ZhCn);
    assert_eq!(record.status, CaseStatus::Queued);
    assert_eq!(record.claimed_by, None);
    assert_eq!(record.lease_until, None);
    assert_eq!(record.created_at, case.created_at);
    assert_eq!(record.updated_at, case.created_at);
    assert_eq!(record.due_at, case.due_at);
    assert_eq!(record.decided_at, None);

    // Exactly one `created` event, by the merchant.
    let events = store.case_events(&r("UB-9K5QFB")).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].case_ref, "UB-9K5QFB");
    assert_eq!(events[0].action, "created");
    assert_eq!(events[0].actor, "merchant:100");
    assert_eq!(events[0].at, case.created_at);
    assert!(events[0].detail.is_object());
    store.close().await;
}

pub async fn one_open_case_per_serial(db: &dyn Backend) {
    let store = db.store();
    let first = new_case("UB-FJRST3", "d-1", 1, Some("SN-42"));
    assert_eq!(
        insert(&store, &first).await.unwrap(),
        InsertOutcome::Inserted
    );

    // A second open case for the same device is refused, naming the first.
    let second = new_case("UB-SECND4", "d-2", 2, Some("SN-42"));
    let err = insert(&store, &second).await.unwrap_err();
    match &err {
        StoreError::SerialTaken(existing) => assert_eq!(existing, "UB-FJRST3"),
        other => panic!("expected SerialTaken, got {other:?}"),
    }
    assert!(!err.is_retryable());
    // The message names the case, never the serial or any field value.
    let shown = err.to_string();
    assert!(shown.contains("UB-FJRST3"), "{shown}");
    assert!(!shown.contains("SN-42"), "{shown}");

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_case_for_serial("SN-42").await.unwrap(),
        Some(r("UB-FJRST3"))
    );
    assert_eq!(tx.open_case_for_serial("SN-43").await.unwrap(), None);
    drop(tx);

    // The database itself refuses a second open row, whatever the code does.
    let raw = db
        .insert_raw_case("UB-RAW223", "d-raw", "SN-42", "waiting_merchant")
        .await
        .unwrap_err();
    assert!(
        raw.as_database_error().unwrap().is_unique_violation(),
        "{raw}"
    );

    // Once the first is no longer open, a new case for the device is allowed.
    for status in ["in_review", "waiting_merchant"] {
        db.force_status("UB-FJRST3", status).await.unwrap();
        assert!(matches!(
            insert(&store, &second).await,
            Err(StoreError::SerialTaken(_))
        ));
    }
    db.force_status("UB-FJRST3", "approved").await.unwrap();
    assert_eq!(
        insert(&store, &second).await.unwrap(),
        InsertOutcome::Inserted
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_case_for_serial("SN-42").await.unwrap(),
        Some(r("UB-SECND4"))
    );
    drop(tx);

    // Re-opening the first would make two open cases: the index refuses it.
    let err = db.force_status("UB-FJRST3", "queued").await.unwrap_err();
    assert!(
        err.as_database_error().unwrap().is_unique_violation(),
        "{err}"
    );
    // An unknown status is refused by the CHECK constraint.
    assert!(db.force_status("UB-FJRST3", "lost").await.is_err());

    // Cases without a serial never collide.
    for i in 0..3 {
        let case = new_case(
            &format!("UB-NQSER{}", i + 2),
            &format!("d-noser-{i}"),
            9,
            None,
        );
        assert_eq!(
            insert(&store, &case).await.unwrap(),
            InsertOutcome::Inserted
        );
    }
    store.close().await;
}

pub async fn cases_of_chat_newest_first_and_only_that_chat(db: &dyn Backend) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    for (i, (case_ref, chat, minute)) in [
        ("UB-CHAT23", 1, 10),
        ("UB-CHAT24", 2, 20),
        ("UB-CHAT25", 1, 30),
        ("UB-CHAT26", 1, 5),
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
    assert_eq!(refs, ["UB-CHAT25", "UB-CHAT23", "UB-CHAT26"]);
    assert_eq!(mine[0].kind, CaseKind::Unbind);
    assert_eq!(mine[0].status, CaseStatus::Queued);
    assert_eq!(mine[0].created_at, at(30));
    assert_eq!(mine[0].due_at, at(90));
    assert_eq!(tx.cases_of_chat(2).await.unwrap().len(), 1);
    assert!(tx.cases_of_chat(3).await.unwrap().is_empty());

    // Several chats at once (a batch's `/start`s): the same lists, every chat asked for
    // present, in any number of chats.
    let lists = tx.cases_of_chats(&[1, 2, 3]).await.unwrap();
    assert_eq!(lists.len(), 3);
    for chat in [1, 2, 3] {
        assert_eq!(
            lists[&chat],
            tx.cases_of_chat(chat).await.unwrap(),
            "chat {chat}"
        );
    }
    let many: Vec<i64> = (1..=1_200).collect();
    let lists = tx.cases_of_chats(&many).await.unwrap();
    assert_eq!(lists.len(), 1_200);
    assert_eq!(lists[&1], mine);
    assert_eq!(lists[&2].len(), 1);
    assert_eq!(lists.values().map(Vec::len).sum::<usize>(), 4);
    // A backend that reads the lists with a batch's peek reads the same.
    for chats in [&[1, 2, 3][..], &many[..]] {
        if let Some(peeked) = tx.peek_batch(chats, &[]).await.unwrap().cases {
            assert_eq!(peeked, tx.cases_of_chats(chats).await.unwrap());
        }
    }
    tx.commit().await.unwrap();
    store.close().await;
}

pub async fn list_cases_filters(db: &dyn Backend) {
    let store = db.store();
    // (ref, created minute, due minute, status)
    let rows = [
        ("UB-KJST23", 0, 100, "queued"),
        ("UB-KJST24", 1, 50, "in_review"),
        ("UB-KJST25", 2, 50, "approved"),
        ("UB-KJST26", 3, 200, "waiting_merchant"),
        ("UB-KJST27", 4, 10, "queued"),
        ("UB-KJST28", 5, 10, "rejected"),
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
        db.force_status(case_ref, status).await.unwrap();
    }

    let refs = |cases: Vec<CaseRecord>| -> Vec<String> {
        cases.into_iter().map(|c| c.case_ref.to_string()).collect()
    };

    let all = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(
        refs(all),
        [
            "UB-KJST28",
            "UB-KJST27",
            "UB-KJST26",
            "UB-KJST25",
            "UB-KJST24",
            "UB-KJST23"
        ]
    );

    let queued = CaseFilter {
        status: Some(CaseStatus::Queued),
        ..CaseFilter::default()
    };
    let found = store.list_cases(&queued).await.unwrap();
    assert!(found.iter().all(|c| c.status == CaseStatus::Queued));
    assert_eq!(refs(found), ["UB-KJST27", "UB-KJST23"]);

    // Overdue at minute 60: open cases due before then (not approved/rejected ones).
    let overdue = CaseFilter {
        overdue_at: Some(at(60)),
        ..CaseFilter::default()
    };
    assert_eq!(
        refs(store.list_cases(&overdue).await.unwrap()),
        ["UB-KJST27", "UB-KJST24"]
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
        ["UB-KJST27"]
    );

    let limited = CaseFilter {
        limit: Some(2),
        ..CaseFilter::default()
    };
    assert_eq!(
        refs(store.list_cases(&limited).await.unwrap()),
        ["UB-KJST28", "UB-KJST27"]
    );
    let none = CaseFilter {
        limit: Some(0),
        ..CaseFilter::default()
    };
    assert!(store.list_cases(&none).await.unwrap().is_empty());
    store.close().await;
}

/// References reach the store as `CaseRef`s, canonical whatever the merchant typed, so the
/// store compares them as they are.
pub async fn get_case_by_reference(db: &dyn Backend) {
    let store = db.store();
    let case = new_case("UB-9K5QFB", "draft-1", 100, Some("SN-1"));
    insert(&store, &case).await.unwrap();

    let exact = store.get_case(&r("UB-9K5QFB")).await.unwrap().unwrap();
    assert_eq!(exact.case_ref, "UB-9K5QFB");
    assert_eq!(exact.fields, case.fields);
    let typed = store.get_case(&r(" ub 9k5qfb")).await.unwrap().unwrap();
    assert_eq!(typed, exact);
    assert_eq!(store.get_case(&r("UB-222222")).await.unwrap(), None);
    store.close().await;
}

pub async fn case_events_oldest_first(db: &dyn Backend) {
    let store = db.store();
    insert(&store, &new_case("UB-EVENT3", "d-1", 100, None))
        .await
        .unwrap();
    insert(&store, &new_case("UB-EVENT4", "d-2", 200, None))
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
        tx.record_event(&CaseEvent {
            case_ref: r("ub-event3"),
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
        .record_event(&CaseEvent {
            case_ref: r("UB-NQPE22"),
            at: at(1),
            actor: "system".to_string(),
            action: "note".to_string(),
            detail: json!({}),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnknownCase(r) if r == "UB-NQPE22"),
        "{err:?}"
    );
    // The newest of an action (by time, then by insertion), inside the transaction.
    let note = tx
        .last_event(&r("UB-EVENT3"), "note")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.detail, json!({ "minute": 20 }));
    let approved = tx.last_event(&r("ub-event3"), "approved").await.unwrap();
    assert_eq!(approved.map(|e| e.at), Some(at(30)));
    assert_eq!(tx.last_event(&r("UB-EVENT4"), "note").await.unwrap(), None);
    assert_eq!(tx.last_event(&r("UB-NQPE22"), "note").await.unwrap(), None);
    tx.record_event(&CaseEvent {
        case_ref: r("UB-EVENT3"),
        at: at(20),
        actor: "staff:9".to_string(),
        action: "note".to_string(),
        detail: json!({ "second": true }),
    })
    .await
    .unwrap();
    let note = tx
        .last_event(&r("UB-EVENT3"), "note")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.detail, json!({ "second": true }));
    tx.commit().await.unwrap();

    let events = store.case_events(&r("UB-EVENT3")).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "claimed",
            "note",
            "lease_expired",
            "note",
            "approved"
        ]
    );
    assert!(events.iter().all(|e| e.case_ref == "UB-EVENT3"));
    assert_eq!(events[1].at, at(10));
    assert_eq!(events[1].actor, "staff:9");
    assert_eq!(events[1].detail, json!({ "minute": 10 }));
    assert_eq!(events[5].at, at(30));

    assert_eq!(store.case_events(&r("ub-event4")).await.unwrap().len(), 1);
    assert!(store.case_events(&r("UB-NQPE22")).await.unwrap().is_empty());

    // Deleting a case takes its trail with it (ON DELETE CASCADE, foreign keys on).
    db.execute("DELETE FROM cases WHERE case_ref = 'UB-EVENT3'")
        .await
        .unwrap();
    assert_eq!(event_count(db).await, 1);
    store.close().await;
}

pub async fn concurrent_transactions_serialize(db: &dyn Backend) {
    let store = db.store();
    let store = Arc::new(store);
    const WRITERS: usize = 8;

    // Each writer reads the counter, waits a little while holding the transaction, and writes
    // counter + 1 with the version it read. Without the writers serialised (SQLite: the write
    // lock taken up front; PostgreSQL: the chat's advisory lock taken by load_dialogue) they
    // would interleave and conflict (or fail with "database is locked"); with it, all succeed.
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

    // Readers outside a transaction are not blocked by an open writer (SQLite: WAL).
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

pub async fn outbox_rows_are_due_in_order_coalesce_and_retry(db: &dyn Backend) {
    use chrono::Duration;
    let store = db.store();
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

    store.outbox_done(&[due[0].id]).await.unwrap();
    store.outbox_done(&[]).await.unwrap();
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

    // A round's sent rows go in one call, more of them than SQLite binds in one statement.
    let mut tx = store.begin().await.unwrap();
    for n in 0..1_200 {
        tx.enqueue(&NewOutbox {
            chat_id: 1_000 + n,
            payload: json!({ "text": n }),
            coalesce_key: None,
            not_before: now,
            created_at: now,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let many = store.due_outbox(now, 5_000).await.unwrap();
    let ids: Vec<i64> = many
        .iter()
        .filter(|i| i.chat_id >= 1_000)
        .map(|i| i.id)
        .collect();
    assert_eq!(ids.len(), 1_200);
    store.outbox_done(&ids).await.unwrap();
    let left = store
        .due_outbox(now + Duration::seconds(61), 5_000)
        .await
        .unwrap();
    assert!(
        left.iter().all(|i| i.chat_id < 1_000),
        "every sent row removed"
    );
    assert!(!left.is_empty(), "rows not named stay");
}

// ---------------------------------------------------------------------------------------
// The staff review queue.
// ---------------------------------------------------------------------------------------

/// A case created at `minute`, without a serial (so statuses can move freely).
fn case_at(case_ref: &str, chat_id: i64, minute: i64) -> NewCase {
    let mut case = new_case(case_ref, &format!("draft-{case_ref}"), chat_id, None);
    case.created_at = at(minute);
    case.due_at = at(minute) + chrono::Duration::days(3);
    case
}

/// A status change with no extra conditions, keeping the claim, by `system`.
fn change(
    case_ref: &str,
    from: &[CaseStatus],
    to: CaseStatus,
    when: DateTime<Utc>,
) -> StatusChange {
    StatusChange {
        case_ref: r(case_ref),
        from: from.to_vec(),
        require_claimed_by: None,
        require_chat_id: None,
        to,
        claim: ClaimUpdate::Keep,
        at: when,
        actor: "system".to_string(),
        action: to.as_str().to_string(),
        detail: json!({}),
    }
}

async fn claim(
    store: &Arc<dyn Store>,
    case_ref: &str,
    staff: i64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> ClaimOutcome {
    let mut tx = store.begin().await.unwrap();
    let outcome = tx
        .claim_case(&r(case_ref), staff, now, lease_until)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn apply(store: &Arc<dyn Store>, change: &StatusChange) -> Option<CaseRecord> {
    let mut tx = store.begin().await.unwrap();
    let updated = tx.set_status(change).await.unwrap();
    tx.commit().await.unwrap();
    updated
}

async fn event_count(db: &dyn Backend) -> i64 {
    db.scalar("SELECT COUNT(*) FROM case_events").await
}

fn refs(cases: &[CaseRecord]) -> Vec<&str> {
    cases.iter().map(|c| c.case_ref.as_str()).collect()
}

pub async fn claim_outcomes(db: &dyn Backend) {
    let store = db.store();
    insert(&store, &case_at("UB-CKAJM3", 100, 0)).await.unwrap();
    insert(&store, &case_at("UB-CKAJM4", 100, 1)).await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.case(&r("ub-ckajm3")).await.unwrap().unwrap().status,
        CaseStatus::Queued
    );
    assert_eq!(tx.case(&r("UB-NQPE22")).await.unwrap(), None);

    // A queued case is claimed.
    let claimed = match tx
        .claim_case(&r(" ub-ckajm3"), 7, at(10), at(40))
        .await
        .unwrap()
    {
        ClaimOutcome::Claimed(record) => record,
        other => panic!("expected Claimed, got {other:?}"),
    };
    assert_eq!(claimed.case_ref, "UB-CKAJM3");
    assert_eq!(claimed.status, CaseStatus::InReview);
    assert_eq!(claimed.claimed_by, Some(7));
    assert_eq!(claimed.lease_until, Some(at(40)));
    assert_eq!(claimed.updated_at, at(10));
    assert_eq!(tx.case(&r("UB-CKAJM3")).await.unwrap().unwrap(), claimed);

    // The same reviewer again: the lease is renewed.
    let renewed = match tx
        .claim_case(&r("UB-CKAJM3"), 7, at(20), at(50))
        .await
        .unwrap()
    {
        ClaimOutcome::AlreadyYours(record) => record,
        other => panic!("expected AlreadyYours, got {other:?}"),
    };
    assert_eq!(renewed.claimed_by, Some(7));
    assert_eq!(renewed.lease_until, Some(at(50)));
    assert_eq!(renewed.status, CaseStatus::InReview);

    // Another reviewer is told who has it, and nothing changes.
    assert_eq!(
        tx.claim_case(&r("UB-CKAJM3"), 8, at(21), at(51))
            .await
            .unwrap(),
        ClaimOutcome::HeldBy(7)
    );
    assert_eq!(tx.case(&r("UB-CKAJM3")).await.unwrap().unwrap(), renewed);
    assert_eq!(
        tx.claim_case(&r("UB-NQPE22"), 8, at(21), at(51))
            .await
            .unwrap(),
        ClaimOutcome::NotFound
    );
    tx.commit().await.unwrap();

    // Cases waiting for the merchant or decided cannot be claimed, not even by the holder.
    for (status, expected) in [
        ("waiting_merchant", CaseStatus::WaitingMerchant),
        ("approved", CaseStatus::Approved),
        ("withdrawn", CaseStatus::Withdrawn),
    ] {
        db.force_status("UB-CKAJM4", status).await.unwrap();
        for staff in [7, 8] {
            assert_eq!(
                claim(&store, "UB-CKAJM4", staff, at(30), at(60)).await,
                ClaimOutcome::NotClaimable(expected)
            );
        }
    }

    // One `claimed` event, by the reviewer; the renewal and the refusals wrote none.
    let events = store.case_events(&r("UB-CKAJM3")).await.unwrap();
    let trail: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(trail, [("created", "merchant:100"), ("claimed", "staff:7")]);
    assert_eq!(events[1].at, at(10));
    assert_eq!(store.case_events(&r("UB-CKAJM4")).await.unwrap().len(), 1);
    store.close().await;
}

pub async fn concurrent_claims_have_exactly_one_winner(db: &dyn Backend) {
    // Two instances on one database, as with several bot processes.
    let instances = [db.store(), db.another_instance().await];
    const CLAIMERS: i64 = 3;

    for round in 0..50 {
        let case_ref = CaseRef::generate(CaseKind::Unbind, round as u64);
        insert(&instances[0], &case_at(case_ref.as_str(), 1, round))
            .await
            .unwrap();
        let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS as usize));
        let mut tasks = Vec::new();
        for staff in 1..=CLAIMERS {
            let store = Arc::clone(&instances[staff as usize % 2]);
            let start = Arc::clone(&start);
            let case_ref = case_ref.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let mut tx = store.begin().await?;
                let outcome = tx.claim_case(&case_ref, staff, at(100), at(130)).await?;
                tx.commit().await?;
                Ok::<_, StoreError>((staff, outcome))
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap().unwrap());
        }

        let winners: Vec<i64> = outcomes
            .iter()
            .filter_map(|(staff, outcome)| {
                matches!(outcome, ClaimOutcome::Claimed(_)).then_some(*staff)
            })
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let winner = winners[0];
        for (staff, outcome) in &outcomes {
            if *staff != winner {
                assert_eq!(
                    *outcome,
                    ClaimOutcome::HeldBy(winner),
                    "round {round}: {outcomes:?}"
                );
            }
        }
        let stored = instances[1].get_case(&case_ref).await.unwrap().unwrap();
        assert_eq!(stored.claimed_by, Some(winner));
        let claims = instances[0]
            .case_events(&case_ref)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "claimed")
            .count();
        assert_eq!(claims, 1, "round {round}");
    }
    for store in instances {
        store.close().await;
    }
}

pub async fn set_status_conditions_decisions_and_claims(db: &dyn Backend) {
    let store = db.store();
    insert(&store, &case_at("UB-STAT23", 100, 0)).await.unwrap();
    insert(&store, &case_at("UB-STAT24", 200, 1)).await.unwrap();
    insert(&store, &case_at("UB-STAT25", 300, 2)).await.unwrap();
    assert!(matches!(
        claim(&store, "UB-STAT23", 7, at(10), at(40)).await,
        ClaimOutcome::Claimed(_)
    ));

    // Each condition that does not hold refuses the change and writes nothing.
    let ask = StatusChange {
        require_claimed_by: Some(7),
        require_chat_id: Some(100),
        claim: ClaimUpdate::KeepReviewerClearLease,
        actor: "staff:7".to_string(),
        action: "asked".to_string(),
        detail: json!({ "question": "a photo of the back, please" }),
        ..change(
            "UB-STAT23",
            &[CaseStatus::InReview],
            CaseStatus::WaitingMerchant,
            at(20),
        )
    };
    let before = store.get_case(&r("UB-STAT23")).await.unwrap().unwrap();
    let events_before = event_count(db).await;
    let refused = [
        StatusChange {
            from: vec![CaseStatus::Queued, CaseStatus::WaitingMerchant],
            ..ask.clone()
        },
        StatusChange {
            require_claimed_by: Some(8),
            ..ask.clone()
        },
        StatusChange {
            require_chat_id: Some(999),
            ..ask.clone()
        },
        StatusChange {
            from: Vec::new(),
            ..ask.clone()
        },
        StatusChange {
            case_ref: r("UB-NQPE22"),
            ..ask.clone()
        },
    ];
    for refused in &refused {
        assert_eq!(apply(&store, refused).await, None, "{refused:?}");
    }
    assert_eq!(
        store.get_case(&r("UB-STAT23")).await.unwrap().unwrap(),
        before
    );
    assert_eq!(event_count(db).await, events_before);

    // All conditions hold: asked, the reviewer stays, the lease stops.
    let asked = apply(&store, &ask).await.unwrap();
    assert_eq!(asked.status, CaseStatus::WaitingMerchant);
    assert_eq!(asked.claimed_by, Some(7));
    assert_eq!(asked.lease_until, None);
    assert_eq!(asked.updated_at, at(20));
    assert_eq!(asked.decided_at, None);
    assert_eq!(
        store.get_case(&r("UB-STAT23")).await.unwrap().unwrap(),
        asked
    );
    // The same change again no longer applies (the status moved on).
    assert_eq!(apply(&store, &ask).await, None);

    // The merchant answers (their own case): back to the queue, the reviewer kept.
    let answered = StatusChange {
        require_chat_id: Some(100),
        actor: "merchant:100".to_string(),
        action: "answered".to_string(),
        ..change(
            "ub-stat23",
            &[CaseStatus::WaitingMerchant],
            CaseStatus::Queued,
            at(30),
        )
    };
    let requeued = apply(&store, &answered).await.unwrap();
    assert_eq!(requeued.status, CaseStatus::Queued);
    assert_eq!(requeued.claimed_by, Some(7));
    assert_eq!(requeued.decided_at, None);

    // Claimed again and approved by the holder: the claim is cleared, decided_at set.
    assert!(matches!(
        claim(&store, "UB-STAT23", 7, at(35), at(65)).await,
        ClaimOutcome::Claimed(_)
    ));
    let approve = StatusChange {
        require_claimed_by: Some(7),
        claim: ClaimUpdate::Clear,
        actor: "staff:7".to_string(),
        detail: json!({}),
        ..change(
            "UB-STAT23",
            &[CaseStatus::InReview],
            CaseStatus::Approved,
            at(40),
        )
    };
    assert_eq!(
        apply(
            &store,
            &StatusChange {
                require_claimed_by: Some(8),
                ..approve.clone()
            }
        )
        .await,
        None
    );
    let approved = apply(&store, &approve).await.unwrap();
    assert_eq!(approved.status, CaseStatus::Approved);
    assert_eq!(approved.claimed_by, None);
    assert_eq!(approved.lease_until, None);
    assert_eq!(approved.decided_at, Some(at(40)));
    assert_eq!(approved.updated_at, at(40));

    let events = store.case_events(&r("UB-STAT23")).await.unwrap();
    let trail: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            ("created", "merchant:100"),
            ("claimed", "staff:7"),
            ("asked", "staff:7"),
            ("answered", "merchant:100"),
            ("claimed", "staff:7"),
            ("approved", "staff:7"),
        ]
    );
    assert_eq!(
        events[2].detail,
        json!({ "question": "a photo of the back, please" })
    );
    assert_eq!(events[2].at, at(20));
    assert_eq!(events[5].at, at(40));

    // Keep: claim and lease stay as they were.
    assert!(matches!(
        claim(&store, "UB-STAT24", 9, at(10), at(60)).await,
        ClaimOutcome::Claimed(_)
    ));
    let kept = apply(
        &store,
        &change(
            "UB-STAT24",
            &[CaseStatus::InReview],
            CaseStatus::WaitingMerchant,
            at(15),
        ),
    )
    .await
    .unwrap();
    assert_eq!(kept.claimed_by, Some(9));
    assert_eq!(kept.lease_until, Some(at(60)));
    // Rejected by the holder: decided.
    let rejected = apply(
        &store,
        &StatusChange {
            require_claimed_by: Some(9),
            claim: ClaimUpdate::Clear,
            detail: json!({ "reason": "blurred_photo" }),
            ..change(
                "UB-STAT24",
                &[CaseStatus::InReview, CaseStatus::WaitingMerchant],
                CaseStatus::Rejected,
                at(16),
            )
        },
    )
    .await
    .unwrap();
    assert_eq!(rejected.status, CaseStatus::Rejected);
    assert_eq!(rejected.decided_at, Some(at(16)));
    assert_eq!(rejected.claimed_by, None);

    // A merchant withdraws: only from their own chat.
    let withdraw = StatusChange {
        require_chat_id: Some(300),
        claim: ClaimUpdate::Clear,
        actor: "merchant:300".to_string(),
        ..change(
            "UB-STAT25",
            &[
                CaseStatus::Queued,
                CaseStatus::InReview,
                CaseStatus::WaitingMerchant,
            ],
            CaseStatus::Withdrawn,
            at(17),
        )
    };
    assert_eq!(
        apply(
            &store,
            &StatusChange {
                require_chat_id: Some(100),
                ..withdraw.clone()
            }
        )
        .await,
        None
    );
    let withdrawn = apply(&store, &withdraw).await.unwrap();
    assert_eq!(withdrawn.status, CaseStatus::Withdrawn);
    assert_eq!(withdrawn.decided_at, Some(at(17)));
    // Decided cases stay decided: a second withdrawal or a late approval does nothing.
    assert_eq!(apply(&store, &withdraw).await, None);
    assert_eq!(
        apply(
            &store,
            &change(
                "UB-STAT25",
                &[CaseStatus::InReview],
                CaseStatus::Approved,
                at(18)
            )
        )
        .await,
        None
    );

    // A rolled-back change leaves nothing either.
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .set_status(&change(
            "UB-STAT23",
            &[CaseStatus::Approved],
            CaseStatus::Rejected,
            at(50)
        ))
        .await
        .unwrap()
        .is_some());
    drop(tx);
    assert_eq!(
        store.get_case(&r("UB-STAT23")).await.unwrap().unwrap(),
        approved
    );
    assert_eq!(store.case_events(&r("UB-STAT23")).await.unwrap().len(), 6);
    store.close().await;
}

pub async fn add_answer_appends_text_and_files(db: &dyn Backend) {
    let store = db.store();
    let case = case_at("UB-ANSWR3", 100, 0);
    insert(&store, &case).await.unwrap();

    let file = |id: &str| json!({ "field": "answer", "file_id": id, "kind": "photo" });
    let mut tx = store.begin().await.unwrap();
    tx.add_answer(
        &r("UB-ANSWR3"),
        Some("the serial is on the back"),
        &[file("F1")],
        at(30),
    )
    .await
    .unwrap();
    tx.add_answer(&r("ub-answr3"), None, &[file("F2"), file("F3")], at(31))
        .await
        .unwrap();
    let err = tx
        .add_answer(&r("UB-NQPE22"), Some("private text"), &[], at(31))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownCase(ref r) if r == "UB-NQPE22"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("private text"));
    tx.commit().await.unwrap();

    let stored = store.get_case(&r("UB-ANSWR3")).await.unwrap().unwrap();
    assert_eq!(
        stored.fields["answers"],
        json!([
            { "at": "2025-03-03T09:30:00.000Z", "text": "the serial is on the back" },
            { "at": "2025-03-03T09:31:00.000Z", "text": null },
        ])
    );
    // The submitted fields are untouched.
    assert_eq!(stored.fields["merchant_no"], case.fields["merchant_no"]);
    assert_eq!(stored.fields["contact_name"], case.fields["contact_name"]);
    let mut expected = case.attachments.as_array().unwrap().clone();
    expected.extend([file("F1"), file("F2"), file("F3")]);
    assert_eq!(stored.attachments, json!(expected));
    assert_eq!(stored.updated_at, at(31));
    assert_eq!(stored.status, CaseStatus::Queued);
    store.close().await;
}

pub async fn expire_leases_requeues_only_expired_reviews(db: &dyn Backend) {
    let store = db.store();
    for (i, case_ref) in [
        "UB-KEASE3",
        "UB-KEASE4",
        "UB-KEASE5",
        "UB-KEASE6",
        "UB-KEASE7",
    ]
    .into_iter()
    .enumerate()
    {
        insert(&store, &case_at(case_ref, 100, i as i64))
            .await
            .unwrap();
    }
    // LEASE1 ran out; LEASE2 runs out exactly at the check; LEASE3 still runs; LEASE4
    // waits for the merchant with an old lease kept (not in review: not expired);
    // LEASE5 is queued.
    for (case_ref, staff, lease) in [
        ("UB-KEASE7", 5, 1),
        ("UB-KEASE3", 7, 30),
        ("UB-KEASE4", 8, 40),
        ("UB-KEASE5", 9, 60),
        ("UB-KEASE6", 9, 20),
    ] {
        assert!(matches!(
            claim(&store, case_ref, staff, at(0), at(lease)).await,
            ClaimOutcome::Claimed(_)
        ));
    }
    db.force_status("UB-KEASE7", "queued").await.unwrap();
    apply(
        &store,
        &change(
            "UB-KEASE6",
            &[CaseStatus::InReview],
            CaseStatus::WaitingMerchant,
            at(1),
        ),
    )
    .await
    .unwrap();

    let mut tx = store.begin().await.unwrap();
    let requeued = tx.expire_leases(at(40)).await.unwrap();
    assert_eq!(refs(&requeued), ["UB-KEASE3", "UB-KEASE4"]);
    for case in &requeued {
        assert_eq!(case.status, CaseStatus::Queued);
        assert_eq!(case.claimed_by, None);
        assert_eq!(case.lease_until, None);
        assert_eq!(case.updated_at, at(40));
    }
    // Nothing more to expire at the same instant.
    assert!(tx.expire_leases(at(40)).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    for (case_ref, staff) in [("UB-KEASE3", 7), ("UB-KEASE4", 8)] {
        let events = store.case_events(&r(case_ref)).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.action, "lease_expired");
        assert_eq!(last.actor, "system");
        assert_eq!(last.at, at(40));
        assert_eq!(last.detail, json!({ "staff": staff }));
        assert_eq!(
            store.get_case(&r(case_ref)).await.unwrap().unwrap(),
            requeued[if staff == 7 { 0 } else { 1 }]
        );
    }
    let still = store.get_case(&r("UB-KEASE5")).await.unwrap().unwrap();
    assert_eq!(
        (still.status, still.claimed_by, still.lease_until),
        (CaseStatus::InReview, Some(9), Some(at(60)))
    );
    let waiting = store.get_case(&r("UB-KEASE6")).await.unwrap().unwrap();
    assert_eq!(waiting.status, CaseStatus::WaitingMerchant);
    assert_eq!(waiting.claimed_by, Some(9));
    for case_ref in ["UB-KEASE5", "UB-KEASE6", "UB-KEASE7"] {
        assert!(store
            .case_events(&r(case_ref))
            .await
            .unwrap()
            .iter()
            .all(|e| e.action != "lease_expired"));
    }

    // A requeued case can be claimed by someone else.
    assert!(matches!(
        claim(&store, "UB-KEASE3", 8, at(41), at(71)).await,
        ClaimOutcome::Claimed(_)
    ));
    store.close().await;
}

pub async fn staff_cards_and_pending_inputs_round_trip(db: &dyn Backend) {
    let store = db.store();
    insert(&store, &case_at("UB-CARD23", 100, 0)).await.unwrap();
    insert(&store, &case_at("UB-CARD24", 100, 1)).await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.staff_card(&r("UB-CARD23")).await.unwrap(), None);
    tx.set_staff_card(&r("UB-CARD23"), -100_123, 55)
        .await
        .unwrap();
    tx.set_staff_card(&r("UB-CARD24"), -100_123, i32::MAX)
        .await
        .unwrap();
    assert_eq!(
        tx.staff_card(&r("ub-card23")).await.unwrap(),
        Some((-100_123, 55))
    );
    // A newer card replaces the older.
    tx.set_staff_card(&r("ub-card23"), -100_456, 77)
        .await
        .unwrap();
    let err = tx.set_staff_card(&r("UB-NQPE22"), -1, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownCase(_)), "{err:?}");
    assert_eq!(tx.staff_card(&r("UB-NQPE22")).await.unwrap(), None);

    assert_eq!(tx.take_pending_input(7).await.unwrap(), None);
    tx.set_pending_input(7, &r("UB-CARD23"), "note", at(1))
        .await
        .unwrap();
    // One per reviewer: a newer press replaces the older.
    tx.set_pending_input(7, &r("UB-CARD24"), "ask", at(2))
        .await
        .unwrap();
    tx.set_pending_input(8, &r("UB-CARD23"), "reject_other", at(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.staff_card(&r("UB-CARD23")).await.unwrap(),
        Some((-100_456, 77))
    );
    assert_eq!(
        tx.staff_card(&r("UB-CARD24")).await.unwrap(),
        Some((-100_123, i32::MAX))
    );
    // A take in a transaction that rolls back leaves the input pending.
    assert!(tx.take_pending_input(7).await.unwrap().is_some());
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.take_pending_input(7).await.unwrap(),
        Some((r("UB-CARD24"), "ask".to_string(), at(2)))
    );
    assert_eq!(tx.take_pending_input(7).await.unwrap(), None);
    assert_eq!(
        tx.take_pending_input(8).await.unwrap(),
        Some((r("UB-CARD23"), "reject_other".to_string(), at(3)))
    );
    tx.commit().await.unwrap();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM staff_pending").await, 0);

    // A card goes with its case.
    db.execute("DELETE FROM cases WHERE case_ref = 'UB-CARD23'")
        .await
        .unwrap();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM staff_cards").await, 1);
    store.close().await;
}

pub async fn claim_job_once_per_period(db: &dyn Backend) {
    let first = db.store();
    let mut tx = first.begin().await.unwrap();
    assert!(tx.claim_job("remind", "2025-03-03", at(0)).await.unwrap());
    assert!(!tx.claim_job("remind", "2025-03-03", at(1)).await.unwrap());
    assert!(tx.claim_job("remind", "2025-03-04", at(2)).await.unwrap());
    assert!(tx
        .claim_job("retention", "2025-03-03", at(3))
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let mut tx = first.begin().await.unwrap();
    assert!(!tx.claim_job("remind", "2025-03-03", at(4)).await.unwrap());
    drop(tx);
    // The first claim's time is kept.
    assert_eq!(db.job_ran_at("remind", "2025-03-03").await, at(0));

    // Two instances racing for the same periods: one runs each.
    let instances = [first, db.another_instance().await];
    for round in 0..20 {
        let period = format!("2025-04-{:02}", round + 1);
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let mut tasks = Vec::new();
        for store in &instances {
            let store = Arc::clone(store);
            let start = Arc::clone(&start);
            let period = period.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let mut tx = store.begin().await?;
                let mine = tx.claim_job("expire_leases", &period, at(round)).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(mine)
            }));
        }
        let mut runs = 0;
        for task in tasks {
            if task.await.unwrap().unwrap() {
                runs += 1;
            }
        }
        assert_eq!(runs, 1, "period {period}");
    }
    for store in instances {
        store.close().await;
    }
}

pub async fn drafts_to_remind_follows_draft_since_and_reminded(db: &dyn Backend) {
    let store = db.store();
    let draft = |since: Option<i64>, reminded: bool| NewDialogue {
        draft_since: since.map(at),
        reminded,
        ..dialogue("{}", at(40))
    };
    let mut tx = store.begin().await.unwrap();
    for (chat, since, reminded) in [
        (1, Some(0), false),
        (2, Some(10), false),
        (3, Some(0), true),
        (4, None, false),
        (5, Some(30), false),
    ] {
        tx.save_dialogue(chat, &draft(since, reminded), None)
            .await
            .unwrap();
    }
    assert_eq!(tx.drafts_to_remind(at(15)).await.unwrap(), [1, 2]);
    assert_eq!(tx.drafts_to_remind(at(30)).await.unwrap(), [1, 2, 5]);
    assert!(tx.drafts_to_remind(at(-1)).await.unwrap().is_empty());

    // Reminded: no longer listed. The draft finished: no longer listed.
    tx.save_dialogue(1, &draft(Some(0), true), Some(1))
        .await
        .unwrap();
    tx.save_dialogue(2, &draft(None, false), Some(1))
        .await
        .unwrap();
    assert_eq!(tx.drafts_to_remind(at(30)).await.unwrap(), [5]);
    // New activity on a reminded draft starts a new idle period, reminded again later.
    tx.save_dialogue(3, &draft(Some(20), false), Some(1))
        .await
        .unwrap();
    assert_eq!(tx.drafts_to_remind(at(30)).await.unwrap(), [3, 5]);
    tx.commit().await.unwrap();

    let ms = |minute: i64| Some(at(minute));
    assert_eq!(
        db.draft_columns().await,
        [
            (1, ms(0), true),
            (2, None, false),
            (3, ms(20), false),
            (4, None, false),
            (5, ms(30), false)
        ]
    );
    store.close().await;
}

pub async fn erase_decided_before_removes_personal_data_only_of_old_decisions(db: &dyn Backend) {
    let store = db.store();
    const PHONE: &str = "13800138000";
    for (case_ref, chat) in [
        ("UB-QKDA23", 100),
        ("UB-QKDW23", 200),
        ("UB-RECNT3", 300),
        ("UB-QPEN23", 400),
    ] {
        insert(&store, &case_at(case_ref, chat, 0)).await.unwrap();
    }
    let staff_change = |case_ref: &str,
                        from: CaseStatus,
                        to: CaseStatus,
                        minute: i64,
                        action: &str,
                        detail: serde_json::Value| StatusChange {
        actor: "staff:7".to_string(),
        action: action.to_string(),
        detail,
        claim: ClaimUpdate::Clear,
        ..change(case_ref, &[from], to, at(minute))
    };

    // OLDA: asked (a question quoting personal data), answered, noted, rejected.
    claim(&store, "UB-QKDA23", 7, at(1), at(30)).await;
    apply(
        &store,
        &staff_change(
            "UB-QKDA23",
            CaseStatus::InReview,
            CaseStatus::WaitingMerchant,
            2,
            "asked",
            json!({ "question": format!("is {PHONE} your number?") }),
        ),
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.add_answer(&r("UB-QKDA23"), Some(&format!("yes, {PHONE}")), &[], at(3))
        .await
        .unwrap();
    tx.record_event(&CaseEvent {
        case_ref: r("UB-QKDA23"),
        at: at(3),
        actor: "staff:7".to_string(),
        action: "note".to_string(),
        detail: json!({ "text": format!("called {PHONE}"), "staff": 7 }),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    apply(
        &store,
        &StatusChange {
            actor: "merchant:100".to_string(),
            ..staff_change(
                "UB-QKDA23",
                CaseStatus::WaitingMerchant,
                CaseStatus::Rejected,
                100,
                "rejected",
                json!({ "reason": "other", "text": format!("typed: {PHONE}"), "staff": 7, "extra": { "reason": "nested" } }),
            )
        },
    )
    .await
    .unwrap();
    // OLDW: withdrawn by the merchant with a comment.
    apply(
        &store,
        &StatusChange {
            actor: "merchant:200".to_string(),
            ..staff_change(
                "UB-QKDW23",
                CaseStatus::Queued,
                CaseStatus::Withdrawn,
                50,
                "withdrawn",
                json!({ "comment": PHONE }),
            )
        },
    )
    .await
    .unwrap();
    // RECNT: decided after the cutoff.
    apply(
        &store,
        &staff_change(
            "UB-RECNT3",
            CaseStatus::Queued,
            CaseStatus::Approved,
            2000,
            "approved",
            json!({ "note": PHONE }),
        ),
    )
    .await
    .unwrap();
    let recent_before = store.get_case(&r("UB-RECNT3")).await.unwrap().unwrap();
    let recent_events_before = store.case_events(&r("UB-RECNT3")).await.unwrap();
    let open_before = store.get_case(&r("UB-QPEN23")).await.unwrap().unwrap();
    let open_events_before = store.case_events(&r("UB-QPEN23")).await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let erased = tx.erase_decided_before(at(1000), at(1500)).await.unwrap();
    assert_eq!(erased, ["UB-QKDW23", "UB-QKDA23"]); // oldest decision first
    tx.commit().await.unwrap();

    for (case_ref, status, decided) in [
        ("UB-QKDA23", CaseStatus::Rejected, 100),
        ("UB-QKDW23", CaseStatus::Withdrawn, 50),
    ] {
        let case = store.get_case(&r(case_ref)).await.unwrap().unwrap();
        assert_eq!(case.fields, json!({}));
        assert_eq!(case.attachments, json!([]));
        assert_eq!(case.chat_id, 0);
        // What happened, and when, remains.
        assert_eq!(case.status, status);
        assert_eq!(case.decided_at, Some(at(decided)));
        assert_eq!(case.kind, CaseKind::Unbind);
        assert_eq!(case.updated_at, at(1500));

        let events = store.case_events(&r(case_ref)).await.unwrap();
        assert!(
            events.iter().all(|e| !e.actor.starts_with("merchant:")),
            "{events:?}"
        );
        assert!(
            events.iter().all(|e| !e.detail.to_string().contains(PHONE)),
            "{events:?}"
        );
        let last = events.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("erased", "system")
        );
        assert_eq!(last.at, at(1500));
        assert_eq!(events[0].actor, "merchant");
        assert_eq!(events[0].detail, json!({}));
    }
    let events = store.case_events(&r("UB-QKDA23")).await.unwrap();
    let trail: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            ("created", "merchant"),
            ("claimed", "staff:7"),
            ("asked", "staff:7"),
            ("note", "staff:7"),
            ("rejected", "merchant"),
            ("erased", "system"),
        ]
    );
    assert_eq!(events[2].detail, json!({}));
    assert_eq!(events[3].detail, json!({ "staff": 7 }));
    // The reason code and the reviewer stay; the typed text and nested objects go.
    assert_eq!(events[4].detail, json!({ "reason": "other", "staff": 7 }));
    assert_eq!(db.mentions(PHONE).await, 0);

    // Open and recently decided cases are untouched.
    assert_eq!(
        store.get_case(&r("UB-RECNT3")).await.unwrap().unwrap(),
        recent_before
    );
    assert_eq!(
        store.case_events(&r("UB-RECNT3")).await.unwrap(),
        recent_events_before
    );
    assert_eq!(
        store.get_case(&r("UB-QPEN23")).await.unwrap().unwrap(),
        open_before
    );
    assert_eq!(
        store.case_events(&r("UB-QPEN23")).await.unwrap(),
        open_events_before
    );

    // Idempotent: nothing erased again, no second `erased` event.
    let events_before = event_count(db).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .erase_decided_before(at(1000), at(1600))
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
    assert_eq!(event_count(db).await, events_before);
    assert_eq!(
        store
            .get_case(&r("UB-QKDA23"))
            .await
            .unwrap()
            .unwrap()
            .updated_at,
        at(1500)
    );

    // A later cutoff reaches the recent decision, and only it.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.erase_decided_before(at(3000), at(3000)).await.unwrap(),
        ["UB-RECNT3"]
    );
    tx.commit().await.unwrap();
    let events = store.case_events(&r("UB-RECNT3")).await.unwrap();
    assert_eq!(events[1].detail, json!({}));
    assert_eq!(
        store.get_case(&r("UB-QPEN23")).await.unwrap().unwrap(),
        open_before
    );
    store.close().await;
}

pub async fn queue_claimed_by_and_stats(db: &dyn Backend) {
    let store = db.store();

    let empty = store.stats(at(0)).await.unwrap();
    assert_eq!(
        empty.open_by_status,
        [
            (CaseStatus::Queued, 0),
            (CaseStatus::InReview, 0),
            (CaseStatus::WaitingMerchant, 0)
        ]
    );
    assert_eq!(empty.decided_since, 0);
    assert_eq!(empty.median_decision_secs, None);
    assert!(store.queue(10).await.unwrap().is_empty());

    // (ref, created minute), inserted out of order.
    for (case_ref, minute) in [
        ("UB-QUEUE7", 5),
        ("UB-QUEUE3", 1),
        ("UB-QUEUE5", 3),
        ("UB-QUEUE4", 2),
        ("UB-QUEUE6", 4),
        ("UB-QUEUE8", 6),
        ("UB-DQNE23", 0),
        ("UB-DQNE24", 0),
        ("UB-DQNE25", 0),
        ("UB-DQNE26", 0),
        ("UB-DQNE27", 0),
    ] {
        insert(&store, &case_at(case_ref, 100, minute))
            .await
            .unwrap();
    }
    // QUEUE1: in review by 7. QUEUE3: waiting for the merchant, held by 7. QUEUE2: in
    // review by 8. QUEUE6: answered, back in the queue with 7 remembered (not held).
    claim(&store, "UB-QUEUE3", 7, at(10), at(100)).await;
    claim(&store, "UB-QUEUE4", 8, at(10), at(100)).await;
    for case_ref in ["UB-QUEUE5", "UB-QUEUE8"] {
        claim(&store, case_ref, 7, at(10), at(100)).await;
        apply(
            &store,
            &StatusChange {
                claim: ClaimUpdate::KeepReviewerClearLease,
                ..change(
                    case_ref,
                    &[CaseStatus::InReview],
                    CaseStatus::WaitingMerchant,
                    at(11),
                )
            },
        )
        .await
        .unwrap();
    }
    apply(
        &store,
        &change(
            "UB-QUEUE8",
            &[CaseStatus::WaitingMerchant],
            CaseStatus::Queued,
            at(12),
        ),
    )
    .await
    .unwrap();
    // Decisions (all created at minute 0): approved after 10, 30 min, rejected after 20,
    // withdrawn at 6, approved at 2 (before the window).
    for (case_ref, to, minute) in [
        ("UB-DQNE23", CaseStatus::Approved, 10),
        ("UB-DQNE24", CaseStatus::Approved, 30),
        ("UB-DQNE25", CaseStatus::Rejected, 20),
        ("UB-DQNE26", CaseStatus::Withdrawn, 6),
        ("UB-DQNE27", CaseStatus::Approved, 2),
    ] {
        apply(
            &store,
            &change(case_ref, &[CaseStatus::Queued], to, at(minute)),
        )
        .await
        .unwrap();
    }

    let queue = store.queue(10).await.unwrap();
    assert_eq!(
        refs(&queue),
        [
            "UB-QUEUE3",
            "UB-QUEUE4",
            "UB-QUEUE5",
            "UB-QUEUE6",
            "UB-QUEUE7",
            "UB-QUEUE8"
        ]
    );
    assert!(queue.iter().all(|c| c.status.is_open()));
    assert_eq!(
        refs(&store.queue(2).await.unwrap()),
        ["UB-QUEUE3", "UB-QUEUE4"]
    );
    assert!(store.queue(0).await.unwrap().is_empty());
    assert!(store.queue(-1).await.unwrap().is_empty());

    assert_eq!(
        refs(&store.cases_claimed_by(7).await.unwrap()),
        ["UB-QUEUE3", "UB-QUEUE5"]
    );
    assert_eq!(
        refs(&store.cases_claimed_by(8).await.unwrap()),
        ["UB-QUEUE4"]
    );
    assert!(store.cases_claimed_by(9).await.unwrap().is_empty());

    let stats = store.stats(at(5)).await.unwrap();
    assert_eq!(
        stats.open_by_status,
        [
            (CaseStatus::Queued, 3),
            (CaseStatus::InReview, 2),
            (CaseStatus::WaitingMerchant, 1)
        ]
    );
    // Decided at or after minute 5: DONE01..04 (the withdrawal counts as decided).
    assert_eq!(stats.decided_since, 4);
    // Median of 600, 1200, 1800 s (approved and rejected only).
    assert_eq!(stats.median_decision_secs, Some(1200));
    // From minute 15: DONE02 and DONE03, median of 1200 and 1800 s.
    let later = store.stats(at(15)).await.unwrap();
    assert_eq!(later.decided_since, 2);
    assert_eq!(later.median_decision_secs, Some(1500));
    assert_eq!(later.open_by_status, stats.open_by_status);
    // Exactly at a decision: included.
    assert_eq!(store.stats(at(30)).await.unwrap().decided_since, 1);
    let none = store.stats(at(31)).await.unwrap();
    assert_eq!((none.decided_since, none.median_decision_secs), (0, None));
    store.close().await;
}
