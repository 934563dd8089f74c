//! A fake Telegram Bot API server for end-to-end tests.
//!
//! It speaks enough of the real Bot API (JSON in, `{"ok":…}` out) for teloxide 0.17 /
//! teloxide-core 0.13 to parse every answer: point a bot at [`FakeTelegram::api_url`]
//! (`Bot::set_api_url` or the `TELOXIDE_API_URL` env var) with [`FakeTelegram::token`].
//!
//! Notes on fidelity:
//! * Every HTTP status equals the `error_code` of the body, as in Telegram. teloxide sleeps
//!   10 s before parsing any 5xx answer, so each [`Failure::ServerError`] costs the client 10 s.
//! * `getUpdates` honours `allowed_updates` like Telegram (remembered across calls; when never
//!   given, `chat_member`, `message_reaction` and `message_reaction_count` are not delivered).
//!   Updates of a kind that is not allowed are dropped when a `getUpdates` call sees them.
//! * `getUpdates` answers 409 while a webhook is set (`setWebhook` without `deleteWebhook`).
//! * Some Bad Request checks that bots trip over are enforced: empty/too long text (4096) or
//!   caption (1024), `callback_data` longer than 64 bytes, invalid bot commands, and editing a
//!   message the fake knows to identical content ("message is not modified").
//! * `multipart/form-data` bodies (teloxide uses them for sendPhoto/sendDocument/sendMediaGroup)
//!   are recorded as an object of their fields: text fields as strings (JSON objects/arrays such
//!   as `reply_markup` or `media` parsed), file parts as `{"file_name":…,"size":…}`.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

const TOKEN: &str = "123456:TEST-token";
const BOT_USERNAME: &str = "posdesk_test_bot";
const BOT_FIRST_NAME: &str = "PosDesk Test";

/// Message ids: one counter for the whole test binary, shared by update builders and sent messages.
static NEXT_MESSAGE_ID: AtomicI64 = AtomicI64::new(1);
/// Counter for other generated ids (callback query ids, file ids, media groups).
static NEXT_SERIAL: AtomicI64 = AtomicI64::new(1);

/// An error answer the fake gives instead of the normal one (see [`FakeTelegram::fail_next`]).
#[derive(Clone, Debug)]
pub enum Failure {
    /// 429 `Too Many Requests: retry after N` with `parameters.retry_after = N`.
    RetryAfter(u32),
    /// 500 `Internal Server Error`.
    ServerError,
    /// 403 `Forbidden: bot was blocked by the user`.
    Forbidden,
}

impl Failure {
    fn answer(&self) -> (u16, Value) {
        match self {
            Failure::RetryAfter(secs) => (
                429,
                json!({
                    "ok": false,
                    "error_code": 429,
                    "description": format!("Too Many Requests: retry after {secs}"),
                    "parameters": {"retry_after": secs},
                }),
            ),
            Failure::ServerError => error_body(500, "Internal Server Error"),
            Failure::Forbidden => error_body(403, "Forbidden: bot was blocked by the user"),
        }
    }
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    /// Telegram's lowerCamel name, e.g. `sendMessage` (teloxide sends `SendMessage`).
    pub method: String,
    /// The JSON body (`null` if it was not JSON or multipart).
    pub body: Value,
    pub at: Instant,
    /// Whether the request was answered with `"ok": true`.
    pub ok: bool,
}

/// A bad-request style answer from a method handler: (HTTP status = error_code, description).
type Reject = (u16, String);
type Handler = fn(&mut World, &Value) -> Result<Value, Reject>;

/// The methods the fake answers: Telegram's name and how. Add a method with one line.
const METHODS: &[(&str, Handler)] = &[
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

/// Everything the fake remembers.
struct World {
    started: Instant,
    /// Stored, unconfirmed updates: (update_id, update).
    updates: Vec<(i64, Value)>,
    next_update_id: i64,
    confirmed_offset: i64,
    /// Last non-empty `allowed_updates` a getUpdates call sent.
    allowed_updates: Option<Vec<String>>,
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    /// The `setWebhook` body while a webhook is set.
    webhook: Option<Value>,
    /// Messages the bot sent, by (chat_id, message_id), as last returned.
    messages: HashMap<(i64, i64), Value>,
    /// Commands by (scope JSON, language_code).
    commands: HashMap<(String, String), Value>,
    /// Whether calls and sent messages are kept (a load driver turns this off: it watches
    /// through the observer instead, and memory stays flat over a long run).
    recording: bool,
    /// How many times getUpdates handed out each update id.
    deliveries: HashMap<i64, usize>,
}

/// What an observer (see [`FakeTelegram::observe`]) is told, as it happens.
pub enum Observed<'a> {
    /// A request arrived (before it is answered): Telegram's method name and its body.
    Request {
        method: &'a str,
        body: &'a Value,
        at: Instant,
    },
    /// A getUpdates answer is about to carry these update ids.
    Delivered { ids: &'a [i64], at: Instant },
}

type Observer = Arc<dyn Fn(Observed<'_>) + Send + Sync>;

struct Inner {
    world: Mutex<World>,
    notify: Notify,
    addr: SocketAddr,
    observer: Mutex<Option<Observer>>,
}

/// The fake server. Cheap to clone; all clones share the same state.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
}

impl FakeTelegram {
    /// The bot user's id (`from.id` of every message the bot sends; also the token's prefix).
    pub const BOT_ID: i64 = 123456;

    /// Binds 127.0.0.1:0 and serves on a task of the current tokio runtime.
    pub async fn start() -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake telegram: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake telegram: local addr");
        let fake = FakeTelegram {
            inner: Arc::new(Inner {
                world: Mutex::new(World {
                    started: Instant::now(),
                    updates: Vec::new(),
                    next_update_id: 1,
                    confirmed_offset: 0,
                    allowed_updates: None,
                    calls: Vec::new(),
                    failures: HashMap::new(),
                    webhook: None,
                    messages: HashMap::new(),
                    commands: HashMap::new(),
                    recording: true,
                    deliveries: HashMap::new(),
                }),
                notify: Notify::new(),
                addr,
                observer: Mutex::new(None),
            }),
        };
        let app = Router::new()
            .fallback(serve_request)
            .layer(DefaultBodyLimit::max(64 << 20))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake telegram: serve");
        });
        fake
    }

    /// `http://127.0.0.1:PORT/`: what `TELOXIDE_API_URL` / `Bot::set_api_url` take.
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.inner.addr)
    }

    /// The only token the fake accepts; anything else gets 401 Unauthorized.
    pub fn token(&self) -> &'static str {
        TOKEN
    }

    /// Calls `observer` for every request as it arrives and for every batch of updates a
    /// getUpdates answer delivers: what a load driver needs to time replies. The observer
    /// runs on the server's tasks without the fake's lock held, so it may push updates.
    pub fn observe(&self, observer: impl Fn(Observed<'_>) + Send + Sync + 'static) {
        *self
            .inner
            .observer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(observer));
    }

    /// Stop keeping calls and sent messages ([`FakeTelegram::calls`] stays empty); for load
    /// runs, which watch through [`FakeTelegram::observe`].
    pub fn stop_recording(&self) {
        let mut w = self.world();
        w.recording = false;
        w.calls.clear();
        w.messages.clear();
    }

    fn observer(&self) -> Option<Observer> {
        self.inner
            .observer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.inner
            .world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // --- feeding updates ---

    /// Stores an update for getUpdates. Assigns the next update_id unless `update` has one;
    /// returns the id. Wakes long polls.
    pub fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut w = self.world();
            let id = match update.get("update_id").and_then(Value::as_i64) {
                Some(id) => id,
                None => {
                    let id = w.next_update_id;
                    update
                        .as_object_mut()
                        .expect("push_update: an update must be a JSON object")
                        .insert("update_id".into(), json!(id));
                    id
                }
            };
            w.next_update_id = w.next_update_id.max(id + 1);
            w.updates.push((id, update));
            id
        };
        self.inner.notify.notify_waiters();
        id
    }

    /// Stores an update exactly as given (it must carry an `update_id`), e.g. to redeliver one.
    pub fn push_raw(&self, update: Value) {
        let id = update
            .get("update_id")
            .and_then(Value::as_i64)
            .expect("push_raw: the update needs an integer update_id");
        self.world().updates.push((id, update));
        self.inner.notify.notify_waiters();
    }

    /// Stores several updates at once (each must carry an `update_id`), so that the next
    /// getUpdates call sees all of them, e.g. an update and its redelivered copies.
    pub fn push_raw_all(&self, updates: Vec<Value>) {
        {
            let mut w = self.world();
            for update in updates {
                let id = update
                    .get("update_id")
                    .and_then(Value::as_i64)
                    .expect("push_raw_all: every update needs an integer update_id");
                w.next_update_id = w.next_update_id.max(id + 1);
                w.updates.push((id, update));
            }
        }
        self.inner.notify.notify_waiters();
    }

    /// Number the next updates from `first` on (unless already past it): a second fake
    /// against a database an earlier one filled must not reuse its update ids, which
    /// Telegram never does and the bot rightly skips as already processed.
    pub fn start_update_ids_at(&self, first: i64) {
        let mut w = self.world();
        w.next_update_id = w.next_update_id.max(first);
    }

    /// The id `push_update` would assign next, taken now without storing anything (to push
    /// the update later with [`FakeTelegram::push_raw_all`]).
    pub fn reserve_update_id(&self) -> i64 {
        let mut w = self.world();
        let id = w.next_update_id;
        w.next_update_id += 1;
        id
    }

    // --- update builders (no update_id: push_update assigns it) ---

    /// A private text message; a leading `/command` gets a `bot_command` entity.
    pub fn text(chat_id: i64, lang: &str, text: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        put_text(&mut m, text);
        json!({ "message": m })
    }

    /// A private photo message: 3 sizes, the largest (last) has `file_id`.
    pub fn photo(
        chat_id: i64,
        lang: &str,
        file_id: &str,
        media_group_id: Option<&str>,
        caption: Option<&str>,
    ) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert("photo".into(), photo_sizes(file_id));
        if let Some(group) = media_group_id {
            m.insert("media_group_id".into(), json!(group));
        }
        if let Some(caption) = caption {
            m.insert("caption".into(), json!(caption));
        }
        json!({ "message": m })
    }

    /// A private document message.
    pub fn document(chat_id: i64, lang: &str, file_id: &str, mime: &str, size: u64) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "document".into(),
            document_json(file_id, &file_name_for(mime), mime, size),
        );
        json!({ "message": m })
    }

    /// The user shares their own contact (`contact.user_id = chat_id`).
    pub fn contact(chat_id: i64, lang: &str, phone: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "contact".into(),
            json!({
                "phone_number": phone,
                "first_name": "Merchant",
                "last_name": chat_id.to_string(),
                "user_id": chat_id,
            }),
        );
        json!({ "message": m })
    }

    /// A regular static sticker.
    pub fn sticker(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        let n = serial();
        m.insert(
            "sticker".into(),
            json!({
                "file_id": format!("CAACAgIAAxkBAAI-sticker-{n}"),
                "file_unique_id": format!("AgADsticker{n}"),
                "file_size": 23_456,
                "width": 512,
                "height": 512,
                "type": "regular",
                "is_animated": false,
                "is_video": false,
                "emoji": "👍",
                "set_name": "PosDeskTestStickers",
                "thumbnail": {
                    "file_id": format!("AAMCAgADGQEAAI-thumb-{n}"),
                    "file_unique_id": format!("AQADthumb{n}"),
                    "file_size": 4_321,
                    "width": 128,
                    "height": 128,
                },
            }),
        );
        json!({ "message": m })
    }

    /// A voice note (ogg/opus, 3 s).
    pub fn voice(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        let n = serial();
        m.insert(
            "voice".into(),
            json!({
                "file_id": format!("AwACAgIAAxkBAAI-voice-{n}"),
                "file_unique_id": format!("AgADvoice{n}"),
                "file_size": 9_876,
                "duration": 3,
                "mime_type": "audio/ogg",
            }),
        );
        json!({ "message": m })
    }

    /// A one-off location.
    pub fn location(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "location".into(),
            json!({ "latitude": 31.230416, "longitude": 121.473701 }),
        );
        json!({ "message": m })
    }

    /// An `edited_message` of the user's text message `message_id`.
    pub fn edited_text(chat_id: i64, lang: &str, message_id: i32, text: &str) -> Value {
        let mut m = message_head(
            i64::from(message_id),
            chat_json(chat_id),
            user_json(chat_id, lang),
            now_unix() - 60,
        );
        m.insert("edit_date".into(), json!(now_unix()));
        put_text(&mut m, text);
        json!({ "edited_message": m })
    }

    /// A text message in a supergroup (`group_id` must be negative) from user `user_id`.
    pub fn group_text(group_id: i64, user_id: i64, lang: &str, text: &str) -> Value {
        assert!(
            group_id < 0,
            "group_text: group ids are negative, got {group_id}"
        );
        let mut m = user_message(group_id, user_id, lang);
        put_text(&mut m, text);
        json!({ "message": m })
    }

    /// The user presses an inline button with `data` under the bot's message `message_id`.
    pub fn callback(chat_id: i64, lang: &str, message_id: i32, data: &str) -> Value {
        let mut m = message_head(
            i64::from(message_id),
            chat_json(chat_id),
            bot_user_json(),
            now_unix() - 30,
        );
        m.insert("text".into(), json!("Please choose:"));
        m.insert(
            "reply_markup".into(),
            json!({ "inline_keyboard": [[{ "text": "Choose", "callback_data": data }]] }),
        );
        json!({
            "callback_query": {
                "id": format!("{}{:06}", Self::BOT_ID, serial()),
                "from": user_json(chat_id, lang),
                "message": m,
                "chat_instance": format!("-{}", 4_000_000_000_000_000_000u64 + chat_id.unsigned_abs()),
                "data": data,
            }
        })
    }

    // --- getUpdates bookkeeping ---

    /// The highest `offset` any getUpdates call sent (0 if none).
    pub fn confirmed_offset(&self) -> i64 {
        self.world().confirmed_offset
    }

    /// How many times getUpdates handed out each update id (copies of an update pushed
    /// again with the same id count separately).
    pub fn deliveries(&self) -> HashMap<i64, usize> {
        self.world().deliveries.clone()
    }

    /// Updates stored and not yet confirmed.
    pub fn pending_updates(&self) -> usize {
        self.world().updates.len()
    }

    // --- recording ---

    /// Every request, in arrival order (wrong token, unknown method and injected failures too).
    pub fn calls(&self) -> Vec<Call> {
        self.world().calls.clone()
    }

    /// How many requests arrived so far (cheaper than `calls().len()`).
    pub fn call_count(&self) -> usize {
        self.world().calls.len()
    }

    /// Successful requests of `method` (case-insensitive), in arrival order.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.world()
            .calls
            .iter()
            .filter(|c| c.ok && c.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// Texts of the successful sendMessage calls to `chat_id`, in order.
    pub fn sent_texts(&self, chat_id: i64) -> Vec<String> {
        self.world()
            .calls
            .iter()
            .filter(|c| c.ok && c.method == "sendMessage" && chat_id_of(&c.body) == Some(chat_id))
            .map(|c| c.body["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub fn clear_calls(&self) {
        self.world().calls.clear();
    }

    /// Polls `f` every 10 ms; panics with `what` and the last 20 calls after `timeout`.
    pub async fn wait_for<F: Fn(&FakeTelegram) -> bool>(
        &self,
        what: &str,
        timeout: Duration,
        f: F,
    ) {
        let deadline = Instant::now() + timeout;
        loop {
            if f(self) {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\nlast calls:\n{}",
                    self.dump_calls(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The last `n` calls, one a line, for failure messages.
    pub fn dump_calls(&self, n: usize) -> String {
        let w = self.world();
        let mut out = String::new();
        for c in &w.calls[w.calls.len().saturating_sub(n)..] {
            let mut body = c.body.to_string();
            if body.len() > 400 {
                let mut cut = 400;
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                body.truncate(cut);
                body.push('…');
            }
            let _ = writeln!(
                out,
                "  +{:>8.3}s {} {} {}",
                c.at.saturating_duration_since(w.started).as_secs_f64(),
                if c.ok { "ok  " } else { "FAIL" },
                c.method,
                body
            );
        }
        if out.is_empty() {
            out.push_str("  (none)\n");
        }
        out
    }

    // --- failures on demand ---

    /// The next call of `method` (case-insensitive) gets `failure` instead of its answer;
    /// several queued failures apply to successive calls in order.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.world()
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back(failure);
    }

    // --- webhook driving ---

    /// POSTs `update` as JSON to the bot's webhook `url` (http:// only), with header
    /// `X-Telegram-Bot-Api-Secret-Token` when `secret` is given; returns the HTTP status.
    pub async fn post_webhook(url: &str, secret: Option<&str>, update: &Value) -> u16 {
        let rest = url
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("post_webhook: only http:// URLs are supported, got {url}"));
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
        let connect_to = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let body = serde_json::to_vec(update).expect("post_webhook: serialize update");
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        if let Some(secret) = secret {
            let _ = write!(request, "X-Telegram-Bot-Api-Secret-Token: {secret}\r\n");
        }
        request.push_str("\r\n");

        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(&connect_to).await?;
            stream.write_all(request.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.flush().await?;
            let mut response = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read until the headers are complete (or the server closes).
            while find(&response, b"\r\n\r\n").is_none() {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                response.extend_from_slice(&chunk[..n]);
            }
            Ok::<_, std::io::Error>(response)
        };
        let response = tokio::time::timeout(Duration::from_secs(30), exchange)
            .await
            .unwrap_or_else(|_| panic!("post_webhook: no answer from {url} within 30 s"))
            .unwrap_or_else(|e| panic!("post_webhook: {url}: {e}"));
        let head = String::from_utf8_lossy(&response);
        let status_line = head.lines().next().unwrap_or_default();
        status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("post_webhook: {url}: bad status line {status_line:?}"))
    }
}

// --- the HTTP side ---

async fn serve_request(
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

fn error_body(code: u16, description: &str) -> (u16, Value) {
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

    /// Stores a message the bot sent or edited and returns it.
    fn remember(&mut self, chat_id: i64, message: Map<String, Value>) -> Value {
        let id = message["message_id"].as_i64().unwrap_or_default();
        let message = Value::Object(message);
        if self.recording {
            self.messages.insert((chat_id, id), message.clone());
        }
        message
    }

    fn record(&mut self, call: Call) {
        if self.recording {
            self.calls.push(call);
        }
    }
}

fn update_kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id"))
        .map(String::as_str)
        .unwrap_or_default()
}

// --- method handlers ---

fn bad_request(what: &str) -> Reject {
    (400, format!("Bad Request: {what}"))
}

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

// --- handler helpers ---

fn require_chat(b: &Value) -> Result<i64, Reject> {
    chat_id_of(b).ok_or_else(|| bad_request("chat not found"))
}

/// `chat_id` as a number (JSON) or a numeric string (multipart).
fn chat_id_of(b: &Value) -> Option<i64> {
    b.get("chat_id").and_then(as_i64_lenient)
}

fn as_i64_lenient(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// The visible text of `field` (HTML tags stripped when parse_mode is HTML), non-empty and
/// within `max` UTF-16 units.
fn checked_text(b: &Value, field: &str, max: usize) -> Result<String, Reject> {
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

fn check_caption(b: &Value) -> Result<(), Reject> {
    match b.get("caption").and_then(Value::as_str) {
        Some(c) if c.encode_utf16().count() > 1024 => {
            Err(bad_request("message caption is too long"))
        }
        _ => Ok(()),
    }
}

fn copy_caption(m: &mut Map<String, Value>, b: &Value) {
    if let Some(caption) = b.get("caption").and_then(Value::as_str) {
        m.insert("caption".into(), json!(caption));
    }
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

/// Telegram rejects callback_data over 64 bytes (or empty).
fn check_markup(b: &Value) -> Result<(), Reject> {
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

fn mime_for(file_name: &str) -> &'static str {
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

fn file_name_for(mime: &str) -> String {
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

// --- JSON builders ---

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1_700_000_000, |d| d.as_secs() as i64)
}

fn next_message_id() -> i64 {
    NEXT_MESSAGE_ID.fetch_add(1, Ordering::Relaxed)
}

fn serial() -> i64 {
    NEXT_SERIAL.fetch_add(1, Ordering::Relaxed)
}

fn me_json() -> Value {
    let mut me = bot_user_json();
    let o = me.as_object_mut().expect("object");
    o.insert("can_join_groups".into(), json!(true));
    o.insert("can_read_all_group_messages".into(), json!(false));
    o.insert("supports_inline_queries".into(), json!(false));
    o.insert("can_connect_to_business".into(), json!(false));
    o.insert("has_main_web_app".into(), json!(false));
    me
}

fn bot_user_json() -> Value {
    json!({
        "id": FakeTelegram::BOT_ID,
        "is_bot": true,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    })
}

fn user_json(id: i64, lang: &str) -> Value {
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
fn chat_json(chat_id: i64) -> Value {
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

fn message_head(message_id: i64, chat: Value, from: Value, date: i64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("message_id".into(), json!(message_id));
    m.insert("from".into(), from);
    m.insert("chat".into(), chat);
    m.insert("date".into(), json!(date));
    m
}

/// A fresh message from user `user_id` in chat `chat_id`.
fn user_message(chat_id: i64, user_id: i64, lang: &str) -> Map<String, Value> {
    message_head(
        next_message_id(),
        chat_json(chat_id),
        user_json(user_id, lang),
        now_unix(),
    )
}

fn bot_message(chat_id: i64, message_id: i64) -> Map<String, Value> {
    message_head(message_id, chat_json(chat_id), bot_user_json(), now_unix())
}

fn put_text(m: &mut Map<String, Value>, text: &str) {
    m.insert("text".into(), json!(text));
    if text.starts_with('/') {
        let command = text.split(char::is_whitespace).next().unwrap_or(text);
        m.insert(
            "entities".into(),
            json!([{ "type": "bot_command", "offset": 0, "length": command.encode_utf16().count() }]),
        );
    }
}

fn photo_sizes(file_id: &str) -> Value {
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

fn document_json(file_id: &str, file_name: &str, mime: &str, size: u64) -> Value {
    json!({
        "file_id": file_id,
        "file_unique_id": unique_id(file_id),
        "file_size": size,
        "file_name": file_name,
        "mime_type": mime,
    })
}

/// A stable short "unique id" derived from a file id.
fn unique_id(file_id: &str) -> String {
    let hash = file_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("AQAD{:012x}", hash & 0xffff_ffff_ffff)
}

// --- small parsing helpers ---

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn percent_decode(s: &str) -> String {
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

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
