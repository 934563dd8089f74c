//! The staff half of posdesk: who may act, what each action does to a case, and how
//! actions travel as buttons and commands. Pure rules; the service applies them in one
//! transaction with the merchant's notification, and the Telegram edge shows them.

mod action;
mod plan;

pub use action::{
    parse_staff_callback, parse_staff_command, RejectReason, StaffAction, StaffCommand,
};
pub use plan::{ask, plan, reject, PendingInput, Plan, Refusal, Transition};

use crate::i18n::Locale;
use chrono::Duration;

/// The staff group and its reviewers (from configuration).
#[derive(Debug, Clone)]
pub struct StaffConfig {
    /// `POSDESK_STAFF_CHAT_ID`: the Telegram group where cases are posted.
    pub chat_id: i64,
    /// `POSDESK_REVIEWERS`: user ids allowed to act.
    pub reviewers: Vec<i64>,
    /// Language of staff-facing text.
    pub locale: Locale,
    /// How long a claim lasts before the case returns to the queue.
    pub lease: Duration,
}

impl StaffConfig {
    /// Server-side authorisation of every staff press and command: the right chat and a
    /// configured reviewer.
    pub fn authorize(&self, chat_id: i64, user_id: i64) -> Result<(), Refusal> {
        if chat_id == self.chat_id && self.reviewers.contains(&user_id) {
            Ok(())
        } else {
            Err(Refusal::NotReviewer)
        }
    }
}

#[cfg(test)]
mod tests;
