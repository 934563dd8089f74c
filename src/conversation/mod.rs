//! The conversation core: a deterministic, IO-free state machine.
//!
//! Adapters turn their input into an [`Incoming`] event, the service reads the [`Facts`]
//! listed by [`needs`] inside the update's transaction, and [`step`] returns the new
//! [`Dialogue`] and the [`Effect`]s to carry out.

pub mod action;
mod answer;
pub mod command;
mod discard;
pub mod effect;
pub mod event;
pub mod facts;
mod form;
pub mod forms;
mod machine;
pub mod messages;
mod on_command;
pub mod prompt;
mod review;
mod serial_note;
pub mod state;
mod submission;
pub mod words;

pub use action::{parse_callback, Action};
pub use command::{Command, TypedCommand};
pub use effect::{Button, Effect, Keyboard, Reply, Submission};
pub use event::{strip_controls, CaseNotice, Event, Incoming, Unsupported, Upload};
pub use facts::{needs, CaseLine, CaseNote, Facts, Need, OpenSerial, Resubmit};
pub use form::{DOCUMENT_TYPES, MAX_DOCUMENT_BYTES};
pub use machine::{reset_notice, step, topic_intent, Ctx, CONFIDENT};
pub use review::next_steps;
pub use state::{
    AlbumProgress, Attachment, Dialogue, Draft, FileKind, State, Value, SCHEMA_VERSION,
};
pub use words::{looks_like_question, CANCEL_WORDS};

#[cfg(test)]
mod tests;
