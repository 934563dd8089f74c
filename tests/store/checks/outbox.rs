//! The outbox role: rows due in order, coalesced, retried and removed.

use super::*;

backends!(multi_thread outbox_rows_are_due_in_order_coalesce_and_retry);
pub async fn outbox_rows_are_due_in_order_coalesce_and_retry(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
