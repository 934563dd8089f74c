//! What the bot remembers about one chat between messages. Serialized as JSON in the
//! `dialogues` table, with [`SCHEMA_VERSION`] so that a shape we can no longer read is reset
//! with an apology instead of leaving the merchant stuck.

use crate::domain::CaseKind;
use crate::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bump when [`Dialogue`]'s JSON shape changes incompatibly.
pub const SCHEMA_VERSION: i32 = 1;

/// Everything stored for one chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Dialogue {
    /// Where the conversation is.
    pub state: State,
    /// The language the merchant chose with `/lang`; `None` follows their Telegram setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// The language their client last reported, for messages the system sends on its own
    /// (reminders, news about their cases), which carry no client language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_locale: Option<Locale>,
    /// Counts the bot's prompts. Buttons carry the value of the prompt they belong to, so a
    /// press on an older message (or a press re-sent by the client) changes nothing.
    #[serde(default)]
    pub step: u32,
    /// When the merchant last did anything (for the reminder about an idle draft).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active: Option<DateTime<Utc>>,
    /// A reminder about the unfinished draft was sent (reset by any activity).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reminded: bool,
    /// The album whose parts are arriving, so that they get one combined answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub album: Option<AlbumProgress>,
    /// The draft the merchant discarded last, for an undo; dropped when a new draft is
    /// started, on `/forget`, and [`Discarded::KEPT_HOURS`] after it was discarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discarded: Option<Discarded>,
}

/// A discarded draft, kept a while so that a slip of the finger can be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discarded {
    /// The draft as it was when discarded.
    pub draft: Draft,
    /// When it was discarded.
    pub at: DateTime<Utc>,
}

impl Discarded {
    /// How long a discarded draft can be brought back.
    pub const KEPT_HOURS: i64 = 24;
}

/// What the parts of one album did so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumProgress {
    /// Telegram's `media_group_id`.
    pub id: String,
    /// Field ids filled by the album, in order.
    pub filled: Vec<String>,
    /// Parts that found no photo field to fill.
    pub extra: u32,
    /// Message ids of problems with parts (wrong type, too large), each once.
    pub problems: Vec<String>,
}

/// Where the conversation is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum State {
    /// Topic buttons shown, or nothing in progress.
    #[default]
    Menu,
    /// A topic was chosen; asking which brand the terminal is.
    ChooseBrand {
        /// The topic chosen.
        topic: CaseKind,
    },
    /// Self-service steps for the topic and brand were shown.
    Guide {
        /// The topic.
        topic: CaseKind,
        /// The brand id.
        brand: String,
    },
    /// Collecting `field` of `draft`.
    Form {
        /// The application so far.
        draft: Draft,
        /// The id of the field being asked.
        field: String,
    },
    /// The summary, waiting for submit / edit / cancel.
    Review {
        /// The complete application.
        draft: Draft,
    },
    /// Changing one field from the summary; `None` while the merchant picks which.
    Edit {
        /// The application being changed.
        draft: Draft,
        /// The field being changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// Typing a note for staff about a serial that another merchant's open case uses; then
    /// back to `resume` (the form, at the serial).
    NoteToStaff {
        /// The serial number the note is about (canonical form).
        serial: String,
        /// Where the conversation goes back to.
        resume: Box<State>,
    },
    /// A reviewer asked the merchant about `case_ref`: what they send (several messages,
    /// photos) is collected until they press "done" (or the reminder job's timeout sends
    /// it); then the conversation goes back to `resume`.
    AnswerStaff {
        /// The case the reviewer asked about.
        case_ref: String,
        /// The reviewer's question, shown again while answering.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<String>,
        /// Texts sent so far, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        texts: Vec<String>,
        /// Photos and documents sent so far, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<Attachment>,
        resume: Box<State>,
    },
}

impl Dialogue {
    /// Since when something of the merchant waits to be finished (an application, or an
    /// answer to a reviewer with parts collected): the reminder job reminds them, or sends
    /// the collected answer, after a while. `None` when nothing waits.
    pub fn pending_since(&self) -> Option<DateTime<Utc>> {
        let answer_begun = matches!(
            &self.state,
            State::AnswerStaff { texts, files, .. } if !texts.is_empty() || !files.is_empty()
        );
        (answer_begun || self.state.draft().is_some())
            .then_some(self.last_active)
            .flatten()
    }
}

impl State {
    /// The unfinished application, if there is one.
    pub fn draft(&self) -> Option<&Draft> {
        match self {
            State::Form { draft, .. } | State::Review { draft } | State::Edit { draft, .. } => {
                Some(draft)
            }
            State::AnswerStaff { resume, .. } | State::NoteToStaff { resume, .. } => resume.draft(),
            _ => None,
        }
    }
}

/// An application being filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Random id; the idempotency key of the submitted case.
    pub id: String,
    /// What kind of case it will be.
    pub kind: CaseKind,
    /// Field id → answer. Only fields of `kind`'s form.
    pub values: BTreeMap<String, Value>,
    /// When the merchant started it.
    pub started_at: DateTime<Utc>,
}

/// One answer of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Value {
    /// Typed text, already validated and normalized.
    Text(String),
    /// One of the field's offered answers (a Fluent id such as `reason-unused`).
    Choice(String),
    /// A yes/no answer.
    Bool(bool),
    /// A calendar date (no time of day).
    Date(NaiveDate),
    /// A brand id.
    Brand(String),
    /// A photo or document.
    File(Attachment),
    /// An optional field the merchant chose to skip.
    Skipped,
}

/// A photo or document sent to Telegram; we keep only Telegram's file id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Telegram's file id: the file stays on Telegram's servers.
    pub file_id: String,
    /// Photo or document.
    pub kind: FileKind,
}

/// How a file was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A photo (Telegram recompresses it).
    Photo,
    /// A document (sent as a file: a scan, a PDF, an uncompressed image).
    Document,
}

/// Parse stored JSON. `None` means the dialogue must be reset (unknown schema or shape).
pub fn decode(json: &str, schema_version: i32) -> Option<Dialogue> {
    if schema_version != SCHEMA_VERSION {
        return None;
    }
    serde_json::from_str(json).ok()
}

/// Serialize for storage.
pub fn encode(dialogue: &Dialogue) -> String {
    // A Dialogue holds only strings, numbers, dates and maps with string keys: it always
    // serializes. Fall back to a fresh dialogue rather than panic if that ever changes.
    serde_json::to_string(dialogue).unwrap_or_else(|_| "{\"state\":{\"at\":\"menu\"}}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let mut values = BTreeMap::new();
        values.insert("brand".into(), Value::Brand("lakala".into()));
        values.insert("activated".into(), Value::Bool(false));
        values.insert(
            "received_on".into(),
            Value::Date(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()),
        );
        values.insert(
            "id_front".into(),
            Value::File(Attachment {
                file_id: "AgAD".into(),
                kind: FileKind::Photo,
            }),
        );
        let d = Dialogue {
            state: State::Form {
                draft: Draft {
                    id: "d1".into(),
                    kind: CaseKind::Unbind,
                    values,
                    started_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                },
                field: "serial".into(),
            },
            locale: Some(Locale::En),
            client_locale: Some(Locale::ZhCn),
            step: 7,
            last_active: None,
            reminded: false,
            album: None,
            discarded: None,
        };
        assert_eq!(decode(&encode(&d), SCHEMA_VERSION), Some(d));
    }

    #[test]
    fn unknown_versions_and_shapes_reset() {
        assert_eq!(
            decode("{\"state\":{\"at\":\"menu\"}}", SCHEMA_VERSION + 1),
            None
        );
        assert_eq!(
            decode("{\"state\":{\"at\":\"gone\"}}", SCHEMA_VERSION),
            None
        );
        assert_eq!(decode("not json", SCHEMA_VERSION), None);
        assert!(decode("{\"state\":{\"at\":\"menu\"}}", SCHEMA_VERSION).is_some());
    }
}
