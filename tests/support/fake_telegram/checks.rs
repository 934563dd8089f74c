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

/// The visible text of `field` (entities parsed when parse_mode is HTML: malformed or
/// unsupported markup is refused as Telegram refuses it), non-empty and within `max` UTF-16
/// units after entity parsing.
pub(super) fn checked_text(b: &Value, field: &str, max: usize) -> Result<String, Reject> {
    let text = parsed(b, field)?.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > max {
        return Err(bad_request("message is too long"));
    }
    Ok(text)
}

/// `field` after entity parsing (HTML when `parse_mode` says so), if it is there.
fn parsed(b: &Value, field: &str) -> Result<Option<String>, Reject> {
    let Some(raw) = b.get(field).and_then(Value::as_str) else {
        return Ok(None);
    };
    let html = b
        .get("parse_mode")
        .and_then(Value::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("html"));
    if !html {
        return Ok(Some(raw.to_owned()));
    }
    parse_html(raw)
        .map(Some)
        .map_err(|e| bad_request(&format!("can't parse entities: {e}")))
}

/// A caption within 1,024 characters after entity parsing (none is fine).
pub(super) fn check_caption(b: &Value) -> Result<(), Reject> {
    match parsed(b, "caption")? {
        Some(c) if c.encode_utf16().count() > 1024 => {
            Err(bad_request("message caption is too long"))
        }
        _ => Ok(()),
    }
}

/// The tags Telegram's HTML parse mode supports.
const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
    "tg-time",
];

/// The text of Telegram HTML, or why Telegram refuses it (its own wording): a tag it does not
/// support, a `<` that starts no tag, an end tag that does not match, a tag left open, an
/// entity other than `&lt; &gt; &amp; &quot;` and numeric ones.
pub(super) fn parse_html(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or_default();
        match c {
            '<' => {
                let Some(end) = rest.find('>') else {
                    return Err(format!("Unsupported start tag \"\" at byte offset {i}"));
                };
                let inner = &rest[1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(top) if top == name => {}
                        Some(top) => {
                            return Err(format!(
                                "Unmatched end tag at byte offset {i}, expected \"</{top}>\", found \"</{name}>\""
                            ))
                        }
                        None => {
                            return Err(format!(
                                "Unexpected end tag at byte offset {i}"
                            ))
                        }
                    }
                } else {
                    let name = inner
                        .split(|ch: char| ch.is_whitespace())
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if !TAGS.contains(&name.as_str()) {
                        return Err(format!(
                            "Unsupported start tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    open.push(name);
                }
                i += end + 1;
            }
            '&' => {
                let end = rest.find(';').filter(|&j| j <= 10);
                let entity = end.map(|j| &rest[1..j]).unwrap_or_default();
                let decoded = match entity {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    e if e.starts_with("#x") || e.starts_with("#X") => {
                        u32::from_str_radix(&e[2..], 16)
                            .ok()
                            .and_then(char::from_u32)
                    }
                    e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                match (decoded, end) {
                    (Some(ch), Some(j)) => {
                        out.push(ch);
                        i += j + 1;
                    }
                    (None, Some(_)) if entity.chars().all(|ch| ch.is_ascii_alphanumeric()) => {
                        return Err(format!(
                            "Unsupported HTML entity \"&{entity};\" at byte offset {i}"
                        ));
                    }
                    // A bare `&` is taken as text.
                    _ => {
                        out.push('&');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    match open.pop() {
        Some(tag) => Err(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        )),
        None => Ok(out),
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
