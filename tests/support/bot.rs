//! Test support: the real bot, running in this process or as a child process, and a
//! merchant (or reviewer) driving it through the fake Bot API.

use super::fake_telegram::FakeTelegram;
use posdesk::config::{BotSettings, Secret, Settings, ThrottleSettings, WebhookSettings};
use posdesk::review::StaffConfig;
use posdesk::service::JobSettings;
use posdesk::store::{self, Store};
use serde_json::Value;

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub const WAIT: Duration = Duration::from_secs(20);

/// A bot running in this process until `stop`.
pub struct RunningBot {
    pub stop: watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<Result<(), posdesk::telegram::TelegramError>>,
}

impl RunningBot {
    pub async fn start(
        fake: &FakeTelegram,
        db: &str,
        webhook: Option<WebhookSettings>,
    ) -> RunningBot {
        Self::start_with(fake, db, webhook, None, JobSettings::default()).await
    }

    pub async fn start_with(
        fake: &FakeTelegram,
        db: &str,
        webhook: Option<WebhookSettings>,
        staff: Option<StaffConfig>,
        jobs: JobSettings,
    ) -> RunningBot {
        let settings = Settings::from_raw(db.to_string(), "zh-CN", None).unwrap();
        let bot = BotSettings {
            token: Secret::new(fake.token()),
            api_url: Some(url::Url::parse(&fake.api_url()).unwrap()),
            webhook,
            // Telegram's real limits would make these tests slow; the limiter still applies.
            throttle: ThrottleSettings {
                per_chat_per_sec: 1000,
                per_chat_per_min: 100_000,
                overall_per_sec: 10_000,
            },
        };
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(posdesk::telegram::run_until(settings, bot, staff, jobs, rx));
        RunningBot { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("bot stops in time");
        result.expect("bot task").expect("bot ran cleanly");
    }
}

/// One merchant talking to the bot through the fake API.
pub struct Merchant {
    pub fake: FakeTelegram,
    pub chat: i64,
    pub lang: &'static str,
    pub seen: usize,
}

impl Merchant {
    pub fn new(fake: &FakeTelegram, chat: i64, lang: &'static str) -> Self {
        Merchant {
            fake: fake.clone(),
            chat,
            lang,
            seen: 0,
        }
    }

    pub fn sent(&self) -> Vec<Value> {
        self.fake
            .calls_to("sendMessage")
            .into_iter()
            .map(|c| c.body)
            .filter(|b| b["chat_id"].as_i64() == Some(self.chat))
            .collect()
    }

    /// Push an update and wait for a reply containing `expect`; returns the new texts.
    pub async fn send(&mut self, update: Value, expect: &str) -> String {
        self.fake.push_update(update);
        self.expect(expect).await
    }

    pub async fn expect(&mut self, expect: &str) -> String {
        self.expect_within(expect, WAIT).await
    }

    /// [`Merchant::expect`] with another hang guard than [`WAIT`].
    pub async fn expect_within(&mut self, expect: &str, within: Duration) -> String {
        let chat = self.chat;
        let seen = self.seen;
        let want = expect.to_string();
        self.fake
            .wait_for(
                &format!("a reply containing {expect:?}"),
                within,
                move |f| {
                    f.sent_texts(chat)
                        .iter()
                        .skip(seen)
                        .any(|t| t.contains(&want))
                },
            )
            .await;
        let texts = self.fake.sent_texts(chat);
        let new = texts[seen..].join("\n---\n");
        self.seen = texts.len();
        new
    }

    pub async fn say(&mut self, text: &str, expect: &str) -> String {
        self.send(FakeTelegram::text(self.chat, self.lang, text), expect)
            .await
    }

    /// Callback data of the newest button whose label contains `label`.
    pub fn button(&self, label: &str) -> String {
        for body in self.sent().iter().rev() {
            if let Some(rows) = body["reply_markup"]["inline_keyboard"].as_array() {
                for b in rows
                    .iter()
                    .flat_map(|r| r.as_array().cloned().unwrap_or_default())
                {
                    if b["text"].as_str().is_some_and(|t| t.contains(label)) {
                        return b["callback_data"].as_str().unwrap().to_string();
                    }
                }
            }
        }
        panic!(
            "no button {label:?}; sent: {:#?}",
            self.fake.sent_texts(self.chat)
        );
    }

    pub async fn tap(&mut self, label: &str, expect: &str) -> String {
        let data = self.button(label);
        self.send(
            FakeTelegram::callback(self.chat, self.lang, 1, &data),
            expect,
        )
        .await
    }
}

/// `posdesk run` as a separate process on the fake API, as an operator starts it.
pub fn spawn_bot_process(fake: &FakeTelegram, db: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_posdesk"))
        .arg("run")
        .env("TELOXIDE_TOKEN", fake.token())
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("DATABASE_URL", db)
        .env("POSDESK_THROTTLE_CHAT_PER_SEC", "1000")
        .env("POSDESK_THROTTLE_CHAT_PER_MIN", "100000")
        .env("POSDESK_THROTTLE_PER_SEC", "10000")
        .env("RUST_LOG", "warn")
        .env_remove("POSDESK_WEBHOOK_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn posdesk run")
}

pub async fn open_store(db: &str) -> Arc<dyn Store> {
    store::open(db).await.unwrap()
}
