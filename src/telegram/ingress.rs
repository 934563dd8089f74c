//! Reading updates as Telegram sends them, when teloxide lags the Bot API.
//!
//! teloxide-core 0.13 knows Bot API 9.1. A message carrying something newer that it cannot
//! parse — a `date_time` entity (Bot API 9.5), a quote of another chat (`external_reply`
//! with a text origin) — does not fail: it becomes `MessageKind::Empty`, and what the
//! merchant typed is gone; an update it cannot parse at all becomes `UpdateKind::Error`.
//! posdesk reads each update from its raw JSON (both ingresses have it), and when teloxide
//! read a message as empty although the JSON has content, reads it again with only the
//! fields posdesk uses ([`KEPT`]), which teloxide does know. Each repair is logged (a
//! warning with the update id), so the lag is visible.

use serde::Deserialize;
use serde_json::{Map, Value};
use teloxide::types::{MessageKind, Update, UpdateKind};

/// The fields of a message posdesk reads; a repaired message keeps only these. Entities
/// are left out: posdesk reads commands and mentions from the text itself.
const KEPT: &[&str] = &[
    "message_id",
    "message_thread_id",
    "is_topic_message",
    "from",
    "sender_chat",
    "date",
    "edit_date",
    "chat",
    "media_group_id",
    "text",
    "caption",
    "photo",
    "document",
    "contact",
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "location",
    "venue",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
];

/// The fields of [`KEPT`] that carry what someone sent (the rest say who, where, when).
const CONTENT: &[&str] = &[
    "text",
    "caption",
    "photo",
    "document",
    "contact",
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "location",
    "venue",
];

/// The fields of a replied-to message kept (to tell a reply to the bot).
const KEPT_IN_REPLY: &[&str] = &["message_id", "from", "sender_chat", "date", "chat"];

/// Where a message sits in an update.
const MESSAGE_KEYS: &[&str] = &["message", "edited_message"];

/// One update from its JSON: typed by teloxide, repaired where teloxide lost a message's
/// content. `None` when it is not an update at all (no `update_id`).
pub fn read_update(raw: Value) -> Option<Update> {
    let update = Update::deserialize(&raw).ok()?;
    if !lost_content(&update) {
        return Some(update);
    }
    let repaired = repair(&raw).and_then(|fixed| Update::deserialize(&fixed).ok());
    match repaired {
        Some(fixed) if !lost_content(&fixed) => {
            tracing::warn!(
                update = update.id.0,
                "teloxide could not read this update's message; its text was read from the raw update"
            );
            Some(fixed)
        }
        _ => {
            if has_content(&raw) {
                tracing::warn!(
                    update = update.id.0,
                    "an update teloxide cannot read was skipped"
                );
            }
            Some(update)
        }
    }
}

/// Whether teloxide read a message of this update as empty or could not read the update.
fn lost_content(update: &Update) -> bool {
    match &update.kind {
        UpdateKind::Message(m) | UpdateKind::EditedMessage(m) => {
            matches!(m.kind, MessageKind::Empty {})
        }
        UpdateKind::Error(_) => true,
        _ => false,
    }
}

/// Whether the raw update has a message with something posdesk reads.
fn has_content(raw: &Value) -> bool {
    MESSAGE_KEYS.iter().any(|key| {
        raw.get(key)
            .is_some_and(|m| CONTENT.iter().any(|field| m.get(field).is_some()))
    })
}

/// The update with its message reduced to [`KEPT`]; `None` when it has no message.
fn repair(raw: &Value) -> Option<Value> {
    let mut fixed = raw.as_object()?.clone();
    let key = MESSAGE_KEYS.iter().find(|k| fixed.contains_key(**k))?;
    let message = fixed.get(*key)?.as_object()?;
    let mut kept = only(message, KEPT);
    if let Some(reply) = message.get("reply_to_message").and_then(Value::as_object) {
        kept.insert(
            "reply_to_message".into(),
            Value::Object(only(reply, KEPT_IN_REPLY)),
        );
    }
    fixed.insert((*key).to_string(), Value::Object(kept));
    Some(Value::Object(fixed))
}

fn only(object: &Map<String, Value>, fields: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(k, _)| fields.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(extra: Value) -> Value {
        let mut m = json!({
            "message_id": 7,
            "date": 1_760_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "M"},
            "from": {"id": 42, "is_bot": false, "first_name": "M", "language_code": "zh-hans"},
        });
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        json!({"update_id": 5, "message": m})
    }

    fn text_of(update: &Update) -> Option<String> {
        match &update.kind {
            UpdateKind::Message(m) => m.text().or(m.caption()).map(str::to_string),
            _ => None,
        }
    }

    #[test]
    fn a_date_time_entity_does_not_lose_the_text() {
        let raw = message(json!({
            "text": "明天 10:00 可以吗",
            "entities": [{"type": "date_time", "offset": 0, "length": 8,
                          "unix_time": 1_760_086_400, "date_time_format": "r"}],
        }));
        // What teloxide alone makes of it.
        let typed = Update::deserialize(&raw).unwrap();
        assert!(lost_content(&typed), "teloxide still lags here: {typed:?}");
        let read = read_update(raw).unwrap();
        assert_eq!(text_of(&read).as_deref(), Some("明天 10:00 可以吗"));
    }

    #[test]
    fn a_quote_of_another_chat_does_not_lose_the_text() {
        for external in [
            json!({"origin": {"type": "user", "date": 1, "sender_user":
                {"id": 9, "is_bot": false, "first_name": "X"}},
                "chat": {"id": -100, "type": "supergroup", "title": "T"}}),
            json!({"origin": {"type": "text", "date": 1}}),
        ] {
            let raw = message(json!({"text": "3200 元", "external_reply": external}));
            let read = read_update(raw).unwrap();
            assert_eq!(text_of(&read).as_deref(), Some("3200 元"));
        }
        // A caption with a new entity keeps its photo and caption.
        let raw = message(json!({
            "photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}],
            "caption": "营业执照",
            "caption_entities": [{"type": "date_time", "offset": 0, "length": 2, "unix_time": 1}],
        }));
        let read = read_update(raw).unwrap();
        assert_eq!(text_of(&read).as_deref(), Some("营业执照"));
    }

    #[test]
    fn updates_teloxide_reads_are_left_as_they_are() {
        let raw = message(json!({"text": "/start"}));
        let read = read_update(raw.clone()).unwrap();
        assert_eq!(read, Update::deserialize(&raw).unwrap());
        assert!(read_update(json!({"no": "update"})).is_none());
        // A service message posdesk does not read stays empty, and nothing is logged.
        let raw = message(json!({"new_chat_title": "x"}));
        assert!(!lost_content(&read_update(raw).unwrap()));
    }
}
