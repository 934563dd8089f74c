//! The store against real databases: every check of the store contract (`checks/`, one
//! module per role) on a fresh SQLite file and, when `POSDESK_TEST_PG_URL` is set, in a
//! fresh PostgreSQL schema; then what only SQLite has (`sqlite`) and what only several
//! instances on one PostgreSQL database do to each other (`postgres`).
//! `cargo test --test store checks::staff` runs one role's checks.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod checks;
mod postgres;
mod sqlite;
