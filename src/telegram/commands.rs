//! The command menu Telegram shows next to the text field, in each language: the
//! merchant's commands that have a menu text ([`Command::menu_text`]).

use crate::conversation::Command;
use crate::i18n::{Locale, Localizer, Msg};
use teloxide::prelude::*;
use teloxide::types::BotCommand;

/// The commands of the menu with their descriptions in `locale`.
pub fn commands(locale: Locale) -> Vec<BotCommand> {
    let l10n = Localizer::global();
    Command::ALL
        .into_iter()
        .filter_map(|c| {
            let text = c.menu_text()?;
            Some(BotCommand::new(
                c.name(),
                l10n.render(locale, &Msg::new(text)),
            ))
        })
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
