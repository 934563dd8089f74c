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

    pub async fn close(self) {
        self.store.close().await;
    }
}

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
