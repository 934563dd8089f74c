//! What PostgreSQL does its own way for the outbox role.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rows::ms;
use super::PgTx;
use crate::store::outbox::OutboxDialect;
use crate::store::{NewOutbox, StoreError};

#[async_trait]
impl OutboxDialect for PgTx {
    async fn insert_rows(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        let chat_id: Vec<i64> = items.iter().map(|i| i.chat_id).collect();
        let payload: Vec<String> = items.iter().map(|i| i.payload.to_string()).collect();
        let not_before: Vec<DateTime<Utc>> = items.iter().map(|i| ms(i.not_before)).collect();
        let created_at: Vec<DateTime<Utc>> = items.iter().map(|i| ms(i.created_at)).collect();
        // One array per column, inserted in their order (WITH ORDINALITY), so that ids ascend
        // in the order given.
        sqlx::query(
            "INSERT INTO outbox (chat_id, payload, not_before, created_at) \
             SELECT chat_id, payload::jsonb, not_before, created_at \
             FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::timestamptz[]) \
             WITH ORDINALITY AS v (chat_id, payload, not_before, created_at, n) ORDER BY n",
        )
        .bind(&chat_id)
        .bind(&payload)
        .bind(&not_before)
        .bind(&created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
