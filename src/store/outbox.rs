//! The outbox role: requests to send, written in the transaction whose effects they carry
//! and delivered after it committed (`telegram::sender`). Written once for both backends,
//! except many rows in one statement ([`OutboxDialect`]).

use async_trait::async_trait;

use super::statement::{Run, Statement};
use super::{NewOutbox, StoreError};

/// Outbox rows due, oldest first (index `outbox_due`); binds: now, limit.
pub(crate) const DUE: &str = "SELECT id, chat_id, payload, attempts, not_before FROM outbox \
     WHERE not_before <= $1 ORDER BY id LIMIT $2";

/// When the next row is due.
pub(crate) const NEXT_DUE: &str = "SELECT MIN(not_before) FROM outbox";

/// A row that could not be sent waits; binds: not before, id.
pub(crate) const RETRY: &str =
    "UPDATE outbox SET attempts = attempts + 1, not_before = $1 WHERE id = $2";

/// An unsent row replaced by a newer one of the same chat and key; binds: chat, key.
const COALESCE: &str = "DELETE FROM outbox WHERE chat_id = $1 AND coalesce_key = $2";

/// One row; binds: chat, payload, key, not before, created at.
const ENQUEUE: &str =
    "INSERT INTO outbox (chat_id, payload, coalesce_key, not_before, created_at) \
     VALUES ($1, $2, $3, $4, $5)";

/// Requests to send after the transaction commits.
#[async_trait]
pub trait OutboxTx: Send {
    /// Queue a request to send after commit. A row with a coalesce key first removes any
    /// unsent row of the same chat with the same key.
    async fn enqueue(&mut self, item: &NewOutbox) -> Result<(), StoreError>;

    /// [`OutboxTx::enqueue`] of each row, in order (ids ascend in that order).
    async fn enqueue_all(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        // Runs of rows without a coalesce key go in one statement; a row with one first
        // removes its predecessors, so it is enqueued on its own, in its place.
        for run in items.chunk_by(|a, b| a.coalesce_key.is_none() && b.coalesce_key.is_none()) {
            if run[0].coalesce_key.is_some() {
                for item in run {
                    self.enqueue(item).await?;
                }
            } else {
                self.enqueue_unkeyed(run).await?;
            }
        }
        Ok(())
    }

    /// [`OutboxTx::enqueue`] of rows without a coalesce key, in order, in as few statements
    /// as the backend can (the rows' keys are not looked at).
    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError>;
}

/// What each backend does its own way for [`OutboxTx`].
#[async_trait]
pub(crate) trait OutboxDialect: Run {
    /// [`OutboxTx::enqueue_unkeyed`]: SQLite's multi-row `VALUES`, in chunks below its
    /// limit of bound parameters; PostgreSQL's `unnest` of one array per column.
    async fn insert_rows(&mut self, items: &[NewOutbox]) -> Result<(), StoreError>;
}

#[async_trait]
impl<T: OutboxDialect> OutboxTx for T {
    async fn enqueue(&mut self, item: &NewOutbox) -> Result<(), StoreError> {
        if let Some(key) = &item.coalesce_key {
            let st = Statement::new(COALESCE).bind(item.chat_id).bind(key);
            self.execute(st).await?;
        }
        let st = Statement::new(ENQUEUE)
            .bind(item.chat_id)
            .bind(&item.payload)
            .bind(item.coalesce_key.as_deref())
            .bind(item.not_before)
            .bind(item.created_at);
        self.execute(st).await?;
        Ok(())
    }

    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        self.insert_rows(items).await
    }
}
