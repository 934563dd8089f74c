//! The jobs role: one run per period, draft reminders, and retention erasing personal data.

use super::*;

backends!(multi_thread claim_job_once_per_period);
pub async fn claim_job_once_per_period(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread drafts_to_remind_follows_draft_since_and_reminded);
pub async fn drafts_to_remind_follows_draft_since_and_reminded(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread erase_decided_before_removes_personal_data_only_of_old_decisions);
pub async fn erase_decided_before_removes_personal_data_only_of_old_decisions(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
    let events_before = event_count(&db).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .erase_decided_before(at(1000), at(1600))
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
    assert_eq!(event_count(&db).await, events_before);
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
