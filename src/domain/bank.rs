//! The name of the bank of a settlement or refund card.
//!
//! Merchants write banks the way people say them (`工行`, `建行卡`, `ICBC`, `邮政`). The review
//! team wants one spelling per bank so cases can be read and filtered, so the major banks are
//! canonicalised from a table of aliases; any other name that is recognisably a bank
//! (`XX农商银行`, `XX信用社`, `Bank of …`) is kept as the merchant wrote it.

use super::norm;
use super::Invalid;
use serde::{Deserialize, Serialize};

/// A bank's name: canonical (`中国工商银行`) for the banks in the table, otherwise as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BankName(String);

/// Canonical name and aliases. Aliases are compared lower-case with spaces removed.
const BANKS: &[(&str, &[&str])] = &[
    (
        "中国工商银行",
        &[
            "工商银行",
            "工行",
            "工商",
            "中国工商",
            "icbc",
            "industrialandcommercialbankofchina",
        ],
    ),
    (
        "中国建设银行",
        &[
            "建设银行",
            "建行",
            "建设",
            "中国建设",
            "ccb",
            "chinaconstructionbank",
        ],
    ),
    (
        "中国农业银行",
        &[
            "农业银行",
            "农行",
            "中国农业",
            "abc",
            "agriculturalbankofchina",
        ],
    ),
    ("中国银行", &["中行", "boc", "bankofchina"]),
    (
        "交通银行",
        &["交行", "交通", "bocom", "bankofcommunications"],
    ),
    (
        "招商银行",
        &["招行", "招商", "cmb", "cmbchina", "chinamerchantsbank"],
    ),
    (
        "中国邮政储蓄银行",
        &[
            "邮政储蓄银行",
            "邮储银行",
            "邮政银行",
            "邮储",
            "邮政",
            "邮政储蓄",
            "中国邮政",
            "psbc",
            "postalsavingsbankofchina",
        ],
    ),
    (
        "上海浦东发展银行",
        &["浦发银行", "浦发", "浦东发展银行", "spdb", "spdbank"],
    ),
    (
        "中国民生银行",
        &["民生银行", "民生", "cmbc", "chinaminshengbank"],
    ),
    ("兴业银行", &["兴业", "cib", "industrialbank"]),
    (
        "中信银行",
        &["中信", "citic", "citicbank", "chinaciticbank"],
    ),
    (
        "中国光大银行",
        &["光大银行", "光大", "ceb", "cebbank", "chinaeverbrightbank"],
    ),
    ("华夏银行", &["华夏", "hxb", "huaxiabank"]),
    ("平安银行", &["平安", "pingan", "pinganbank"]),
    (
        "广发银行",
        &["广发", "广东发展银行", "cgb", "chinaguangfabank"],
    ),
    ("浙商银行", &["浙商", "czbank"]),
    ("渤海银行", &["渤海", "cbhb"]),
    ("恒丰银行", &["恒丰"]),
    ("北京银行", &["bankofbeijing"]),
    ("上海银行", &["bankofshanghai"]),
    ("江苏银行", &["bankofjiangsu"]),
    ("宁波银行", &["bankofningbo"]),
    ("南京银行", &["bankofnanjing"]),
    ("杭州银行", &["bankofhangzhou"]),
    ("徽商银行", &["徽商"]),
    ("微众银行", &["微众", "webank"]),
    ("网商银行", &["网商", "mybank"]),
];

/// Words that make an unknown name recognisably a bank.
const KEYWORDS: &[&str] = &["银行", "信用社", "信用合作", "农商", "农信", "村镇", "bank"];

/// What merchants add after the bank (`建行卡`, `工商银行储蓄卡`); removed before matching.
const CARD_SUFFIXES: &[&str] = &["储蓄卡", "借记卡", "信用卡", "工资卡", "的卡", "的", "卡"];

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Removes what merchants add after the bank: the card type (`建行卡`, `工商银行储蓄卡`) and the
/// card's tail (`工行 1234`, `工行尾号1234`; the last four are asked for separately), as often
/// as they were added (`农商银行卡卡`, `工行卡 1234`), so a parsed name parses to itself.
fn strip_card_suffix(s: &str) -> &str {
    let mut t = s;
    loop {
        let next = strip_card_suffix_once(t);
        if next.len() == t.len() {
            return t;
        }
        t = next;
    }
}

fn strip_card_suffix_once(s: &str) -> &str {
    let mut t = s.trim_end_matches(|c: char| c.is_whitespace() || ".。!！~～".contains(c));
    let without_digits = t.trim_end_matches(|c: char| c.is_ascii_digit());
    if without_digits.len() < t.len() && !without_digits.trim().is_empty() {
        t = without_digits
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '是'))
            .trim_end_matches("尾号")
            .trim_end_matches("尾数")
            .trim_end_matches("卡号")
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '，'));
    }
    for suffix in CARD_SUFFIXES {
        if let Some(rest) = t.strip_suffix(suffix) {
            return rest.trim_end();
        }
    }
    t
}

/// The canonical name whose alias equals `key`, or (when `contains` is allowed) the longest
/// alias/name containing 银行 or `bank` that `key` contains (`中国工商银行深圳分行` → 中国工商银行).
fn canonical(k: &str, contains: bool) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for (name, aliases) in BANKS {
        for alias in std::iter::once(name).chain(aliases.iter()) {
            if *alias == k {
                return Some(name);
            }
            let bankish = alias.contains("银行") || alias.contains("bank");
            if contains
                && bankish
                && k.contains(alias)
                && best.map_or(true, |(len, _)| alias.len() > len)
            {
                best = Some((alias.len(), name));
            }
        }
    }
    best.map(|(_, name)| name)
}

impl BankName {
    /// Reads a bank's name: one of the major banks by any of its aliases (`工行`, `ICBC`) becomes its canonical name; another name containing a bank word (`银行`, `信用社`, `bank`) of at most 30 characters is kept as written. A trailing `卡` / card number suffix is ignored.
    /// Errors: [`Invalid::BankNameDigitsOnly`], [`Invalid::BankNameNotBank`], [`Invalid::BankNameTooLong`].
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let cleaned = norm::collapse_ws(&norm::clean(input));
        let value = strip_card_suffix(&cleaned);
        let k = key(value);
        let len = value.chars().count();
        if !k.is_empty() && k.chars().all(|c| c.is_ascii_digit() || norm::is_dash(c)) {
            return Err(Invalid::BankNameDigitsOnly);
        }
        // Exact aliases may be long (`Industrial and Commercial Bank of China`); a name merely
        // containing a bank's name is only trusted when it is short enough to be a name.
        let k_without_bank = k.strip_suffix("bank").unwrap_or(&k);
        if let Some(name) = canonical(&k, len <= 30).or_else(|| canonical(k_without_bank, false)) {
            return Ok(BankName(name.to_string()));
        }
        let has_keyword = KEYWORDS.iter().any(|w| k.contains(w));
        let only_keyword = KEYWORDS.iter().any(|w| k == *w);
        if !has_keyword || only_keyword || len < 2 {
            return Err(Invalid::BankNameNotBank);
        }
        if len > 30 {
            return Err(Invalid::BankNameTooLong);
        }
        Ok(BankName(value.to_string()))
    }
}

string_value!(BankName);

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match BankName::parse(s) {
            Ok(v) => v.as_str().to_string(),
            Err(e) => panic!("{s:?} refused: {e:?}"),
        }
    }

    #[test]
    fn canonicalises_aliases() {
        for (inputs, want) in [
            (
                &[
                    "工行",
                    "工商",
                    "工商银行",
                    "ICBC",
                    "icbc",
                    "中国工商银行",
                    "工行卡",
                    "工商银行储蓄卡",
                    "中国 工商 银行",
                    "中国工商银行深圳南山支行",
                    "Industrial and Commercial Bank of China",
                ][..],
                "中国工商银行",
            ),
            (
                &[
                    "建行",
                    "CCB",
                    "建设银行",
                    "建行的卡",
                    "China Construction Bank",
                ][..],
                "中国建设银行",
            ),
            (
                &["农行", "ABC", "农业银行", "Agricultural Bank of China"][..],
                "中国农业银行",
            ),
            (
                &["中行", "BOC", "中国银行", "Bank of China", "中国银行卡"][..],
                "中国银行",
            ),
            (&["交行", "交通银行"][..], "交通银行"),
            (
                &["招行", "CMB", "招商银行", "招商银行信用卡"][..],
                "招商银行",
            ),
            (
                &["邮储", "邮政", "邮政储蓄", "邮储银行", "PSBC"][..],
                "中国邮政储蓄银行",
            ),
            (&["浦发", "浦发银行", "SPDB"][..], "上海浦东发展银行"),
            (&["民生", "民生银行", "中国民生银行"][..], "中国民生银行"),
            (&["兴业", "兴业银行", "CIB"][..], "兴业银行"),
            (&["中信", "中信银行"][..], "中信银行"),
            (&["光大", "光大银行"][..], "中国光大银行"),
            (&["华夏", "华夏银行"][..], "华夏银行"),
            (&["平安", "平安银行"][..], "平安银行"),
            (&["广发", "广发银行", "广东发展银行"][..], "广发银行"),
            (
                &[
                    "ｉｃｂｃ",
                    "工行。",
                    "ICBC Bank",
                    "工行 1234",
                    "工行尾号1234",
                    "工商银行，尾号是 1234",
                    "工行卡 1234",
                ][..],
                "中国工商银行",
            ),
        ] {
            for s in inputs {
                assert_eq!(ok(s), want, "{s:?}");
            }
        }
    }

    #[test]
    fn lookalike_names_do_not_cross() {
        // Containment must not map one bank onto another with a similar name.
        assert_eq!(ok("中国农业发展银行"), "中国农业发展银行");
        assert_eq!(ok("北京农商银行"), "北京农商银行");
        assert_eq!(ok("上海农商银行"), "上海农商银行");
        assert_eq!(ok("中国银行"), "中国银行");
        assert_eq!(ok("中国农业银行"), "中国农业银行");
    }

    #[test]
    fn accepts_other_banks_as_written() {
        assert_eq!(ok("深圳农村商业银行"), "深圳农村商业银行");
        assert_eq!(ok("XX县农村信用社"), "XX县农村信用社");
        assert_eq!(ok("鄞州农商行"), "鄞州农商行");
        assert_eq!(ok("浙江农信"), "浙江农信");
        assert_eq!(ok("  长子县  村镇银行 借记卡 "), "长子县 村镇银行");
        assert_eq!(ok("Standard Chartered Bank"), "Standard Chartered Bank");
        // Suffixes typed twice go too: the stored name must parse to itself.
        assert_eq!(ok("深圳农商银行卡卡"), "深圳农商银行");
        assert_eq!(ok("深圳农商银行"), "深圳农商银行");
    }

    #[test]
    fn refuses_with_the_right_reason() {
        let long = format!("{}银行", "很".repeat(29));
        for (s, want) in [
            ("6222021234567890128", Invalid::BankNameDigitsOnly),
            ("1234", Invalid::BankNameDigitsOnly),
            ("1234-5678", Invalid::BankNameDigitsOnly),
            ("", Invalid::BankNameNotBank),
            ("银行", Invalid::BankNameNotBank),
            ("银行卡", Invalid::BankNameNotBank),
            ("bank", Invalid::BankNameNotBank),
            ("不知道", Invalid::BankNameNotBank),
            ("支付宝", Invalid::BankNameNotBank),
            ("微信", Invalid::BankNameNotBank),
            ("张三", Invalid::BankNameNotBank),
            (long.as_str(), Invalid::BankNameTooLong),
        ] {
            assert_eq!(BankName::parse(s), Err(want), "{s:?}");
        }
    }
}
