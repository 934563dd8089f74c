//! What SQLite does its own way for the outbox role.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite};

use super::rows::{to_millis, ROWS_PER_STATEMENT};
use super::SqliteTx;
use crate::store::outbox::OutboxDialect;
use crate::store::{NewOutbox, StoreError};

#[async_trait]
impl OutboxDialect for SqliteTx {
    async fn insert_rows(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        // Multi-row VALUES insert in their order, so ids ascend in that order.
        for chunk in items.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO outbox (chat_id, payload, not_before, created_at) ",
            );
            query.push_values(chunk, |mut row, item| {
                row.push_bind(item.chat_id)
                    .push_bind(item.payload.to_string())
                    .push_bind(to_millis(item.not_before))
                    .push_bind(to_millis(item.created_at));
            });
            query.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}
