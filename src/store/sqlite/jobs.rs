//! What SQLite does its own way for the jobs role.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqliteTx;
use crate::domain::CaseRef;
use crate::store::cases::decided_statuses;
use crate::store::jobs::JobDialect;
use crate::store::rows;
use crate::store::statement::{Kind, Run, Statement};
use crate::store::StoreError;

/// The condition on `cases` of what retention erases: decided before the cutoff (`$1`) and
/// not erased yet. `+status` keeps SQLite from walking every decided case by status: it uses
/// the partial index `cases_to_erase` by time instead.
macro_rules! erasable {
    () => {
        concat!(
            "decided_at < $1 AND erased_at IS NULL AND +status IN ",
            decided_statuses!()
        )
    };
}

/// The references retention is about to erase (index `cases_to_erase`); bind: cutoff.
pub(super) const ERASABLE_REFS: &str = concat!(
    "SELECT case_ref FROM cases WHERE ",
    erasable!(),
    " ORDER BY decided_at, id"
);

/// Retention's writes, in order; binds: cutoff, at (where used). The audit trail first,
/// while the cases still match: the merchant's chat id leaves the actor, and each detail
/// keeps only a reason code and a staff id (plain values), so no typed text (notes,
/// questions, "other" reasons) survives. Then the `erased` events. Last the cases, since
/// marking them erased takes them out of `erasable!()`.
const ERASE: [&str; 3] = [
    concat!(
        "UPDATE case_events SET \
         actor = CASE WHEN actor LIKE 'merchant:%' THEN 'merchant' ELSE actor END, \
         detail = (SELECT json_group_object(key, value) FROM json_each(case_events.detail) \
                   WHERE key IN ('reason', 'staff') AND type IN ('text', 'integer', 'real')) \
         WHERE case_id IN (SELECT id FROM cases WHERE ",
        erasable!(),
        ")"
    ),
    concat!(
        "INSERT INTO case_events (case_id, at, actor, action, detail) \
         SELECT id, $2, 'system', 'erased', '{}' FROM cases WHERE ",
        erasable!()
    ),
    concat!(
        "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, \
         erased_at = $2, updated_at = $2 WHERE ",
        erasable!()
    ),
];

#[async_trait]
impl JobDialect for SqliteTx {
    /// `draft_since <= $1` implies the index's `draft_since IS NOT NULL`.
    const DRAFTS_DUE: &'static str = "SELECT chat_id FROM dialogues \
         WHERE draft_since <= $1 AND reminded = 0 ORDER BY draft_since, chat_id";

    async fn erase(
        &mut self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<CaseRef>, StoreError> {
        // Under the write lock: the cases found stay the ones the writes below match.
        let found = self
            .fetch(Statement::new(ERASABLE_REFS).bind(cutoff), &[Kind::Text])
            .await?;
        let erased = found
            .into_iter()
            .map(|mut row| rows::case_ref(row.text()?))
            .collect::<Result<Vec<_>, _>>()?;
        if erased.is_empty() {
            return Ok(erased);
        }
        let [trail, events, cases] = ERASE;
        self.execute(Statement::new(trail).bind(cutoff)).await?;
        self.execute(Statement::new(events).bind(cutoff).bind(at))
            .await?;
        self.execute(Statement::new(cases).bind(cutoff).bind(at))
            .await?;
        Ok(erased)
    }
}
