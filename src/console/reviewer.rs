//! The review team, played from the terminal: a staff group of its own
//! ([`CONSOLE_STAFF_CHAT`]) with one reviewer ([`CONSOLE_REVIEWER`]), acting through the
//! same service calls as the Telegram staff group (`Service::staff_press`,
//! `Service::staff_message`), and time passing for the reminder job.
//!
//! `/staff claim|approve|release [REF]`, `/staff reject CODE [TEXT…] [REF]` (codes:
//! `missing-materials`, `details-mismatch`, `unsettled`, `too-late`, `other` with the
//! text), `/staff ask TEXT… [REF]`; without `REF`, the merchant's newest case. A case still
//! queued is claimed first. `/later HOURS` runs the reminder job that many hours ahead.

use super::messages;
use crate::domain::{CaseRef, CaseStatus};
use crate::i18n::{Locale, Msg};
use crate::review::{RejectReason, StaffAction, StaffConfig};
use crate::service::{JobSettings, Service};
use crate::store::{CaseFilter, Store};
use crate::telegram::outgoing::TelegramRenderer;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Arc;

/// The console's staff group (no Telegram chat has this id).
pub const CONSOLE_STAFF_CHAT: i64 = -1;
/// The console's one reviewer.
pub const CONSOLE_REVIEWER: i64 = 1;

/// The service `posdesk chat` runs: replies and staff messages go through the outbox,
/// rendered as for Telegram, with the console's staff group.
pub fn service(store: Arc<dyn Store>, default_locale: Locale, holidays: Vec<NaiveDate>) -> Service {
    let staff = StaffConfig {
        chat_id: CONSOLE_STAFF_CHAT,
        reviewers: vec![CONSOLE_REVIEWER],
        locale: default_locale,
        lease: Duration::hours(4),
    };
    let renderer = TelegramRenderer::new(Some(&staff));
    Service::new(store, default_locale, holidays)
        .with_outbox(Arc::new(renderer))
        .with_staff(staff)
}

/// A line for the review team or the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Command {
    /// A reviewer's action on a case (the merchant's newest without a reference), with the
    /// text it asks for (the question, the reason's words).
    Staff {
        action: StaffAction,
        text: Option<String>,
        case_ref: Option<CaseRef>,
    },
    /// `/staff` without a usable action: how to use it.
    Help,
    /// Time passes: the reminder job runs this many hours from now.
    Later(u32),
}

/// The command on `line`, if it is one of the console's review-team lines.
pub(super) fn parse(line: &str) -> Option<Command> {
    let mut words = line.split_whitespace();
    match words.next()? {
        "/later" => Some(match words.next().and_then(|h| h.parse().ok()) {
            Some(hours) => Command::Later(hours),
            None => Command::Help,
        }),
        "/staff" => {
            let rest: Vec<&str> = words.collect();
            Some(staff_command(&rest).unwrap_or(Command::Help))
        }
        _ => None,
    }
}

fn staff_command(words: &[&str]) -> Option<Command> {
    let (verb, args) = words.split_first()?;
    let case_ref = args.iter().find_map(|w| CaseRef::parse(w).ok());
    let mut text: Vec<&str> = args
        .iter()
        .copied()
        .filter(|w| CaseRef::parse(w).is_err())
        .collect();
    let action = match *verb {
        "claim" => StaffAction::Claim,
        "approve" => StaffAction::Approve,
        "release" => StaffAction::Release,
        "ask" if !text.is_empty() => StaffAction::AskMore,
        "reject" => {
            let code = text.first().copied()?;
            let reason = RejectReason::ALL.into_iter().find(|r| r.code() == code)?;
            text.remove(0);
            if reason == RejectReason::Other && text.is_empty() {
                return None;
            }
            StaffAction::Reject(reason)
        }
        _ => return None,
    };
    let text = (!text.is_empty()).then(|| text.join(" "));
    Some(Command::Staff {
        action,
        text,
        case_ref,
    })
}

/// Carry out a command; the answer to print first (a reviewer's toast, usage, time).
pub(super) async fn act(
    service: &Service,
    chat_id: i64,
    command: Command,
    now: DateTime<Utc>,
) -> Option<Msg> {
    match command {
        Command::Help => Some(Msg::new(messages::STAFF_HELP)),
        Command::Later(hours) => {
            let later = now + Duration::hours(i64::from(hours));
            let reminder_after = JobSettings::default().reminder_after;
            if let Err(e) = service.send_reminders(later, reminder_after).await {
                tracing::error!(error = %e, "the reminder job failed");
            }
            Some(Msg::new(messages::LATER).with_num("hours", i64::from(hours)))
        }
        Command::Staff {
            action,
            text,
            case_ref,
        } => {
            let case = match case_ref {
                Some(r) => service.store().get_case(&r).await.ok().flatten(),
                None => newest_case(service, chat_id).await,
            };
            let Some(case) = case else {
                return Some(Msg::new(messages::NO_CASE));
            };
            staff_act(service, &case.case_ref, case.status, action, text, now).await
        }
    }
}

/// Claim first when the case is queued, press the action's button, then type its text.
async fn staff_act(
    service: &Service,
    case_ref: &CaseRef,
    status: CaseStatus,
    action: StaffAction,
    text: Option<String>,
    now: DateTime<Utc>,
) -> Option<Msg> {
    let press = |action: StaffAction| async move {
        service
            .staff_press(
                None,
                CONSOLE_STAFF_CHAT,
                CONSOLE_REVIEWER,
                &action.encode(case_ref),
                None,
                now,
            )
            .await
    };
    if status == CaseStatus::Queued && action != StaffAction::Claim {
        press(StaffAction::Claim).await.ok()?;
    }
    let toast = press(action).await.ok()?;
    let needs_text = matches!(
        action,
        StaffAction::AskMore | StaffAction::Reject(RejectReason::Other)
    );
    if let (true, Some(text)) = (needs_text, text) {
        // A typed message in the staff group has an update id; the console's are negative,
        // so they never meet Telegram's.
        let update_id = -now.timestamp_micros().max(1);
        let typed = service
            .staff_message(
                update_id,
                CONSOLE_STAFF_CHAT,
                CONSOLE_REVIEWER,
                &text,
                None,
                now,
            )
            .await;
        if let Err(e) = typed {
            tracing::error!(error = %e, "the reviewer's text could not be applied");
        }
    }
    Some(toast)
}

/// The merchant's newest case.
async fn newest_case(service: &Service, chat_id: i64) -> Option<crate::domain::CaseRecord> {
    let cases = service
        .store()
        .list_cases(&CaseFilter::default())
        .await
        .ok()?;
    cases.into_iter().find(|c| c.chat_id == chat_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_team_lines() {
        assert_eq!(parse("你好"), None);
        assert_eq!(parse("/later 25"), Some(Command::Later(25)));
        assert_eq!(parse("/later"), Some(Command::Help));
        assert_eq!(parse("/staff dance"), Some(Command::Help));
        assert_eq!(parse("/staff reject"), Some(Command::Help));
        assert_eq!(parse("/staff reject other"), Some(Command::Help));
        assert_eq!(
            parse("/staff approve ub-7k3qf9"),
            Some(Command::Staff {
                action: StaffAction::Approve,
                text: None,
                case_ref: CaseRef::parse("UB-7K3QF9").ok(),
            })
        );
        assert_eq!(
            parse("/staff ask 请补拍 营业执照"),
            Some(Command::Staff {
                action: StaffAction::AskMore,
                text: Some("请补拍 营业执照".into()),
                case_ref: None,
            })
        );
        assert_eq!(
            parse("/staff reject missing-materials"),
            Some(Command::Staff {
                action: StaffAction::Reject(RejectReason::MissingMaterials),
                text: None,
                case_ref: None,
            })
        );
    }
}
