//! What the statements written once for both backends are made of: the SQL text (with `$N`
//! placeholders, which SQLite accepts as well as PostgreSQL), the values bound to it as
//! [`Param`]s, and the columns read back as [`Cell`]s.
//!
//! SQL alone does not fix two things, and the backends store them differently: instants
//! (SQLite: INTEGER Unix milliseconds; PostgreSQL: `timestamptz`) and JSON (SQLite: TEXT;
//! PostgreSQL: `jsonb`). So a backend binds each [`Param`] as its own column type and reads
//! each column of a [`Kind`] into a [`Cell`] (its `rows.rs`); everything else about a shared
//! statement, its binds' order and its rows' meaning, is written once.

use std::borrow::Cow;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::CaseRef;

/// One value bound to a statement, in the order of the `$N` numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param<'a> {
    Int(i64),
    OptInt(Option<i64>),
    /// A 32-bit column (PostgreSQL `integer`: a message id, a schema version).
    Int32(i32),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    /// An instant; both backends keep whole milliseconds.
    At(DateTime<Utc>),
    OptAt(Option<DateTime<Utc>>),
    Json(&'a serde_json::Value),
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        Param::OptInt(v)
    }
}

impl From<i32> for Param<'_> {
    fn from(v: i32) -> Self {
        Param::Int32(v)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Param::OptText(v)
    }
}

impl<'a> From<&'a CaseRef> for Param<'a> {
    fn from(v: &'a CaseRef) -> Self {
        Param::Text(v.as_str())
    }
}

impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

impl From<DateTime<Utc>> for Param<'_> {
    fn from(v: DateTime<Utc>) -> Self {
        Param::At(v)
    }
}

impl From<Option<DateTime<Utc>>> for Param<'_> {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Param::OptAt(v)
    }
}

impl<'a> From<&'a serde_json::Value> for Param<'a> {
    fn from(v: &'a serde_json::Value) -> Self {
        Param::Json(v)
    }
}

/// A statement and its binds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement<'a> {
    pub(crate) sql: Cow<'static, str>,
    pub(crate) params: Vec<Param<'a>>,
}

impl<'a> Statement<'a> {
    /// A statement written out in full.
    pub(crate) fn new(sql: &'static str) -> Self {
        Statement {
            sql: Cow::Borrowed(sql),
            params: Vec::new(),
        }
    }

    /// A statement put together at run time (a filter, a guarded change).
    pub(crate) fn built(sql: String) -> Self {
        Statement {
            sql: Cow::Owned(sql),
            params: Vec::new(),
        }
    }

    /// Bind the next `$N`.
    pub(crate) fn bind(mut self, value: impl Into<Param<'a>>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Bind a value and return its placeholder (`$3`), for statements put together at run
    /// time.
    pub(crate) fn push(&mut self, value: impl Into<Param<'a>>) -> String {
        self.params.push(value.into());
        format!("${}", self.params.len())
    }
}

/// How to read a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    /// A 32-bit column (PostgreSQL `integer`).
    Int32,
    Text,
    Bool,
    At,
    /// JSON: parsed by the caller, who can name what it belongs to (see [`Cells::json`]).
    Json,
}

/// A column as read. NULL is [`Cell::Null`] whatever the kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    At(DateTime<Utc>),
    /// JSON as the backend keeps it: text on SQLite, already parsed on PostgreSQL.
    JsonText(String),
    Json(serde_json::Value),
}

/// One row's cells, taken in column order by the code that knows what they mean.
#[derive(Debug)]
pub(crate) struct Cells(std::vec::IntoIter<Cell>);

impl Cells {
    pub(crate) fn new(cells: Vec<Cell>) -> Self {
        Cells(cells.into_iter())
    }

    fn next(&mut self) -> Result<Cell, StoreError> {
        self.0
            .next()
            .ok_or_else(|| StoreError::Corrupt("a row has fewer columns than read".into()))
    }

    fn unexpected() -> StoreError {
        StoreError::Corrupt("a stored column does not hold what was expected".into())
    }

    pub(crate) fn opt_int(&mut self) -> Result<Option<i64>, StoreError> {
        match self.next()? {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(v)),
            _ => Err(Self::unexpected()),
        }
    }

    pub(crate) fn int(&mut self) -> Result<i64, StoreError> {
        self.opt_int()?.ok_or_else(Self::unexpected)
    }

    pub(crate) fn opt_text(&mut self) -> Result<Option<String>, StoreError> {
        match self.next()? {
            Cell::Null => Ok(None),
            Cell::Text(v) => Ok(Some(v)),
            _ => Err(Self::unexpected()),
        }
    }

    pub(crate) fn text(&mut self) -> Result<String, StoreError> {
        self.opt_text()?.ok_or_else(Self::unexpected)
    }

    pub(crate) fn bool(&mut self) -> Result<bool, StoreError> {
        match self.next()? {
            Cell::Bool(v) => Ok(v),
            _ => Err(Self::unexpected()),
        }
    }

    pub(crate) fn opt_at(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.next()? {
            Cell::Null => Ok(None),
            Cell::At(v) => Ok(Some(v)),
            _ => Err(Self::unexpected()),
        }
    }

    pub(crate) fn at(&mut self) -> Result<DateTime<Utc>, StoreError> {
        self.opt_at()?.ok_or_else(Self::unexpected)
    }

    /// A JSON column of `owner` (`case UB-7K3QF9`), `what` it is (`fields`). A parse error
    /// names the column and position only: serde's own message may quote the stored text,
    /// which can be personal data.
    pub(crate) fn json(
        &mut self,
        owner: &str,
        what: &str,
    ) -> Result<serde_json::Value, StoreError> {
        match self.next()? {
            Cell::Json(v) => Ok(v),
            Cell::JsonText(text) => parse_json(&text, what, owner),
            _ => Err(Self::unexpected()),
        }
    }
}

/// Parse stored JSON text (see [`Cells::json`]).
pub(crate) fn parse_json(
    text: &str,
    what: &str,
    owner: &str,
) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Corrupt(format!(
            "{owner}: {what} is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// How a backend binds a [`Statement`] and reads its rows (its `rows.rs`).
pub(crate) trait Driver: sqlx::Database {
    /// `statement` with its params bound as this backend stores them.
    fn bound<'q>(statement: &'q Statement<'q>) -> Query<'q, Self>;
    /// A row's columns as `shape` says.
    fn cells(row: &Self::Row, shape: &[Kind]) -> Result<Cells, StoreError>;
    /// How many rows a statement wrote.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

/// A statement of a backend, bound.
pub(crate) type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>;

/// Run `statement` on `executor` (a pool, a connection) and read its rows.
pub(crate) async fn fetch<'e, DB: Driver>(
    executor: impl sqlx::Executor<'e, Database = DB>,
    statement: Statement<'_>,
    shape: &'static [Kind],
) -> Result<Vec<Cells>, StoreError>
where
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let rows = DB::bound(&statement).fetch_all(executor).await?;
    rows.iter().map(|row| DB::cells(row, shape)).collect()
}

/// Run `statement` on `executor`; the number of rows it wrote.
pub(crate) async fn execute<'e, DB: Driver>(
    executor: impl sqlx::Executor<'e, Database = DB>,
    statement: Statement<'_>,
) -> Result<u64, StoreError>
where
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let result = DB::bound(&statement).execute(executor).await?;
    Ok(DB::rows_affected(&result))
}

/// A backend's transaction, where the shared statements of a [`Tx`](super::Tx) run.
pub(crate) trait InTransaction: Send {
    /// The backend.
    type Db: Driver;
    /// The transaction's connection.
    fn connection(&mut self) -> &mut <Self::Db as sqlx::Database>::Connection;
    /// The transaction itself, to commit it.
    fn into_transaction(self: Box<Self>) -> sqlx::Transaction<'static, Self::Db>;
}

#[async_trait]
impl<T: InTransaction> Run for T
where
    for<'c> &'c mut <T::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = T::Db>,
    for<'q> <T::Db as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, T::Db>,
{
    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64, StoreError> {
        execute(self.connection(), statement).await
    }

    async fn fetch(
        &mut self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Vec<Cells>, StoreError> {
        fetch(self.connection(), statement, shape).await
    }
}

/// Where shared statements run: a backend's transaction.
#[async_trait]
pub(crate) trait Run: Send {
    /// Run a statement; the number of rows it wrote.
    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64, StoreError>;

    /// Run a query; each row's columns read as `shape` says, in its order.
    async fn fetch(
        &mut self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Vec<Cells>, StoreError>;

    /// The first row of a query, if any.
    async fn fetch_optional(
        &mut self,
        statement: Statement<'_>,
        shape: &'static [Kind],
    ) -> Result<Option<Cells>, StoreError> {
        Ok(self.fetch(statement, shape).await?.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_the_binds() {
        let mut st = Statement::new("SELECT 1").bind(1_i64);
        assert_eq!(st.push("a"), "$2");
        assert_eq!(st.push(true), "$3");
        assert_eq!(
            st.params,
            [Param::Int(1), Param::Text("a"), Param::Bool(true)]
        );
    }

    #[test]
    fn cells_are_taken_in_order_and_checked() {
        let mut cells = Cells::new(vec![
            Cell::Int(7),
            Cell::Null,
            Cell::JsonText("{\"a\":1}".into()),
        ]);
        assert_eq!(cells.int().unwrap(), 7);
        assert_eq!(cells.opt_text().unwrap(), None);
        assert_eq!(cells.json("o", "w").unwrap(), serde_json::json!({"a": 1}));
        assert!(cells.int().is_err());
        assert!(Cells::new(vec![Cell::Text("x".into())]).int().is_err());
    }

    #[test]
    fn corrupt_json_error_does_not_quote_the_data() {
        let err =
            parse_json("{\"phone\": 13800138000 oops", "fields", "case UB-TEST01").unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("UB-TEST01"), "{shown}");
        assert!(!shown.contains("13800138000"), "{shown}");
        assert!(!shown.contains("oops"), "{shown}");
    }
}
