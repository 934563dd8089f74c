//! The conversation core and the service without Telegram: whole conversations through the
//! real service on every backend, group commit, and hostile input through the pure core and
//! the service. One module per concern: `cargo test --test service transcripts` runs one.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod group_commit;
mod hostile_input;
mod merchant_edges;
mod transcripts;
