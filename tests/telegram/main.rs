//! The real bot end to end against the fake Telegram Bot API on 127.0.0.1 (in this process
//! or as `posdesk run`): merchants, staff, redelivery, crashes and outages, several
//! instances on one database, and the fake's own fidelity to the Bot API. One module per
//! concern: `cargo test --test telegram staff_e2e` runs one.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod fake_api_selftest;
mod multi_instance;
mod reliability;
mod staff_e2e;
mod telegram_e2e;
