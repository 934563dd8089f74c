//! What only several instances on one PostgreSQL database can do to each other, and
//! PostgreSQL's own schema and types. Each test works in a fresh schema of its own
//! (`TestDb::postgres`, dropped at its end); without `POSDESK_TEST_PG_URL` each passes,
//! saying so on stderr.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use posdesk::domain::{CaseKind, CaseRef};
use posdesk::i18n::Locale;
use posdesk::store::postgres::{PgOptions, PgStore};
use posdesk::store::{self, ClaimOutcome, NewCase, NewDialogue, Store, StoreError};
use serde_json::json;

use crate::checks::{at, r};
use crate::support::db::TestDb;

/// A fresh schema with a migrated store in it.
struct PgDb {
    // Declared first: dropped (its pool released) before the schema is.
    store: Arc<PgStore>,
    test: TestDb,
}

impl PgDb {
    fn pool(&self) -> &sqlx::PgPool {
        self.store.pool()
    }

    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// A second store on the same schema, as a second bot instance would open it.
    async fn another_instance(&self) -> Arc<dyn Store> {
        store::open(&self.test.url).await.unwrap()
    }

    async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// A case row written behind the store's back (the schema's checks still apply).
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
             VALUES ($1, $2, 'unbind', 'lakala', $3, '{}', '[]', 3, 'en', $4, \
             to_timestamp(0), to_timestamp(0), to_timestamp(0))",
        )
        .bind(case_ref)
        .bind(draft_id)
        .bind(serial)
        .bind(status)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    async fn processed_row(&self, update_id: i64) -> (i64, DateTime<Utc>) {
        sqlx::query_as("SELECT chat_id, processed_at FROM processed_updates WHERE update_id = $1")
            .bind(update_id)
            .fetch_one(self.pool())
            .await
            .unwrap()
    }
}

async fn fresh() -> Option<PgDb> {
    fresh_with(posdesk::store::postgres::DEFAULT_POOL_SIZE).await
}

async fn fresh_with(max_connections: u32) -> Option<PgDb> {
    let test = TestDb::postgres().await?;
    let options = PgOptions {
        schema: None,
        max_connections,
    };
    let store = PgStore::open_with(&test.url, &options).await.unwrap();
    Some(PgDb {
        store: Arc::new(store),
        test,
    })
}

fn case(case_ref: &str, draft_id: &str, serial: Option<&str>, minute: i64) -> NewCase {
    NewCase {
        case_ref: r(case_ref),
        draft_id: draft_id.to_string(),
        kind: CaseKind::Unbind,
        brand: "lakala".to_string(),
        serial: serial.map(str::to_string),
        fields: json!({ "merchant_no": "822100012345678" }),
        attachments: json!([]),
        chat_id: 100,
        locale: Locale::ZhCn,
        created_at: at(minute),
        due_at: at(minute) + chrono::Duration::days(3),
    }
}

async fn insert_all(store: &dyn Store, cases: &[NewCase]) {
    let mut tx = store.begin().await.unwrap();
    for case in cases {
        tx.insert_case(case).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn migration_files() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    std::fs::read_dir(dir).unwrap().count() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_create_the_schema_and_reopen_works() {
    let Some(db) = fresh().await else { return };

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_%' \
         ORDER BY table_name",
    )
    .fetch_all(db.pool())
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
    let indexes: HashSet<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    for index in [
        "cases_case_ref_key",
        "cases_open_serial",
        "cases_chat_created",
        "cases_status_created",
        "case_events_case_at",
        "processed_updates_at",
        "outbox_due",
        "outbox_chat_key",
        "dialogues_draft_due",
        "cases_status_lease",
        "cases_claimed_created",
        "cases_decided",
        "cases_to_erase",
    ] {
        assert!(indexes.contains(index), "{index} missing: {indexes:?}");
    }
    // Native types: every instant a timestamptz, every JSON column jsonb (the dialogue
    // state json, kept as written).
    let types: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name NOT LIKE '\\_%' ORDER BY table_name, column_name",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for (table, column, data_type) in &types {
        let expected = match column.as_str() {
            c if c.ends_with("_at")
                || ["not_before", "lease_until", "draft_since"].contains(&c) =>
            {
                "timestamp with time zone"
            }
            "fields" | "attachments" | "detail" | "payload" => "jsonb",
            "state" => "json",
            "reminded" => "boolean",
            _ => continue,
        };
        assert_eq!(data_type, expected, "{table}.{column}");
    }

    // Case references are stored upper-case and unique, in the database itself (so unique
    // ignoring case, as SQLite's COLLATE NOCASE column).
    db.insert_raw_case("UB-RAW223", "d-1", "SN-1", "approved")
        .await
        .unwrap();
    let err = db
        .insert_raw_case("UB-RAW223", "d-2", "SN-2", "approved")
        .await
        .unwrap_err();
    assert!(
        err.as_database_error().unwrap().is_unique_violation(),
        "{err}"
    );
    let err = db
        .insert_raw_case("ub-raw224", "d-3", "SN-3", "approved")
        .await
        .unwrap_err();
    assert!(
        err.as_database_error().unwrap().is_check_violation(),
        "{err}"
    );

    let mut tx = db.store.begin().await.unwrap();
    tx.save_dialogue(
        7,
        &NewDialogue {
            state: r#"{"Menu":null}"#.to_string(),
            schema_version: 1,
            updated_at: at(0),
            draft_since: None,
            reminded: false,
        },
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Re-open: migrations already applied, the data still there.
    let again = db.another_instance().await;
    let applied: i64 = db.scalar("SELECT COUNT(*) FROM _sqlx_migrations").await;
    assert_eq!(applied, migration_files(), "each migration applied once");
    db.store.close().await;
    let mut tx = again.begin().await.unwrap();
    let loaded = tx.load_dialogue(7).await.unwrap().unwrap();
    assert_eq!(loaded.state, r#"{"Menu":null}"#);
    assert_eq!(loaded.row_version, 1);
    drop(tx);
    again.close().await;

    // The generic entry point picks PostgreSQL from both URL schemes.
    let url = db.test.url.clone();
    let alternative = match url.strip_prefix("postgres://") {
        Some(rest) => format!("postgresql://{rest}"),
        None => url.clone(),
    };
    for url in [url, alternative] {
        let generic = store::open(&url).await.unwrap();
        let mut tx = generic.begin().await.unwrap();
        assert!(tx.load_dialogue(7).await.unwrap().is_some());
        drop(tx);
        generic.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_migrate_once() {
    // The schema does not exist yet: the instances create it, racing.
    let Some(test) = TestDb::postgres_new_schema() else {
        return;
    };
    let (url, schema) = test
        .pg_schema()
        .map(|(url, schema)| (url.to_string(), schema.to_string()))
        .unwrap();

    let start = Arc::new(tokio::sync::Barrier::new(4));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (url, schema, start) = (url.clone(), schema.clone(), Arc::clone(&start));
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            PgStore::open_in_schema(&url, &schema).await
        }));
    }
    let mut stores = Vec::new();
    for task in tasks {
        stores.push(task.await.unwrap().expect("every instance opens"));
    }
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(stores[0].pool())
            .await
            .unwrap();
    assert_eq!(applied.len() as i64, migration_files());
    assert!(applied.iter().all(|(_, success)| *success), "{applied:?}");
    // Every instance works on the one schema.
    for (i, store) in stores.iter().enumerate() {
        let mut tx = store.begin().await.unwrap();
        assert!(tx.claim_job("boot", &format!("p{i}"), at(0)).await.unwrap());
        tx.commit().await.unwrap();
    }
    for store in stores {
        store.close().await;
    }
    drop(test);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_claimers_claim_each_of_a_thousand_cases_once() {
    const CASES: usize = 1000;
    const CLAIMERS: i64 = 50;
    let Some(db) = fresh_with(20).await else {
        return;
    };
    let store = db.store();
    let refs: Vec<CaseRef> = (0..CASES)
        .map(|i| CaseRef::generate(CaseKind::Unbind, i as u64))
        .collect();
    let cases: Vec<NewCase> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| case(r.as_str(), &format!("d-{i}"), None, (i % 600) as i64))
        .collect();
    insert_all(store.as_ref(), &cases).await;

    let started = Instant::now();
    let claimed = Arc::new(AtomicUsize::new(0));
    let refs = Arc::new(refs);
    let mut tasks = Vec::new();
    for claimer in 0..CLAIMERS {
        let staff = 1_000 + claimer;
        let store = Arc::clone(&store);
        let claimed = Arc::clone(&claimed);
        let mut order: Vec<CaseRef> = refs.as_ref().clone();
        {
            use rand::seq::SliceRandom;
            order.shuffle(&mut rand::rng());
        }
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for case_ref in order {
                if claimed.load(Ordering::SeqCst) == CASES {
                    break;
                }
                let mut tx = store.begin().await?;
                let outcome = tx.claim_case(&case_ref, staff, at(700), at(730)).await?;
                tx.commit().await?;
                if matches!(outcome, ClaimOutcome::Claimed(_)) {
                    claimed.fetch_add(1, Ordering::SeqCst);
                }
                outcomes.push((case_ref, staff, outcome));
            }
            Ok::<_, StoreError>(outcomes)
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await.unwrap().unwrap());
    }
    let took = started.elapsed();

    let mut winners: HashMap<&CaseRef, Vec<i64>> = HashMap::new();
    for (case_ref, staff, outcome) in &outcomes {
        if matches!(outcome, ClaimOutcome::Claimed(_)) {
            winners.entry(case_ref).or_default().push(*staff);
        }
    }
    assert_eq!(winners.len(), CASES, "every case claimed");
    for (case_ref, staff) in &winners {
        assert_eq!(staff.len(), 1, "{case_ref} claimed by {staff:?}");
    }
    // Everyone who lost a race was told the winner.
    for (case_ref, _, outcome) in &outcomes {
        match outcome {
            ClaimOutcome::Claimed(record) => assert_eq!(&record.case_ref, case_ref),
            ClaimOutcome::HeldBy(holder) => {
                assert_eq!(winners[case_ref], [*holder], "{case_ref}")
            }
            other => panic!("{case_ref}: unexpected {other:?}"),
        }
    }
    let events = db
        .scalar("SELECT COUNT(*) FROM case_events WHERE action = 'claimed'")
        .await;
    assert_eq!(events, CASES as i64);
    for record in store.queue(CASES as i64).await.unwrap() {
        assert_eq!(
            record.claimed_by,
            Some(winners[&record.case_ref][0]),
            "{}",
            record.case_ref
        );
    }
    eprintln!(
        "{CLAIMERS} claimers, {CASES} cases: {} claim attempts in {took:?}",
        outcomes.len()
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_serialise_the_updates_of_one_chat() {
    const PER_INSTANCE: i64 = 50;
    let Some(db) = fresh().await else { return };
    let instances = [db.store(), db.another_instance().await];
    let conflicts = Arc::new(AtomicUsize::new(0));

    let mut tasks = Vec::new();
    for (n, store) in instances.iter().enumerate() {
        let store = Arc::clone(store);
        let conflicts = Arc::clone(&conflicts);
        tasks.push(tokio::spawn(async move {
            for i in 0..PER_INSTANCE {
                let update_id = n as i64 * 1_000 + i;
                loop {
                    let attempt = async {
                        let mut tx = store.begin().await?;
                        if tx.is_processed(update_id).await? {
                            return Ok(());
                        }
                        let stored = tx.load_dialogue(1).await?;
                        let count = stored.as_ref().map_or(0, |d| {
                            serde_json::from_str::<serde_json::Value>(&d.state).unwrap()["count"]
                                .as_i64()
                                .unwrap()
                        });
                        // Hold the chat a moment, as a real step does, inviting the other
                        // instance to interleave.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        let dialogue = NewDialogue {
                            state: json!({ "count": count + 1 }).to_string(),
                            schema_version: 1,
                            updated_at: at(i),
                            draft_since: None,
                            reminded: false,
                        };
                        tx.save_dialogue(1, &dialogue, stored.map(|d| d.row_version))
                            .await?;
                        tx.mark_processed(update_id, 1, at(i)).await?;
                        tx.commit().await
                    };
                    match attempt.await {
                        Ok(()) => break,
                        Err(e) if e.is_retryable() => {
                            conflicts.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok::<_, StoreError>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut tx = instances[0].begin().await.unwrap();
    let last = tx.load_dialogue(1).await.unwrap().unwrap();
    let count: serde_json::Value = serde_json::from_str(&last.state).unwrap();
    assert_eq!(count["count"], 2 * PER_INSTANCE, "no update lost");
    assert_eq!(last.row_version, 2 * PER_INSTANCE);
    drop(tx);
    // The advisory lock serialised them: the row version check never had to refuse one.
    assert_eq!(conflicts.load(Ordering::SeqCst), 0);
    for store in instances {
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_race_for_each_job_period() {
    let Some(db) = fresh().await else { return };
    let instances = [db.store(), db.another_instance().await];
    for round in 0..50 {
        let period = format!("2025-05-{round:02}");
        // Two racers per instance.
        let start = Arc::new(tokio::sync::Barrier::new(4));
        let mut tasks = Vec::new();
        for racer in 0..4 {
            let store = Arc::clone(&instances[racer % 2]);
            let (start, period) = (Arc::clone(&start), period.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let mut tx = store.begin().await?;
                let mine = tx.claim_job("retention", &period, at(round)).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(mine)
            }));
        }
        let mut runs = 0;
        for task in tasks {
            runs += usize::from(task.await.unwrap().unwrap());
        }
        assert_eq!(runs, 1, "period {period}");
    }
    assert_eq!(db.scalar("SELECT COUNT(*) FROM job_runs").await, 50);
    for store in instances {
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_update_applied_by_two_instances_commits_once() {
    let Some(db) = fresh().await else { return };
    let (a, b) = (db.store(), db.another_instance().await);

    // B marks while A's mark is uncommitted: B waits, then conflicts when A commits.
    let mut first = a.begin().await.unwrap();
    let mut second = b.begin().await.unwrap();
    assert!(!first.is_processed(500).await.unwrap());
    assert!(!second.is_processed(500).await.unwrap());
    first.mark_processed(500, 1, at(0)).await.unwrap();
    let waiting = tokio::spawn(async move {
        let result = second.mark_processed(500, 2, at(1)).await;
        (second, result)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "the second mark waits for the first"
    );
    first.commit().await.unwrap();
    let (second, result) = waiting.await.unwrap();
    let err = result.unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert!(err.is_retryable());
    drop(second);
    // The retry sees the update processed; A's record stands.
    let mut retry = b.begin().await.unwrap();
    assert!(retry.is_processed(500).await.unwrap());
    drop(retry);
    assert_eq!(db.processed_row(500).await, (1, at(0)));

    // A committed between B's check and B's mark: a conflict at once.
    let mut second = b.begin().await.unwrap();
    assert!(!second.is_processed(501).await.unwrap());
    let mut first = a.begin().await.unwrap();
    first.mark_processed(501, 1, at(0)).await.unwrap();
    first.commit().await.unwrap();
    assert!(matches!(
        second.mark_processed(501, 2, at(1)).await,
        Err(StoreError::Conflict)
    ));
    drop(second);

    // A rolled back: B's mark goes through.
    let mut first = a.begin().await.unwrap();
    let mut second = b.begin().await.unwrap();
    first.mark_processed(502, 1, at(0)).await.unwrap();
    let waiting = tokio::spawn(async move {
        let result = second.mark_processed(502, 2, at(1)).await;
        (second, result)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(first);
    let (second, result) = waiting.await.unwrap();
    result.unwrap();
    second.commit().await.unwrap();
    assert_eq!(db.processed_row(502).await, (2, at(1)));

    // Racing for real, with the service's retry: each update applied exactly once.
    let applied = Arc::new(AtomicUsize::new(0));
    for update_id in 1_000..1_030 {
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let mut tasks = Vec::new();
        for store in [Arc::clone(&a), Arc::clone(&b)] {
            let (start, applied) = (Arc::clone(&start), Arc::clone(&applied));
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                for _ in 0..5 {
                    let mut tx = store.begin().await?;
                    if tx.is_processed(update_id).await? {
                        return Ok(());
                    }
                    match tx.mark_processed(update_id, 1, at(0)).await {
                        Ok(()) => {
                            tx.commit().await?;
                            applied.fetch_add(1, Ordering::SeqCst);
                            return Ok(());
                        }
                        Err(e) if e.is_retryable() => continue,
                        Err(e) => return Err(e),
                    }
                }
                panic!("update {update_id} neither applied nor seen processed");
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    }
    assert_eq!(applied.load(Ordering::SeqCst), 30);
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_waits_for_a_claim_in_flight_and_names_its_winner() {
    let Some(db) = fresh().await else { return };
    let (a, b) = (db.store(), db.another_instance().await);
    insert_all(
        a.as_ref(),
        &[
            case("UB-WAJT23", "d-1", None, 0),
            case("UB-WAJT24", "d-2", None, 1),
        ],
    )
    .await;

    // The holder commits: the waiting claim is told who has it.
    let mut first = a.begin().await.unwrap();
    assert!(matches!(
        first
            .claim_case(&r("UB-WAJT23"), 7, at(10), at(40))
            .await
            .unwrap(),
        ClaimOutcome::Claimed(_)
    ));
    let mut second = b.begin().await.unwrap();
    let waiting = tokio::spawn(async move {
        let outcome = second.claim_case(&r("ub-wajt23"), 8, at(11), at(41)).await;
        second.commit().await.unwrap();
        outcome
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "the second claim waits for the first"
    );
    first.commit().await.unwrap();
    assert_eq!(waiting.await.unwrap().unwrap(), ClaimOutcome::HeldBy(7));

    // The holder rolls back: the waiting claim wins.
    let mut first = a.begin().await.unwrap();
    assert!(matches!(
        first
            .claim_case(&r("UB-WAJT24"), 7, at(10), at(40))
            .await
            .unwrap(),
        ClaimOutcome::Claimed(_)
    ));
    let mut second = b.begin().await.unwrap();
    let waiting = tokio::spawn(async move {
        let outcome = second.claim_case(&r("UB-WAJT24"), 8, at(11), at(41)).await;
        second.commit().await.unwrap();
        outcome
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(first);
    match waiting.await.unwrap().unwrap() {
        ClaimOutcome::Claimed(record) => assert_eq!(record.claimed_by, Some(8)),
        other => panic!("expected Claimed, got {other:?}"),
    }
    let trail: Vec<String> = a
        .case_events(&r("UB-WAJT24"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.actor))
        .collect();
    assert_eq!(trail, ["created merchant:100", "claimed staff:8"]);
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_report_the_case_that_won() {
    let Some(db) = fresh().await else { return };
    let (a, b) = (db.store(), db.another_instance().await);

    // Same serial, different drafts: the second waits on the unique index, then names the
    // first case.
    let mut first = a.begin().await.unwrap();
    first
        .insert_case(&case("UB-SER223", "d-1", Some("SN-9"), 0))
        .await
        .unwrap();
    let mut second = b.begin().await.unwrap();
    let waiting = tokio::spawn(async move {
        let outcome = second
            .insert_case(&case("UB-SER224", "d-2", Some("SN-9"), 1))
            .await;
        // The transaction is still usable after the violation.
        assert!(second.case(&r("UB-SER223")).await.unwrap().is_some());
        outcome
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "the second insert waits for the first"
    );
    first.commit().await.unwrap();
    match waiting.await.unwrap() {
        Err(StoreError::SerialTaken(existing)) => assert_eq!(existing, "UB-SER223"),
        other => panic!("expected SerialTaken, got {other:?}"),
    }

    // Same draft submitted twice at once: the second is told the first's reference.
    let mut first = a.begin().await.unwrap();
    first
        .insert_case(&case("UB-DRF223", "d-same", None, 0))
        .await
        .unwrap();
    let mut second = b.begin().await.unwrap();
    let waiting = tokio::spawn(async move {
        let outcome = second
            .insert_case(&case("UB-DRF224", "d-same", None, 1))
            .await;
        second.commit().await.unwrap();
        outcome
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    first.commit().await.unwrap();
    assert_eq!(
        waiting.await.unwrap().unwrap(),
        posdesk::store::InsertOutcome::AlreadyExists(r("UB-DRF223"))
    );

    // The first rolls back: the second is inserted after all.
    let mut first = a.begin().await.unwrap();
    first
        .insert_case(&case("UB-SER225", "d-3", Some("SN-10"), 0))
        .await
        .unwrap();
    let mut second = b.begin().await.unwrap();
    let waiting = tokio::spawn(async move {
        let outcome = second
            .insert_case(&case("UB-SER226", "d-4", Some("SN-10"), 1))
            .await;
        second.commit().await.unwrap();
        outcome
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(first);
    assert_eq!(
        waiting.await.unwrap().unwrap(),
        posdesk::store::InsertOutcome::Inserted
    );
    assert!(a.get_case(&r("UB-SER225")).await.unwrap().is_none());
    assert_eq!(a.case_events(&r("UB-SER226")).await.unwrap().len(), 1);
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_lease_expiry_requeues_each_case_once() {
    const CASES: usize = 200;
    let Some(db) = fresh().await else { return };
    let instances = [db.store(), db.another_instance().await];
    let cases: Vec<NewCase> = (0..CASES)
        .map(|i| {
            let case_ref = CaseRef::generate(CaseKind::Close, i as u64);
            case(case_ref.as_str(), &format!("d-{i}"), None, i as i64)
        })
        .collect();
    insert_all(instances[0].as_ref(), &cases).await;
    let mut tx = instances[0].begin().await.unwrap();
    for (i, case) in cases.iter().enumerate() {
        let outcome = tx
            .claim_case(&case.case_ref, 1 + (i % 5) as i64, at(0), at(10))
            .await
            .unwrap();
        assert!(matches!(outcome, ClaimOutcome::Claimed(_)));
    }
    tx.commit().await.unwrap();

    let start = Arc::new(tokio::sync::Barrier::new(4));
    let mut tasks = Vec::new();
    for racer in 0..4 {
        let store = Arc::clone(&instances[racer % 2]);
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut tx = store.begin().await?;
            let requeued = tx.expire_leases(at(20)).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(requeued)
        }));
    }
    let mut requeued = Vec::new();
    for task in tasks {
        requeued.extend(task.await.unwrap().unwrap());
    }
    let distinct: HashSet<&str> = requeued.iter().map(|c| c.case_ref.as_str()).collect();
    assert_eq!(requeued.len(), CASES, "each case requeued once");
    assert_eq!(distinct.len(), CASES);
    let events = db
        .scalar("SELECT COUNT(*) FROM case_events WHERE action = 'lease_expired'")
        .await;
    assert_eq!(events, CASES as i64);
    let queued = db
        .scalar("SELECT COUNT(*) FROM cases WHERE status = 'queued' AND claimed_by IS NULL")
        .await;
    assert_eq!(queued, CASES as i64);
    for store in instances {
        store.close().await;
    }
}
