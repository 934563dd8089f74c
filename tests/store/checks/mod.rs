//! The store's behaviour, written once and run on every backend: each check here runs on a
//! fresh SQLite file and, when `POSDESK_TEST_PG_URL` is set, in a fresh PostgreSQL schema
//! (`backends!`), one module per role of the store contract. A check reaches the database
//! behind the store's back only through [`StoreDb`], whose few methods hide the dialect.

mod cases;
mod chats;
mod jobs;
mod outbox;
mod staff;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use posdesk::domain::{CaseKind, CaseRecord, CaseRef, CaseStatus, ClaimUpdate, StatusChange};
use posdesk::i18n::Locale;
use posdesk::store::{
    self, CaseEvent, CaseFilter, ClaimOutcome, DialogueWrite, InsertOutcome, NewCase, NewDialogue,
    NewOutbox, ProcessedMark, Store, StoreError,
};
use serde_json::json;

use crate::support::db::{Backend, TestDb};

/// A test database opened for the store checks: the store under test, and a pool for what a
/// check does behind the store's back (statements written the same in both dialects, or
/// here once per dialect).
pub struct StoreDb {
    url: String,
    backend: Backend,
    store: Arc<dyn Store>,
    raw: Raw,
}

/// A pool on the test database, outside the store.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl StoreDb {
    /// Open (and migrate) the store on `test`, and a pool beside it.
    pub async fn open(test: &TestDb) -> StoreDb {
        let store = store::open(&test.url).await.unwrap();
        let raw = match test.backend {
            Backend::Sqlite => Raw::Sqlite(sqlx::SqlitePool::connect(&test.url).await.unwrap()),
            Backend::Postgres => Raw::Postgres(sqlx::PgPool::connect(&test.url).await.unwrap()),
        };
        StoreDb {
            url: test.url.clone(),
            backend: test.backend,
            store,
            raw,
        }
    }

    /// The store under test.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// A second store on the same database, as a second bot instance would open it.
    pub async fn another_instance(&self) -> Arc<dyn Store> {
        store::open(&self.url).await.unwrap()
    }

    /// Run one statement written the same in both dialects.
    pub async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.raw {
            Raw::Sqlite(pool) => Ok(sqlx::query(sql).execute(pool).await?.rows_affected()),
            Raw::Postgres(pool) => Ok(sqlx::query(sql).execute(pool).await?.rows_affected()),
        }
    }

    /// The integer that a query written the same in both dialects returns, with one text
    /// bind as `$1` (or none).
    pub async fn scalar_with(&self, sql: &str, bind: Option<&str>) -> i64 {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).bind(bind).fetch_one(pool).await,
            Raw::Postgres(pool) => sqlx::query_scalar(sql).bind(bind).fetch_one(pool).await,
        }
        .unwrap()
    }

    /// The integer that a query written the same in both dialects returns.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap()
    }

    /// Set a case's status behind the store's back (the schema's checks still apply).
    pub async fn force_status(&self, case_ref: &str, status: &str) -> Result<(), sqlx::Error> {
        let sql = "UPDATE cases SET status = $1 WHERE case_ref = $2";
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query(sql)
                .bind(status)
                .bind(case_ref)
                .execute(pool)
                .await
                .map(|_| ()),
            Raw::Postgres(pool) => sqlx::query(sql)
                .bind(status)
                .bind(case_ref)
                .execute(pool)
                .await
                .map(|_| ()),
        }
    }

    /// Insert a case row behind the store's back (the schema's checks still apply).
    pub async fn insert_raw_case(
        &self,
        case_ref: &str,
        draft_id: &str,
        serial: &str,
        status: &str,
    ) -> Result<(), sqlx::Error> {
        // Instants are integers on SQLite, timestamptz on PostgreSQL.
        let epoch = match self.backend {
            Backend::Sqlite => "0",
            Backend::Postgres => "to_timestamp(0)",
        };
        let sql = format!(
            "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, attachments, \
             chat_id, locale, status, created_at, updated_at, due_at) \
             VALUES ($1, $2, 'unbind', 'lakala', $3, '{{}}', '[]', 3, 'en', $4, {epoch}, {epoch}, {epoch})"
        );
        let binds = [case_ref, draft_id, serial, status];
        match &self.raw {
            Raw::Sqlite(pool) => {
                let mut query = sqlx::query(&sql);
                for b in binds {
                    query = query.bind(b);
                }
                query.execute(pool).await
            }
            .map(|_| ()),
            Raw::Postgres(pool) => {
                let mut query = sqlx::query(&sql);
                for b in binds {
                    query = query.bind(b);
                }
                query.execute(pool).await
            }
            .map(|_| ()),
        }
    }

    /// The stored (chat id, processed at) of an update.
    pub async fn processed_row(&self, update_id: i64) -> (i64, DateTime<Utc>) {
        let sql = "SELECT chat_id, processed_at FROM processed_updates WHERE update_id = $1";
        match &self.raw {
            Raw::Sqlite(pool) => {
                let (chat, at): (i64, i64) = sqlx::query_as(sql)
                    .bind(update_id)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                (chat, DateTime::from_timestamp_millis(at).unwrap())
            }
            Raw::Postgres(pool) => sqlx::query_as(sql)
                .bind(update_id)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }

    /// When the stored run of `job` for `period` ran.
    pub async fn job_ran_at(&self, job: &str, period: &str) -> DateTime<Utc> {
        let sql = "SELECT ran_at FROM job_runs WHERE job = $1 AND period = $2";
        match &self.raw {
            Raw::Sqlite(pool) => {
                let at: i64 = sqlx::query_scalar(sql)
                    .bind(job)
                    .bind(period)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                DateTime::from_timestamp_millis(at).unwrap()
            }
            Raw::Postgres(pool) => sqlx::query_scalar(sql)
                .bind(job)
                .bind(period)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }

    /// (chat id, draft_since, reminded) of every dialogue, by chat id.
    pub async fn draft_columns(&self) -> Vec<(i64, Option<DateTime<Utc>>, bool)> {
        let sql = "SELECT chat_id, draft_since, reminded FROM dialogues ORDER BY chat_id";
        match &self.raw {
            Raw::Sqlite(pool) => {
                let rows: Vec<(i64, Option<i64>, i64)> =
                    sqlx::query_as(sql).fetch_all(pool).await.unwrap();
                rows.into_iter()
                    .map(|(chat, since, reminded)| {
                        let since = since.map(|ms| DateTime::from_timestamp_millis(ms).unwrap());
                        assert!(reminded == 0 || reminded == 1, "reminded is 0 or 1");
                        (chat, since, reminded == 1)
                    })
                    .collect()
            }
            Raw::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        }
    }

    /// How many event details of the `UB-QKD%` cases and case fields contain `needle`.
    pub async fn mentions(&self, needle: &str) -> i64 {
        self.scalar_with(
            "SELECT (SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id \
                     WHERE CAST(e.detail AS TEXT) LIKE '%' || $1 || '%' \
                     AND c.case_ref LIKE 'UB-QKD%') \
                  + (SELECT COUNT(*) FROM cases WHERE CAST(fields AS TEXT) LIKE '%' || $1 || '%')",
            Some(needle),
        )
        .await
    }
}

/// An instant `minutes` after a fixed base, with whole milliseconds.
pub(crate) fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

pub(crate) fn dialogue(state: &str, updated_at: DateTime<Utc>) -> NewDialogue {
    NewDialogue {
        state: state.to_string(),
        schema_version: 1,
        updated_at,
        draft_since: None,
        reminded: false,
    }
}

/// A case reference written in a check (as canonical, or as a merchant might type it).
pub(crate) fn r(text: &str) -> CaseRef {
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

async fn event_count(db: &StoreDb) -> i64 {
    db.scalar("SELECT COUNT(*) FROM case_events").await
}

fn refs(cases: &[CaseRecord]) -> Vec<&str> {
    cases.iter().map(|c| c.case_ref.as_str()).collect()
}
