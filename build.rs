//! `sqlx::migrate!` embeds `migrations/` at compile time; tell Cargo to rebuild when a
//! migration is added or changed (stable Rust cannot track that on its own).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
