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
//!
//! Layout: this file holds the server's state and what a test calls on it (feeding updates,
//! reading calls, failures on demand); `updates.rs` builds the updates a test pushes;
//! `http.rs` serves requests and long-polls getUpdates; `methods.rs` has one handler per
//! Bot API method (add a method with one line in `METHODS`); `checks.rs` what Telegram
//! refuses; `json.rs` Telegram's objects; `body.rs` request bodies; `webhook.rs` posts an
//! update to the bot's webhook.
#![allow(dead_code)]

mod body;
mod checks;
mod http;
mod json;
mod methods;
mod updates;
mod webhook;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use checks::chat_id_of;
use http::{error_body, serve_request};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
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

impl World {
    /// Stores a message the bot sent or edited and returns it.
    pub(super) fn remember(&mut self, chat_id: i64, message: Map<String, Value>) -> Value {
        let id = message["message_id"].as_i64().unwrap_or_default();
        let message = Value::Object(message);
        if self.recording {
            self.messages.insert((chat_id, id), message.clone());
        }
        message
    }

    pub(super) fn record(&mut self, call: Call) {
        if self.recording {
            self.calls.push(call);
        }
    }
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
}
