//! The merchant's commands (`/start`, `/status`, …), named once: the machine carries them
//! out (`on_command.rs`), [`super::needs`] reads what they need, and the Telegram edge
//! builds the command menu from [`Command::ALL`]. Adding a command is a variant here (its
//! name, menu text and needs), its arm in `on_command` (the compiler asks for it), and its
//! `cmd-…` text in both locales.

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
