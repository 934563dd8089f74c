//! Effects rendered as Bot API requests, stored in the outbox until sent.

use crate::conversation::{Effect, Keyboard};
use crate::domain::CaseRef;
use crate::i18n::{Locale, Localizer, Msg};
use crate::service::OutboxRenderer;
use crate::store::NewOutbox;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Telegram's limit on a message's text.
pub const MAX_TEXT: usize = 4096;

/// How long an album's answer waits for further parts of the album.
pub const ALBUM_QUIET_MS: i64 = 1500;

/// One request to the Bot API, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Outgoing {
    /// `sendMessage` with HTML text. With `card`, the message shows that case in the staff
    /// group: its id is remembered so the card can be edited later.
    Send {
        text: String,
        markup: Markup,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<CaseRef>,
    },
    /// Edit a case's card in the staff group (sent anew if it cannot be edited).
    EditCard {
        case_ref: CaseRef,
        text: String,
        markup: Markup,
    },
    /// Files by Telegram file id: photos as an album, or documents.
    Media {
        file_ids: Vec<String>,
        photos: bool,
        caption: String,
    },
    /// `deleteMessage` (privacy guard).
    Delete { message_id: i32 },
}

/// The keyboard of a sent message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Markup {
    None,
    /// Rows of `(label, callback data)`.
    Inline {
        rows: Vec<Vec<(String, String)>>,
    },
    /// A reply keyboard with one "share my phone number" button.
    ShareContact {
        label: String,
    },
    /// Remove the reply keyboard.
    Remove,
}

/// Renders effects in the merchant's language as outbox rows, and staff events for the
/// staff group when there is one.
pub struct TelegramRenderer {
    staff: Option<super::staff_view::StaffView>,
}

impl TelegramRenderer {
    pub fn new(staff: Option<&crate::review::StaffConfig>) -> Self {
        TelegramRenderer {
            staff: staff.map(super::staff_view::StaffView::new),
        }
    }

    /// The requests for a list of effects (notices are answered with the callback instead).
    pub fn requests(locale: Locale, effects: &[Effect]) -> Vec<(Outgoing, Option<String>)> {
        let l10n = Localizer::global();
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                Effect::Reply(reply) => {
                    let text = l10n.render_all_html(locale, &reply.parts);
                    let markup = match &reply.keyboard {
                        Keyboard::None => Markup::None,
                        Keyboard::Inline(rows) => Markup::Inline {
                            rows: rows
                                .iter()
                                .map(|row| {
                                    row.iter()
                                        .map(|b| (l10n.render(locale, &b.label), b.data()))
                                        .collect()
                                })
                                .collect(),
                        },
                        Keyboard::ShareContact(label) => Markup::ShareContact {
                            label: l10n.render(locale, label),
                        },
                        Keyboard::RemoveShareContact => Markup::Remove,
                    };
                    let chunks = split_text(&text, MAX_TEXT);
                    let last = chunks.len().saturating_sub(1);
                    for (i, chunk) in chunks.into_iter().enumerate() {
                        let markup = if i == last {
                            markup.clone()
                        } else {
                            Markup::None
                        };
                        out.push((
                            Outgoing::Send {
                                text: chunk,
                                markup,
                                card: None,
                            },
                            reply.coalesce.clone(),
                        ));
                    }
                }
                Effect::DeleteMessage(id) => out.push((Outgoing::Delete { message_id: *id }, None)),
                Effect::Notice(_)
                | Effect::Submit(_)
                | Effect::Forget
                | Effect::AnswerCase { .. }
                | Effect::Withdraw { .. }
                | Effect::HumanRequested
                | Effect::SerialNote { .. } => {}
            }
        }
        out
    }

    /// One plain message (for replies outside a conversation).
    pub fn message(locale: Locale, msg: &Msg) -> Outgoing {
        Outgoing::Send {
            text: Localizer::global().render_html(locale, msg),
            markup: Markup::None,
            card: None,
        }
    }
}

/// An outbox row for a request.
pub fn outbox_row(
    chat_id: i64,
    request: &Outgoing,
    coalesce_key: Option<String>,
    now: DateTime<Utc>,
) -> NewOutbox {
    let not_before = if coalesce_key.is_some() {
        now + Duration::milliseconds(ALBUM_QUIET_MS)
    } else {
        now
    };
    NewOutbox {
        chat_id,
        // An `Outgoing` is strings and numbers: it always serializes.
        payload: serde_json::to_value(request).unwrap_or(serde_json::Value::Null),
        coalesce_key,
        not_before,
        created_at: now,
    }
}

impl OutboxRenderer for TelegramRenderer {
    fn render(
        &self,
        chat_id: i64,
        locale: Locale,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox> {
        let requests = Self::requests(locale, effects);
        // Coalescing replaces a *row*: give every row of one reply group a distinct key.
        requests
            .into_iter()
            .enumerate()
            .map(|(i, (req, key))| outbox_row(chat_id, &req, key.map(|k| format!("{k}#{i}")), now))
            .collect()
    }

    fn staff(&self, event: &crate::service::StaffEvent, now: DateTime<Utc>) -> Vec<NewOutbox> {
        match &self.staff {
            Some(view) => view.rows(event, now),
            None => Vec::new(),
        }
    }
}

/// Split text at paragraph (then line, then character) boundaries into pieces of at most
/// `max` characters.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > max && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        if line.chars().count() > max {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(max) {
                pieces.push(chunk.iter().collect());
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Button, Reply};

    #[test]
    fn long_texts_are_split_and_keep_the_keyboard_on_the_last_piece() {
        let text = "a".repeat(3000) + "\n\n" + &"b".repeat(3000);
        let pieces = split_text(&text, MAX_TEXT);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.chars().count() <= MAX_TEXT));
        let single = split_text(&"x".repeat(9000), MAX_TEXT);
        assert_eq!(single.len(), 3);
        assert_eq!(single.concat(), "x".repeat(9000));
    }

    #[test]
    fn replies_render_as_html_with_keyboards() {
        let reply = Reply::new(
            vec![Msg::new("review-line")
                .with_msg("label", Msg::new("field-merchant_name-label"))
                .with_msg("value", Msg::new("value-text").with("text", "A&B <shop>"))],
            Keyboard::Inline(vec![vec![Button {
                label: Msg::new("btn-submit"),
                step: 4,
                action: crate::conversation::Action::Submit,
            }]]),
        );
        let reqs = TelegramRenderer::requests(
            Locale::En,
            &[Effect::Reply(reply), Effect::DeleteMessage(9)],
        );
        match &reqs[0].0 {
            Outgoing::Send {
                text,
                markup: Markup::Inline { rows },
                ..
            } => {
                assert!(text.contains("A&amp;B &lt;shop&gt;"), "{text}");
                assert_eq!(rows[0][0].1, "4:sb");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(reqs[1].0, Outgoing::Delete { message_id: 9 });
        let json = serde_json::to_value(&reqs[0].0).unwrap();
        assert_eq!(serde_json::from_value::<Outgoing>(json).unwrap(), reqs[0].0);
    }
}
