//! Operator commands: `ask` and `cases list|show|export`. Each writes to any `Write`, so
//! tests can read what an operator would see.

use crate::calendar;
use crate::conversation::prompt::answer_parts;
use crate::domain::mask_phones;
use crate::domain::{CaseRecord, CaseRef, CaseStatus};
use crate::i18n::{Locale, Localizer};
use crate::knowledge::matcher;
use crate::store::{CaseFilter, Store, StoreError};
use chrono::{DateTime, Utc};
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("output failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV output failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("unknown status {0:?} (use one of: queued, in_review, waiting_merchant, approved, rejected, withdrawn)")]
    Status(String),
    #[error("no case {0}")]
    NoCase(String),
    #[error("{0:?} is not a case reference (like UB-7K3QF9)")]
    BadRef(String),
}

/// `posdesk ask`: the matched intent and, unless `json`, the answer text.
pub fn ask(
    question: &str,
    json: bool,
    locale: Locale,
    out: &mut impl Write,
) -> Result<(), OpsError> {
    let found = matcher().classify(question);
    if json {
        let line = serde_json::json!({
            "intent": found.id(),
            "score": (f64::from(found.score) * 1000.0).round() / 1000.0,
        });
        writeln!(out, "{line}")?;
        return Ok(());
    }
    let l10n = Localizer::global();
    writeln!(out, "intent: {} (score {:.3})", found.id(), found.score)?;
    writeln!(out)?;
    let text = match found.intent {
        Some(intent) => {
            let brand = crate::knowledge::brands::detect(question).map(|b| b.id);
            l10n.render_all(locale, &answer_parts(intent, brand))
        }
        None => l10n.render(
            locale,
            &crate::i18n::Msg::new(crate::knowledge::ANSWER_NONE),
        ),
    };
    writeln!(out, "{text}")?;
    Ok(())
}

/// Parse a status given on the command line.
pub fn parse_status(s: &str) -> Result<CaseStatus, OpsError> {
    CaseStatus::parse(&s.trim().to_ascii_lowercase().replace('-', "_"))
        .ok_or_else(|| OpsError::Status(s.to_string()))
}

/// `posdesk cases list`.
pub async fn list(
    store: &dyn Store,
    status: Option<&str>,
    overdue: bool,
    limit: Option<i64>,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<(), OpsError> {
    let filter = CaseFilter {
        status: status.map(parse_status).transpose()?,
        overdue_at: overdue.then_some(now),
        limit,
    };
    let cases = store.list_cases(&filter).await?;
    if cases.is_empty() {
        writeln!(out, "no cases")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<10} {:<7} {:<12} {:<17} {:<16} {:<10}",
        "REF", "KIND", "BRAND", "STATUS", "CREATED (CST)", "DUE"
    )?;
    for c in &cases {
        let overdue_mark = if c.status.is_open() && c.due_at < now {
            " overdue"
        } else {
            ""
        };
        writeln!(
            out,
            "{:<10} {:<7} {:<12} {:<17} {:<16} {:<10}{}",
            c.case_ref,
            c.kind.id(),
            c.brand,
            c.status.as_str(),
            china_time(c.created_at),
            calendar::china_date(c.due_at),
            overdue_mark
        )?;
    }
    writeln!(out, "{} case(s)", cases.len())?;
    Ok(())
}

/// `posdesk cases show REF`: the case, its fields (phone numbers masked) and audit trail.
/// The reference may be typed as merchants do (`ub 7k3qf9`).
pub async fn show(store: &dyn Store, typed: &str, out: &mut impl Write) -> Result<(), OpsError> {
    let case_ref = CaseRef::parse(typed).map_err(|_| OpsError::BadRef(typed.to_string()))?;
    let case = store
        .get_case(&case_ref)
        .await?
        .ok_or_else(|| OpsError::NoCase(case_ref.to_string()))?;
    writeln!(out, "case      {}", case.case_ref)?;
    writeln!(out, "kind      {}", case.kind.id())?;
    writeln!(out, "brand     {}", case.brand)?;
    writeln!(out, "status    {}", case.status.as_str())?;
    if let Some(serial) = &case.serial {
        writeln!(out, "serial    {serial}")?;
    }
    writeln!(out, "language  {}", case.locale)?;
    writeln!(out, "created   {}", china_time(case.created_at))?;
    writeln!(out, "due       {}", calendar::china_date(case.due_at))?;
    if let Some(by) = case.claimed_by {
        writeln!(out, "claimed   staff:{by}")?;
    }
    writeln!(out, "fields:")?;
    if let Some(map) = case.fields.as_object() {
        for (k, v) in map {
            writeln!(out, "  {k:<20} {}", field_text(v))?;
        }
    }
    let files = case.attachments.as_array().map(Vec::len).unwrap_or(0);
    writeln!(out, "attachments: {files}")?;
    writeln!(out, "audit trail:")?;
    for e in store.case_events(&case.case_ref).await? {
        writeln!(out, "  {}  {:<20} {}", china_time(e.at), e.actor, e.action)?;
    }
    Ok(())
}

/// `posdesk cases export --format csv`: one row per case; phone numbers masked.
pub async fn export_csv(
    store: &dyn Store,
    status: Option<&str>,
    out: &mut impl Write,
) -> Result<(), OpsError> {
    let filter = CaseFilter {
        status: status.map(parse_status).transpose()?,
        ..CaseFilter::default()
    };
    let mut cases = store.list_cases(&filter).await?;
    cases.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.case_ref.cmp(&b.case_ref))
    });
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "ref",
        "kind",
        "brand",
        "status",
        "serial",
        "created_at",
        "due_at",
        "decided_at",
        "claimed_by",
        "locale",
        "attachments",
        "fields",
    ])?;
    for c in &cases {
        w.write_record(csv_row(c))?;
    }
    w.flush()?;
    Ok(())
}

fn csv_row(c: &CaseRecord) -> Vec<String> {
    let fields: serde_json::Map<String, serde_json::Value> = c
        .fields
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(field_text(v))))
                .collect()
        })
        .unwrap_or_default();
    vec![
        c.case_ref.to_string(),
        c.kind.id().to_string(),
        c.brand.clone(),
        c.status.as_str().to_string(),
        c.serial.clone().unwrap_or_default(),
        c.created_at.to_rfc3339(),
        c.due_at.to_rfc3339(),
        c.decided_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
        c.claimed_by.map(|id| id.to_string()).unwrap_or_default(),
        c.locale.tag().to_string(),
        c.attachments
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
            .to_string(),
        serde_json::Value::Object(fields).to_string(),
    ]
}

/// A stored field value as plain text, phone numbers masked.
fn field_text(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "yes".into(),
        serde_json::Value::Bool(false) => "no".into(),
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Object(o) => match o.get("choice").and_then(|c| c.as_str()) {
            Some(choice) => choice.to_string(),
            None => v.to_string(),
        },
        other => other.to_string(),
    };
    mask_phones(&text)
}

fn china_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&calendar::china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
