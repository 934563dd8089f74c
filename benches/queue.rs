//! Claims per second with 50 concurrent reviewers over 10,000 queued cases, and the
//! number of double claims (must be 0). Each reviewer claims random cases it has not seen
//! taken; when two pick the same one at once, the store lets exactly one have it.
//!
//! `cargo bench --bench queue` — on a SQLite file, and on PostgreSQL when
//! `POSDESK_TEST_PG_URL` is set (in a fresh schema, dropped afterwards).

use chrono::{Duration, Utc};
use posdesk::domain::{CaseKind, CaseRef, CaseStatus};
use posdesk::i18n::Locale;
use posdesk::store::{self, ClaimOutcome, NewCase, Store};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

const CASES: u64 = 10_000;
const REVIEWERS: i64 = 50;

fn case(n: u64) -> NewCase {
    let now = Utc::now();
    NewCase {
        case_ref: CaseRef::generate(CaseKind::Unbind, n),
        draft_id: format!("bench-{n}"),
        kind: CaseKind::Unbind,
        brand: "lakala".into(),
        serial: Some(format!("BENCH{n:06}")),
        fields: serde_json::json!({ "merchant_name": "bench" }),
        attachments: serde_json::json!([]),
        chat_id: 1_000_000 + n as i64,
        locale: Locale::ZhCn,
        created_at: now,
        due_at: now + Duration::days(3),
    }
}

async fn run(label: &str, store: Arc<dyn Store>) {
    let refs: Vec<CaseRef> = (0..CASES).map(|n| case(n).case_ref).collect();
    // Queue them (one transaction: setting up is not what is measured).
    let mut tx = store.begin().await.unwrap();
    for n in 0..CASES {
        tx.insert_case(&case(n)).await.unwrap();
    }
    tx.commit().await.unwrap();

    let claimed = Arc::new(AtomicU64::new(0));
    let attempts = Arc::new(AtomicU64::new(0));
    // What reviewers have seen taken: each picks a random case it has not seen taken, as
    // people scanning the queue would; two pick the same case only by chance, and then the
    // store lets exactly one of them have it.
    let taken: Arc<Vec<AtomicBool>> =
        Arc::new((0..refs.len()).map(|_| AtomicBool::new(false)).collect());
    let remaining = Arc::new(AtomicUsize::new(refs.len()));
    let refs = Arc::new(refs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for reviewer in 0..REVIEWERS {
        let (store, refs, taken, remaining) = (
            store.clone(),
            refs.clone(),
            taken.clone(),
            remaining.clone(),
        );
        let (claimed, attempts) = (claimed.clone(), attempts.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (reviewer as u64 + 1);
            while remaining.load(Ordering::Acquire) > 0 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let start_at = (rng % refs.len() as u64) as usize;
                let Some(i) = (0..refs.len())
                    .map(|k| (start_at + k) % refs.len())
                    .find(|&k| !taken[k].load(Ordering::Acquire))
                else {
                    break;
                };
                let now = Utc::now();
                let attempt = async {
                    let mut tx = store.begin().await?;
                    let outcome = tx
                        .claim_case(&refs[i], reviewer + 1, now, now + Duration::hours(4))
                        .await?;
                    tx.commit().await?;
                    Ok::<_, posdesk::store::StoreError>(outcome)
                }
                .await;
                attempts.fetch_add(1, Ordering::Relaxed);
                match attempt {
                    Ok(ClaimOutcome::Claimed(_)) => {
                        claimed.fetch_add(1, Ordering::Relaxed);
                        remaining.fetch_sub(1, Ordering::AcqRel);
                        taken[i].store(true, Ordering::Release);
                    }
                    Ok(_) => taken[i].store(true, Ordering::Release),
                    Err(e) if e.is_retryable() => {}
                    Err(e) => panic!("claim failed: {e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed();
    // Every case claimed exactly once: count in the store, not only in the tasks.
    let in_review = store
        .list_cases(&posdesk::store::CaseFilter {
            status: Some(CaseStatus::InReview),
            ..Default::default()
        })
        .await
        .unwrap()
        .len() as u64;
    let claims = claimed.load(Ordering::Relaxed);
    let attempts = attempts.load(Ordering::Relaxed);
    println!(
        "queue ({label}): {REVIEWERS} reviewers, {CASES} cases: {claims} claims in {:.2} s = {:.0} claims/s \
         ({:.0} claim attempts/s); double claims: {}; cases in review: {in_review}",
        elapsed.as_secs_f64(),
        claims as f64 / elapsed.as_secs_f64(),
        attempts as f64 / elapsed.as_secs_f64(),
        claims.saturating_sub(CASES),
    );
    assert_eq!(claims, CASES);
    assert_eq!(in_review, CASES);
    store.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    run("SQLite", store::open(&url).await.unwrap()).await;

    if let Ok(base) = std::env::var("POSDESK_TEST_PG_URL") {
        let schema = format!("bench_{:016x}", rand::random::<u64>());
        let admin = sqlx::PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        run("PostgreSQL", store::open(&url).await.unwrap()).await;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
    } else {
        println!("queue (PostgreSQL): skipped, POSDESK_TEST_PG_URL is not set");
    }
}
