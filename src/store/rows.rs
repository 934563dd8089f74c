//! posdesk's records from the rows of the shared statements, for both backends. A column that
//! does not hold what posdesk writes is [`StoreError::Corrupt`], naming the case but never
//! quoting the stored value (which may be personal data).

use std::collections::HashMap;

use super::statement::{Cells, Kind};
use super::{CaseEvent, CaseSummary, OutboxItem, StoreError};
use crate::domain::{CaseKind, CaseRecord, CaseRef, CaseStatus};
use crate::i18n::Locale;

/// The columns of a [`CaseRecord`], in the order of [`CASE_SHAPE`].
macro_rules! case_columns {
    () => {
        "case_ref, draft_id, kind, brand, serial, fields, attachments, chat_id, locale, status, \
         claimed_by, lease_until, created_at, updated_at, due_at, decided_at"
    };
}
pub(crate) use case_columns;

/// How to read [`case_columns!`].
pub(crate) const CASE_SHAPE: &[Kind] = &[
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Json,
    Kind::Json,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::At,
    Kind::At,
    Kind::At,
    Kind::At,
    Kind::At,
];

/// A case read with [`case_columns!`].
pub(crate) fn case_record(mut c: Cells) -> Result<CaseRecord, StoreError> {
    let case_ref = case_ref(c.text()?)?;
    let owner = format!("case {case_ref}");
    Ok(CaseRecord {
        draft_id: c.text()?,
        kind: case_kind(&c.text()?, &case_ref)?,
        brand: c.text()?,
        serial: c.opt_text()?,
        fields: c.json(&owner, "fields")?,
        attachments: c.json(&owner, "attachments")?,
        chat_id: c.int()?,
        locale: locale(&c.text()?, &case_ref)?,
        status: case_status(&c.text()?, &case_ref)?,
        claimed_by: c.opt_int()?,
        lease_until: c.opt_at()?,
        created_at: c.at()?,
        updated_at: c.at()?,
        due_at: c.at()?,
        decided_at: c.opt_at()?,
        case_ref,
    })
}

/// The columns of a [`CaseSummary`] (`case_ref, kind, status, created_at, due_at`).
pub(crate) const SUMMARY_SHAPE: &[Kind] = &[Kind::Text, Kind::Text, Kind::Text, Kind::At, Kind::At];

/// A case summary read as [`SUMMARY_SHAPE`] says.
pub(crate) fn case_summary(c: &mut Cells) -> Result<CaseSummary, StoreError> {
    let case_ref = case_ref(c.text()?)?;
    Ok(CaseSummary {
        kind: case_kind(&c.text()?, &case_ref)?,
        status: case_status(&c.text()?, &case_ref)?,
        created_at: c.at()?,
        due_at: c.at()?,
        case_ref,
    })
}

/// The columns of a [`CaseSummary`] and its chat id, for the case lists of several chats.
pub(crate) const CHAT_SUMMARY_SHAPE: &[Kind] = &[
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::At,
    Kind::At,
    Kind::Int,
];

/// File a row read as [`CHAT_SUMMARY_SHAPE`] says under its chat, after those before it.
pub(crate) fn file_chat_summary(
    cases: &mut HashMap<i64, Vec<CaseSummary>>,
    mut row: Cells,
) -> Result<(), StoreError> {
    let summary = case_summary(&mut row)?;
    cases.entry(row.int()?).or_default().push(summary);
    Ok(())
}

/// The columns of a [`CaseEvent`] (`case_ref, at, actor, action, detail`).
pub(crate) const EVENT_SHAPE: &[Kind] = &[Kind::Text, Kind::At, Kind::Text, Kind::Text, Kind::Json];

/// An audit event read as [`EVENT_SHAPE`] says.
pub(crate) fn case_event(mut c: Cells) -> Result<CaseEvent, StoreError> {
    let case_ref = case_ref(c.text()?)?;
    Ok(CaseEvent {
        at: c.at()?,
        actor: c.text()?,
        action: c.text()?,
        detail: c.json(&format!("case {case_ref}"), "event detail")?,
        case_ref,
    })
}

/// The columns of an [`OutboxItem`] (`id, chat_id, payload, attempts, not_before`).
pub(crate) const OUTBOX_SHAPE: &[Kind] = &[Kind::Int, Kind::Int, Kind::Json, Kind::Int, Kind::At];

/// An outbox row read as [`OUTBOX_SHAPE`] says.
pub(crate) fn outbox_item(mut c: Cells) -> Result<OutboxItem, StoreError> {
    let id = c.int()?;
    Ok(OutboxItem {
        id,
        chat_id: c.int()?,
        payload: c.json(&format!("outbox row {id}"), "payload")?,
        attempts: c.int()?,
        not_before: c.at()?,
    })
}

/// A stored case reference (always written canonical: see [`CaseRef::from_canonical`]).
pub(crate) fn case_ref(text: String) -> Result<CaseRef, StoreError> {
    CaseRef::from_canonical(text)
        .ok_or_else(|| StoreError::Corrupt("a stored case reference is malformed".into()))
}

/// A stored case kind ([`CaseKind::id`]).
pub(crate) fn case_kind(id: &str, case_ref: &CaseRef) -> Result<CaseKind, StoreError> {
    CaseKind::from_id(id)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown kind")))
}

/// A stored case status ([`CaseStatus::as_str`]).
pub(crate) fn case_status(status: &str, case_ref: &CaseRef) -> Result<CaseStatus, StoreError> {
    CaseStatus::parse(status)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown status")))
}

/// A stored language ([`Locale::tag`]).
pub(crate) fn locale(tag: &str, case_ref: &CaseRef) -> Result<Locale, StoreError> {
    Locale::ALL
        .into_iter()
        .find(|l| l.tag() == tag)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown language")))
}
