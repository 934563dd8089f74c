//! The cases role: submitting (idempotent on the draft, one open case per serial), the
//! merchant's cases, the operators' listings, the audit trail, guarded status changes and
//! answers.

use super::*;

backends!(multi_thread insert_case_is_idempotent_on_the_draft_id);
pub async fn insert_case_is_idempotent_on_the_draft_id(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread one_open_case_per_serial);
pub async fn one_open_case_per_serial(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread cases_of_chat_newest_first_and_only_that_chat);
pub async fn cases_of_chat_newest_first_and_only_that_chat(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread list_cases_filters);
pub async fn list_cases_filters(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread get_case_by_reference);
/// References reach the store as `CaseRef`s, canonical whatever the merchant typed, so the
/// store compares them as they are.
pub async fn get_case_by_reference(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread case_events_oldest_first);
pub async fn case_events_oldest_first(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
    assert_eq!(event_count(&db).await, 1);
    store.close().await;
}

backends!(multi_thread set_status_conditions_decisions_and_claims);
pub async fn set_status_conditions_decisions_and_claims(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
    let events_before = event_count(&db).await;
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
    assert_eq!(event_count(&db).await, events_before);

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

backends!(multi_thread add_answer_appends_text_and_files);
pub async fn add_answer_appends_text_and_files(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
