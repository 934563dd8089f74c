//! Mainland China mobile numbers.
//!
//! The contact phone is how the review team calls the merchant back and where the provider's
//! SMS codes go, so only mobile numbers (11 digits, `1[3-9]…`) are taken, never landlines.

use super::norm::{self, digit_runs, digit_value, group_digits};
use super::Invalid;
use serde::{Deserialize, Serialize};

/// A mainland China mobile number, stored as its 11 digits (`13812345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

/// Words merchants put before the number (`手机号：138…`, `电话 138…`, `Tel: 138…`).
const LABELS: &[&str] = &[
    "手机号码",
    "手机号",
    "手机",
    "联系电话",
    "联系方式",
    "电话号码",
    "电话",
    "号码",
    "mobile",
    "phone",
    "tel",
];

impl Phone {
    /// Accepts `13812345678`, `138 1234 5678`, `138-1234-5678`, `+86 138…`, `0086138…`,
    /// `86138…`, full-width digits and a leading label such as `手机号：`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let cleaned = norm::clean(input);
        let body = norm::strip_label(&cleaned, LABELS);
        let mut digits = String::new();
        let mut plus = false;
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '(' | ')' | '.' => {}
                c if norm::is_dash(c) => {}
                _ => return Err(Invalid::PhoneInvalidChars),
            }
        }
        // Strip the country code. `+` followed by anything but 86 is a foreign number.
        let national = if let Some(rest) = digits.strip_prefix("0086") {
            rest
        } else if let Some(rest) = digits.strip_prefix("86").filter(|r| plus || r.len() == 11) {
            rest
        } else if plus {
            return Err(Invalid::PhoneNotMobile);
        } else {
            digits.as_str()
        };
        if national.len() != 11 {
            // A landline with an area code (010-12345678, 0755-1234567) is 10–12 digits
            // starting with 0: tell the merchant it must be a mobile, not to count digits.
            if national.starts_with('0') && (10..=12).contains(&national.len()) {
                return Err(Invalid::PhoneNotMobile);
            }
            return Err(Invalid::PhoneLength);
        }
        if !is_mobile(national) {
            return Err(Invalid::PhoneNotMobile);
        }
        Ok(Phone(national.to_string()))
    }

    /// `138****5678`: for staff cards, logs and confirmations the merchant sees in a group.
    pub fn masked(&self) -> String {
        let mut s = String::with_capacity(11);
        s.push_str(self.0.get(..3).unwrap_or_default());
        s.push_str("****");
        s.push_str(self.0.get(7..).unwrap_or_default());
        s
    }
}

/// 11 ASCII digits starting with 1 and a second digit 3–9.
fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
}

/// Mask every mobile-looking number in `text` (for logs): `13812345678` → `138****5678`,
/// `+86 138-1234-5678` → `+86 138-****-5678`, full-width digits too. Everything else is kept
/// as it was, except invisible characters, which are dropped so they cannot hide a number.
///
/// A number is mobile-looking when a run of digit groups (joined by single spaces or dashes)
/// contains consecutive groups totalling exactly 11 digits that start with `1[3-9]`, or a single
/// group of `86`/`0086` + such 11 digits. Numbers inside longer digit strings (order numbers,
/// card numbers) are left alone: masking those is the privacy guard's job, not this one's.
pub fn mask_phones(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().filter(|c| !norm::is_invisible(*c)).collect();
    let mut to_mask: Vec<usize> = Vec::new();
    for run in digit_runs(&chars) {
        let mut i = 0;
        while i < run.len() {
            let mut matched = None;
            let mut total = 0;
            for (j, g) in run.iter().enumerate().skip(i) {
                total += g.len();
                if total >= 11 {
                    if total == 11 && is_mobile(&group_digits(&chars, &run[i..=j])) {
                        matched = Some(j);
                    }
                    break;
                }
            }
            if let Some(j) = matched {
                to_mask.extend(
                    digit_positions(&chars, &run[i..=j])
                        .into_iter()
                        .skip(3)
                        .take(4),
                );
                i = j + 1;
                continue;
            }
            let g = run[i];
            let d = group_digits(&chars, &[g]);
            let skip = match d.len() {
                13 if d.starts_with("86") => 2,
                15 if d.starts_with("0086") => 4,
                _ => 0,
            };
            if skip > 0 && is_mobile(&d[skip..]) {
                to_mask.extend((g.start + skip + 3)..(g.start + skip + 7));
            }
            i += 1;
        }
    }
    for p in to_mask {
        chars[p] = '*';
    }
    chars.into_iter().collect()
}

/// Char positions of the digits in `groups`, in order.
fn digit_positions(chars: &[char], groups: &[norm::Group]) -> Vec<usize> {
    groups
        .iter()
        .flat_map(|g| g.start..g.end)
        .filter(|&p| digit_value(chars[p]).is_some())
        .collect()
}

string_value!(Phone);

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match Phone::parse(s) {
            Ok(p) => p.as_str().to_string(),
            Err(e) => panic!("{s:?} refused: {e:?}"),
        }
    }

    #[test]
    fn accepts_common_spellings() {
        for s in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-13812345678",
            "+8613812345678",
            "008613812345678",
            "0086 138 1234 5678",
            "8613812345678",
            "86 138 1234 5678",
            "１３８１２３４５６７８",
            "１３８　１２３４　５６７８",
            "138\u{200B}12345678",
            "(+86) 138 1234 5678",
            "手机号：13812345678",
            "手机 138-1234-5678",
            "电话是13812345678",
            "Tel: +86 138 1234 5678",
            "138.1234.5678",
        ] {
            assert_eq!(ok(s), "13812345678", "{s:?}");
        }
        assert_eq!(ok("19912345678"), "19912345678");
        assert_eq!(ok("16612345678"), "16612345678");
    }

    #[test]
    fn refuses_with_the_right_reason() {
        let cases = [
            ("", Invalid::PhoneLength),
            ("1381234567", Invalid::PhoneLength),
            ("138123456789", Invalid::PhoneLength),
            ("138 1234 567", Invalid::PhoneLength),
            ("12812345678", Invalid::PhoneNotMobile),
            ("11012345678", Invalid::PhoneNotMobile),
            ("23812345678", Invalid::PhoneNotMobile),
            ("010-12345678", Invalid::PhoneNotMobile),
            ("0755-1234567", Invalid::PhoneNotMobile),
            ("+1 415 555 0100", Invalid::PhoneNotMobile),
            ("+852 9123 4567", Invalid::PhoneNotMobile),
            ("138abc45678", Invalid::PhoneInvalidChars),
            ("不知道", Invalid::PhoneInvalidChars),
            ("138+12345678", Invalid::PhoneInvalidChars),
            ("13812345678😀", Invalid::PhoneInvalidChars),
        ];
        for (s, want) in cases {
            assert_eq!(Phone::parse(s), Err(want), "{s:?}");
        }
    }

    #[test]
    fn masked_and_display() {
        let p = Phone::parse("138 1234 5678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(p.to_string(), "13812345678");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"13812345678\"");
        let back: Phone = serde_json::from_str("\"13812345678\"").unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn mask_phones_in_text() {
        assert_eq!(
            mask_phones("请回电 13812345678，谢谢"),
            "请回电 138****5678，谢谢"
        );
        assert_eq!(mask_phones("+86 138-1234-5678"), "+86 138-****-5678");
        assert_eq!(mask_phones("8613812345678"), "86138****5678");
        assert_eq!(mask_phones("008613812345678"), "0086138****5678");
        assert_eq!(mask_phones("１３８１２３４５６７８"), "１３８****５６７８");
        assert_eq!(
            mask_phones("a 13812345678 b 15987654321"),
            "a 138****5678 b 159****4321"
        );
        assert_eq!(mask_phones("2026 13812345678"), "2026 138****5678");
        assert_eq!(mask_phones("13812345678 1234"), "138****5678 1234");
    }

    #[test]
    fn mask_phones_leaves_other_numbers() {
        for s in [
            "订单 202611031234567",
            "12812345678",
            "卡号尾号 1234",
            "SN 0000123456",
            "1381234567",
            "138123456789",
            "",
            "没有数字",
        ] {
            assert_eq!(mask_phones(s), s, "{s:?}");
        }
    }
}
