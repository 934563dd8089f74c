//! PostgreSQL's locks, where SQLite has one writer: a transaction-scoped advisory lock per
//! chat (instances apply one chat's updates one at a time), row locks on a case about to be
//! claimed, and the session advisory lock of the one instance that delivers the outbox.

use sqlx::{Connection, PgConnection};

use super::{PgStore, PgTx};
use crate::domain::{CaseRef, CaseStatus};
use crate::store::rows;
use crate::store::statement::Query;
use crate::store::statement::{Kind, Run, Statement};
use crate::store::StoreError;

/// The first key of the advisory locks that serialise the updates of one chat. The
/// two-key form keeps them apart from single-key advisory locks (sqlx takes one while
/// migrating) and from other applications' keys on a shared database.
const CHAT_LOCK_CLASS: i32 = 0x706f_7364; // "posd"

/// The second advisory-lock key of a chat. Telegram chat ids use more than 32 bits; folding
/// the halves together may give two chats one key, which only serialises them needlessly.
fn chat_lock_key(chat_id: i64) -> i32 {
    // Truncation is the point: the key space is 32 bits.
    (chat_id ^ (chat_id >> 32)) as i32
}

impl PgTx {
    /// Take a chat's lock until this transaction ends; taking it twice is harmless.
    pub(super) async fn lock_one_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(CHAT_LOCK_CLASS)
            .bind(chat_lock_key(chat_id))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Take the locks of several chats. Every transaction that takes several takes them in
    /// ascending key order, so two batches cannot deadlock.
    pub(super) async fn lock_chats(&mut self, chat_ids: &[i64]) -> Result<(), StoreError> {
        let mut keys: Vec<i32> = chat_ids.iter().map(|c| chat_lock_key(*c)).collect();
        keys.sort_unstable();
        keys.dedup();
        // Volatile functions in the select list run after the sort, so in this order.
        let lock: Query<'_, sqlx::Postgres> = sqlx::query(
            "SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int4[]) WITH ORDINALITY \
             AS t (k, n) ORDER BY n",
        );
        lock.bind(CHAT_LOCK_CLASS)
            .bind(&keys)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The id, status and reviewer of a case, with its row locked by this transaction.
    /// `skip_locked`: return `None` at once when another transaction holds the lock.
    pub(super) async fn lock_case(
        &mut self,
        case_ref: &CaseRef,
        skip_locked: bool,
    ) -> Result<Option<(i64, CaseStatus, Option<i64>)>, StoreError> {
        let sql = if skip_locked {
            "SELECT id, status, claimed_by FROM cases WHERE case_ref = $1 FOR UPDATE SKIP LOCKED"
        } else {
            "SELECT id, status, claimed_by FROM cases WHERE case_ref = $1 FOR UPDATE"
        };
        let st = Statement::new(sql).bind(case_ref);
        let shape = &[Kind::Int, Kind::Text, Kind::Int];
        let Some(mut row) = self.fetch_optional(st, shape).await? else {
            return Ok(None);
        };
        let id = row.int()?;
        let status = rows::case_status(&row.text()?, case_ref)?;
        Ok(Some((id, status, row.opt_int()?)))
    }
}

impl PgStore {
    /// Whether this instance holds the outbox sender lock, taking it if it is free: a
    /// session advisory lock on a connection of its own, detached from the pool, so the lock
    /// lives as long as this process keeps it (and goes when the process dies). The key is
    /// per schema: instances share it only when they share the tables.
    pub(super) async fn hold_sender_lock(&self) -> Result<bool, StoreError> {
        let mut held = self.sender_lock.lock().await;
        if let Some(conn) = held.as_mut() {
            if sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok() {
                return Ok(true);
            }
            // The connection died, and the lock with it: try to take it again.
            *held = None;
        }
        let mut conn: PgConnection = self.pool.acquire().await?.detach();
        let granted: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext('posdesk-outbox-sender:' || current_schema()))",
        )
        .fetch_one(&mut conn)
        .await?;
        if granted {
            *held = Some(conn);
        } else {
            let _ = conn.close().await;
        }
        Ok(granted)
    }

    /// Let the sender lock go with its connection.
    pub(super) async fn release_sender_lock(&self) {
        if let Some(conn) = self.sender_lock.lock().await.take() {
            let _ = conn.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_lock_keys_differ_for_nearby_chats() {
        assert_ne!(chat_lock_key(1), chat_lock_key(2));
        assert_ne!(
            chat_lock_key(-1_001_234_567_890),
            chat_lock_key(-1_001_234_567_891)
        );
        assert_eq!(chat_lock_key(42), 42);
    }
}
