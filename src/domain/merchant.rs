//! The merchant's number (商户编号) and registered name (商户名称).

use super::norm;
use super::Invalid;
use serde::{Deserialize, Serialize};

/// A merchant number: 8–20 of `[A-Z0-9]` with at least 6 digits (Lakala's are 15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MerchantNo(String);

const LABELS: &[&str] = &[
    "商户号",
    "商户编号",
    "商户号码",
    "商户代码",
    "商编",
    "merchant no.",
    "merchant no",
    "merchant number",
    "merchant id",
    "MID",
];

impl MerchantNo {
    /// Strips an optional `商户号` / `商户编号` label, spaces and dashes; upper-cases.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = norm::compact_id(input, LABELS);
        if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Invalid::MerchantNoInvalidChars);
        }
        if value.len() < 8 {
            return Err(Invalid::MerchantNoTooShort);
        }
        if value.len() > 20 {
            return Err(Invalid::MerchantNoTooLong);
        }
        if value.chars().filter(char::is_ascii_digit).count() < 6 {
            return Err(Invalid::MerchantNoTooFewDigits);
        }
        Ok(MerchantNo(value))
    }
}

/// The merchant's registered name (shop or company), 2–60 characters, as the merchant wrote it
/// apart from surrounding and repeated whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MerchantName(String);

impl MerchantName {
    /// Trims and collapses whitespace; refuses names without a single letter (only digits or
    /// punctuation usually means the merchant number or a phone was typed in the wrong field).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = norm::collapse_ws(&norm::clean(input));
        let len = value.chars().count();
        if len < 2 {
            return Err(Invalid::MerchantNameTooShort);
        }
        if len > 60 {
            return Err(Invalid::MerchantNameTooLong);
        }
        if !value.chars().any(char::is_alphabetic) {
            return Err(Invalid::MerchantNameNoLetters);
        }
        Ok(MerchantName(value))
    }
}

string_value!(MerchantNo, MerchantName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_no_accepts_labels_and_spacing() {
        for (s, want) in [
            ("822100050112345", "822100050112345"),
            ("商户号：822100050112345", "822100050112345"),
            ("商户编号 8221 0005 0112 345", "822100050112345"),
            ("商户号是822-100-050-112-345", "822100050112345"),
            ("８２２１０００５０１１２３４５", "822100050112345"),
            ("m12345678", "M12345678"),
            ("Merchant No: ab123456", "AB123456"),
        ] {
            assert_eq!(
                MerchantNo::parse(s).map(|v| v.as_str().to_string()),
                Ok(want.to_string()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn merchant_no_refusals() {
        let long = "1".repeat(21);
        for (s, want) in [
            ("", Invalid::MerchantNoTooShort),
            ("1234567", Invalid::MerchantNoTooShort),
            (long.as_str(), Invalid::MerchantNoTooLong),
            ("ABCDE12345", Invalid::MerchantNoTooFewDigits),
            ("ABCDEFGH", Invalid::MerchantNoTooFewDigits),
            ("我不知道商户号", Invalid::MerchantNoInvalidChars),
            ("8221_00050", Invalid::MerchantNoInvalidChars),
        ] {
            assert_eq!(MerchantNo::parse(s), Err(want), "{s:?}");
        }
    }

    #[test]
    fn merchant_name_rules() {
        assert_eq!(
            MerchantName::parse("  张三   便利店 ").unwrap().as_str(),
            "张三 便利店"
        );
        assert_eq!(
            MerchantName::parse("7-11便利店").unwrap().as_str(),
            "7-11便利店"
        );
        assert_eq!(
            MerchantName::parse("Joe's Cafe").unwrap().as_str(),
            "Joe's Cafe"
        );
        let sixty = "店".repeat(60);
        assert_eq!(MerchantName::parse(&sixty).unwrap().as_str(), sixty);

        let long = "店".repeat(61);
        for (s, want) in [
            ("", Invalid::MerchantNameTooShort),
            ("店", Invalid::MerchantNameTooShort),
            ("  a  ", Invalid::MerchantNameTooShort),
            (long.as_str(), Invalid::MerchantNameTooLong),
            ("822100050112345", Invalid::MerchantNameNoLetters),
            ("123-456 !!", Invalid::MerchantNameNoLetters),
            ("。。。", Invalid::MerchantNameNoLetters),
        ] {
            assert_eq!(MerchantName::parse(s), Err(want), "{s:?}");
        }
    }
}
