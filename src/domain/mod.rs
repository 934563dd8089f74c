//! Validated domain values: everything a merchant types passes through one of these parsers
//! before the conversation core stores it.
//!
//! Each parser is lenient about *form* (full-width digits, spaces, labels like `SN:`, `尾号`)
//! and strict about *content*; a refusal is an [`Invalid`] whose Fluent message says what is
//! wrong and shows a good example. No parser panics on any input.

/// What every validated text value offers besides its own `parse` (where its rules are):
/// the normalized text, and `Display` printing it.
macro_rules! string_value {
    ($($name:ident),* $(,)?) => {$(
        impl $name {
            /// The validated, normalized text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

mod bank;
mod card;
mod case;
mod case_kind;
mod case_ref;
mod date;
mod invalid;
mod merchant;
mod norm;
mod person;
mod phone;
mod privacy;
mod serial;
mod text;
mod yesno;

pub use bank::BankName;
pub use card::CardLast4;
pub use case::{CaseRecord, CaseStatus, ClaimUpdate, StatusChange};
pub use case_kind::CaseKind;
pub use case_ref::CaseRef;
pub use date::parse_date;
pub use invalid::Invalid;
pub use merchant::{MerchantName, MerchantNo};
pub use person::PersonName;
pub use phone::{mask_phones, Phone};
pub use privacy::{id_number_valid, luhn_complete, luhn_valid, scan_sensitive, Sensitive};
pub use serial::DeviceSerial;
pub use text::FreeText;
pub use yesno::parse_yes_no;

/// Whether `value`, parsed from `input` as a serial or merchant number, lost a label on the
/// way (`SN: N7NL…`, `商户号 822…`): the privacy guard trusts such labels, so the fuzz
/// properties (`crate::fuzzing`) must know about them.
pub(crate) fn id_label_given(input: &str, value: &str) -> bool {
    norm::compact_id(input, &[]) != value
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::collections::HashSet;

    const ZH_CN_FTL: &str = include_str!("../../locales/zh-CN/validation.ftl");
    const EN_FTL: &str = include_str!("../../locales/en/validation.ftl");

    /// Message ids defined in an `.ftl` source: lines of the form `id = …` at column 0.
    fn defined_ids(ftl: &str) -> HashSet<&str> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
            .collect()
    }

    #[test]
    fn every_message_id_is_in_both_locales() {
        for (name, ftl) in [("zh-CN", ZH_CN_FTL), ("en", EN_FTL)] {
            let ids = defined_ids(ftl);
            for v in Invalid::ALL {
                assert!(
                    ids.contains(v.message_id()),
                    "{name}: {} missing",
                    v.message_id()
                );
            }
            for s in Sensitive::ALL {
                assert!(
                    ids.contains(s.message_id()),
                    "{name}: {} missing",
                    s.message_id()
                );
            }
        }
    }

    #[test]
    fn locales_define_nothing_else_and_no_duplicates() {
        let expected: HashSet<&str> = Invalid::ALL
            .iter()
            .map(Invalid::message_id)
            .chain(Sensitive::ALL.iter().map(|s| s.message_id()))
            .collect();
        for (name, ftl) in [("zh-CN", ZH_CN_FTL), ("en", EN_FTL)] {
            let lines: Vec<&str> = ftl
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
                .collect();
            let ids: HashSet<&str> = lines.iter().copied().collect();
            assert_eq!(ids.len(), lines.len(), "{name}: duplicate ids");
            assert_eq!(ids, expected, "{name}: unexpected ids");
        }
    }

    #[test]
    fn invalid_messages_show_an_example() {
        // Every refusal shows a good value. Messages are single-line `id = text`.
        for (name, ftl) in [("zh-CN", ZH_CN_FTL), ("en", EN_FTL)] {
            for line in ftl.lines().filter(|l| l.starts_with("invalid-")) {
                let text = line.split_once('=').map(|(_, t)| t).unwrap_or("");
                let has_example = ["比如", "例如", "e.g.", "for example", "like "]
                    .iter()
                    .any(|w| text.contains(w));
                assert!(has_example, "{name}: no example in {line:?}");
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{name}: {line:?}"
                );
            }
        }
    }

    /// Strings designed to trip parsers: empty, huge, emoji, invisible and control characters,
    /// right-to-left text, combining marks, huge numbers, lone separators.
    fn odd_inputs() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            " ",
            "\u{3000}",
            "\n\t\r",
            "\0",
            "\u{200B}\u{200C}\u{200D}\u{FEFF}",
            "\u{202E}1234\u{202C}",
            "مرحبا بالعالم ١٢٣٤٥٦٧٨٩٠",
            "שלום 13812345678",
            "😀👍🏽👨‍👩‍👧‍👦🇨🇳",
            "e\u{0301}\u{0301}\u{0301}\u{0301}",
            "Z̴̡̢̛͙͇a̶͎͛l̸͇̓g̷̡̛o̵̧͒",
            "99999999999999999999999999999999999999999999999999",
            "-99999999999999999999-99999999999999999-9999999999",
            "2026年99999999999999月99999999999日",
            "4294967296年4294967296月4294967296日",
            "18446744073709551616/18446744073709551616",
            "0000-00-00",
            "9999-12-31",
            "---",
            "///",
            "...",
            "·",
            "月",
            "年月日",
            "号",
            "密码",
            "密码是",
            "验证码：",
            "code",
            "pin",
            "x",
            "X",
            "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0",
            "\u{FFFD}\u{FFFF}",
            "\u{10FFFF}",
            "\u{D7FF}",
            "ＳＮ：",
            "+",
            "+86",
            "0086",
            "十十十十",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push("a".repeat(5000));
        v.push("好".repeat(5000));
        v.push("1".repeat(5000));
        v.push("1 ".repeat(2500));
        v.push("1-".repeat(2500));
        v.push("😀".repeat(5000));
        v.push("\u{200B}".repeat(5000));
        v.push("密码是".repeat(1700));
        v.push("验证码 1234 ".repeat(500));
        v.push("6222 ".repeat(1000));
        v.push(format!("{}X", "1".repeat(4999)));
        v
    }

    /// Every text parser of the module, on one input (results ignored: only panics matter).
    fn parse_with_every_parser(s: &str) {
        let _ = Phone::parse(s);
        let _ = mask_phones(s);
        let _ = DeviceSerial::parse(s);
        let _ = MerchantNo::parse(s);
        let _ = MerchantName::parse(s);
        let _ = PersonName::parse(s);
        let _ = CardLast4::parse(s);
        let _ = BankName::parse(s);
        let _ = FreeText::parse(s);
        let _ = CaseRef::parse(s);
    }

    #[test]
    fn no_parser_panics_on_odd_input() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        let extremes = [
            today,
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default(),
        ];
        for s in odd_inputs() {
            parse_with_every_parser(&s);
            for d in extremes {
                let _ = parse_date(&s, d);
            }
            let _ = parse_yes_no(&s);
            let _ = scan_sensitive(&s, false);
            let _ = scan_sensitive(&s, true);
            let _ = luhn_valid(&s);
            let _ = id_number_valid(&s);
        }
        for d in extremes {
            for s in [
                "今天",
                "昨天",
                "前天",
                "11/3",
                "2月29日",
                "3号",
                "Nov 3",
                "2026-11-03",
            ] {
                let _ = parse_date(s, d);
            }
        }
    }

    /// Deterministic pseudo-random strings built from the pieces the parsers look for
    /// (digits of both widths, separators, labels, keywords, `X`, masks, invisible marks), so
    /// that index arithmetic around them is exercised far beyond the hand-written cases.
    #[test]
    fn no_parser_panics_on_generated_input() {
        const PIECES: &[&str] = &[
            "1",
            "3",
            "8",
            "6",
            "0",
            "9",
            "１",
            "８",
            " ",
            "  ",
            "-",
            "—",
            "/",
            ".",
            ":",
            "：",
            "+",
            "X",
            "x",
            "*",
            "·",
            "年",
            "月",
            "日",
            "号",
            "是",
            "不",
            "没",
            "已",
            "了",
            "吗",
            "sn",
            "SN:",
            "IMEI",
            "密码",
            "验证码",
            "code",
            "pin",
            "is",
            "尾号",
            "后4位",
            "银行",
            "工行",
            "bank",
            "nov",
            "today",
            "昨天",
            "十",
            "三",
            "86",
            "0086",
            "\u{200B}",
            "😀",
            "é",
            "\n",
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            parse_with_every_parser(&s);
            let _ = parse_date(&s, today);
            let _ = parse_yes_no(&s);
            let _ = scan_sensitive(&s, false);
            let _ = scan_sensitive(&s, true);
        }
    }

    #[test]
    fn odd_input_is_refused_not_accepted() {
        for s in ["", "\u{200B}", "😀😀😀", "\u{202E}\u{202C}"] {
            assert!(Phone::parse(s).is_err());
            assert!(DeviceSerial::parse(s).is_err());
            assert!(MerchantNo::parse(s).is_err());
            assert!(MerchantName::parse(s).is_err());
            assert!(PersonName::parse(s).is_err());
            assert!(CardLast4::parse(s).is_err());
            assert!(BankName::parse(s).is_err());
            assert!(FreeText::parse(s).is_err());
            assert!(CaseRef::parse(s).is_err());
            assert_eq!(parse_yes_no(s), None);
            assert_eq!(scan_sensitive(s, false), None);
        }
    }
}
