//! The staff role: claims and their races, leases running out, staff cards and pending
//! inputs, the queue and `/stats`.

use super::*;

backends!(multi_thread claim_outcomes);
pub async fn claim_outcomes(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread concurrent_claims_have_exactly_one_winner);
pub async fn concurrent_claims_have_exactly_one_winner(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread expire_leases_requeues_only_expired_reviews);
pub async fn expire_leases_requeues_only_expired_reviews(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread staff_cards_and_pending_inputs_round_trip);
pub async fn staff_cards_and_pending_inputs_round_trip(test: &TestDb) {
    let db = StoreDb::open(test).await;
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

backends!(multi_thread queue_claimed_by_and_stats);
pub async fn queue_claimed_by_and_stats(test: &TestDb) {
    let db = StoreDb::open(test).await;
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
