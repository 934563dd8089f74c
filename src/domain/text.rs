//! Free text: the reason for unbinding, what is wrong with a terminal, and the like.

use super::norm;
use super::Invalid;
use serde::{Deserialize, Serialize};

/// 2–300 characters of free text with at least one letter or digit, trimmed, inner whitespace
/// (newlines included) collapsed to single spaces. The merchant's own punctuation (`，。`) is
/// kept: unlike the other values, free text is not NFKC-normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FreeText(String);

impl FreeText {
    /// Reads free text (see [`FreeText`]). Errors: [`Invalid::TextTooLong`] over 300 characters, [`Invalid::TextTooShort`] under 2 or without a letter or digit.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = norm::clean_keep_width(input);
        let len = value.chars().count();
        if len > 300 {
            return Err(Invalid::TextTooLong);
        }
        // Only emoji or punctuation ("。。", "😭😭") says nothing the reviewer can use.
        if len < 2 || !value.chars().any(char::is_alphanumeric) {
            return Err(Invalid::TextTooShort);
        }
        Ok(FreeText(value))
    }
}

string_value!(FreeText);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses() {
        let t = FreeText::parse("  机器开不了机，\n\n  屏幕不亮。\t ").unwrap();
        assert_eq!(t.as_str(), "机器开不了机， 屏幕不亮。");
        assert_eq!(FreeText::parse("不用了").unwrap().as_str(), "不用了");
        assert_eq!(FreeText::parse("关店").unwrap().to_string(), "关店");
        let max = "好".repeat(300);
        assert_eq!(FreeText::parse(&max).unwrap().as_str(), max);
        assert_eq!(
            FreeText::parse("a\u{200B}\u{200B}b").unwrap().as_str(),
            "ab"
        );
    }

    #[test]
    fn refusals() {
        let long = "好".repeat(301);
        for (s, want) in [
            ("", Invalid::TextTooShort),
            ("   ", Invalid::TextTooShort),
            ("坏", Invalid::TextTooShort),
            ("。。。", Invalid::TextTooShort),
            ("😭😭", Invalid::TextTooShort),
            ("\u{200B}\u{200B}", Invalid::TextTooShort),
            (long.as_str(), Invalid::TextTooLong),
        ] {
            assert_eq!(FreeText::parse(s), Err(want), "{s:?}");
        }
    }
}
