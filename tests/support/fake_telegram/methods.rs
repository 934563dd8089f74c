//! The Bot API methods the fake answers, one handler each, on the fake's [`World`].

use super::checks::{
    as_i64_lenient, bad_request, check_caption, check_markup, checked_text, require_chat, Reject,
};
use super::json::{
    bot_message, document_json, me_json, mime_for, next_message_id, now_unix, photo_sizes, serial,
};
use super::World;
use serde_json::{json, Map, Value};

pub(super) type Handler = fn(&mut World, &Value) -> Result<Value, Reject>;

/// The methods the fake answers: Telegram's name and how. Add a method with one line.
pub(super) const METHODS: &[(&str, Handler)] = &[
    ("getMe", |_, _| Ok(me_json())),
    ("getUpdates", |_, _| Ok(json!([]))), // answered by `get_updates` (long polling)
    ("sendMessage", send_message),
    ("editMessageText", edit_message_text),
    ("editMessageReplyMarkup", edit_message_reply_markup),
    ("deleteMessage", delete_message),
    ("deleteMessages", |_, _| Ok(json!(true))),
    ("answerCallbackQuery", |_, _| Ok(json!(true))),
    ("sendChatAction", |_, _| Ok(json!(true))),
    ("setMyCommands", set_my_commands),
    ("getMyCommands", get_my_commands),
    ("deleteMyCommands", delete_my_commands),
    ("deleteWebhook", delete_webhook),
    ("setWebhook", set_webhook),
    ("getWebhookInfo", get_webhook_info),
    ("sendPhoto", send_photo),
    ("sendDocument", send_document),
    ("sendMediaGroup", send_media_group),
    ("copyMessage", copy_message),
];

fn send_message(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let chat_id = require_chat(b)?;
    let text = checked_text(b, "text", 4096)?;
    check_markup(b)?;
    let mut m = bot_message(chat_id, next_message_id());
    m.insert("text".into(), json!(text));
    echo_markup(&mut m, b);
    Ok(w.remember(chat_id, m))
}

fn edit_message_text(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let text = checked_text(b, "text", 4096)?;
    check_markup(b)?;
    edit_message(w, b, |m| {
        m.remove("caption");
        m.insert("text".into(), json!(text));
    })
}

fn edit_message_reply_markup(w: &mut World, b: &Value) -> Result<Value, Reject> {
    check_markup(b)?;
    edit_message(w, b, |m| {
        if !m.contains_key("text") && !m.contains_key("caption") {
            m.insert("text".into(), json!("Please choose:"));
        }
    })
}

/// Shared by the edit methods: inline messages answer `true`; others answer the edited message.
/// Editing replaces the inline keyboard (none given = removed), as in Telegram.
fn edit_message(
    w: &mut World,
    b: &Value,
    change: impl FnOnce(&mut Map<String, Value>),
) -> Result<Value, Reject> {
    if b.get("inline_message_id").is_some_and(|v| !v.is_null()) {
        return Ok(json!(true));
    }
    let chat_id = require_chat(b)?;
    let message_id = b
        .get("message_id")
        .and_then(as_i64_lenient)
        .ok_or_else(|| bad_request("message to edit not found"))?;
    let before = w.messages.get(&(chat_id, message_id)).cloned();
    let mut m = match &before {
        Some(Value::Object(m)) => m.clone(),
        _ => bot_message(chat_id, message_id),
    };
    change(&mut m);
    m.remove("reply_markup");
    echo_markup(&mut m, b);
    if let Some(before) = &before {
        if before.get("text") == m.get("text")
            && before.get("caption") == m.get("caption")
            && before.get("reply_markup") == m.get("reply_markup")
        {
            return Err(bad_request(
                "message is not modified: specified new message content and reply markup are \
                 exactly the same as a current content and reply markup of the message",
            ));
        }
    }
    m.insert("edit_date".into(), json!(now_unix()));
    Ok(w.remember(chat_id, m))
}

fn delete_message(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let chat_id = require_chat(b)?;
    if let Some(id) = b.get("message_id").and_then(as_i64_lenient) {
        w.messages.remove(&(chat_id, id));
    }
    Ok(json!(true))
}

fn commands_key(b: &Value) -> (String, String) {
    let scope = b
        .get("scope")
        .filter(|s| !s.is_null())
        .cloned()
        .unwrap_or_else(|| json!({"type": "default"}));
    let lang = b
        .get("language_code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (scope.to_string(), lang.to_owned())
}

fn set_my_commands(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let commands = b
        .get("commands")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("parameter \"commands\" is required"))?;
    if commands.len() > 100 {
        return Err(bad_request("BOT_COMMANDS_TOO_MUCH"));
    }
    for c in commands {
        let command = c["command"].as_str().unwrap_or_default();
        let valid = (1..=32).contains(&command.len())
            && command
                .bytes()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == b'_');
        if !valid {
            return Err(bad_request("BOT_COMMAND_INVALID"));
        }
        let description = c["description"].as_str().unwrap_or_default();
        if !(1..=256).contains(&description.chars().count()) {
            return Err(bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
    }
    w.commands.insert(commands_key(b), json!(commands));
    Ok(json!(true))
}

fn get_my_commands(w: &mut World, b: &Value) -> Result<Value, Reject> {
    Ok(w.commands
        .get(&commands_key(b))
        .cloned()
        .unwrap_or_else(|| json!([])))
}

fn delete_my_commands(w: &mut World, b: &Value) -> Result<Value, Reject> {
    w.commands.remove(&commands_key(b));
    Ok(json!(true))
}

fn set_webhook(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let url = b.get("url").and_then(Value::as_str).unwrap_or_default();
    if url.is_empty() {
        w.webhook = None;
    } else {
        if !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(bad_request(
                "bad webhook: An HTTPS URL must be provided for webhook",
            ));
        }
        w.webhook = Some(b.clone());
    }
    if b.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        w.updates.clear();
    }
    Ok(json!(true))
}

fn delete_webhook(w: &mut World, b: &Value) -> Result<Value, Reject> {
    w.webhook = None;
    if b.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        w.updates.clear();
    }
    Ok(json!(true))
}

fn get_webhook_info(w: &mut World, _: &Value) -> Result<Value, Reject> {
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": w.updates.len(),
    });
    if let Some(hook) = &w.webhook {
        info["url"] = hook["url"].clone();
        info["max_connections"] = hook
            .get("max_connections")
            .and_then(as_i64_lenient)
            .map_or(json!(40), |n| json!(n));
        info["ip_address"] = json!("127.0.0.1");
        if let Some(list) = hook.get("allowed_updates").filter(|v| v.is_array()) {
            info["allowed_updates"] = list.clone();
        }
    }
    Ok(info)
}

fn send_photo(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let chat_id = require_chat(b)?;
    check_caption(b)?;
    check_markup(b)?;
    let (file_id, _) = input_file(b, b.get("photo"), "AgACAgIAAxkDAAI-photo")?;
    let mut m = bot_message(chat_id, next_message_id());
    m.insert("photo".into(), photo_sizes(&file_id));
    copy_caption(&mut m, b);
    echo_markup(&mut m, b);
    Ok(w.remember(chat_id, m))
}

fn send_document(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let chat_id = require_chat(b)?;
    check_caption(b)?;
    check_markup(b)?;
    let (file_id, upload) = input_file(b, b.get("document"), "BQACAgIAAxkDAAI-doc")?;
    let (name, size) = upload_meta(upload.as_ref(), "document.pdf");
    let mut m = bot_message(chat_id, next_message_id());
    m.insert(
        "document".into(),
        document_json(&file_id, &name, mime_for(&name), size),
    );
    copy_caption(&mut m, b);
    echo_markup(&mut m, b);
    Ok(w.remember(chat_id, m))
}

fn send_media_group(w: &mut World, b: &Value) -> Result<Value, Reject> {
    let chat_id = require_chat(b)?;
    let media = b
        .get("media")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("parameter \"media\" is required"))?;
    if !(2..=10).contains(&media.len()) {
        return Err(bad_request("wrong number of media"));
    }
    let group = format!("{}", 13_000_000_000_000_000i64 + serial());
    let mut sent = Vec::new();
    for item in media {
        let caption = item.get("caption").and_then(Value::as_str);
        if caption.is_some_and(|c| c.encode_utf16().count() > 1024) {
            return Err(bad_request("message caption is too long"));
        }
        let kind = item["type"].as_str().unwrap_or_default();
        let mut m = bot_message(chat_id, next_message_id());
        if kind == "photo" {
            let (file_id, _) = input_file(b, item.get("media"), "AgACAgIAAxkDAAI-photo")?;
            m.insert("photo".into(), photo_sizes(&file_id));
        } else {
            // Videos, audios and animations come back as documents: enough for teloxide.
            let (file_id, upload) = input_file(b, item.get("media"), "BQACAgIAAxkDAAI-doc")?;
            let (name, size) = upload_meta(upload.as_ref(), "document.pdf");
            m.insert(
                "document".into(),
                document_json(&file_id, &name, mime_for(&name), size),
            );
        }
        m.insert("media_group_id".into(), json!(group));
        if let Some(caption) = caption {
            m.insert("caption".into(), json!(caption));
        }
        sent.push(w.remember(chat_id, m));
    }
    Ok(json!(sent))
}

fn copy_message(_: &mut World, b: &Value) -> Result<Value, Reject> {
    require_chat(b)?;
    if b.get("from_chat_id").is_none() || b.get("message_id").is_none() {
        return Err(bad_request("message to copy not found"));
    }
    Ok(json!({ "message_id": next_message_id() }))
}

fn copy_caption(m: &mut Map<String, Value>, b: &Value) {
    if let Some(caption) = b.get("caption").and_then(Value::as_str) {
        m.insert("caption".into(), json!(caption));
    }
}

/// Messages carry only inline keyboards; reply keyboards are not echoed (teloxide's
/// `Message::reply_markup` is an `InlineKeyboardMarkup` and would fail to parse anything else).
fn echo_markup(m: &mut Map<String, Value>, b: &Value) {
    if let Some(markup) = b
        .get("reply_markup")
        .filter(|m| m.get("inline_keyboard").is_some())
    {
        m.insert("reply_markup".into(), markup.clone());
    }
}

/// Resolves an InputFile field: a file id/URL string, or `attach://name` pointing at an uploaded
/// part. Returns the file id the sent message will carry and the upload's metadata if any.
fn input_file(
    b: &Value,
    field: Option<&Value>,
    id_prefix: &str,
) -> Result<(String, Option<Value>), Reject> {
    let value = field
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad_request("there is no file in the request"))?;
    if let Some(name) = value.strip_prefix("attach://") {
        let upload = b.get(name).cloned();
        if upload.is_none() {
            return Err(bad_request("wrong file identifier/HTTP URL specified"));
        }
        return Ok((format!("{id_prefix}-{}", serial()), upload));
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        return Ok((format!("{id_prefix}-{}", serial()), None));
    }
    Ok((value.to_owned(), None))
}

fn upload_meta(upload: Option<&Value>, default_name: &str) -> (String, u64) {
    let name = upload
        .and_then(|u| u.get("file_name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or(default_name)
        .to_owned();
    let size = upload
        .and_then(|u| u.get("size"))
        .and_then(Value::as_u64)
        .unwrap_or(12_345);
    (name, size)
}
