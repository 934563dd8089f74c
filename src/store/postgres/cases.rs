//! What PostgreSQL does its own way for the cases role.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{Connection, Postgres, QueryBuilder};

use super::PgTx;
use crate::store::cases::{CaseDialect, CHAT_SUMMARIES, CHAT_SUMMARIES_ORDER};
use crate::store::rows::{file_chat_summary, CHAT_SUMMARY_SHAPE};
use crate::store::statement::{Driver, Kind, Statement};
use crate::store::{CaseSummary, StoreError};

#[async_trait]
impl CaseDialect for PgTx {
    /// READ COMMITTED: without the row lock a concurrent answer could be read before this
    /// one's write and then overwrite it.
    const ROW_LOCK: &'static str = " FOR UPDATE";

    async fn insert_case_row(
        &mut self,
        insert: Statement<'_>,
    ) -> Result<Result<i64, sqlx::Error>, StoreError> {
        // In a savepoint: a unique violation aborts the statement's (sub)transaction, and
        // the transaction must stay usable to find and report the case that won.
        let mut savepoint = Connection::begin(&mut *self.tx).await?;
        match Postgres::bound(&insert).fetch_one(&mut *savepoint).await {
            Ok(row) => {
                savepoint.commit().await?;
                Ok(Ok(Postgres::cells(&row, &[Kind::Int])?.int()?))
            }
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                savepoint.rollback().await?;
                Ok(Err(sqlx::Error::Database(db)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The public reference collided when its index says so; otherwise the winner the insert
    /// waited for changed again since (its case was decided): a retry inserts.
    fn unexplained_violation(violation: sqlx::Error) -> StoreError {
        match &violation {
            sqlx::Error::Database(db) if db.constraint() == Some("cases_case_ref_key") => {
                StoreError::Database(violation)
            }
            _ => StoreError::Conflict,
        }
    }

    async fn summaries_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError> {
        let mut query = QueryBuilder::<Postgres>::new(CHAT_SUMMARIES);
        query.push("= ANY(").push_bind(chat_ids).push(")");
        query.push(CHAT_SUMMARIES_ORDER);
        let mut cases: HashMap<i64, Vec<_>> = chat_ids.iter().map(|c| (*c, Vec::new())).collect();
        for row in &query.build().fetch_all(&mut *self.tx).await? {
            file_chat_summary(&mut cases, Postgres::cells(row, CHAT_SUMMARY_SHAPE)?)?;
        }
        Ok(cases)
    }
}
