//! Request bodies as the fake records them: JSON, or `multipart/form-data` as an object of
//! its fields; and the small text helpers of URL paths.

use axum::http::{header::CONTENT_TYPE, HeaderMap};
use serde_json::{json, Map, Value};

pub(super) fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return parse_multipart(content_type, body).unwrap_or(Value::Null);
    }
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// The fields of a multipart/form-data body: text fields as strings (JSON objects/arrays
/// parsed), file parts as `{"file_name":…,"size":…}`.
fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Value> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut fields = Map::new();
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, delimiter.as_bytes())?;
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let head_end = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..head_end]);
        let content = &part[head_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let Some(name) = disposition_param(disposition, "name") else {
            continue;
        };
        let value = match disposition_param(disposition, "filename") {
            Some(file_name) => json!({ "file_name": file_name, "size": content.len() }),
            None => {
                let text = String::from_utf8_lossy(content).into_owned();
                let looks_json = text.starts_with('{') || text.starts_with('[');
                match serde_json::from_str::<Value>(&text) {
                    Ok(parsed) if looks_json => parsed,
                    _ => Value::String(text),
                }
            }
        };
        fields.insert(name, value);
    }
    Some(Value::Object(fields))
}

fn disposition_param(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
