//! SQLite's side of the shared statements: how a [`Param`] is bound and a column of a
//! [`Kind`] read. Instants are INTEGER Unix milliseconds (UTC), so they sort correctly and
//! round-trip exactly (sub-millisecond precision is dropped on write); JSON is TEXT (the
//! schema checks `json_valid`).

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteQueryResult, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::SqliteTx;
use crate::store::statement::{Cell, Cells, Driver, InTransaction, Kind, Param, Query, Statement};
use crate::store::StoreError;

/// Rows per multi-row statement: at most 7 parameters each, far below SQLite's limit of
/// 32,766 bound parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// The stored form of an instant.
pub(super) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// An instant from its stored form.
pub(super) fn from_millis(ms: i64, what: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} is out of range")))
}

impl Driver for Sqlite {
    /// As SQLite stores them.
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
                Param::At(v) => query.bind(to_millis(*v)),
                Param::OptAt(v) => query.bind(v.map(to_millis)),
                Param::Json(v) => query.bind(v.to_string()),
            };
        }
        query
    }

    fn cells(row: &SqliteRow, shape: &[Kind]) -> Result<Cells, StoreError> {
        let mut cells = Vec::with_capacity(shape.len());
        for (i, kind) in shape.iter().enumerate() {
            let cell = match kind {
                Kind::Int | Kind::Int32 => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
                Kind::At => match row.try_get::<Option<i64>, _>(i)? {
                    Some(ms) => Some(Cell::At(from_millis(ms, "a stored instant")?)),
                    None => None,
                },
                Kind::Json => row.try_get::<Option<String>, _>(i)?.map(Cell::JsonText),
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        Ok(Cells::new(cells))
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

/// Bind `ids` as the list of an `IN (` already pushed, and close it.
pub(super) fn push_ids(query: &mut QueryBuilder<'_, Sqlite>, ids: &[i64]) {
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(")");
}

impl InTransaction for SqliteTx {
    type Db = Sqlite;

    fn connection(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    fn into_transaction(self: Box<Self>) -> sqlx::Transaction<'static, Sqlite> {
        self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_trip() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        assert_eq!(from_millis(to_millis(at), "t").unwrap(), at);
        assert!(from_millis(i64::MAX, "t").is_err());
    }
}
