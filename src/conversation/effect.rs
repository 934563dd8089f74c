//! What the core asks the outside world to do. Adapters carry these out; the service
//! applies [`Effect::Submit`] and [`Effect::Forget`] inside the update's transaction.

use super::action::Action;
use super::state::Attachment;
use crate::domain::CaseKind;
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, Utc};

/// Something the core asks the outside world to do, in order, after the step's transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a message.
    Reply(Reply),
    /// A short acknowledgement of a button press (a toast in Telegram).
    Notice(Msg),
    /// Delete the merchant's message (privacy guard).
    DeleteMessage(i32),
    /// Queue a finished case.
    Submit(Box<Submission>),
    /// Erase the merchant's stored dialogue (`/forget`).
    Forget,
    /// The merchant's answer to a reviewer's question: attach it to the case and put the
    /// case back in the queue.
    AnswerCase {
        /// The case the reviewer asked about.
        case_ref: String,
        /// The merchant's typed answer (privacy-checked), if any.
        text: Option<String>,
        /// Photos or documents sent as the answer (Telegram file ids).
        files: Vec<Attachment>,
    },
    /// The merchant withdraws an undecided case of theirs.
    Withdraw {
        /// The case to withdraw (its owner is checked by the service).
        case_ref: String,
    },
    /// The merchant asked for a person (a button, "转人工" typed anywhere, also inside a
    /// form). Today the reply that goes with it shows the handover text; the live
    /// conversation with staff is to be wired to this one effect.
    HumanRequested,
    /// A note for staff about a device serial that another merchant's open case already
    /// uses (a terminal passed on, or disputed). The service finds that case and posts the
    /// note to the staff group with both references: the open case's and `note_ref`, which
    /// the merchant was given. Nothing of the other case is ever shown to this merchant.
    SerialNote {
        /// The serial number as the form stores it (canonical form).
        serial: String,
        /// The reference given to the merchant for this note.
        note_ref: String,
        /// What the merchant wrote for the staff (privacy-checked).
        text: String,
    },
}

/// A message to the merchant: paragraphs and an optional keyboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The paragraphs, rendered in the merchant's language and joined by blank lines.
    pub parts: Vec<Msg>,
    /// The keyboard shown with the message.
    pub keyboard: Keyboard,
    /// Replies with the same key replace an earlier one that was not sent yet (the parts of
    /// an album each produce an answer; the merchant should see only the last).
    pub coalesce: Option<String>,
}

/// The keyboard sent with a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyboard {
    /// No keyboard.
    None,
    /// Rows of buttons under the message.
    Inline(Vec<Vec<Button>>),
    /// Telegram's reply keyboard with one "share my phone number" button.
    ShareContact(Msg),
    /// Take the share-contact keyboard away again.
    RemoveShareContact,
}

/// A button: its label and the callback data it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    /// The button's text.
    pub label: Msg,
    /// The dialogue's step counter when the button was shown; a press from another step is stale.
    pub step: u32,
    /// What pressing it does.
    pub action: Action,
}

impl Button {
    /// The callback data, at most 64 bytes (Telegram's limit).
    pub fn data(&self) -> String {
        self.action.encode(self.step)
    }
}

/// A finished application, ready to be queued.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The public reference (`UB-7K3QF9`), unique among cases.
    pub case_ref: String,
    /// The draft's id: the idempotency key, so submitting twice queues one case.
    pub draft_id: String,
    /// What kind of case.
    pub kind: CaseKind,
    /// The brand id (`knowledge::brands`), `other` when not listed.
    pub brand: String,
    /// The terminal's serial number (canonical form), when the form asks for one: one open case per serial.
    pub serial: Option<String>,
    /// Field id → value (strings, booleans, `YYYY-MM-DD` dates, `{ "choice": id }`).
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Field id → file.
    pub attachments: Vec<(String, Attachment)>,
    /// The merchant's language, for the notices about this case.
    pub locale: Locale,
    /// When the merchant submitted.
    pub created_at: DateTime<Utc>,
    /// When the review is due: the kind's review time in business days, China time, holidays skipped.
    pub due_at: DateTime<Utc>,
}

impl Effect {
    /// The reply, if this is one (handy in tests).
    pub fn as_reply(&self) -> Option<&Reply> {
        match self {
            Effect::Reply(r) => Some(r),
            _ => None,
        }
    }
}

impl Reply {
    /// A reply without a coalescing key.
    pub fn new(parts: Vec<Msg>, keyboard: Keyboard) -> Self {
        Reply {
            parts,
            keyboard,
            coalesce: None,
        }
    }

    /// All buttons of an inline keyboard, row by row.
    pub fn buttons(&self) -> Vec<&Button> {
        match &self.keyboard {
            Keyboard::Inline(rows) => rows.iter().flatten().collect(),
            _ => Vec::new(),
        }
    }

    /// Whether any paragraph is the message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.parts.iter().any(|m| m.id == id)
    }
}
