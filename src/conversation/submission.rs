//! A finished draft as the case the service queues, and back: a rejected case's answers as
//! a new draft ("resubmit", pre-filled so the merchant changes only what the reason asks).

use super::effect::Submission;
use super::facts::Resubmit;
use super::forms::{Field, FieldKind};
use super::machine::Ctx;
use super::prompt::{active_fields, drop_inactive};
use super::state::{Attachment, Draft, FileKind, Value};
use crate::i18n::Locale;
use crate::knowledge::brands;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value as J};
use std::collections::BTreeMap;

/// The case for `draft`: its answers as JSON (strings, booleans, `YYYY-MM-DD` dates,
/// `{ "choice": id }`, `null` for skipped), its files apart.
pub(super) fn build(
    draft: &Draft,
    case_ref: &str,
    ctx: &Ctx,
    due_at: DateTime<Utc>,
    locale: Locale,
) -> Submission {
    let mut fields = serde_json::Map::new();
    let mut attachments = Vec::new();
    for f in active_fields(draft) {
        let Some(value) = draft.values.get(f.id) else {
            continue;
        };
        let json = match value {
            Value::Text(s) => J::String(s.clone()),
            Value::Choice(c) => json!({ "choice": c }),
            Value::Bool(b) => J::Bool(*b),
            Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Value::Brand(b) => J::String(b.clone()),
            Value::File(att) => {
                attachments.push((f.id.to_string(), att.clone()));
                continue;
            }
            Value::Skipped => J::Null,
        };
        fields.insert(f.id.to_string(), json);
    }
    let brand = match draft.values.get("brand") {
        Some(Value::Brand(b)) => b.clone(),
        _ => "other".to_string(),
    };
    let serial = match draft.values.get("serial") {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    };
    Submission {
        case_ref: case_ref.to_string(),
        draft_id: draft.id.clone(),
        kind: draft.kind,
        brand,
        serial,
        fields,
        attachments,
        locale,
        created_at: ctx.now,
        due_at,
    }
}

/// A new draft with the answers of a rejected case, as far as they fit today's form (a
/// field added since is simply asked). Anything that does not read back as a valid answer
/// of its field is left out, so it is asked again.
pub(super) fn draft_from_case(case: &Resubmit, id: String, now: DateTime<Utc>) -> Draft {
    let mut values = BTreeMap::new();
    for field in super::forms::form(case.kind) {
        let value = if field.kind == FieldKind::Brand {
            brands::find(&case.brand).map(|b| Value::Brand(b.id.to_string()))
        } else if field.kind == FieldKind::Photo {
            attachment(&case.attachments, field.id).map(Value::File)
        } else {
            case.fields.get(field.id).and_then(|j| value(field, j))
        };
        if let Some(v) = value {
            values.insert(field.id.to_string(), v);
        }
    }
    let mut draft = Draft {
        id,
        kind: case.kind,
        values,
        started_at: now,
    };
    drop_inactive(&mut draft);
    draft
}

/// A submitted answer read back, if it is one `field` takes.
fn value(field: &Field, json: &J) -> Option<Value> {
    match (field.kind, json) {
        (_, J::Null) if !field.required => Some(Value::Skipped),
        (FieldKind::YesNo, J::Bool(b)) => Some(Value::Bool(*b)),
        (FieldKind::Date, J::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(Value::Date),
        (FieldKind::Text { choices }, J::Object(o)) => o
            .get("choice")
            .and_then(J::as_str)
            .filter(|c| choices.contains(c))
            .map(|c| Value::Choice(c.to_string())),
        (FieldKind::Photo | FieldKind::YesNo | FieldKind::Brand, _) => None,
        (_, J::String(s)) if !s.is_empty() => Some(Value::Text(s.clone())),
        _ => None,
    }
}

/// The file a case holds for `field`.
fn attachment(attachments: &J, field: &str) -> Option<Attachment> {
    let item = attachments
        .as_array()?
        .iter()
        .find(|a| a.get("field").and_then(J::as_str) == Some(field))?;
    let file_id = item.get("file_id")?.as_str()?.to_string();
    let kind = match item.get("kind")?.as_str()? {
        "photo" => FileKind::Photo,
        "document" => FileKind::Document,
        _ => return None,
    };
    Some(Attachment { file_id, kind })
}
