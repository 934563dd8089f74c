//! What PostgreSQL does its own way for the jobs role.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PgTx;
use crate::domain::CaseRef;
use crate::store::cases::decided_statuses;
use crate::store::jobs::JobDialect;
use crate::store::rows;
use crate::store::statement::{Kind, Run, Statement};
use crate::store::StoreError;

/// The cases retention is about to erase, locked so that a concurrent run waits and then
/// skips them (its `erased_at IS NULL` no longer holds); bind: cutoff.
const ERASABLE: &str = concat!(
    "SELECT id, case_ref FROM cases WHERE decided_at < $1 AND erased_at IS NULL \
     AND status IN ",
    decided_statuses!(),
    " ORDER BY decided_at, id FOR UPDATE"
);

/// Retention's writes on the cases of [`ERASABLE`], in order; binds: the ids as one array,
/// at (where used). The merchant's chat id leaves the actor, and each detail keeps only a
/// reason code and a staff id (plain strings or numbers), so no typed text (notes,
/// questions, "other" reasons) survives; a detail that is not an object keeps nothing, as
/// SQLite's `json_each` finds no such keys in it. Then the `erased` events, then the cases.
const ERASE: [&str; 3] = [
    "UPDATE case_events SET \
     actor = CASE WHEN actor LIKE 'merchant:%' THEN 'merchant' ELSE actor END, \
     detail = CASE WHEN jsonb_typeof(detail) = 'object' THEN COALESCE( \
         (SELECT jsonb_object_agg(key, value) FROM jsonb_each(case_events.detail) \
          WHERE key IN ('reason', 'staff') \
          AND jsonb_typeof(value) IN ('string', 'number')), \
         '{}'::jsonb) ELSE '{}'::jsonb END \
     WHERE case_id = ANY($1)",
    "INSERT INTO case_events (case_id, at, actor, action, detail) \
     SELECT id, $2, 'system', 'erased', '{}' FROM cases WHERE id = ANY($1) \
     ORDER BY decided_at, id",
    "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, \
     erased_at = $2, updated_at = $2 WHERE id = ANY($1)",
];

#[async_trait]
impl JobDialect for PgTx {
    const DRAFTS_DUE: &'static str = "SELECT chat_id FROM dialogues \
         WHERE draft_since <= $1 AND NOT reminded ORDER BY draft_since, chat_id";

    async fn erase(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError> {
        let found = self
            .fetch(
                Statement::new(ERASABLE).bind(cutoff),
                &[Kind::Int, Kind::Text],
            )
            .await?;
        let mut ids = Vec::with_capacity(found.len());
        let mut erased = Vec::with_capacity(found.len());
        for mut row in found {
            ids.push(row.int()?);
            erased.push(rows::case_ref(row.text()?)?);
        }
        if erased.is_empty() {
            return Ok(erased);
        }
        let [trail, events, cases] = ERASE;
        sqlx::query(trail).bind(&ids).execute(&mut *self.tx).await?;
        for write in [events, cases] {
            sqlx::query(write)
                .bind(&ids)
                .bind(super::rows::ms(at))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(erased)
    }
}
