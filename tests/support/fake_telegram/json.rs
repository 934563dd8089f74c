//! Telegram objects as JSON: users, chats, messages, photos and documents, with ids from
//! counters shared by the whole test binary.

use super::{FakeTelegram, BOT_FIRST_NAME, BOT_USERNAME, NEXT_MESSAGE_ID, NEXT_SERIAL};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1_700_000_000, |d| d.as_secs() as i64)
}

pub(super) fn next_message_id() -> i64 {
    NEXT_MESSAGE_ID.fetch_add(1, Ordering::Relaxed)
}

pub(super) fn serial() -> i64 {
    NEXT_SERIAL.fetch_add(1, Ordering::Relaxed)
}

pub(super) fn me_json() -> Value {
    let mut me = bot_user_json();
    let o = me.as_object_mut().expect("object");
    o.insert("can_join_groups".into(), json!(true));
    o.insert("can_read_all_group_messages".into(), json!(false));
    o.insert("supports_inline_queries".into(), json!(false));
    o.insert("can_connect_to_business".into(), json!(false));
    o.insert("has_main_web_app".into(), json!(false));
    me
}

pub(super) fn bot_user_json() -> Value {
    json!({
        "id": FakeTelegram::BOT_ID,
        "is_bot": true,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    })
}

pub(super) fn user_json(id: i64, lang: &str) -> Value {
    let mut user = json!({
        "id": id,
        "is_bot": false,
        "first_name": "Merchant",
        "last_name": id.to_string(),
        "username": format!("merchant{id}"),
    });
    if !lang.is_empty() {
        user["language_code"] = json!(lang);
    }
    user
}

/// Positive ids are private chats with that user; negative ones supergroups.
pub(super) fn chat_json(chat_id: i64) -> Value {
    if chat_id >= 0 {
        json!({
            "id": chat_id,
            "type": "private",
            "first_name": "Merchant",
            "last_name": chat_id.to_string(),
            "username": format!("merchant{chat_id}"),
        })
    } else {
        json!({ "id": chat_id, "type": "supergroup", "title": format!("Test group {chat_id}") })
    }
}

pub(super) fn message_head(
    message_id: i64,
    chat: Value,
    from: Value,
    date: i64,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("message_id".into(), json!(message_id));
    m.insert("from".into(), from);
    m.insert("chat".into(), chat);
    m.insert("date".into(), json!(date));
    m
}

/// A fresh message from user `user_id` in chat `chat_id`.
pub(super) fn user_message(chat_id: i64, user_id: i64, lang: &str) -> Map<String, Value> {
    message_head(
        next_message_id(),
        chat_json(chat_id),
        user_json(user_id, lang),
        now_unix(),
    )
}

pub(super) fn bot_message(chat_id: i64, message_id: i64) -> Map<String, Value> {
    message_head(message_id, chat_json(chat_id), bot_user_json(), now_unix())
}

pub(super) fn put_text(m: &mut Map<String, Value>, text: &str) {
    m.insert("text".into(), json!(text));
    if text.starts_with('/') {
        let command = text.split(char::is_whitespace).next().unwrap_or(text);
        m.insert(
            "entities".into(),
            json!([{ "type": "bot_command", "offset": 0, "length": command.encode_utf16().count() }]),
        );
    }
}

pub(super) fn photo_sizes(file_id: &str) -> Value {
    let unique = unique_id(file_id);
    json!([
        { "file_id": format!("{file_id}-s"), "file_unique_id": format!("{unique}s"),
          "file_size": 1_234, "width": 90, "height": 67 },
        { "file_id": format!("{file_id}-m"), "file_unique_id": format!("{unique}m"),
          "file_size": 15_678, "width": 320, "height": 240 },
        { "file_id": file_id, "file_unique_id": format!("{unique}x"),
          "file_size": 98_765, "width": 1280, "height": 960 },
    ])
}

pub(super) fn document_json(file_id: &str, file_name: &str, mime: &str, size: u64) -> Value {
    json!({
        "file_id": file_id,
        "file_unique_id": unique_id(file_id),
        "file_size": size,
        "file_name": file_name,
        "mime_type": mime,
    })
}

/// A stable short "unique id" derived from a file id.
pub(super) fn unique_id(file_id: &str) -> String {
    let hash = file_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("AQAD{:012x}", hash & 0xffff_ffff_ffff)
}

pub(super) fn mime_for(file_name: &str) -> &'static str {
    let ext = file_name.rsplit('.').next().unwrap_or_default();
    match ext.to_ascii_lowercase().as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

pub(super) fn file_name_for(mime: &str) -> String {
    let ext = match mime {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "application/json" => "json",
        "application/zip" => "zip",
        "video/mp4" => "mp4",
        _ => mime
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("bin"),
    };
    format!("document.{ext}")
}
