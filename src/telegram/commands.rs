//! The command menu Telegram shows next to the text field, in each language.

use crate::i18n::{Locale, Localizer, Msg};
use teloxide::prelude::*;
use teloxide::types::BotCommand;

/// `(command, Fluent id of its description)`.
pub const COMMANDS: &[(&str, &str)] = &[
    ("start", "cmd-start"),
    ("status", "cmd-status"),
    ("cancel", "cmd-cancel"),
    ("lang", "cmd-lang"),
    ("help", "cmd-help"),
    ("forget", "cmd-forget"),
];

/// The commands with descriptions in `locale`.
pub fn commands(locale: Locale) -> Vec<BotCommand> {
    let l10n = Localizer::global();
    COMMANDS
        .iter()
        .map(|(cmd, id)| BotCommand::new(*cmd, l10n.render(locale, &Msg::new(*id))))
        .collect()
}

/// Register the menu for each language, and as the default for everyone else.
pub async fn register(bot: &Bot, default: Locale) {
    for locale in Locale::ALL {
        let result = bot
            .set_my_commands(commands(locale))
            .language_code(locale.short().to_string())
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, %locale, "setMyCommands failed");
        }
    }
    if let Err(e) = bot.set_my_commands(commands(default)).await {
        tracing::warn!(error = %e, "setMyCommands (default) failed");
    }
}
