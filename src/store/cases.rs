//! The cases role: submitting a case, the merchant's view of their cases, guarded status
//! changes and the audit trail. Written once for both backends ([`CaseDialect`] is what each
//! does its own way).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rows::{self, case_columns, CASE_SHAPE, SUMMARY_SHAPE};
use super::statement::{Kind, Run, Statement};
use super::{CaseEvent, CaseSummary, InsertOutcome, NewCase, StoreError};
use crate::domain::{CaseRecord, CaseRef, ClaimUpdate, StatusChange};

/// The statuses of an open case, as an SQL list (must agree with
/// [`CaseStatus::is_open`](crate::domain::CaseStatus::is_open); a unit test checks).
macro_rules! open_statuses {
    () => {
        "('queued', 'in_review', 'waiting_merchant')"
    };
}
pub(crate) use open_statuses;

/// The statuses of a decided case, as an SQL list (must agree with
/// [`CaseStatus::is_decided`](crate::domain::CaseStatus::is_decided)).
macro_rules! decided_statuses {
    () => {
        "('approved', 'rejected', 'withdrawn')"
    };
}
pub(crate) use decided_statuses;

/// One case; bind: reference.
pub(crate) const CASE_BY_REF: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases WHERE case_ref = $1"
);

/// The case submitted from a draft; bind: draft id.
const CASE_OF_DRAFT: &str = "SELECT case_ref FROM cases WHERE draft_id = $1";

/// The open case of a device serial (partial unique index `cases_open_serial`); bind: serial.
const OPEN_CASE_FOR_SERIAL: &str = concat!(
    "SELECT case_ref FROM cases WHERE serial = $1 AND status IN ",
    open_statuses!()
);

/// A chat's cases, newest first (index `cases_chat_created`); bind: chat id.
const CASES_OF_CHAT: &str = "SELECT case_ref, kind, status, created_at, due_at FROM cases \
     WHERE chat_id = $1 ORDER BY created_at DESC, id DESC";

/// The case lists of several chats (`CaseTx::cases_of_chats`), each chat's newest first:
/// this, the condition on `chat_id` (a backend's list of ids), then
/// [`CHAT_SUMMARIES_ORDER`]. Read as [`rows::CHAT_SUMMARY_SHAPE`].
pub(crate) const CHAT_SUMMARIES: &str =
    "SELECT case_ref, kind, status, created_at, due_at, chat_id FROM cases WHERE chat_id ";

/// See [`CHAT_SUMMARIES`].
pub(crate) const CHAT_SUMMARIES_ORDER: &str = " ORDER BY chat_id, created_at DESC, id DESC";

/// A submitted case, queued; binds: reference, draft, kind, brand, serial, fields,
/// attachments, chat, locale, created at, due at. Returns its id.
const INSERT_CASE: &str = "INSERT INTO cases (case_ref, draft_id, kind, brand, serial, fields, \
     attachments, chat_id, locale, status, created_at, updated_at, due_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10, $11) RETURNING id";

/// A case's newest audit event with an action; binds: reference, action. Read as
/// [`rows::EVENT_SHAPE`].
const LAST_EVENT: &str = "SELECT c.case_ref, e.at, e.actor, e.action, e.detail \
     FROM case_events e JOIN cases c ON c.id = e.case_id \
     WHERE c.case_ref = $1 AND e.action = $2 ORDER BY e.at DESC, e.id DESC LIMIT 1";

/// An audit event of a case by id; binds: case id, at, actor, action, detail.
const INSERT_EVENT: &str = "INSERT INTO case_events (case_id, at, actor, action, detail) \
     VALUES ($1, $2, $3, $4, $5)";

/// An audit event of a case by reference; binds: at, actor, action, detail, reference.
/// Writes nothing when there is no such case.
const RECORD_EVENT: &str = "INSERT INTO case_events (case_id, at, actor, action, detail) \
     SELECT id, $1, $2, $3, $4 FROM cases WHERE case_ref = $5";

/// A case's fields and attachments (locked on PostgreSQL: [`CaseDialect::ROW_LOCK`]);
/// bind: reference.
const FIELDS_AND_ATTACHMENTS: &str =
    "SELECT id, fields, attachments FROM cases WHERE case_ref = $1";

/// Write back what [`FIELDS_AND_ATTACHMENTS`] read, changed; binds: fields, attachments,
/// updated at, id.
const SET_FIELDS_AND_ATTACHMENTS: &str =
    "UPDATE cases SET fields = $1, attachments = $2, updated_at = $3 WHERE id = $4";

/// `/forget`, in order; binds: at (where used), chat id. The dialogue goes; the chat's
/// cases get an `erased` event, lose the chat id in their trail, their fields and
/// attachments and the chat id itself; the processed updates lose the chat id.
const FORGET_CHAT: [&str; 5] = [
    "DELETE FROM dialogues WHERE chat_id = $1",
    "INSERT INTO case_events (case_id, at, actor, action, detail) \
     SELECT id, $1, 'merchant', 'erased', '{}' FROM cases WHERE chat_id = $2",
    "UPDATE case_events SET actor = 'merchant' WHERE actor = $1 \
     AND case_id IN (SELECT id FROM cases WHERE chat_id = $2)",
    "UPDATE cases SET fields = '{}', attachments = '[]', chat_id = 0, updated_at = $1 \
     WHERE chat_id = $2",
    "UPDATE processed_updates SET chat_id = 0 WHERE chat_id = $1",
];

/// A case's submission, its status and trail inside one transaction.
#[async_trait]
pub trait CaseTx: Send {
    /// Insert a submitted case, idempotent on `draft_id`: when a case with the same draft
    /// id exists, nothing is written and its reference is returned.
    /// Also writes the `created` audit event. [`StoreError::SerialTaken`] when the device
    /// serial has an open case (the reference of that case).
    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError>;

    /// The reference of an open case (queued, in review, waiting for the merchant) for
    /// this device serial number, if there is one.
    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError>;

    /// The cases opened from one chat, newest first.
    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError>;

    /// [`CaseTx::cases_of_chat`] for several chats in one statement (a batch's `/start`s): every
    /// chat of `chat_ids` is in the answer, those without cases with an empty list.
    async fn cases_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError>;

    /// Append to a case's audit trail. [`StoreError::UnknownCase`] when there is no such case.
    async fn record_event(&mut self, event: &CaseEvent) -> Result<(), StoreError>;

    /// The newest audit event of a case with this `action` (a rejection's reason, the
    /// question a reviewer asked: `rejected`, `asked`), latest `at` first, then the last
    /// recorded; `None` when there is none (or no such case).
    async fn last_event(
        &mut self,
        case_ref: &CaseRef,
        action: &str,
    ) -> Result<Option<CaseEvent>, StoreError>;

    /// One case by its public reference, read inside the transaction so that a decision
    /// based on it cannot be overtaken by another writer.
    async fn case(&mut self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError>;

    /// Apply a guarded status change. `Some(updated case)` when every condition of `change`
    /// held: the status, `updated_at`, the claim (per [`ClaimUpdate`]) and, when moving to a
    /// decided status, `decided_at` are written with the audit event. `None` when a condition
    /// did not hold (or the case does not exist): nothing is written.
    async fn set_status(&mut self, change: &StatusChange)
        -> Result<Option<CaseRecord>, StoreError>;

    /// Record the merchant's answer to a reviewer's question: `{"at", "text"}` is appended to
    /// the JSON array `fields.answers` (created when missing) and each file object to
    /// `attachments`. No audit event: the status change that goes with the answer
    /// (`set_status` back to `queued`) records it. [`StoreError::UnknownCase`] when there
    /// is no such case.
    async fn add_answer(
        &mut self,
        case_ref: &CaseRef,
        text: Option<&str>,
        files: &[serde_json::Value],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Erase what is stored about a chat (`/forget`, only when none of its cases is open):
    /// the dialogue; the fields and attachments of its cases, which are also detached from
    /// the chat (chat id 0); the chat id in its audit trail and processed updates. Case
    /// references, statuses and the record of who did what when remain.
    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// What each backend does its own way for [`CaseTx`].
#[async_trait]
pub(crate) trait CaseDialect: Run {
    /// Appended to the read of a case that is then changed in Rust and written back
    /// (`add_answer`): PostgreSQL locks the row (`" FOR UPDATE"`), so that no concurrent
    /// answer slips in between; SQLite's transaction holds the only write lock already (`""`).
    const ROW_LOCK: &'static str;

    /// Run [`INSERT_CASE`] (given bound) and return the new id, or the unique violation it
    /// met, with the transaction still usable (PostgreSQL: inside a savepoint, since a
    /// failed statement aborts its transaction; SQLite rolls back the statement only).
    async fn insert_case_row(
        &mut self,
        insert: Statement<'_>,
    ) -> Result<Result<i64, sqlx::Error>, StoreError>;

    /// The error for a unique violation of the insert that neither the draft nor the serial
    /// explains: the public reference collided (PostgreSQL: unless another constraint was
    /// violated by a winner that moved on since, a [`StoreError::Conflict`] to retry).
    fn unexplained_violation(violation: sqlx::Error) -> StoreError;

    /// [`CaseTx::cases_of_chats`]: a list of ids is bound as SQLite's `IN (…)` in chunks,
    /// as one PostgreSQL array.
    async fn summaries_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError>;
}

#[async_trait]
impl<T: CaseDialect> CaseTx for T {
    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError> {
        if let Some(outcome) = existing_for(self, case).await? {
            return outcome;
        }
        let insert = Statement::new(INSERT_CASE)
            .bind(&case.case_ref)
            .bind(&case.draft_id)
            .bind(case.kind.id())
            .bind(&case.brand)
            .bind(case.serial.as_deref())
            .bind(&case.fields)
            .bind(&case.attachments)
            .bind(case.chat_id)
            .bind(case.locale.tag())
            .bind(case.created_at)
            .bind(case.due_at);
        let case_id = match self.insert_case_row(insert).await? {
            Ok(id) => id,
            // The checks above ran before another transaction committed the same draft or an
            // open case for the same serial (the insert waited for it): report the winner.
            Err(violation) => {
                return match existing_for(self, case).await? {
                    Some(outcome) => outcome,
                    None => Err(Self::unexplained_violation(violation)),
                }
            }
        };
        let detail = serde_json::json!({ "kind": case.kind.id(), "brand": case.brand });
        let actor = format!("merchant:{}", case.chat_id);
        let event = Statement::new(INSERT_EVENT)
            .bind(case_id)
            .bind(case.created_at)
            .bind(&actor)
            .bind("created")
            .bind(&detail);
        self.execute(event).await?;
        Ok(InsertOutcome::Inserted)
    }

    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError> {
        let st = Statement::new(OPEN_CASE_FOR_SERIAL).bind(serial);
        reference(self.fetch_optional(st, &[Kind::Text]).await?)
    }

    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError> {
        let st = Statement::new(CASES_OF_CHAT).bind(chat_id);
        let rows = self.fetch(st, SUMMARY_SHAPE).await?;
        rows.into_iter()
            .map(|mut row| rows::case_summary(&mut row))
            .collect()
    }

    async fn cases_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError> {
        self.summaries_of_chats(chat_ids).await
    }

    async fn record_event(&mut self, event: &CaseEvent) -> Result<(), StoreError> {
        let st = Statement::new(RECORD_EVENT)
            .bind(event.at)
            .bind(&event.actor)
            .bind(&event.action)
            .bind(&event.detail)
            .bind(&event.case_ref);
        if self.execute(st).await? == 0 {
            return Err(StoreError::UnknownCase(event.case_ref.clone()));
        }
        Ok(())
    }

    async fn last_event(
        &mut self,
        case_ref: &CaseRef,
        action: &str,
    ) -> Result<Option<CaseEvent>, StoreError> {
        let st = Statement::new(LAST_EVENT).bind(case_ref).bind(action);
        let row = self.fetch_optional(st, rows::EVENT_SHAPE).await?;
        row.map(rows::case_event).transpose()
    }

    async fn case(&mut self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        let st = Statement::new(CASE_BY_REF).bind(case_ref);
        let row = self.fetch_optional(st, CASE_SHAPE).await?;
        row.map(rows::case_record).transpose()
    }

    async fn set_status(
        &mut self,
        change: &StatusChange,
    ) -> Result<Option<CaseRecord>, StoreError> {
        let Some(update) = status_update(change) else {
            return Ok(None);
        };
        // One conditional UPDATE. SQLite: under the write lock. PostgreSQL (READ COMMITTED):
        // it waits for a concurrent writer of the row and re-checks every condition on the
        // committed row, so of two racing changes the second applies only if its conditions
        // still hold.
        let Some(row) = self.fetch_optional(update, CASE_SHAPE).await? else {
            return Ok(None);
        };
        let record = rows::case_record(row)?;
        self.record_event(&CaseEvent {
            case_ref: record.case_ref.clone(),
            at: change.at,
            actor: change.actor.clone(),
            action: change.action.clone(),
            detail: change.detail.clone(),
        })
        .await?;
        Ok(Some(record))
    }

    async fn add_answer(
        &mut self,
        case_ref: &CaseRef,
        text: Option<&str>,
        files: &[serde_json::Value],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Read (locked where the backend needs it), change in Rust, write back.
        let read =
            Statement::built(format!("{FIELDS_AND_ATTACHMENTS}{}", Self::ROW_LOCK)).bind(case_ref);
        let shape = &[Kind::Int, Kind::Json, Kind::Json];
        let Some(mut row) = self.fetch_optional(read, shape).await? else {
            return Err(StoreError::UnknownCase(case_ref.clone()));
        };
        let owner = format!("case {case_ref}");
        let id = row.int()?;
        let mut fields = row.json(&owner, "fields")?;
        let mut attachments = row.json(&owner, "attachments")?;
        append_answer(&mut fields, &mut attachments, text, files, at, &owner)?;
        let write = Statement::new(SET_FIELDS_AND_ATTACHMENTS)
            .bind(&fields)
            .bind(&attachments)
            .bind(at)
            .bind(id);
        self.execute(write).await?;
        Ok(())
    }

    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let actor = format!("merchant:{chat_id}");
        let [dialogue, erased, trail, cases, processed] = FORGET_CHAT;
        self.execute(Statement::new(dialogue).bind(chat_id)).await?;
        self.execute(Statement::new(erased).bind(at).bind(chat_id))
            .await?;
        self.execute(Statement::new(trail).bind(&actor).bind(chat_id))
            .await?;
        self.execute(Statement::new(cases).bind(at).bind(chat_id))
            .await?;
        self.execute(Statement::new(processed).bind(chat_id))
            .await?;
        Ok(())
    }
}

/// What [`CaseTx::insert_case`] answers without inserting: the case of the same draft, or
/// the serial's open case.
async fn existing_for<T: CaseDialect>(
    tx: &mut T,
    case: &NewCase,
) -> Result<Option<Result<InsertOutcome, StoreError>>, StoreError> {
    let st = Statement::new(CASE_OF_DRAFT).bind(&case.draft_id);
    if let Some(existing) = reference(tx.fetch_optional(st, &[Kind::Text]).await?)? {
        return Ok(Some(Ok(InsertOutcome::AlreadyExists(existing))));
    }
    if let Some(serial) = &case.serial {
        if let Some(existing) = tx.open_case_for_serial(serial).await? {
            return Ok(Some(Err(StoreError::SerialTaken(existing))));
        }
    }
    Ok(None)
}

/// The reference of a one-column row.
fn reference(row: Option<super::statement::Cells>) -> Result<Option<CaseRef>, StoreError> {
    row.map(|mut row| rows::case_ref(row.text()?)).transpose()
}

/// The conditional UPDATE of a guarded status change, returning the case as changed;
/// `None` when no current status is allowed (the condition cannot hold).
pub(crate) fn status_update(change: &StatusChange) -> Option<Statement<'_>> {
    if change.from.is_empty() {
        return None;
    }
    let mut st = Statement::built(String::new());
    let to = st.push(change.to.as_str());
    let at = st.push(change.at);
    let mut sql = format!("UPDATE cases SET status = {to}, updated_at = {at}");
    if change.to.is_decided() {
        sql.push_str(&format!(", decided_at = {at}"));
    }
    sql.push_str(match change.claim {
        ClaimUpdate::Keep => "",
        ClaimUpdate::Clear => ", claimed_by = NULL, lease_until = NULL",
        ClaimUpdate::KeepReviewerClearLease => ", lease_until = NULL",
    });
    let case_ref = st.push(&change.case_ref);
    let from: Vec<String> = change
        .from
        .iter()
        .map(|status| st.push(status.as_str()))
        .collect();
    sql.push_str(&format!(
        " WHERE case_ref = {case_ref} AND status IN ({})",
        from.join(", ")
    ));
    if let Some(staff) = change.require_claimed_by {
        sql.push_str(&format!(" AND claimed_by = {}", st.push(staff)));
    }
    if let Some(chat_id) = change.require_chat_id {
        sql.push_str(&format!(" AND chat_id = {}", st.push(chat_id)));
    }
    sql.push_str(concat!(" RETURNING ", case_columns!()));
    st.sql = sql.into();
    Some(st)
}

/// The merchant's answer merged into a case's JSON (see [`CaseTx::add_answer`]). `owner`
/// names the case in errors.
pub(crate) fn append_answer(
    fields: &mut serde_json::Value,
    attachments: &mut serde_json::Value,
    text: Option<&str>,
    files: &[serde_json::Value],
    at: DateTime<Utc>,
    owner: &str,
) -> Result<(), StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("{owner}: {what}"));
    let answers = fields
        .as_object_mut()
        .ok_or_else(|| corrupt("fields is not an object"))?
        .entry("answers")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| corrupt("fields.answers is not an array"))?;
    answers.push(serde_json::json!({
        "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "text": text,
    }));
    attachments
        .as_array_mut()
        .ok_or_else(|| corrupt("attachments is not an array"))?
        .extend(files.iter().cloned());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CaseStatus;
    use crate::store::statement::Param;

    fn statuses(keep: fn(CaseStatus) -> bool) -> String {
        let names: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| keep(*s))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", names.join(", "))
    }

    #[test]
    fn status_lists_match_the_model() {
        assert_eq!(open_statuses!(), statuses(CaseStatus::is_open));
        assert_eq!(decided_statuses!(), statuses(CaseStatus::is_decided));
    }

    #[test]
    fn a_status_change_binds_each_condition_once() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        let mut change = StatusChange {
            case_ref: CaseRef::parse("UB-7K3QF9").unwrap(),
            from: vec![CaseStatus::InReview],
            require_claimed_by: Some(7),
            require_chat_id: None,
            to: CaseStatus::Approved,
            claim: ClaimUpdate::Keep,
            at,
            actor: "staff:7".into(),
            action: "approved".into(),
            detail: serde_json::json!({}),
        };
        let st = status_update(&change).unwrap();
        assert!(st.sql.starts_with(
            "UPDATE cases SET status = $1, updated_at = $2, decided_at = $2 \
             WHERE case_ref = $3 AND status IN ($4) AND claimed_by = $5 RETURNING "
        ));
        assert_eq!(
            st.params,
            [
                Param::Text("approved"),
                Param::At(at),
                Param::Text("UB-7K3QF9"),
                Param::Text("in_review"),
                Param::Int(7)
            ]
        );
        change.from.clear();
        assert_eq!(status_update(&change), None);
    }

    #[test]
    fn an_answer_is_appended_and_a_bad_shape_refused() {
        let at = DateTime::from_timestamp_millis(1_732_000_000_123).unwrap();
        let mut fields = serde_json::json!({ "phone": "1" });
        let mut files = serde_json::json!([]);
        let file = serde_json::json!({ "file_id": "F" });
        append_answer(
            &mut fields,
            &mut files,
            Some("hi"),
            std::slice::from_ref(&file),
            at,
            "c",
        )
        .unwrap();
        append_answer(&mut fields, &mut files, None, &[], at, "c").unwrap();
        assert_eq!(fields["answers"][0]["text"], "hi");
        assert_eq!(fields["answers"][1]["at"], "2024-11-19T07:06:40.123Z");
        assert_eq!(files, serde_json::json!([file]));
        let mut not_object = serde_json::json!([]);
        assert!(append_answer(&mut not_object, &mut files, None, &[], at, "c").is_err());
    }
}
