//! What the integration tests share, one module per thing they drive. Each test binary
//! (`tests/<binary>/main.rs`) declares this tree with `#[path = "../support/mod.rs"]`:
//!
//! - [`db`]: a test database (a SQLite file, or a PostgreSQL schema of its own); the
//!   [`backends!`] macro below runs a test body on each backend;
//! - [`service`]: a merchant chatting with the real service (no Telegram);
//! - [`fake_telegram`]: a fake Telegram Bot API server on 127.0.0.1;
//! - [`bot`]: the real bot on the fake API, in this process or as a child process, and a
//!   merchant driving it;
//! - [`outage`]: a database that goes away and comes back;
//! - [`scripts`]: whole cases scripted for the fake API.
//!
//! Fixtures of the core (the core driver `Chat`, valid answers, card numbers) are in the
//! library's `posdesk::testkit`, shared with the unit tests.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod bot;
pub mod db;
pub mod fake_telegram;
pub mod outage;
pub mod scripts;
pub mod service;

/// Runs a test body `async fn name(db: &TestDb)` once per backend: as `name::sqlite`, and
/// as `name::postgres` when `POSDESK_TEST_PG_URL` is set (otherwise that test passes,
/// saying on stderr that it was skipped; see [`db::TestDb::postgres`]).
///
/// `backends!(name)` runs on tokio's current-thread test runtime; `backends!(multi_thread
/// name)` on two worker threads, for tests whose bot runs beside them in the same process.
macro_rules! backends {
    ($body:ident) => {
        mod $body {
            #[tokio::test]
            async fn sqlite() {
                super::$body(&$crate::support::db::TestDb::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::support::db::TestDb::postgres().await {
                    super::$body(&db).await;
                }
            }
        }
    };
    (multi_thread $body:ident) => {
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(&$crate::support::db::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::support::db::TestDb::postgres().await {
                    super::$body(&db).await;
                }
            }
        }
    };
}
