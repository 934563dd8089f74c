//! What each merchant command does (the commands themselves are named in `command.rs`):
//! the menu, `/start` and its deep links, `/status`, `/cancel`, `/lang`, `/help`,
//! `/forget`.

use super::action::Action;
use super::command::{Command, TypedCommand};
use super::effect::Keyboard;
use super::machine::{progress, Turn};
use super::messages as m;
use super::prompt::lang_keyboard;
use super::state::State;
use crate::domain::CaseKind;
use crate::i18n::Msg;
use crate::knowledge::brands;

impl Turn<'_, '_> {
    /// Carries out `text` if it is a command (see [`Command::parse`]); false when it is not
    /// one.
    pub(super) fn command(&mut self, text: &str) -> bool {
        match Command::parse(text) {
            Some(typed) => {
                self.on_command(typed);
                true
            }
            None => false,
        }
    }

    fn on_command(&mut self, typed: TypedCommand<'_>) {
        let Some(command) = typed.command else {
            return self.show(vec![Msg::new(m::UNKNOWN_COMMAND)]);
        };
        match command {
            Command::Start => self.start(typed.payload),
            Command::Help => {
                if self.draft().is_none() {
                    self.d.state = State::Menu;
                }
                self.show(vec![Msg::new(m::HELP)]);
            }
            Command::Menu if self.draft().is_none() => {
                self.d.state = State::Menu;
                self.show(Vec::new());
            }
            // Not while a draft is open: /cancel or the buttons leave it.
            Command::Menu => self.show(vec![Msg::new(m::UNKNOWN_COMMAND)]),
            Command::Status => {
                self.status_reply();
                self.show(Vec::new());
            }
            Command::Cancel if matches!(self.d.state, State::AnswerStaff { .. }) => {
                self.leave_answer()
            }
            Command::Cancel if matches!(self.d.state, State::NoteToStaff { .. }) => {
                self.leave_note()
            }
            Command::Cancel => {
                if self.draft().is_some() {
                    self.ask_discard();
                } else {
                    self.d.state = State::Menu;
                    self.show(vec![Msg::new(m::NOTHING_TO_CANCEL)]);
                }
            }
            Command::Lang => {
                let kb = lang_keyboard(self.d.step);
                self.reply(vec![Msg::new(m::LANG_PROMPT)], kb);
            }
            Command::Forget => self.ask_forget(),
        }
    }

    fn start(&mut self, payload: Option<&str>) {
        if let Some(draft) = self.draft() {
            let (done, total) = progress(draft);
            let msg = Msg::new(m::RESUME_OFFER)
                .with_msg("kind", Msg::new(draft.kind.message_id()))
                .with_num("done", done as i64)
                .with_num("total", total as i64);
            let kb = Keyboard::Inline(vec![
                vec![self.button(m::BTN_RESUME, Action::Resume)],
                vec![self.button(m::BTN_DISCARD, Action::Discard)],
            ]);
            return self.reply(vec![msg], kb);
        }
        match payload.and_then(parse_deep_link) {
            Some(DeepLink::Topic(kind, Some(brand))) => {
                self.say(vec![Msg::new(m::WELCOME)]);
                self.show_guide(kind, brand);
            }
            Some(DeepLink::Topic(kind, None)) => {
                self.d.state = State::ChooseBrand { topic: kind };
                self.show(vec![Msg::new(m::WELCOME)]);
            }
            Some(DeepLink::Status) => {
                self.d.state = State::Menu;
                self.status_reply();
                self.show(Vec::new());
            }
            None => {
                self.d.state = State::Menu;
                self.show(vec![Msg::new(m::WELCOME)]);
            }
        }
    }

    fn ask_forget(&mut self) {
        let open = self.ctx.facts.open_cases();
        if open > 0 {
            return self.show(vec![
                Msg::new(m::FORGET_BLOCKED).with_num("count", open as i64)
            ]);
        }
        let kb = Keyboard::Inline(vec![vec![
            self.button(m::BTN_FORGET_YES, Action::ForgetYes),
            self.button(m::BTN_FORGET_NO, Action::ForgetNo),
        ]]);
        self.reply(vec![Msg::new(m::FORGET_CONFIRM)], kb);
    }
}

enum DeepLink<'a> {
    Topic(CaseKind, Option<&'a str>),
    Status,
}

/// `/start` payloads: `unbind`, `unbind_lakala`, `status`. Anything else is ignored.
fn parse_deep_link(payload: &str) -> Option<DeepLink<'_>> {
    if payload.len() > 64 {
        return None;
    }
    if payload == "status" {
        return Some(DeepLink::Status);
    }
    let (kind, brand) = match payload.split_once(['_', '-']) {
        Some((k, b)) => (k, Some(b)),
        None => (payload, None),
    };
    let kind = CaseKind::from_id(kind)?;
    let brand = match brand {
        Some(b) => Some(brands::find(b)?.id),
        None => None,
    };
    Some(DeepLink::Topic(kind, brand))
}
