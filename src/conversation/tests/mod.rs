//! Transition tests: each state with each kind of event, deterministic (fixed clock,
//! entropy and facts: `crate::testkit::Chat`), no database, no network. One file per part
//! of the conversation; the helpers that read effects are here.

use super::action::Action;
use super::effect::{Effect, Keyboard, Reply};
use super::event::{Event, Unsupported, Upload};
use super::facts::{CaseLine, Facts};
use super::messages as m;
use super::state::{Attachment, FileKind, State, Value};
use crate::domain::{CaseKind, CaseStatus};
use crate::i18n::Locale;
use crate::testkit::{luhn_card, Chat};
use chrono::{NaiveDate, TimeZone, Utc};

mod cases;
mod files;
mod form;
mod guards;
mod menu;

fn replies(effects: &[Effect]) -> Vec<&Reply> {
    effects.iter().filter_map(Effect::as_reply).collect()
}

fn last(effects: &[Effect]) -> &Reply {
    replies(effects).last().copied().expect("a reply")
}

fn says(effects: &[Effect], id: &str) -> bool {
    replies(effects).iter().any(|r| r.has(id))
}

fn says_prefix(effects: &[Effect], prefix: &str) -> bool {
    replies(effects)
        .iter()
        .any(|r| r.parts.iter().any(|p| p.id.starts_with(prefix)))
}

fn notice(effects: &[Effect]) -> Option<&str> {
    effects.iter().find_map(|e| match e {
        Effect::Notice(msg) => Some(msg.id.as_str()),
        _ => None,
    })
}

fn question(case_ref: &str) -> Event {
    Event::CaseNotice(crate::conversation::CaseNotice::Question {
        case_ref: case_ref.into(),
        request_id: "q1".into(),
        question: "请补拍营业执照".into(),
    })
}

fn answers(effects: &[Effect]) -> Vec<&Effect> {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::AnswerCase { .. }))
        .collect()
}
