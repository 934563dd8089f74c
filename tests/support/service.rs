//! A merchant chatting with the real service on a real database, no Telegram.

use chrono::{DateTime, TimeZone, Utc};
use posdesk::conversation::{Effect, Event, Incoming, Upload};
use posdesk::i18n::{Locale, Localizer};
use posdesk::service::{Inbound, Outcome, Service};
use posdesk::store::{self, Store};
use std::sync::Arc;

/// One database file and the service on it.
pub struct App {
    pub store: Arc<dyn Store>,
    pub service: Service,
}

impl App {
    pub async fn open(url: &str) -> App {
        let store = store::open(url).await.expect("open store");
        let service = Service::new(store.clone(), Locale::ZhCn, Vec::new());
        App { store, service }
    }

    /// The service with a staff group ([`STAFF_CHAT`], reviewer [`REVIEWER`]) and the
    /// Telegram outbox renderer: what the merchant and the group are sent stays in the
    /// outbox, read with [`App::sent_to`].
    pub async fn with_staff(url: &str) -> App {
        let store = store::open(url).await.expect("open store");
        let cfg = posdesk::review::StaffConfig {
            chat_id: STAFF_CHAT,
            reviewers: vec![REVIEWER],
            locale: Locale::ZhCn,
            lease: chrono::Duration::hours(4),
        };
        let renderer = posdesk::telegram::outgoing::TelegramRenderer::new(Some(&cfg));
        let service = Service::new(store.clone(), Locale::ZhCn, Vec::new())
            .with_outbox(Arc::new(renderer))
            .with_staff(cfg);
        App { store, service }
    }

    pub async fn close(self) {
        self.store.close().await;
    }

    /// The texts (HTML) and buttons sent to `chat_id` since the last call, oldest first;
    /// they are taken out of the outbox.
    pub async fn sent_to(&self, chat_id: i64) -> (String, Vec<(String, String)>) {
        use posdesk::telegram::outgoing::{Markup, Outgoing};
        let far = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
        let rows = self.store.due_outbox(far, 10_000).await.unwrap();
        let mut text = String::new();
        let mut buttons = Vec::new();
        let mut done = Vec::new();
        for row in rows.into_iter().filter(|r| r.chat_id == chat_id) {
            done.push(row.id);
            let (t, markup) = match serde_json::from_value::<Outgoing>(row.payload) {
                Ok(Outgoing::Send { text, markup, .. }) => (text, markup),
                Ok(Outgoing::EditCard { text, markup, .. }) => (text, markup),
                _ => continue,
            };
            text.push_str(&t);
            text.push('\n');
            if let Markup::Inline { rows } = markup {
                buttons = rows.into_iter().flatten().collect();
            }
        }
        self.store.outbox_done(&done).await.unwrap();
        (text, buttons)
    }

    /// The reviewer presses `action` on `case_ref` in the staff group; the press's answer.
    pub async fn staff_press(
        &self,
        action: posdesk::review::StaffAction,
        case_ref: &posdesk::domain::CaseRef,
    ) -> String {
        let data = action.encode(case_ref);
        let now = Utc::now();
        let msg = self
            .service
            .staff_press(None, STAFF_CHAT, REVIEWER, &data, now)
            .await
            .expect("staff press");
        msg.id
    }

    /// The reviewer types `text` in the staff group (after a button asked for it).
    pub async fn staff_types(&self, update_id: i64, text: &str) {
        self.service
            .staff_message(update_id, STAFF_CHAT, REVIEWER, text, Utc::now())
            .await
            .expect("staff message");
    }
}

/// The staff group of [`App::with_staff`].
pub const STAFF_CHAT: i64 = -100_777;
/// Its one reviewer.
pub const REVIEWER: i64 = 77;

/// One merchant: remembers the buttons last shown, renders replies as the merchant sees them.
pub struct Merchant {
    pub chat_id: i64,
    pub hint: Option<Locale>,
    pub buttons: Vec<(String, String)>,
    pub now: DateTime<Utc>,
    pub message_id: i32,
    pub transcript: String,
}

impl Merchant {
    pub fn new(chat_id: i64, hint: Option<Locale>) -> Self {
        Merchant {
            chat_id,
            hint,
            buttons: Vec::new(),
            now: Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap(),
            message_id: 0,
            transcript: String::new(),
        }
    }

    pub async fn send(&mut self, app: &App, event: Event) -> (Outcome, String) {
        self.message_id += 1;
        self.now += chrono::Duration::seconds(20);
        let outcome = app
            .service
            .handle(Inbound {
                chat_id: self.chat_id,
                update_id: None,
                locale_hint: self.hint,
                incoming: Incoming::new(event).with_message_id(self.message_id),
                now: self.now,
            })
            .await
            .expect("handled");
        let (text, buttons) = render(&outcome);
        if !buttons.is_empty() {
            self.buttons = buttons;
        }
        self.transcript
            .push_str(&format!("> {event:?}\n{text}\n", event = "…"));
        (outcome, text)
    }

    pub async fn say(&mut self, app: &App, text: &str) -> String {
        self.send(app, Event::Text(text.into())).await.1
    }

    /// Press the button whose label contains `label`.
    pub async fn tap(&mut self, app: &App, label: &str) -> String {
        let data = self
            .buttons
            .iter()
            .find(|(l, _)| l.contains(label))
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons))
            .1
            .clone();
        self.send(app, Event::Press(data)).await.1
    }

    pub async fn photos(&mut self, app: &App, ids: &[&str]) -> String {
        let files = ids.iter().map(|id| Upload::photo(*id)).collect();
        self.send(app, Event::Files(files)).await.1
    }

    pub async fn contact(&mut self, app: &App, phone: &str) -> String {
        self.send(
            app,
            Event::Contact {
                phone: phone.into(),
            },
        )
        .await
        .1
    }
}

/// What the merchant reads of an outcome, and the buttons shown: (label, callback data).
pub fn render(outcome: &Outcome) -> (String, Vec<(String, String)>) {
    let l10n = Localizer::global();
    let mut text = String::new();
    let mut buttons = Vec::new();
    for e in &outcome.effects {
        match e {
            Effect::Reply(r) => {
                text.push_str(&l10n.render_all(outcome.locale, &r.parts));
                text.push('\n');
                for b in r.buttons() {
                    buttons.push((l10n.render(outcome.locale, &b.label), b.data()));
                }
            }
            Effect::Notice(m) => {
                text.push_str(&l10n.render(outcome.locale, m));
                text.push('\n');
            }
            _ => {}
        }
    }
    (text, buttons)
}
