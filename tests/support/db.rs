//! Test databases: a SQLite file in a temporary directory, or a fresh PostgreSQL schema of
//! its own (when `POSDESK_TEST_PG_URL` is set), both reached through an ordinary
//! `DATABASE_URL`, so the code under test cannot tell it is a test.
#![allow(dead_code)]

use std::path::PathBuf;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database. A PostgreSQL schema is dropped when the test ends.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    /// The SQLite file's directory (its files are inspected by privacy tests).
    pub dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

/// The PostgreSQL server for tests, if configured.
pub fn pg_url() -> Option<String> {
    std::env::var("POSDESK_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("posdesk.db").display());
        TestDb {
            backend: Backend::Sqlite,
            url,
            dir: Some(dir),
            schema: None,
        }
    }

    /// A fresh schema on the test server; `None` (with a note) when none is configured.
    pub async fn postgres() -> Option<TestDb> {
        let db = TestDb::postgres_new_schema()?;
        let (base, schema) = db.pg_schema()?;
        let pool = sqlx::PgPool::connect(base)
            .await
            .expect("POSDESK_TEST_PG_URL reachable");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        Some(db)
    }

    /// Like [`TestDb::postgres`], but the schema is not created: the code under test creates
    /// it (it is dropped at the end all the same).
    pub fn postgres_new_schema() -> Option<TestDb> {
        let Some(base) = pg_url() else {
            // Straight to the stderr handle: libtest captures `eprintln!`, and the skip
            // must be visible in a plain `cargo test`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "PostgreSQL tests skipped: POSDESK_TEST_PG_URL is not set"
            );
            return None;
        };
        let schema = format!("t_{:016x}", rand::random::<u64>());
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(TestDb {
            backend: Backend::Postgres,
            url,
            dir: None,
            schema: Some((base, schema)),
        })
    }

    /// Another fresh database on the same backend (e.g. for a reference run to compare
    /// with).
    pub async fn another(&self) -> TestDb {
        match self.backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres()
                .await
                .expect("PostgreSQL is configured: this database is on it"),
        }
    }

    /// Every backend this machine can test: SQLite, and PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    /// The PostgreSQL server's URL (without the schema) and this database's schema.
    pub fn pg_schema(&self) -> Option<(&str, &str)> {
        self.schema
            .as_ref()
            .map(|(base, schema)| (base.as_str(), schema.as_str()))
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.path().join("posdesk.db"))
    }

    /// Whether `needle` appears anywhere in what the database stores: the SQLite files
    /// byte for byte, or every row of every table in the PostgreSQL schema as text.
    pub async fn contains_text(&self, needle: &str) -> bool {
        match (&self.dir, &self.schema) {
            // SQLite removes its -wal and -shm files when it checkpoints on closing a
            // connection, possibly between listing and reading them; their content is then
            // in the main file, so the scan starts over.
            (Some(dir), _) => loop {
                let mut vanished = false;
                for entry in std::fs::read_dir(dir.path()).unwrap() {
                    match std::fs::read(entry.unwrap().path()) {
                        Ok(bytes) if String::from_utf8_lossy(&bytes).contains(needle) => {
                            return true;
                        }
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vanished = true,
                        Err(e) => panic!("cannot read the database's files: {e}"),
                    }
                }
                if !vanished {
                    return false;
                }
            },
            (None, Some((base, schema))) => {
                let pool = sqlx::PgPool::connect(base).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
                )
                .bind(schema)
                .fetch_all(&pool)
                .await
                .unwrap();
                let mut found = false;
                for table in tables {
                    let rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT t::text FROM {schema}.{table} t"))
                            .fetch_all(&pool)
                            .await
                            .unwrap();
                    found |= rows.iter().any(|r| r.contains(needle));
                }
                pool.close().await;
                found
            }
            _ => false,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(pool) = sqlx::PgPool::connect(&base).await {
                            // Bounded: after a failed test a connection of the test's own
                            // pool may still hold locks in an unfinished transaction (its
                            // rollback waits for the test's runtime, which waits for us).
                            let drop = format!(
                                "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                            );
                            let _ = sqlx::raw_sql(&drop).execute(&pool).await;
                            pool.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
