//! The staff group in tests: its configuration, reviewers pressing and typing through the
//! fake Bot API, what the group was shown, and cases made ready for them.

use super::bot::{Merchant, RunningBot, WAIT};
use super::fake_telegram::FakeTelegram;
use chrono::{Duration, TimeZone, Utc};
use posdesk::domain::{CaseKind, CaseRef};
use posdesk::i18n::Locale;
use posdesk::review::StaffConfig;
use posdesk::service::JobSettings;
use posdesk::store::{NewCase, Store};
use serde_json::json;
use std::sync::Arc;

pub const STAFF: i64 = -100_500;
pub const ALICE: i64 = 71;
pub const BOB: i64 = 72;
pub const MALLORY: i64 = 99;

/// A case reference as the bot showed it.
pub fn r(shown: &str) -> CaseRef {
    CaseRef::parse(shown).expect("a case reference")
}

pub fn staff_config() -> StaffConfig {
    StaffConfig {
        chat_id: STAFF,
        reviewers: vec![ALICE, BOB],
        locale: Locale::ZhCn,
        lease: Duration::hours(4),
    }
}

/// A reviewer in the staff group.
pub struct Reviewer {
    pub fake: FakeTelegram,
    pub user: i64,
    /// The staff group as the reviewer's client sees it (its id changes when Telegram
    /// upgrades it to a supergroup).
    pub chat: i64,
}

impl Reviewer {
    pub fn new(fake: &FakeTelegram, user: i64) -> Self {
        Reviewer {
            fake: fake.clone(),
            user,
            chat: STAFF,
        }
    }

    /// The same reviewer in group `chat`.
    pub fn in_chat(mut self, chat: i64) -> Self {
        self.chat = chat;
        self
    }

    /// Press a button on the newest staff message that has it; returns the press's answer.
    pub async fn press(&self, label: &str) -> String {
        let data = self.wait_button(label).await;
        self.press_data(&data).await
    }

    /// The newest button with `label`, waiting for it to be shown (cards are edited
    /// asynchronously, through the outbox).
    pub async fn wait_button(&self, label: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(data) = self.try_button(label) {
                return data;
            }
            if std::time::Instant::now() > deadline {
                return self.find_button(label);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn find_button(&self, label: &str) -> String {
        self.try_button(label)
            .unwrap_or_else(|| panic!("no staff button {label:?}: {}", self.fake.dump_calls(30)))
    }

    pub fn try_button(&self, label: &str) -> Option<String> {
        for call in self
            .fake
            .calls_to("sendMessage")
            .iter()
            .chain(self.fake.calls_to("editMessageText").iter())
            .rev()
        {
            if call.body["chat_id"].as_i64() != Some(self.chat) {
                continue;
            }
            if let Some(rows) = call.body["reply_markup"]["inline_keyboard"].as_array() {
                for b in rows
                    .iter()
                    .flat_map(|r| r.as_array().cloned().unwrap_or_default())
                {
                    if b["text"].as_str().is_some_and(|t| t.contains(label)) {
                        return b["callback_data"].as_str().map(String::from);
                    }
                }
            }
        }
        None
    }

    pub async fn press_data(&self, data: &str) -> String {
        let before = self.fake.calls_to("answerCallbackQuery").len();
        let mut update = FakeTelegram::callback(self.chat, "zh-hans", 1, data);
        update["callback_query"]["from"]["id"] = json!(self.user);
        self.fake.push_update(update);
        self.fake
            .wait_for("the staff press to be answered", WAIT, move |f| {
                f.calls_to("answerCallbackQuery").len() > before
            })
            .await;
        let answer = self.fake.calls_to("answerCallbackQuery");
        answer.last().unwrap().body["text"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn say(&self, text: &str) {
        self.fake.push_update(FakeTelegram::group_text(
            self.chat, self.user, "zh-hans", text,
        ));
    }
}

/// Wait for a staff group message containing `want`.
pub async fn staff_sees(fake: &FakeTelegram, want: &str) -> String {
    sees_in(fake, STAFF, want).await
}

/// Wait for a message in group `chat` (sent or edited) containing `want`; the newest.
pub async fn sees_in(fake: &FakeTelegram, chat: i64, want: &str) -> String {
    let want_owned = want.to_string();
    fake.wait_for(&format!("group {chat} to see {want:?}"), WAIT, move |f| {
        texts_in(f, chat).iter().any(|t| t.contains(&want_owned))
    })
    .await;
    texts_in(fake, chat)
        .into_iter()
        .rev()
        .find(|t| t.contains(want))
        .unwrap()
}

/// What the staff group was shown, sent or edited, in order.
pub fn staff_texts(fake: &FakeTelegram) -> Vec<String> {
    texts_in(fake, STAFF)
}

/// The texts Telegram accepted for group `chat` (sent or edited), in order.
pub fn texts_in(fake: &FakeTelegram, chat: i64) -> Vec<String> {
    fake.calls()
        .into_iter()
        .filter(|c| c.ok && (c.method == "sendMessage" || c.method == "editMessageText"))
        .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
        .filter_map(|c| c.body["text"].as_str().map(String::from))
        .collect()
}

/// A merchant who submits a card-change case; returns its reference.
pub async fn submit_card_case(
    fake: &FakeTelegram,
    chat: i64,
    lang: &'static str,
) -> (Merchant, String) {
    let mut m = Merchant::new(fake, chat, lang);
    let (open, submit, yes) = if lang == "en" {
        ("Apply for me", "Submit", "Yes")
    } else {
        ("帮我提交申请", "提交", "是")
    };
    m.say(
        "/start card_lakala",
        if lang == "en" {
            "final word"
        } else {
            "人工审核"
        },
    )
    .await;
    m.tap(
        open,
        if lang == "en" {
            "merchant number"
        } else {
            "商户编号"
        },
    )
    .await;
    m.say(
        "822100012345678",
        if lang == "en" {
            "merchant's name"
        } else {
            "商户名称"
        },
    )
    .await;
    m.say("陈氏理发", if lang == "en" { "mobile" } else { "手机号" })
        .await;
    m.say(
        "13612345678",
        if lang == "en" { "Which bank" } else { "银行" },
    )
    .await;
    m.say("建设银行", if lang == "en" { "last 4" } else { "后 4 位" })
        .await;
    m.say("4321", if lang == "en" { "own name" } else { "本人" })
        .await;
    m.tap(
        yes,
        if lang == "en" {
            "portrait"
        } else {
            "人像面"
        },
    )
    .await;
    m.send(
        FakeTelegram::photo(chat, lang, &format!("id-{chat}"), None, None),
        if lang == "en" {
            "Please check"
        } else {
            "请核对"
        },
    )
    .await;
    let out = m.tap(submit, "CD-").await;
    let case_ref = out
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.starts_with("CD-") && w.len() == 9)
        .unwrap()
        .to_string();
    (m, case_ref)
}

pub async fn start(fake: &FakeTelegram, db: &str) -> RunningBot {
    RunningBot::start_with(fake, db, None, Some(staff_config()), JobSettings::default()).await
}

/// A case written straight to the store, with fixed values.
pub fn known_case(n: u32, status_days_ago: i64) -> NewCase {
    let created =
        Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap() + Duration::days(i64::from(n));
    NewCase {
        case_ref: CaseRef::generate(CaseKind::Unbind, 7000 + u64::from(n)),
        draft_id: format!("draft-{n}"),
        kind: CaseKind::Unbind,
        brand: "lakala".into(),
        serial: Some(format!("LKL{n:05}")),
        fields: json!({ "phone": format!("1381234{n:04}"), "merchant_name": format!("店{n}") }),
        attachments: json!([{ "field": "id_front", "file_id": format!("f{n}"), "kind": "photo" }]),
        chat_id: 900 + i64::from(n),
        locale: Locale::ZhCn,
        created_at: created,
        due_at: created + Duration::days(status_days_ago.max(0) + 3),
    }
}

pub async fn insert(store: &Arc<dyn Store>, case: &NewCase) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_case(case).await.unwrap();
    tx.commit().await.unwrap();
}
