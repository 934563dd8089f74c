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
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

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
    /// Server-side authorisation of every staff press and command: the staff group (the
    /// configured chat, or `current`, the supergroup Telegram upgraded it to) and a
    /// configured reviewer.
    pub fn authorize(
        &self,
        current: Option<i64>,
        chat_id: i64,
        user_id: i64,
    ) -> Result<(), Refusal> {
        let staff_chat = chat_id == self.chat_id || Some(chat_id) == current;
        if staff_chat && self.reviewers.contains(&user_id) {
            Ok(())
        } else {
            Err(Refusal::NotReviewer)
        }
    }
}

/// The staff group's chat id as it is now, shared by everything that sends to it or
/// checks it: the configured id until Telegram upgrades the group to a supergroup (which
/// gets a new id), then the supergroup's. Clones share it.
#[derive(Debug, Clone)]
pub struct StaffChat {
    configured: i64,
    current: Arc<AtomicI64>,
}

impl StaffChat {
    pub fn new(configured: i64) -> Self {
        StaffChat {
            configured,
            current: Arc::new(AtomicI64::new(configured)),
        }
    }

    /// The id to send to.
    pub fn current(&self) -> i64 {
        self.current.load(Ordering::Relaxed)
    }

    /// Whether `chat_id` is the staff group (its configured id or its current one).
    pub fn is(&self, chat_id: i64) -> bool {
        chat_id == self.configured || chat_id == self.current()
    }

    /// Telegram upgraded group `from` to supergroup `to`. When that is the staff group,
    /// it is followed from now on, and the operator is told (an ERROR: the configuration
    /// still names the old id) which id to configure. Returns whether it was.
    pub fn follow(&self, from: i64, to: i64) -> bool {
        if !self.is(from) || self.current() == to {
            return false;
        }
        self.current.store(to, Ordering::Relaxed);
        tracing::error!(
            old = from,
            new = to,
            "the staff group was upgraded to a supergroup and is followed there; \
             set POSDESK_STAFF_CHAT_ID={to}"
        );
        true
    }
}

/// A reviewer as the group sees them (`#<user id>`), `-` for nobody.
pub fn reviewer_tag(user: Option<i64>) -> String {
    user.map(|u| format!("#{u}")).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests;
