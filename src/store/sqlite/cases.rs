//! What SQLite does its own way for the cases role.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite};

use super::rows::{push_ids, ROWS_PER_STATEMENT};
use super::SqliteTx;
use crate::store::cases::{CaseDialect, CHAT_SUMMARIES, CHAT_SUMMARIES_ORDER};
use crate::store::rows::{file_chat_summary, CHAT_SUMMARY_SHAPE};
use crate::store::statement::{Driver, Kind, Run, Statement};
use crate::store::{CaseSummary, StoreError};

#[async_trait]
impl CaseDialect for SqliteTx {
    /// The transaction holds the only write lock: nothing can slip in between.
    const ROW_LOCK: &'static str = "";

    async fn insert_case_row(
        &mut self,
        insert: Statement<'_>,
    ) -> Result<Result<i64, sqlx::Error>, StoreError> {
        // A failed statement is rolled back alone; the transaction stays usable.
        match self.fetch(insert, &[Kind::Int]).await {
            Ok(rows) => match rows.into_iter().next() {
                Some(mut row) => Ok(Ok(row.int()?)),
                None => Err(StoreError::Corrupt("an insert returned no id".into())),
            },
            Err(StoreError::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
                Ok(Err(sqlx::Error::Database(db)))
            }
            Err(e) => Err(e),
        }
    }

    /// The draft and serial were checked under the write lock, so only the public
    /// reference itself can have collided.
    fn unexplained_violation(violation: sqlx::Error) -> StoreError {
        StoreError::Database(violation)
    }

    async fn summaries_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError> {
        let mut cases: HashMap<i64, Vec<_>> = chat_ids.iter().map(|c| (*c, Vec::new())).collect();
        for chunk in chat_ids.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(CHAT_SUMMARIES);
            query.push("IN (");
            push_ids(&mut query, chunk);
            query.push(CHAT_SUMMARIES_ORDER);
            for row in &query.build().fetch_all(&mut *self.tx).await? {
                file_chat_summary(&mut cases, Sqlite::cells(row, CHAT_SUMMARY_SHAPE)?)?;
            }
        }
        Ok(cases)
    }
}
