//! posdesk: a support bot for POS merchants in China.
//!
//! - [`conversation`]: the pure state machine (states, events, effects, forms).
//! - [`knowledge`]: intents, answers and the free-text matcher.
//! - [`domain`]: validated values (phone numbers, serials, dates, privacy guard).
//! - [`store`]: the database (dialogues, cases, audit trail, processed updates).
//! - [`service`]: one transaction per update, tying the core to the store.
//! - [`console`]: the terminal adapter behind `posdesk chat`.
//!
//! `fuzzing` (hidden) holds the fuzz entry points shared by `fuzz/` and the fuzz corpus replay
//! test; `testkit` (hidden) the core test driver and fixtures shared by unit and integration
//! tests.

pub mod calendar;
pub mod cli;
pub mod config;
pub mod console;
pub mod conversation;
pub mod domain;
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod knowledge;
pub mod ops;
pub mod review;
pub mod service;
pub mod store;
pub mod telegram;
pub mod telemetry;
#[doc(hidden)]
pub mod testkit;
