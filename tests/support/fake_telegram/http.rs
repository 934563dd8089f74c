//! The HTTP side: every request is recorded, checked against the token and the method
//! table, and answered (or failed on demand); getUpdates long-polls.

use super::body::{lower_first, parse_body, percent_decode};
use super::checks::Reject;
use super::methods::METHODS;
use super::{Call, FakeTelegram, Observed, World, TOKEN};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub(super) async fn serve_request(
    State(fake): State<FakeTelegram>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = parse_body(&headers, &body);
    if let Some(observer) = fake.observer() {
        let method = uri.path().rsplit('/').next().map(lower_first);
        observer(Observed::Request {
            method: method.as_deref().unwrap_or_default(),
            body: &body,
            at: Instant::now(),
        });
    }
    match dispatch(&fake, uri.path(), body, Instant::now()) {
        Dispatch::Done(response) => response,
        Dispatch::LongPoll(body) => {
            let updates = get_updates(&fake, &body).await;
            reply(200, json!({ "ok": true, "result": updates }))
        }
    }
}

enum Dispatch {
    Done(Response),
    /// An accepted getUpdates call (already recorded), to be answered by `get_updates`.
    LongPoll(Value),
}

/// Records the call and answers it, except getUpdates which may wait.
fn dispatch(fake: &FakeTelegram, path: &str, body: Value, at: Instant) -> Dispatch {
    let mut w = fake.world();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(pos) = segments.iter().position(|s| s.starts_with("bot")) else {
        let reject = (404, "Not Found".into());
        return Dispatch::Done(answer_err(&mut w, path.to_owned(), body, at, reject));
    };
    let token = percent_decode(&segments[pos][3..]);
    let raw_method = segments.get(pos + 1).copied().unwrap_or_default();
    let known = METHODS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(raw_method));
    let method = match known {
        Some((name, _)) => (*name).to_owned(),
        None => lower_first(raw_method),
    };
    if token != TOKEN {
        let reject = (401, "Unauthorized".into());
        return Dispatch::Done(answer_err(&mut w, method, body, at, reject));
    }
    let Some((_, handler)) = known else {
        let reject = (404, "Not Found: method not found".into());
        return Dispatch::Done(answer_err(&mut w, method, body, at, reject));
    };
    let queued = w
        .failures
        .get_mut(&method.to_ascii_lowercase())
        .and_then(VecDeque::pop_front);
    if let Some(failure) = queued {
        w.record(Call {
            method,
            body,
            at,
            ok: false,
        });
        let (status, json) = failure.answer();
        return Dispatch::Done(reply(status, json));
    }
    if method == "getUpdates" {
        if w.webhook.is_some() {
            let reject = (
                409,
                "Conflict: can't use getUpdates method while webhook is active; \
                 use deleteWebhook to delete the webhook first"
                    .into(),
            );
            return Dispatch::Done(answer_err(&mut w, method, body, at, reject));
        }
        w.record(Call {
            method,
            body: body.clone(),
            at,
            ok: true,
        });
        return Dispatch::LongPoll(body);
    }
    Dispatch::Done(match handler(&mut w, &body) {
        Ok(result) => {
            w.record(Call {
                method,
                body,
                at,
                ok: true,
            });
            reply(200, json!({ "ok": true, "result": result }))
        }
        Err(reject) => answer_err(&mut w, method, body, at, reject),
    })
}

fn answer_err(w: &mut World, method: String, body: Value, at: Instant, reject: Reject) -> Response {
    w.record(Call {
        method,
        body,
        at,
        ok: false,
    });
    let (status, json) = error_body(reject.0, &reject.1);
    reply(status, json)
}

pub(super) fn error_body(code: u16, description: &str) -> (u16, Value) {
    (
        code,
        json!({ "ok": false, "error_code": code, "description": description }),
    )
}

fn reply(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// getUpdates: confirm (drop) everything below `offset`, then return what is there, waiting up
/// to `timeout` seconds for a push when nothing is.
async fn get_updates(fake: &FakeTelegram, body: &Value) -> Vec<Value> {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = body
        .get("limit")
        .and_then(Value::as_i64)
        .unwrap_or(100)
        .clamp(1, 100) as usize;
    let timeout = body.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    {
        let mut w = fake.world();
        if let Some(list) = body.get("allowed_updates").and_then(Value::as_array) {
            let list: Vec<String> = list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            w.allowed_updates = if list.is_empty() { None } else { Some(list) };
        }
        if offset > 0 {
            w.updates.retain(|(id, _)| *id >= offset);
            w.confirmed_offset = w.confirmed_offset.max(offset);
        } else if offset < 0 {
            // Telegram: a negative offset keeps only the last -offset updates.
            w.updates.sort_by_key(|(id, _)| *id);
            let keep = offset.unsigned_abs() as usize;
            let excess = w.updates.len().saturating_sub(keep);
            w.updates.drain(..excess);
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = fake.inner.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let batch = fake.world().deliverable(offset, limit);
        if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
            return delivered(fake, batch);
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            let batch = fake.world().deliverable(offset, limit);
            return delivered(fake, batch);
        }
    }
}

/// Tells the observer which updates a getUpdates answer carries.
fn delivered(fake: &FakeTelegram, batch: Vec<Value>) -> Vec<Value> {
    if let Some(observer) = fake.observer().filter(|_| !batch.is_empty()) {
        let ids: Vec<i64> = batch
            .iter()
            .filter_map(|u| u.get("update_id").and_then(Value::as_i64))
            .collect();
        observer(Observed::Delivered {
            ids: &ids,
            at: Instant::now(),
        });
    }
    batch
}

impl World {
    fn deliverable(&mut self, offset: i64, limit: usize) -> Vec<Value> {
        let allowed = self.allowed_updates.clone();
        self.updates.retain(|(_, u)| {
            let kind = update_kind(u);
            match &allowed {
                Some(list) => list.iter().any(|a| a == kind),
                None => !matches!(
                    kind,
                    "chat_member" | "message_reaction" | "message_reaction_count"
                ),
            }
        });
        self.updates.sort_by_key(|(id, _)| *id);
        let batch: Vec<(i64, Value)> = self
            .updates
            .iter()
            .filter(|(id, _)| *id >= offset)
            .take(limit)
            .cloned()
            .collect();
        for (id, _) in &batch {
            *self.deliveries.entry(*id).or_default() += 1;
        }
        batch.into_iter().map(|(_, u)| u).collect()
    }
}

fn update_kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id"))
        .map(String::as_str)
        .unwrap_or_default()
}
