//! `posdesk chat`: the conversation in a terminal, as one merchant, on the real database.
//!
//! Reads lines, so it works interactively and when piped. Buttons are numbered: type the
//! number to press one. A few slash commands stand in for what a phone would send:
//! `/photo NAME`, `/album NAME NAME…`, `/file NAME MIME [BYTES]`, `/contact PHONE`,
//! `/edit TEXT`, `/sticker`, `/voice`, `/location`, and `/quit`.
//!
//! The terminal also plays the review team, so that what happens after submitting can be
//! tried alone (`reviewer.rs`): `/staff claim|approve|reject CODE [TEXT]|ask TEXT|release
//! [REF]` act on the merchant's newest case (or `REF`), and `/later HOURS` lets time pass
//! for the reminder job. Everything said goes through the outbox as the bot's own replies do
//! (rendered for Telegram, `outbox.rs`), and is printed from there: the merchant's messages,
//! and the staff group's prefixed with "[staff]". Run it on a database of its own, not on
//! one a running bot sends from.

mod outbox;
mod reviewer;

pub use reviewer::{service, CONSOLE_REVIEWER, CONSOLE_STAFF_CHAT};

use crate::conversation::{Effect, Event, FileKind, Incoming, Unsupported, Upload};
use crate::i18n::{Locale, Localizer, Msg};
use crate::service::{Inbound, Service};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// The terminal's own words (also Fluent messages, in `conversation.ftl`).
pub mod messages {
    /// Greeting of `posdesk chat`, with how to press buttons and send files.
    pub const HELLO: &str = "console-hello";
    /// Shown where Telegram would delete the merchant's message (privacy guard).
    pub const DELETED: &str = "console-deleted";
    /// How to share a contact (`/contact PHONE`) where Telegram would show the button.
    pub const CONTACT_HINT: &str = "console-contact-hint";
    /// How `/staff` and `/later` are used.
    pub const STAFF_HELP: &str = "console-staff-help";
    /// Time passed (`/later HOURS`).
    pub const LATER: &str = "console-later";
    /// `/staff` without a case to act on.
    pub const NO_CASE: &str = "console-no-case";
    /// Every id above.
    pub const ALL: &[&str] = &[HELLO, DELETED, CONTACT_HINT, STAFF_HELP, LATER, NO_CASE];
}

/// Run a chat session until the input ends or `/quit`.
pub async fn run<R, W>(
    service: &Service,
    chat_id: i64,
    locale_hint: Option<Locale>,
    input: R,
    mut out: W,
) -> Result<(), ChatError>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let l10n = Localizer::global();
    let hello_locale = locale_hint.unwrap_or_default();
    write_line(
        &mut out,
        &l10n.render(hello_locale, &Msg::new(messages::HELLO)),
    )
    .await?;
    let mut lines = input.lines();
    let mut buttons: Vec<String> = Vec::new();
    let mut message_id: i32 = 0;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim() == "/quit" {
            break;
        }
        message_id = message_id.wrapping_add(1);
        let now = chrono::Utc::now();
        if let Some(command) = reviewer::parse(line) {
            let said = reviewer::act(service, chat_id, command, now).await;
            let said = said.map(|msg| l10n.render(hello_locale, &msg));
            let shown = Shown::new(chat_id, hello_locale, said, Vec::new());
            print_turn(service, shown, &mut buttons, &mut out).await?;
            continue;
        }
        let event = parse_line(line, &buttons);
        let inbound = Inbound {
            chat_id,
            update_id: None,
            locale_hint,
            incoming: Incoming::new(event).with_message_id(message_id),
            now,
        };
        let outcome = match service.handle(inbound).await {
            Ok(outcome) => outcome,
            Err(e) => {
                // Nothing was committed: the merchant can simply send the line again.
                tracing::error!(error = %e, "could not handle a chat line");
                let busy = l10n.render(
                    hello_locale,
                    &Msg::new(crate::conversation::messages::SERVICE_BUSY),
                );
                write_line(&mut out, &busy).await?;
                continue;
            }
        };
        // A press's toast is answered with the press, not sent through the outbox.
        let toasts: Vec<String> = outcome
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::Notice(msg) => Some(l10n.render(outcome.locale, msg)),
                _ => None,
            })
            .collect();
        let shown = Shown::new(chat_id, outcome.locale, None, toasts);
        print_turn(service, shown, &mut buttons, &mut out).await?;
    }
    Ok(())
}

/// What a turn prints before the outbox's messages, for whom, in which language.
struct Shown {
    chat_id: i64,
    locale: Locale,
    /// A reviewer command's own answer.
    said: Option<String>,
    /// A press's toasts.
    toasts: Vec<String>,
}

impl Shown {
    fn new(chat_id: i64, locale: Locale, said: Option<String>, toasts: Vec<String>) -> Self {
        Shown {
            chat_id,
            locale,
            said,
            toasts,
        }
    }
}

/// Print what this turn sent (read from the outbox, then removed from it), after a
/// reviewer command's own answer and the press's toasts.
async fn print_turn<W: AsyncWrite + Unpin>(
    service: &Service,
    shown: Shown,
    buttons: &mut Vec<String>,
    out: &mut W,
) -> Result<(), ChatError> {
    let mut text = String::new();
    for line in shown.said.iter().chain(&shown.toasts) {
        text.push_str(&format!("({line})\n\n"));
    }
    let printed = outbox::drain(service, shown.chat_id, shown.locale).await?;
    if !printed.buttons.is_empty() {
        *buttons = printed.buttons;
    }
    text.push_str(&printed.text);
    out.write_all(text.as_bytes()).await?;
    out.flush().await?;
    Ok(())
}

/// Why the terminal session stopped.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Reading standard input or writing standard output failed.
    #[error("terminal input/output failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the database failed: {0}")]
    Store(#[from] crate::store::StoreError),
}

async fn write_line<W: AsyncWrite + Unpin>(out: &mut W, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes()).await?;
    out.write_all(b"\n").await?;
    out.flush().await
}

/// Turn one typed line into an event. A bare number presses the button with that number.
pub fn parse_line(line: &str, buttons: &[String]) -> Event {
    let trimmed = line.trim();
    if let Ok(n) = trimmed.parse::<usize>() {
        if (1..=buttons.len()).contains(&n) {
            return Event::Press(buttons[n - 1].clone());
        }
    }
    let mut words = trimmed.split_whitespace();
    let first = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let photo = |name: &str| Upload::photo(format!("console:{name}"));
    match first {
        "/photo" if !rest.is_empty() => Event::Files(vec![photo(rest[0])]),
        "/album" if !rest.is_empty() => Event::Files(rest.iter().map(|n| photo(n)).collect()),
        "/file" if rest.len() >= 2 => Event::Files(vec![Upload {
            file_id: format!("console:{}", rest[0]),
            kind: FileKind::Document,
            mime: Some(rest[1].to_string()),
            size: rest.get(2).and_then(|s| s.parse().ok()),
            caption: None,
        }]),
        "/contact" if !rest.is_empty() => Event::Contact {
            phone: rest.join(""),
        },
        "/edit" => Event::Edited(Some(rest.join(" "))),
        "/sticker" => Event::Unsupported(Unsupported::Sticker),
        "/voice" => Event::Unsupported(Unsupported::Voice),
        "/location" => Event::Unsupported(Unsupported::Location),
        _ => Event::Text(trimmed.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_press_buttons_only_when_in_range() {
        let buttons = vec!["1:y".to_string(), "1:n".to_string()];
        assert_eq!(parse_line("2", &buttons), Event::Press("1:n".into()));
        assert_eq!(parse_line("3", &buttons), Event::Text("3".into()));
        assert_eq!(parse_line("1234", &buttons), Event::Text("1234".into()));
        assert_eq!(parse_line("1", &[]), Event::Text("1".into()));
    }

    #[test]
    fn stand_ins_for_phone_features() {
        assert!(matches!(parse_line("/photo front.jpg", &[]), Event::Files(f) if f.len() == 1));
        assert!(matches!(parse_line("/album a b", &[]), Event::Files(f) if f.len() == 2));
        assert!(matches!(
            parse_line("/file a.pdf application/pdf 100", &[]),
            Event::Files(f) if f[0].kind == FileKind::Document && f[0].size == Some(100)
        ));
        assert_eq!(
            parse_line("/contact +86 138 1234 5678", &[]),
            Event::Contact {
                phone: "+8613812345678".into()
            }
        );
        assert_eq!(
            parse_line("/sticker", &[]),
            Event::Unsupported(Unsupported::Sticker)
        );
        assert_eq!(parse_line("/photo", &[]), Event::Text("/photo".into()));
    }
}
