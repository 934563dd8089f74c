//! `posdesk chat`: the conversation in a terminal, as one merchant, on the real database.
//!
//! Reads lines, so it works interactively and when piped. Buttons are numbered: type the
//! number to press one. A few slash commands stand in for what a phone would send:
//! `/photo NAME`, `/album NAME NAME…`, `/file NAME MIME [BYTES]`, `/contact PHONE`,
//! `/edit TEXT`, `/sticker`, `/voice`, `/location`, and `/quit`.

use crate::conversation::{Effect, Event, FileKind, Incoming, Keyboard, Unsupported, Upload};
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
    /// Every id above.
    pub const ALL: &[&str] = &[HELLO, DELETED, CONTACT_HINT];
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
        let event = parse_line(line, &buttons);
        let inbound = Inbound {
            chat_id,
            update_id: None,
            locale_hint,
            incoming: Incoming::new(event).with_message_id(message_id),
            now: chrono::Utc::now(),
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
        let (text, new_buttons) = render(l10n, outcome.locale, &outcome.effects);
        if !new_buttons.is_empty() {
            buttons = new_buttons;
        }
        out.write_all(text.as_bytes()).await?;
        out.flush().await?;
    }
    Ok(())
}

/// Why the terminal session stopped.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Reading standard input or writing standard output failed.
    #[error("terminal input/output failed: {0}")]
    Io(#[from] std::io::Error),
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

/// Render effects as terminal text; returns the text and the callback data of the
/// numbered buttons (empty when no buttons were shown).
pub fn render(l10n: &Localizer, locale: Locale, effects: &[Effect]) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut buttons = Vec::new();
    for effect in effects {
        match effect {
            Effect::Reply(reply) => {
                text.push_str(&l10n.render_all(locale, &reply.parts));
                text.push('\n');
                match &reply.keyboard {
                    Keyboard::Inline(rows) => {
                        for row in rows {
                            let mut line = String::from(" ");
                            for button in row {
                                buttons.push(button.data());
                                let label = l10n.render(locale, &button.label);
                                line.push_str(&format!(" [{}] {}", buttons.len(), label));
                            }
                            text.push_str(&line);
                            text.push('\n');
                        }
                    }
                    Keyboard::ShareContact(_) => {
                        text.push_str("  ");
                        text.push_str(&l10n.render(locale, &Msg::new(messages::CONTACT_HINT)));
                        text.push('\n');
                    }
                    Keyboard::None | Keyboard::RemoveShareContact => {}
                }
                text.push('\n');
            }
            Effect::Notice(msg) => {
                text.push_str(&format!("({})\n\n", l10n.render(locale, msg)));
            }
            Effect::DeleteMessage(_) => {
                text.push_str(&format!(
                    "({})\n",
                    l10n.render(locale, &Msg::new(messages::DELETED))
                ));
            }
            Effect::Submit(_)
            | Effect::Forget
            | Effect::AnswerCase { .. }
            | Effect::Withdraw { .. }
            | Effect::HumanRequested
            | Effect::SerialNote { .. } => {}
        }
    }
    (text, buttons)
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
