//! What the fake refuses, as Telegram does: each check answers a Bad Request with
//! Telegram's own description. Handlers (`methods.rs`) call them before changing anything.

use serde_json::Value;

/// A bad-request style answer from a method handler: (HTTP status = error_code, description).
pub(super) type Reject = (u16, String);

pub(super) fn bad_request(what: &str) -> Reject {
    (400, format!("Bad Request: {what}"))
}

pub(super) fn require_chat(b: &Value) -> Result<i64, Reject> {
    chat_id_of(b).ok_or_else(|| bad_request("chat not found"))
}

/// `chat_id` as a number (JSON) or a numeric string (multipart).
pub(super) fn chat_id_of(b: &Value) -> Option<i64> {
    b.get("chat_id").and_then(as_i64_lenient)
}

pub(super) fn as_i64_lenient(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// The visible text of `field` (HTML tags stripped when parse_mode is HTML), non-empty and
/// within `max` UTF-16 units.
pub(super) fn checked_text(b: &Value, field: &str, max: usize) -> Result<String, Reject> {
    let raw = b.get(field).and_then(Value::as_str).unwrap_or_default();
    let html = b
        .get("parse_mode")
        .and_then(Value::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("html"));
    let text = if html {
        strip_html(raw)
    } else {
        raw.to_owned()
    };
    if text.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > max {
        return Err(bad_request("message is too long"));
    }
    Ok(text)
}

pub(super) fn check_caption(b: &Value) -> Result<(), Reject> {
    match b.get("caption").and_then(Value::as_str) {
        Some(c) if c.encode_utf16().count() > 1024 => {
            Err(bad_request("message caption is too long"))
        }
        _ => Ok(()),
    }
}

/// Telegram rejects callback_data over 64 bytes (or empty).
pub(super) fn check_markup(b: &Value) -> Result<(), Reject> {
    let Some(rows) = b
        .get("reply_markup")
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        if let Some(data) = button.get("callback_data").and_then(Value::as_str) {
            if data.is_empty() || data.len() > 64 {
                return Err(bad_request("BUTTON_DATA_INVALID"));
            }
        }
        if !matches!(button.get("text").and_then(Value::as_str), Some(t) if !t.is_empty()) {
            return Err(bad_request(
                "text buttons are unallowed in the inline keyboard",
            ));
        }
    }
    Ok(())
}

fn strip_html(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |j| &rest[j + 1..]);
        } else {
            let entity_end = rest.find(';').filter(|&j| j <= 8);
            match entity_end {
                Some(j) => {
                    out.push(match &rest[..=j] {
                        "&lt;" => '<',
                        "&gt;" => '>',
                        "&amp;" => '&',
                        "&quot;" => '"',
                        _ => '?',
                    });
                    rest = &rest[j + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}
