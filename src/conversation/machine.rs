//! The conversation as a pure state machine: `step(dialogue, input, ctx)`.
//!
//! No IO, no clock, no randomness of its own: the time, the merchant's language, fresh
//! entropy and the facts read from the database come in through [`Ctx`]; everything to be
//! done goes out as [`Effect`]s. Each state's handling lives here; filling in fields is in
//! `form.rs`, the commands in `on_command.rs`, answering a reviewer in `review.rs`, what each
//! state shows in `prompt.rs`.

use super::action::{parse_callback, Action};
use super::effect::{Button, Effect, Keyboard, Reply};
use super::event::{Event, Incoming, Unsupported};
use super::facts::Facts;
use super::forms::{self, FieldKind};
use super::messages as m;
use super::prompt::{self, answer_parts, menu_keyboard, prompt_with};
use super::state::{Dialogue, Discarded, Draft, State};
use super::words;
use crate::domain::{scan_sensitive, CaseKind};
use crate::i18n::{Locale, Msg};
use crate::knowledge::{brands, matcher, Intent};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Matcher score from which a message is taken as a question (KNOWLEDGE matcher's scale).
pub const CONFIDENT: f32 = 0.5;

/// Everything a step may know about the world.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    /// The language to use when the merchant has not chosen one with `/lang`
    /// (from Telegram's `language_code`, else the configured default).
    pub locale_hint: Locale,
    /// Fresh randomness for draft ids and case references.
    pub entropy: u64,
    /// Public holidays skipped by due dates.
    pub holidays: &'a [NaiveDate],
    pub facts: &'a Facts,
}

impl Ctx<'_> {
    /// The language of a dialogue: the merchant's choice, else the hint.
    pub fn locale(&self, dialogue: &Dialogue) -> Locale {
        dialogue.locale.unwrap_or(self.locale_hint)
    }
}

/// Apply one incoming event to a dialogue.
pub fn step(dialogue: Dialogue, input: Incoming, ctx: &Ctx) -> (Dialogue, Vec<Effect>) {
    let was_phone = current_field_kind(&dialogue.state) == Some(FieldKind::Phone);
    let mut turn = Turn {
        d: dialogue,
        ctx,
        out: Vec::new(),
    };
    turn.run(input.sanitized());
    let now_phone = current_field_kind(&turn.d.state) == Some(FieldKind::Phone);
    if was_phone && !now_phone {
        close_share_contact(&mut turn.out);
    }
    (turn.d, turn.out)
}

/// The reply that tells a merchant their stored state could not be read and was reset.
pub fn reset_notice() -> Effect {
    Effect::Reply(Reply::new(vec![Msg::new(m::RESET_APOLOGY)], Keyboard::None))
}

/// One step in progress.
pub(super) struct Turn<'c, 'a> {
    pub d: Dialogue,
    pub ctx: &'c Ctx<'a>,
    pub out: Vec<Effect>,
}

impl Turn<'_, '_> {
    fn run(&mut self, input: Incoming) {
        match input.event {
            Event::Press(data) => return self.on_press(&data),
            Event::CaseNotice(notice) => return self.on_case_notice(notice),
            Event::Reminder => return self.on_reminder(),
            _ => {}
        }
        self.fresh();
        if !matches!(input.event, Event::AlbumPart { .. }) {
            self.d.album = None;
        }
        match input.event {
            Event::Text(text) => self.on_text(&text, input.message_id),
            Event::Press(_) | Event::CaseNotice(_) | Event::Reminder => {}
            Event::Files(uploads) => self.on_files(&uploads),
            Event::AlbumPart { album_id, upload } => self.on_album_part(album_id, &upload),
            Event::Contact { phone } => {
                // A contact answering a reviewer is forwarded like typed text: guard it too.
                let answering = matches!(self.d.state, State::AnswerStaff { .. });
                if answering && self.guard_privacy(phone.trim(), input.message_id) {
                    return;
                }
                self.on_contact(&phone)
            }
            Event::Edited(text) => self.on_edited(text.as_deref(), input.message_id),
            Event::Unsupported(kind) => self.on_unsupported(kind),
        }
    }

    /// The merchant did something: a new prompt is about to be shown, older buttons stop
    /// working, and a new reminder may be sent if they leave a draft again.
    fn fresh(&mut self) {
        self.d.step = self.d.step.wrapping_add(1);
        self.d.last_active = Some(self.ctx.now);
        self.d.reminded = false;
        self.d.client_locale = Some(self.ctx.locale_hint);
        let kept = chrono::Duration::hours(Discarded::KEPT_HOURS);
        if self
            .d
            .discarded
            .as_ref()
            .is_some_and(|d| self.ctx.now - d.at > kept)
        {
            self.d.discarded = None;
        }
    }

    pub fn say(&mut self, parts: Vec<Msg>) {
        self.out
            .push(Effect::Reply(Reply::new(parts, Keyboard::None)));
    }

    pub fn reply(&mut self, parts: Vec<Msg>, keyboard: Keyboard) {
        self.out.push(Effect::Reply(Reply::new(parts, keyboard)));
    }

    /// Show the current state's prompt, with `prefix` paragraphs before it.
    pub fn show(&mut self, prefix: Vec<Msg>) {
        let reply = prompt_with(&self.d.state, self.d.step, prefix);
        self.out.push(Effect::Reply(reply));
    }

    pub(super) fn button(&self, label: &str, action: Action) -> Button {
        Button {
            label: Msg::new(label),
            step: self.d.step,
            action,
        }
    }

    // ----- text -------------------------------------------------------------------------

    fn on_text(&mut self, text: &str, message_id: Option<i32>) {
        let text = text.trim();
        if self.guard_privacy(text, message_id) {
            return;
        }
        if text.is_empty() {
            return self.show(vec![Msg::new(m::USE_BUTTONS)]);
        }
        if self.command(text) {
            return;
        }
        // A greeting in front: greet back, or go on with what follows it.
        let text = match words::strip_greeting(text) {
            Some("") => return self.greet(),
            Some(rest) => rest,
            None => text,
        };
        if words::is_resume_request(text) && self.resume_request() {
            return;
        }
        match &self.d.state {
            State::Menu if words::is_undo(text) && self.d.discarded.is_some() => self.undo(),
            State::Menu | State::Guide { .. } | State::ChooseBrand { .. } => {
                self.on_free_text(text)
            }
            State::Form { .. } | State::Edit { field: Some(_), .. } => self.on_field_text(text),
            State::AnswerStaff { .. } => self.collect_text(text),
            State::NoteToStaff { .. } => self.send_serial_note(text),
            State::Review { draft } if words::is_confirm(text) => self.submit(draft.clone()),
            State::Review { .. } | State::Edit { field: None, .. } => {
                if words::is_cancel(text) {
                    return self.ask_discard();
                }
                if words::asks_for_person(text) {
                    return self.hand_over();
                }
                match self.question_intent(text, true) {
                    Some(intent) => self.digress(intent),
                    None => self.show(vec![Msg::new(m::USE_BUTTONS)]),
                }
            }
        }
    }

    /// A message that is only a greeting: greet back and show where the merchant is.
    fn greet(&mut self) {
        match self.draft() {
            Some(draft) => {
                let msg = resume_here(draft);
                self.show(vec![msg]);
            }
            None if matches!(
                self.d.state,
                State::AnswerStaff { .. } | State::NoteToStaff { .. }
            ) =>
            {
                self.show(vec![Msg::new(m::HELLO_AGAIN)])
            }
            None => {
                self.d.state = State::Menu;
                self.show(vec![Msg::new(m::WELCOME)]);
            }
        }
    }

    /// "Is my application still there?": the unfinished one, or the one just discarded.
    /// Returns false when there is neither (the message is then read as usual: it may ask
    /// about submitted applications).
    fn resume_request(&mut self) -> bool {
        if let Some(draft) = self.draft() {
            let msg = resume_here(draft);
            self.show(vec![msg]);
            return true;
        }
        if self.d.discarded.is_some() && matches!(self.d.state, State::Menu) {
            self.offer_undo();
            return true;
        }
        false
    }

    /// Refuse card numbers, ID numbers, passwords and SMS codes: ask for the message to be
    /// deleted, keep nothing of it, explain, and re-ask. Returns whether it fired.
    fn guard_privacy(&mut self, text: &str, message_id: Option<i32>) -> bool {
        let long_numbers_expected = matches!(
            current_field_kind(&self.d.state),
            Some(FieldKind::Serial | FieldKind::MerchantNo)
        );
        let Some(found) = scan_sensitive(text, long_numbers_expected) else {
            return false;
        };
        if let Some(id) = message_id {
            self.out.push(Effect::DeleteMessage(id));
        }
        self.show(vec![Msg::new(found.message_id())]);
        true
    }

    /// A question or remark outside a form.
    fn on_free_text(&mut self, text: &str) {
        if let State::ChooseBrand { topic } = self.d.state {
            if let Some(brand) = brands::detect(text) {
                return self.show_guide(topic, brand.id);
            }
        }
        let found = matcher().classify(text);
        let guide_brand = match &self.d.state {
            State::Guide { brand, .. } => Some(brand.clone()),
            _ => None,
        };
        let brand = brands::detect(text)
            .map(|b| b.id.to_string())
            .or(guide_brand);
        match found.intent {
            Some(intent) => self.answer(intent, brand.as_deref()),
            None if matches!(self.d.state, State::ChooseBrand { .. }) => {
                self.show(vec![Msg::new(m::BRAND_UNKNOWN)])
            }
            None => {
                self.d.state = State::Menu;
                self.show(vec![Msg::new(crate::knowledge::ANSWER_NONE)]);
            }
        }
    }

    /// Answer a question from the knowledge base, outside a form.
    fn answer(&mut self, intent: Intent, brand: Option<&str>) {
        match intent {
            Intent::CaseStatus => {
                self.d.state = State::Menu;
                self.status_reply();
                self.show(Vec::new());
            }
            Intent::Human => self.hand_over(),
            _ => match (intent.case_kind(), brand) {
                (Some(kind), Some(brand)) => {
                    self.d.state = State::Guide {
                        topic: kind,
                        brand: brand.to_string(),
                    };
                    let kb = prompt::guide_keyboard(self.d.step, kind, brand);
                    self.reply(answer_parts(intent, Some(brand)), kb);
                }
                (Some(kind), None) => {
                    self.d.state = State::Menu;
                    let kb = Keyboard::Inline(vec![
                        vec![self.button(m::BTN_OPEN_CASE, Action::OpenCase(kind, None))],
                        vec![self.button(m::BTN_MENU, Action::Menu)],
                    ]);
                    self.reply(answer_parts(intent, None), kb);
                }
                (None, _) => {
                    self.d.state = State::Menu;
                    self.reply(answer_parts(intent, brand), menu_keyboard(self.d.step));
                }
            },
        }
    }

    /// Answer a question asked in the middle of an application, then ask again.
    pub fn digress(&mut self, intent: Intent) {
        let brand = self.draft().and_then(|d| match d.values.get("brand") {
            Some(super::Value::Brand(b)) => Some(b.clone()),
            _ => None,
        });
        let parts = match intent {
            Intent::Human => return self.hand_over(),
            Intent::CaseStatus => self.status_parts(),
            _ => answer_parts(intent, brand.as_deref())[..1].to_vec(),
        };
        self.say(parts);
        self.show(vec![Msg::new(m::DIGRESSION_CONTINUE)]);
    }

    /// The merchant asked for a person: the one place that says so ([`Effect::HumanRequested`]),
    /// whatever the way they asked. An application in progress stays where it was.
    pub fn hand_over(&mut self) {
        self.out.push(Effect::HumanRequested);
        let busy = self.draft().is_some()
            || matches!(
                self.d.state,
                State::AnswerStaff { .. } | State::NoteToStaff { .. }
            );
        if busy {
            self.say(answer_parts(Intent::Human, None));
            self.show(vec![Msg::new(m::DIGRESSION_CONTINUE)]);
        } else {
            self.d.state = State::Menu;
            self.reply(
                answer_parts(Intent::Human, None),
                menu_keyboard(self.d.step),
            );
        }
    }

    /// The intent of `text` if it is confidently a knowledge-base question. With
    /// `must_look_like_question`, only messages phrased as questions count (so a free-text
    /// answer such as "机器坏了" for a reason field is taken as the answer).
    pub fn question_intent(&self, text: &str, must_look_like_question: bool) -> Option<Intent> {
        let found = matcher().classify(text);
        let intent = found.intent?;
        let question_like = !must_look_like_question || words::looks_like_question(text);
        (found.score >= CONFIDENT && question_like).then_some(intent)
    }

    // ----- presses ----------------------------------------------------------------------

    fn on_press(&mut self, data: &str) {
        let Some((step, action)) = parse_callback(data) else {
            self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
            return;
        };
        if step != self.d.step {
            self.out.push(Effect::Notice(Msg::new(m::STALE_BUTTON)));
            return;
        }
        self.fresh();
        self.d.album = None;
        let has_draft = self.draft().is_some();
        match (action, self.d.state.clone()) {
            (Action::Lang(locale), _) => {
                self.d.locale = Some(locale);
                self.show(vec![Msg::new(m::LANG_SET)]);
            }
            (Action::MyCases, _) => {
                self.status_reply();
                self.show(Vec::new());
            }
            (Action::Withdraw(case_ref), _) => self.ask_withdraw(case_ref),
            (Action::WithdrawConfirm(case_ref), _) => self.withdraw(case_ref),
            (Action::AnswerCase(case_ref), _) => {
                if !self.start_answer(case_ref) {
                    self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
                }
                self.show(Vec::new());
            }
            (Action::AnswerDone, State::AnswerStaff { .. }) => self.finish_answer(),
            (Action::AnswerLater, State::AnswerStaff { .. }) => self.leave_answer(),
            (Action::Resubmit(case_ref), _) => self.resubmit(case_ref),
            (Action::Dismiss, _) => self.show(vec![Msg::new(m::KEYBOARD_CLOSED)]),
            (Action::Human, _) => self.hand_over(),
            (Action::ForgetYes, _) => self.forget(),
            (Action::ForgetNo, _) => self.show(vec![Msg::new(m::FORGET_KEPT)]),
            (Action::Menu, _) if !has_draft => {
                self.d.state = State::Menu;
                self.show(Vec::new());
            }
            (Action::Topic(kind), _) if !has_draft => {
                self.d.state = State::ChooseBrand { topic: kind };
                self.show(Vec::new());
            }
            (Action::Brand(brand), State::ChooseBrand { topic })
                if brands::find(&brand).is_some() =>
            {
                self.show_guide(topic, &brand)
            }
            (Action::GuideDone, State::Guide { .. }) => {
                self.d.state = State::Menu;
                self.show(vec![Msg::new(m::GUIDE_DONE)]);
            }
            (Action::OpenCase(kind, brand), _) if !has_draft => self.open_case(kind, brand),
            (
                action @ (Action::Brand(_)
                | Action::Yes
                | Action::No
                | Action::Skip
                | Action::Choice(_)),
                State::Form { .. } | State::Edit { field: Some(_), .. },
            ) => self.on_field_press(action),
            (Action::Submit, State::Review { draft }) => self.submit(draft),
            (Action::EditMenu, State::Review { draft }) => {
                self.d.state = State::Edit { draft, field: None };
                self.show(Vec::new());
            }
            (
                Action::EditField(field),
                State::Review { draft } | State::Edit { draft, field: None },
            ) if prompt::active_fields(&draft).any(|f| f.id == field) => {
                self.d.state = State::Edit {
                    draft,
                    field: Some(field),
                };
                self.show(Vec::new());
            }
            (Action::CancelDraft | Action::Discard, _) if has_draft => self.ask_discard(),
            (Action::DiscardConfirm, _) if has_draft => self.discard(),
            (Action::Undo, _) if !has_draft && self.d.discarded.is_some() => self.undo(),
            (Action::NoteToStaff(serial), State::Form { .. } | State::Edit { .. }) => {
                self.start_serial_note(serial)
            }
            (Action::Resume, State::NoteToStaff { .. }) => self.leave_note(),
            (Action::Resume, State::Edit { draft, .. }) => {
                self.d.state = State::Review { draft };
                self.show(Vec::new());
            }
            (Action::Resume, _) if has_draft => self.show(Vec::new()),
            _ => {
                self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
                self.show(Vec::new());
            }
        }
    }

    pub(super) fn show_guide(&mut self, topic: CaseKind, brand: &str) {
        self.d.state = State::Guide {
            topic,
            brand: brand.to_string(),
        };
        let kb = prompt::guide_keyboard(self.d.step, topic, brand);
        self.reply(answer_parts(topic_intent(topic), Some(brand)), kb);
    }

    fn open_case(&mut self, kind: CaseKind, brand: Option<String>) {
        let mut values = BTreeMap::new();
        if let Some(b) = brand.filter(|b| brands::find(b).is_some()) {
            values.insert("brand".to_string(), super::Value::Brand(b));
        }
        self.d.discarded = None;
        let draft = Draft {
            id: format!("{:016x}", self.ctx.entropy),
            kind,
            values,
            started_at: self.ctx.now,
        };
        let total = prompt::active_fields(&draft).filter(|f| f.required).count();
        let intro = Msg::new(m::FORM_START)
            .with_msg("kind", Msg::new(kind.message_id()))
            .with_num("count", total as i64);
        self.advance(draft, vec![intro]);
    }

    fn forget(&mut self) {
        let open = self.ctx.facts.open_cases();
        if open > 0 {
            return self.show(vec![
                Msg::new(m::FORGET_BLOCKED).with_num("count", open as i64)
            ]);
        }
        self.out.push(Effect::Forget);
        // Keep only the button counter, so buttons from before stay stale.
        self.d = Dialogue {
            step: self.d.step,
            ..Dialogue::default()
        };
        self.say(vec![Msg::new(m::FORGET_DONE)]);
        self.show(Vec::new());
    }

    // ----- other message kinds ----------------------------------------------------------

    fn on_edited(&mut self, text: Option<&str>, message_id: Option<i32>) {
        if let Some(text) = text {
            if self.guard_privacy(text.trim(), message_id) {
                return;
            }
        }
        self.show(vec![Msg::new(m::EDITED_IGNORED)]);
    }

    fn on_unsupported(&mut self, _kind: Unsupported) {
        if matches!(self.d.state, State::AnswerStaff { .. }) {
            return self.show(vec![Msg::new(m::UNSUPPORTED)]);
        }
        self.show(vec![Msg::new(m::UNSUPPORTED)]);
    }

    pub fn draft(&self) -> Option<&Draft> {
        self.d.state.draft()
    }
}

/// The knowledge-base intent whose answer is the self-service guide of a topic.
pub fn topic_intent(topic: CaseKind) -> Intent {
    match topic {
        CaseKind::Unbind => Intent::UnbindDevice,
        CaseKind::Broken => Intent::BrokenDevice,
        CaseKind::Cancel => Intent::CancelPos,
        CaseKind::Close => Intent::CloseAccount,
        CaseKind::Card => Intent::ChangeCard,
    }
}

/// "Your application is still here, n of m answered; let's go on".
fn resume_here(draft: &Draft) -> Msg {
    let (done, total) = progress(draft);
    Msg::new(m::RESUME_HERE)
        .with_msg("kind", Msg::new(draft.kind.message_id()))
        .with_num("done", done as i64)
        .with_num("total", total as i64)
}

/// `(answered, total)` fields of a draft that apply.
pub fn progress(draft: &Draft) -> (usize, usize) {
    let active: Vec<_> = prompt::active_fields(draft).collect();
    let done = active
        .iter()
        .filter(|f| draft.values.contains_key(f.id))
        .count();
    (done, active.len())
}

/// The kind of the field being asked, if a field is being asked.
fn current_field_kind(state: &State) -> Option<FieldKind> {
    let (draft, field) = match state {
        State::Form { draft, field } => (draft, field),
        State::Edit {
            draft,
            field: Some(field),
        } => (draft, field),
        _ => return None,
    };
    forms::field(draft.kind, field).map(|f| f.kind)
}

/// The share-contact keyboard was shown and the phone field is done: the first plain
/// reply takes it away (Telegram allows one keyboard per message).
fn close_share_contact(out: &mut Vec<Effect>) {
    for effect in out.iter_mut() {
        if let Effect::Reply(reply) = effect {
            if reply.keyboard == Keyboard::None {
                reply.keyboard = Keyboard::RemoveShareContact;
                return;
            }
        }
    }
    out.insert(
        0,
        Effect::Reply(Reply::new(
            vec![Msg::new(m::KEYBOARD_CLOSED)],
            Keyboard::RemoveShareContact,
        )),
    );
}
