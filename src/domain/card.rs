//! The last four digits of a bank card: all the bot ever takes of a card number.

use super::norm;
use super::Invalid;
use serde::{Deserialize, Serialize};

/// The last four digits of a bank card (`1234`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardLast4(String);

/// Phrases that contain a digit but are not part of the value (`后4位`, `last 4 digits`).
/// Removed before the digits are read; longest first.
const NOISE: &[&str] = &[
    "last 4 digits",
    "last four digits",
    "last 4",
    "后4位数字",
    "后4位数",
    "后4位",
    "后4个数字",
    "末4位",
    "尾4位",
    "尾数4位",
    "4位数字",
    "4位数",
    "4位",
];

/// Characters banks and apps use to mask the hidden part of a card number.
fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'x' | '×' | '•' | '●' | '·' | '∗' | '✱')
}

impl CardLast4 {
    /// Accepts `1234`, `尾号1234`, `**** 1234`, `卡号后四位是1234`, `后4位：1234`, and a masked
    /// number as banking apps show it (`6222 **** **** 1234`), taking the group after the mask.
    /// More than four digits otherwise is refused with [`Invalid::CardLast4TooManyDigits`]: the
    /// merchant must not send more of the card (a full number never gets here — the privacy guard
    /// deletes it first).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let mut text = norm::clean(input).to_lowercase();
        for n in NOISE {
            text = text.replace(n, " ");
        }
        let chars: Vec<char> = text.chars().collect();
        let runs = norm::digit_runs(&chars);
        let Some(last_run) = runs.last() else {
            return Err(Invalid::CardLast4NoDigits);
        };
        let masked = chars.iter().filter(|c| is_mask(**c)).count() >= 2;
        let digits = if masked {
            // The visible tail after the mask: the last group of the last run.
            match last_run.last() {
                Some(g) if g.start > 0 && chars[..g.start].iter().any(|c| is_mask(*c)) => {
                    norm::group_digits(&chars, &[*g])
                }
                _ => all_digits(&chars, &runs),
            }
        } else {
            all_digits(&chars, &runs)
        };
        match digits.len() {
            4 => Ok(CardLast4(digits)),
            n if n > 4 => Err(Invalid::CardLast4TooManyDigits),
            _ => Err(Invalid::CardLast4TooFewDigits),
        }
    }
}

fn all_digits(chars: &[char], runs: &[Vec<norm::Group>]) -> String {
    runs.iter().map(|r| norm::group_digits(chars, r)).collect()
}

string_value!(CardLast4);

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match CardLast4::parse(s) {
            Ok(v) => v.as_str().to_string(),
            Err(e) => panic!("{s:?} refused: {e:?}"),
        }
    }

    #[test]
    fn accepts_the_ways_merchants_write_it() {
        for s in [
            "1234",
            " 1234 ",
            "１２３４",
            "尾号1234",
            "尾号 1234",
            "尾号是1234",
            "**** 1234",
            "****1234",
            "**** **** **** 1234",
            "6222 **** **** 1234",
            "6222********1234",
            "xxxx xxxx 1234",
            "卡号后四位是1234",
            "后4位：1234",
            "后4位是1234",
            "末4位 1234",
            "last 4 digits: 1234",
            "Last 4: 1234",
            "12 34",
            "1234。",
        ] {
            assert_eq!(ok(s), "1234", "{s:?}");
        }
        assert_eq!(ok("0000"), "0000");
    }

    #[test]
    fn refuses_with_the_right_reason() {
        for (s, want) in [
            ("", Invalid::CardLast4NoDigits),
            ("不知道", Invalid::CardLast4NoDigits),
            ("****", Invalid::CardLast4NoDigits),
            ("123", Invalid::CardLast4TooFewDigits),
            ("尾号 12", Invalid::CardLast4TooFewDigits),
            ("**** 123", Invalid::CardLast4TooFewDigits),
            ("12345", Invalid::CardLast4TooManyDigits),
            ("6222 0212 3456", Invalid::CardLast4TooManyDigits),
            ("1234 5678", Invalid::CardLast4TooManyDigits),
            ("尾号1234，另一张5678", Invalid::CardLast4TooManyDigits),
            ("**** 12345", Invalid::CardLast4TooManyDigits),
        ] {
            assert_eq!(CardLast4::parse(s), Err(want), "{s:?}");
        }
    }
}
