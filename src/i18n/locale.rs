//! The languages posdesk speaks.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A supported language. Chinese first: it is the default for merchants in China.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    /// Simplified Chinese, mainland China (`zh-CN`): the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English (`en`).
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Every supported language, Chinese first.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, also the folder name under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Short code used in callback data and the command line (`zh`, `en`).
    pub fn short(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh",
            Locale::En => "en",
        }
    }

    /// Parse a tag as users, operators and Telegram's `language_code` write it:
    /// `zh`, `zh-CN`, `zh-Hans`, `zh_TW`, `en`, `en-US`, `EN` … Unknown languages give `None`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let lower = tag.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        match primary {
            "zh" | "cn" | "chinese" | "中文" => Some(Locale::ZhCn),
            "en" | "english" => Some(Locale::En),
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_telegram_language_codes() {
        assert_eq!(Locale::parse("zh-hans"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh_TW"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("en-US"), Some(Locale::En));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("ru"), None);
        assert_eq!(Locale::parse(""), None);
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.tag()), Some(l));
            assert_eq!(Locale::parse(l.short()), Some(l));
        }
    }

    #[test]
    fn serde_uses_the_tag() {
        assert_eq!(serde_json::to_string(&Locale::ZhCn).unwrap(), "\"zh-CN\"");
        assert_eq!(
            serde_json::from_str::<Locale>("\"en\"").unwrap(),
            Locale::En
        );
    }
}
