//! The handler tree: which updates posdesk handles, and the conversation event each one
//! becomes. A pure classification — no IO happens here — so it is tested without a network.
//!
//! ```text
//! update
//! ├─ message in a private chat ........ merchant event (text, photo, album part, document,
//! │                                      contact, sticker/voice/video/location)
//! ├─ group upgraded to a supergroup ... Migrated (both service messages)
//! ├─ message in a group ............... Group: the staff group's commands and typed input;
//! │                                      elsewhere "please write to me in private" when
//! │                                      addressed to the bot
//! ├─ edited message in a private chat . Edited
//! ├─ callback query ................... Press (in a private chat), else Group
//! └─ anything else .................... ignored
//! ```
//!
//! A caption is the text of its photo or document: a merchant's answer, a reviewer's note.

use crate::conversation::{Event, FileKind, Unsupported, Upload};
use crate::domain::scan_sensitive;
use crate::i18n::Locale;
use teloxide::dispatching::{DpHandlerDescription, UpdateFilterExt};
use teloxide::types::{CallbackQuery, Message, Update, User};

/// What an update means to posdesk.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// A merchant's message or press in a private chat.
    Merchant {
        chat_id: i64,
        locale: Option<Locale>,
        event: Event,
        /// The merchant's message (for deleting it), if the event is a message.
        message_id: Option<i32>,
        /// The press to answer, if the event is a press.
        callback: Option<Callback>,
    },
    /// Something in a group: in the staff group a reviewer's command, typed input or
    /// press; anywhere else merchants are asked to write in private.
    Group {
        chat_id: i64,
        user_id: i64,
        locale: Option<Locale>,
        /// The text, or the caption of a photo or document.
        text: Option<String>,
        /// A press: the callback to answer and its data.
        callback: Option<(Callback, String)>,
        /// The forum topic written in (`message_thread_id` of a topic message), where
        /// answers go.
        topic: Option<i32>,
        /// Sent on behalf of a chat (an admin with "Remain Anonymous", a channel): no
        /// person to attribute it to.
        anonymous: bool,
        /// Meant for the bot: a command, a mention of it, a reply to its message.
        addressed: bool,
    },
    /// Telegram upgraded group `from` to supergroup `to` (the service messages
    /// `migrate_to_chat_id` in the old group and `migrate_from_chat_id` in the new).
    Migrated { from: i64, to: i64 },
    /// Nothing for us (service messages, kinds we do not subscribe to).
    Ignored,
}

/// A button press to acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub id: String,
    /// The message the pressed button is on (its buttons are then removed).
    pub message_id: Option<i32>,
}

/// The bot itself, as groups address it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    pub id: u64,
    /// Without the `@`.
    pub username: String,
}

impl Me {
    /// Whether a group message is meant for the bot: a command to it (`/queue`,
    /// `/queue@thisbot`, not `/queue@otherbot`), a mention of it, or a reply to one of its
    /// messages.
    fn addressed_by(&self, m: &Message, text: Option<&str>) -> bool {
        let mention = format!("@{}", self.username.to_lowercase());
        let command = text.and_then(|t| t.strip_prefix('/')).map(|c| {
            let word = c.split_whitespace().next().unwrap_or_default();
            match word.split_once('@') {
                Some((_, to)) => to.eq_ignore_ascii_case(&self.username),
                None => true,
            }
        });
        let mentioned = text.is_some_and(|t| t.to_lowercase().contains(&mention));
        let reply_to_me = m
            .reply_to_message()
            .and_then(|r| r.from.as_ref())
            .is_some_and(|u| u.id.0 == self.id);
        command.unwrap_or(false) || mentioned || reply_to_me
    }
}

pub type Schema = dptree::Handler<'static, Routed, DpHandlerDescription>;

/// The whole handler tree. Its endpoints take the update's parts and [`Me`]
/// (see [`classify`]).
pub fn schema() -> Schema {
    dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|m: Message| m.chat.is_private())
                .endpoint(|m: Message| async move { private_message(&m) }),
        )
        .branch(
            Update::filter_message()
                .endpoint(|m: Message, me: Me| async move { group_message(&m, &me) }),
        )
        .branch(
            Update::filter_edited_message()
                .filter(|m: Message| m.chat.is_private())
                .endpoint(|m: Message| async move { edited_message(&m) }),
        )
        .branch(
            Update::filter_callback_query()
                .endpoint(|q: CallbackQuery| async move { callback_query(&q) }),
        )
}

/// Classify one update.
pub async fn classify(schema: &Schema, update: Update, me: &Me) -> Routed {
    match schema.dispatch(dptree::deps![update, me.clone()]).await {
        std::ops::ControlFlow::Break(routed) => routed,
        std::ops::ControlFlow::Continue(_) => Routed::Ignored,
    }
}

fn locale_of(user: Option<&User>) -> Option<Locale> {
    user.and_then(|u| u.language_code.as_deref())
        .and_then(Locale::parse)
}

fn private_message(m: &Message) -> Routed {
    Routed::Merchant {
        chat_id: m.chat.id.0,
        locale: locale_of(m.from.as_ref()),
        event: message_event(m),
        message_id: Some(m.id.0),
        callback: None,
    }
}

/// The forum topic a message is in (`None` outside forums, and for the General topic).
fn topic_of(m: &Message) -> Option<i32> {
    m.is_topic_message
        .then(|| m.thread_id.map(|t| t.0 .0))
        .flatten()
}

fn group_message(m: &Message, me: &Me) -> Routed {
    if let Some(to) = m.migrate_to_chat_id() {
        return Routed::Migrated {
            from: m.chat.id.0,
            to: to.0,
        };
    }
    if let Some(from) = m.migrate_from_chat_id() {
        return Routed::Migrated {
            from: from.0,
            to: m.chat.id.0,
        };
    }
    let text = m.text().or(m.caption());
    // Service messages (members joining, pins …) need no answer.
    if text.is_none() {
        return Routed::Ignored;
    }
    Routed::Group {
        chat_id: m.chat.id.0,
        user_id: m.from.as_ref().map(|u| u.id.0 as i64).unwrap_or(0),
        locale: locale_of(m.from.as_ref()),
        text: text.map(str::to_string),
        callback: None,
        topic: topic_of(m),
        anonymous: m.sender_chat.is_some(),
        addressed: me.addressed_by(m, text),
    }
}

fn edited_message(m: &Message) -> Routed {
    let text = m.text().or(m.caption()).map(str::to_string);
    Routed::Merchant {
        chat_id: m.chat.id.0,
        locale: locale_of(m.from.as_ref()),
        event: Event::Edited(text),
        message_id: Some(m.id.0),
        callback: None,
    }
}

fn callback_query(q: &CallbackQuery) -> Routed {
    // An inaccessible message (too old: Telegram sends it with date 0) cannot be edited.
    let regular = q.message.as_ref().and_then(|m| m.regular_message());
    let callback = Callback {
        id: q.id.0.clone(),
        message_id: regular.map(|m| m.id.0),
    };
    let locale = locale_of(Some(&q.from));
    match q.message.as_ref().map(|m| m.chat()) {
        Some(chat) if !chat.is_private() => Routed::Group {
            chat_id: chat.id.0,
            user_id: q.from.id.0 as i64,
            locale,
            text: None,
            callback: Some((callback, q.data.clone().unwrap_or_default())),
            topic: regular.and_then(topic_of),
            // A press always comes from a person, anonymous admins included.
            anonymous: false,
            addressed: true,
        },
        chat => Routed::Merchant {
            // Without the message (very old, inaccessible), the private chat is the user's.
            chat_id: chat.map(|c| c.id.0).unwrap_or(q.from.id.0 as i64),
            locale,
            event: Event::Press(q.data.clone().unwrap_or_default()),
            message_id: None,
            callback: Some(callback),
        },
    }
}

/// The conversation event a private message carries.
pub fn message_event(m: &Message) -> Event {
    if let Some(text) = m.text() {
        return Event::Text(text.to_string());
    }
    // A caption holding a card number, ID number or code: hand it to the privacy guard as
    // text, so the whole message is deleted and nothing of it is kept.
    if let Some(caption) = m.caption() {
        if scan_sensitive(caption, false).is_some() {
            return Event::Text(caption.to_string());
        }
    }
    let upload = if let Some(sizes) = m.photo() {
        sizes
            .iter()
            .max_by_key(|p| u64::from(p.width) * u64::from(p.height))
            .map(|p| Upload {
                file_id: p.file.id.0.clone(),
                kind: FileKind::Photo,
                mime: None,
                size: Some(u64::from(p.file.size)),
                caption: m.caption().map(str::to_string),
            })
    } else {
        m.document().map(|d| Upload {
            file_id: d.file.id.0.clone(),
            kind: FileKind::Document,
            mime: d.mime_type.as_ref().map(|m| m.essence_str().to_string()),
            size: Some(u64::from(d.file.size)),
            caption: m.caption().map(str::to_string),
        })
    };
    if let Some(upload) = upload {
        return match m.media_group_id() {
            Some(group) => Event::AlbumPart {
                album_id: group.0.clone(),
                upload,
            },
            None => Event::Files(vec![upload]),
        };
    }
    if let Some(contact) = m.contact() {
        return Event::Contact {
            phone: contact.phone_number.clone(),
        };
    }
    let kind = if m.sticker().is_some() || m.animation().is_some() {
        Unsupported::Sticker
    } else if m.voice().is_some() || m.audio().is_some() {
        Unsupported::Voice
    } else if m.video().is_some() || m.video_note().is_some() {
        Unsupported::Video
    } else if m.location().is_some() || m.venue().is_some() {
        Unsupported::Location
    } else {
        Unsupported::Other
    };
    Event::Unsupported(kind)
}
