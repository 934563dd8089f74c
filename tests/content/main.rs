//! What the bot says and understands, checked without a database: intent accuracy on the
//! project's evaluation questions, the Fluent locales, the fuzz corpora replayed through the
//! library's fuzz entry points, and the offline commands of the binary (`posdesk ask`, …).
//! One module per concern: `cargo test --test content locales` runs one.

mod cli;
mod fuzz_corpus;
mod intent_accuracy;
mod locales;
