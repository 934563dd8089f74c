//! Test drivers and fixtures shared by the library's unit tests and the integration tests
//! under `tests/`, so that both drive the core the same way and none keeps a copy.
//!
//! - [`Chat`]: one merchant's chat driven through the pure core ([`step`]), with a fixed
//!   clock, fixed entropy and facts the test sets: no database, no network.
//! - [`valid_answer`]: a valid answer to any form field, as a merchant would give it.
//! - [`luhn_card`]: a card number the privacy guard must catch, computed rather than typed.
//!
//! Not part of the bot's API (hidden from the docs); the bot itself never calls it.

use chrono::{DateTime, TimeZone, Utc};

use crate::conversation::forms::{self, FieldKind};
use crate::conversation::{
    step, Action, CaseNotice, Ctx, Dialogue, Effect, Event, Facts, Incoming, State, Upload, Value,
};
use crate::domain::{luhn_complete, CaseKind};
use crate::i18n::Locale;

/// The tests' clock: a Friday afternoon in China (2026-11-20 14:00 +08:00).
pub fn friday_afternoon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap()
}

/// `body` with its Luhn check digit appended: a card number the privacy guard must catch.
///
/// Panics when `body` is not all ASCII digits (a mistake in the test, not in the input).
pub fn luhn_card(body: &str) -> String {
    luhn_complete(body).unwrap()
}

/// A valid answer to field `field` of a `kind` form, as the merchant would give it; presses
/// carry the dialogue's button counter `step`.
///
/// Panics when the form has no such field.
pub fn valid_answer(kind: CaseKind, field: &str, step: u32) -> Event {
    let spec = forms::field(kind, field).unwrap();
    let text = |s: &str| Event::Text(s.into());
    let press = |a: Action| Event::Press(a.encode(step));
    match spec.kind {
        FieldKind::Brand => press(Action::Brand("lakala".into())),
        FieldKind::Serial => text("LKL8C2104567"),
        FieldKind::MerchantNo => text("822100012345678"),
        FieldKind::MerchantName => text("张记便利店"),
        FieldKind::PersonName => text("张伟"),
        FieldKind::Phone => Event::Contact {
            phone: "+86 138 1234 5678".into(),
        },
        FieldKind::Login => text("13812345678"),
        FieldKind::Text { choices } => press(Action::Choice(choices[0].into())),
        FieldKind::YesNo => press(Action::Yes),
        FieldKind::Date => text("11月3日"),
        FieldKind::BankName => text("工行"),
        FieldKind::CardLast4 => text("尾号1234"),
        FieldKind::Photo => Event::Files(vec![Upload::photo(format!("file-{field}"))]),
    }
}

/// One merchant's chat driven through the pure core: each event is one [`step`] on the
/// dialogue kept here, with the clock, locale hint and facts the test set, and a fresh
/// entropy and message id per event (deterministic: the same events give the same
/// dialogue). Clone it to try two continuations from one state.
#[derive(Clone, Debug)]
pub struct Chat {
    /// The dialogue as the store would hold it after the last step.
    pub dialogue: Dialogue,
    /// What the service would have read for the step (the same for every step).
    pub facts: Facts,
    /// The clock of every step.
    pub now: DateTime<Utc>,
    /// The language Telegram reports for the merchant.
    pub hint: Locale,
    /// The last step's entropy (a fixed-seed linear congruential sequence).
    pub entropy: u64,
    /// The message id of the last event sent.
    pub message_id: i32,
}

impl Default for Chat {
    fn default() -> Self {
        Chat::new(Locale::ZhCn)
    }
}

impl Chat {
    /// A new chat of a merchant whose Telegram reports `hint`, with no cases, on
    /// [`friday_afternoon`].
    pub fn new(hint: Locale) -> Self {
        Chat {
            dialogue: Dialogue::default(),
            facts: Facts::default(),
            now: friday_afternoon(),
            hint,
            entropy: 0x5eed,
            message_id: 0,
        }
    }

    /// This chat's clock, facts and counters with another dialogue.
    pub fn with_dialogue(&self, dialogue: Dialogue) -> Self {
        Chat {
            dialogue,
            ..self.clone()
        }
    }

    /// One event through [`step`]; returns its effects.
    pub fn send(&mut self, event: Event) -> Vec<Effect> {
        self.message_id += 1;
        self.entropy = self
            .entropy
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1);
        let ctx = Ctx {
            now: self.now,
            locale_hint: self.hint,
            entropy: self.entropy,
            holidays: &[],
            facts: &self.facts,
        };
        let input = Incoming::new(event).with_message_id(self.message_id);
        let (dialogue, effects) = step(self.dialogue.clone(), input, &ctx);
        self.dialogue = dialogue;
        effects
    }

    /// The merchant types `s`.
    pub fn text(&mut self, s: &str) -> Vec<Effect> {
        self.send(Event::Text(s.into()))
    }

    /// The merchant presses the button for `action` as shown at the current step.
    pub fn press(&mut self, action: Action) -> Vec<Effect> {
        let data = action.encode(self.dialogue.step);
        self.send(Event::Press(data))
    }

    /// A reviewer asks about case `case_ref` (request `q1`).
    pub fn question(&mut self, case_ref: &str) -> Vec<Effect> {
        self.send(Event::CaseNotice(CaseNotice::Question {
            case_ref: case_ref.into(),
            request_id: "q1".into(),
            question: "请补拍营业执照".into(),
        }))
    }

    /// The field being asked, in a form or when editing one field.
    pub fn field(&self) -> Option<&str> {
        match &self.dialogue.state {
            State::Form { field, .. } => Some(field),
            State::Edit { field: Some(f), .. } => Some(f),
            _ => None,
        }
    }

    /// The draft's value of field `id`, if there is a draft and it has one.
    pub fn value(&self, id: &str) -> Option<&Value> {
        self.dialogue.state.draft().and_then(|d| d.values.get(id))
    }

    /// Answers the field being asked with a [`valid_answer`].
    ///
    /// Panics when the chat is not in a form.
    pub fn answer_current(&mut self) -> Vec<Effect> {
        let event = match &self.dialogue.state {
            State::Form { draft, field } => valid_answer(draft.kind, field, self.dialogue.step),
            other => panic!("not in a form: {other:?}"),
        };
        self.send(event)
    }

    /// Answers every field until the form ends (normally at the review).
    ///
    /// Panics when the form asks more than 40 questions (it does not finish).
    pub fn fill_form(&mut self) {
        let mut guard = 0;
        while matches!(self.dialogue.state, State::Form { .. }) {
            self.answer_current();
            guard += 1;
            assert!(
                guard < 40,
                "form does not finish: {:?}",
                self.dialogue.state
            );
        }
    }

    /// `/start`, the topic `kind`, the brand Lakala, and "apply": the form's first question.
    pub fn open(&mut self, kind: CaseKind) {
        self.text("/start");
        self.press(Action::Topic(kind));
        self.press(Action::Brand("lakala".into()));
        self.press(Action::OpenCase(kind, Some("lakala".into())));
    }
}
