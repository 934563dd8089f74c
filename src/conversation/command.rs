//! The merchant's commands (`/start`, `/status`, …), named once and handled here: the
//! machine hands every typed command to `on_command` below, [`super::needs`] reads what
//! they need, and the Telegram edge builds the command menu from [`Command::ALL`]. Adding a
//! command is a variant here (its name, menu text and needs), its arm in `on_command` (the
//! compiler asks for it), and its `cmd-…` text in both locales.

use super::action::Action;
use super::effect::Keyboard;
use super::machine::{progress, Turn};
use super::messages as m;
use super::prompt::lang_keyboard;
use super::state::State;
use crate::domain::CaseKind;
use crate::i18n::Msg;
use crate::knowledge::brands;

/// A command a merchant can type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `/start [payload]`: the main menu, or the offer to continue a draft; the payload is
    /// a deep link (`unbind`, `unbind-lakala`, `status`, …).
    Start,
    /// `/status`: the merchant's applications.
    Status,
    /// `/cancel`: cancel the draft, or stop answering a reviewer.
    Cancel,
    /// `/lang` (or `/language`): choose the language.
    Lang,
    /// `/help`: how this works.
    Help,
    /// `/forget`: erase the merchant's stored details (when no case is open).
    Forget,
    /// `/menu`: back to the menu when no draft is open (not in the command menu).
    Menu,
}

/// A command as typed: which one, and the first word after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedCommand<'a> {
    /// The command, or `None` for a command posdesk does not know.
    pub command: Option<Command>,
    /// The first word after the command (the deep-link payload of `/start`), if any.
    pub payload: Option<&'a str>,
}

impl Command {
    /// Every command, in the order of Telegram's command menu.
    pub const ALL: [Command; 7] = [
        Command::Start,
        Command::Status,
        Command::Cancel,
        Command::Lang,
        Command::Help,
        Command::Forget,
        Command::Menu,
    ];

    /// The name typed after `/`: lower-case ASCII, at most 32 characters (Telegram's rule
    /// for the command menu).
    pub fn name(self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::Status => "status",
            Command::Cancel => "cancel",
            Command::Lang => "lang",
            Command::Help => "help",
            Command::Forget => "forget",
            Command::Menu => "menu",
        }
    }

    /// Other names typed for the same command.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Command::Lang => &["language"],
            _ => &[],
        }
    }

    /// The Fluent id of the command's description in Telegram's command menu (`cmd-…`), or
    /// `None` when the command is not listed there.
    pub fn menu_text(self) -> Option<&'static str> {
        match self {
            Command::Start => Some("cmd-start"),
            Command::Status => Some("cmd-status"),
            Command::Cancel => Some("cmd-cancel"),
            Command::Lang => Some("cmd-lang"),
            Command::Help => Some("cmd-help"),
            Command::Forget => Some("cmd-forget"),
            Command::Menu => None,
        }
    }

    /// Whether the step needs the merchant's own cases: `/status` lists them, `/forget` is
    /// refused while one is open, and `/start status` is a deep link to the list.
    pub fn needs_own_cases(self) -> bool {
        matches!(self, Command::Start | Command::Status | Command::Forget)
    }

    /// Reads typed text as a command, the way Telegram clients send them: `/name`, any
    /// case, optionally addressed (`/status@posdesk_bot`), then words separated by any
    /// white space. `None` when the text (trimmed) does not start with `/`.
    pub fn parse(text: &str) -> Option<TypedCommand<'_>> {
        let rest = text.trim().strip_prefix('/')?;
        let mut words = rest.split_whitespace();
        let word = words.next().unwrap_or("");
        let name = word.split('@').next().unwrap_or("").to_ascii_lowercase();
        let command = Command::ALL
            .into_iter()
            .find(|c| c.name() == name || c.aliases().contains(&name.as_str()));
        Some(TypedCommand {
            command,
            payload: words.next(),
        })
    }
}

// ----- what each command does -----------------------------------------------------------

impl Turn<'_, '_> {
    pub(super) fn on_command(&mut self, typed: TypedCommand<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_in_any_case_addressed_or_not_with_any_white_space() {
        let status = Some(Command::Status);
        for text in [
            "/status",
            "/Status",
            " /STATUS ",
            "/status@posdesk_bot",
            "/status\tnow",
        ] {
            assert_eq!(Command::parse(text).unwrap().command, status, "{text:?}");
        }
        let start = Command::parse("/start\nunbind-lakala extra").unwrap();
        assert_eq!(start.command, Some(Command::Start));
        assert_eq!(start.payload, Some("unbind-lakala"));
        assert_eq!(
            Command::parse("/language").unwrap().command,
            Some(Command::Lang)
        );
        assert_eq!(Command::parse("/nosuch").unwrap().command, None);
        assert_eq!(Command::parse("/").unwrap().command, None);
        assert_eq!(Command::parse("status"), None);
    }

    #[test]
    fn every_name_parses_back_and_fits_telegrams_rules() {
        for c in Command::ALL {
            let name = c.name();
            assert!(
                (1..=32).contains(&name.len())
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            assert_eq!(
                Command::parse(&format!("/{name}")).unwrap().command,
                Some(c)
            );
        }
    }
}
