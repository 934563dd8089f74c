//! Facts the core needs from the database for one step. The service reads them inside the
//! update's transaction (see [`needs`]) and passes them in, so the core stays pure.

use super::command::Command;
use super::event::{Event, Incoming};
use super::forms::FieldKind;
use super::state::{Dialogue, State};
use crate::domain::{CaseKind, CaseStatus, DeviceSerial};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What to look up before a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The open case for this (normalized) device serial, if any.
    OpenCaseForSerial(String),
    /// The merchant's own cases (for the commands that need them, and free text), with
    /// what the review said about them ([`Facts::case_notes`]).
    OwnCases,
    /// A rejected case of the merchant's to start a new application from.
    CaseToResubmit(String),
}

/// The answers to the [`Need`]s of a step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The open case for the serial that was asked about, if there is one.
    pub open_case_for_serial: Option<OpenSerial>,
    /// The merchant's cases, newest first (empty when not asked for).
    pub own_cases: Vec<CaseLine>,
    /// What the review said about those cases, by reference (read with
    /// [`Need::OwnCases`]): the open question of a case waiting for the merchant, the
    /// reason of a rejection.
    pub case_notes: BTreeMap<String, CaseNote>,
    /// The rejected case a new application starts from ([`Need::CaseToResubmit`]), when it
    /// is this merchant's own and rejected.
    pub resubmit: Option<Resubmit>,
}

/// What the review said about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNote {
    /// The question a reviewer asked, waiting for the merchant's answer.
    Question(String),
    /// Why it was rejected: a reason code (`missing-materials`, …) and the reviewer's own
    /// words, if any.
    Rejected {
        reason: String,
        text: Option<String>,
    },
}

/// A rejected case of the merchant's, as a new application is pre-filled from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resubmit {
    pub case_ref: String,
    pub kind: CaseKind,
    pub brand: String,
    /// Field id → value, as submitted (`Submission::fields`).
    pub fields: serde_json::Value,
    /// `[{ "field": id, "file_id": …, "kind": "photo"|"document" }]`.
    pub attachments: serde_json::Value,
}

impl Facts {
    /// How many of the merchant's cases are open (of those read: [`Need::OwnCases`]).
    pub fn open_cases(&self) -> usize {
        self.own_cases.iter().filter(|c| c.status.is_open()).count()
    }
}

/// An open case for a device serial. Whose it is decides what the merchant may hear: their
/// own case's reference, or, for another merchant's, only that one exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSerial {
    /// The normalized serial.
    pub serial: String,
    /// The reference of the open case when it is this merchant's own; `None` when it is
    /// another merchant's (the service never passes that reference to the core).
    pub own_case: Option<String>,
}

/// One of the merchant's cases, as `/status` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLine {
    /// The case's public reference.
    pub case_ref: String,
    /// What kind of case.
    pub kind: CaseKind,
    /// Where the case is; the Fluent message selects on [`CaseStatus::as_str`].
    pub status: CaseStatus,
    /// The due date, in China time.
    pub due: NaiveDate,
}

/// The lookups a step of `dialogue` on `input` will need. Cheap and deterministic: it
/// mirrors the few places in the machine that consult [`Facts`].
pub fn needs(dialogue: &Dialogue, input: &Incoming) -> Vec<Need> {
    let mut out = Vec::new();
    match &input.event {
        Event::Text(text) => {
            // The text as the machine reads it: sanitized, and commands parsed as it
            // parses them.
            let clean = super::event::strip_controls(text);
            let t = clean.trim();
            if let Some(typed) = Command::parse(t) {
                if typed.command.is_some_and(Command::needs_own_cases) {
                    out.push(Need::OwnCases);
                }
            } else {
                // Free text may be a question about the merchant's applications.
                out.push(Need::OwnCases);
                if let Some(serial) = serial_being_typed(&dialogue.state, t) {
                    out.push(Need::OpenCaseForSerial(serial));
                }
            }
        }
        Event::Press(data) => {
            out.push(Need::OwnCases);
            match super::parse_callback(data) {
                Some((_, super::Action::NoteToStaff(serial))) => {
                    out.push(Need::OpenCaseForSerial(serial))
                }
                Some((_, super::Action::Resubmit(case_ref))) => {
                    out.push(Need::CaseToResubmit(case_ref))
                }
                _ => {}
            }
            if let State::Review { draft } = &dialogue.state {
                if let Some(super::Value::Text(serial)) = draft.values.get("serial") {
                    out.push(Need::OpenCaseForSerial(serial.clone()));
                }
            }
        }
        // A file while no photo is asked may be meant for a reviewer who is waiting.
        Event::Files(_) | Event::AlbumPart { .. } => out.push(Need::OwnCases),
        _ => {}
    }
    out
}

/// The serial number the merchant is typing, when the current field asks for one.
fn serial_being_typed(state: &State, text: &str) -> Option<String> {
    let (draft, field) = match state {
        State::Form { draft, field } => (draft, field.as_str()),
        State::Edit {
            draft,
            field: Some(field),
        } => (draft, field.as_str()),
        _ => return None,
    };
    let spec = super::forms::field(draft.kind, field)?;
    if spec.kind != FieldKind::Serial {
        return None;
    }
    DeviceSerial::parse(text)
        .ok()
        .map(|s| s.as_str().to_string())
}
