//! The chats role: dialogues and their row versions, processed updates, the peek before a
//! transaction, the batch forms, and transactions on one chat one after the other.

use super::*;

backends!(multi_thread dialogue_save_load_version_conflict_forget);
pub async fn dialogue_save_load_version_conflict_forget(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread dropping_a_tx_without_commit_writes_nothing);
pub async fn dropping_a_tx_without_commit_writes_nothing(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
    assert_eq!(event_count(&db).await, 0);
    store.close().await;
}

backends!(multi_thread processed_updates_are_remembered);
pub async fn processed_updates_are_remembered(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread peek_chat_sees_processed_updates_and_the_saved_dialogue);
/// The read that starts an update, outside any transaction: redelivery and the dialogue
/// with the row version the write transaction must still find.
pub async fn peek_chat_sees_processed_updates_and_the_saved_dialogue(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread batch_forms_match_the_single_forms);
/// The batched forms a polling batch is applied with (`service::batch`) read and write
/// what the single forms would, with the same conflicts, in any number of rows.
pub async fn batch_forms_match_the_single_forms(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread concurrent_transactions_serialize);
pub async fn concurrent_transactions_serialize(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
