//! PostgreSQL's side of the shared statements: how a [`Param`] is bound and a column of a
//! [`Kind`] read. Instants are `timestamptz`, truncated to whole milliseconds on write as on
//! SQLite, so both backends return the same values; JSON columns are `jsonb` (the dialogue
//! state, `json`, is read as text by the statements themselves).

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgQueryResult, PgRow};
use sqlx::{Postgres, Row};

use super::PgTx;
use crate::store::statement::{Cell, Cells, Driver, InTransaction, Kind, Param, Query, Statement};
use crate::store::StoreError;

/// The stored form of an instant: whole milliseconds, as on SQLite (`timestamptz` itself
/// keeps microseconds).
pub(super) fn ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

impl Driver for Postgres {
    /// As PostgreSQL stores them.
    fn bound<'q>(statement: &'q Statement<'q>) -> Query<'q, Self> {
        let mut query = sqlx::query(&statement.sql);
        for param in &statement.params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::OptInt(v) => query.bind(*v),
                Param::Int32(v) => query.bind(*v),
                Param::Text(v) => query.bind(*v),
                Param::OptText(v) => query.bind(*v),
                Param::Bool(v) => query.bind(*v),
                Param::At(v) => query.bind(ms(*v)),
                Param::OptAt(v) => query.bind(v.map(ms)),
                Param::Json(v) => query.bind(*v),
            };
        }
        query
    }

    fn cells(row: &PgRow, shape: &[Kind]) -> Result<Cells, StoreError> {
        let mut cells = Vec::with_capacity(shape.len());
        for (i, kind) in shape.iter().enumerate() {
            let cell = match kind {
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                Kind::Int32 => row
                    .try_get::<Option<i32>, _>(i)?
                    .map(|v| Cell::Int(i64::from(v))),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
                Kind::At => row.try_get::<Option<DateTime<Utc>>, _>(i)?.map(Cell::At),
                Kind::Json => row
                    .try_get::<Option<serde_json::Value>, _>(i)?
                    .map(Cell::Json),
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        Ok(Cells::new(cells))
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl InTransaction for PgTx {
    type Db = Postgres;

    fn connection(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    fn into_transaction(self: Box<Self>) -> sqlx::Transaction<'static, Postgres> {
        self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_truncated_to_milliseconds() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        assert_eq!(ms(at + chrono::Duration::nanoseconds(999_999)), at);
        assert_eq!(ms(at), at);
    }
}
