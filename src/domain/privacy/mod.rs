//! The privacy guard: spot what must never be stored (full card numbers, full ID numbers,
//! passwords and PINs, SMS codes) so the message can be deleted and the merchant told why.
//!
//! Staff never need any of these (`docs/knowledge.md`, privacy). The guard runs on every text
//! message before anything else looks at it. It must catch the real thing, but a false alarm
//! deletes an honest answer and confuses the merchant, so every rule is shaped to leave alone
//! what merchants legitimately type: a card's last four digits, phone numbers, dates, serial
//! numbers, merchant numbers, and questions *about* passwords or codes (`忘记密码了怎么办`,
//! `收不到验证码`).
//!
//! Card and ID numbers are found by their check digits and how they are written
//! (`numbers.rs`); passwords and SMS codes by the keyword in front of them (`keywords.rs`).

mod keywords;
mod numbers;
#[cfg(test)]
mod tests;

use super::norm::{self, digit_runs, Group};
use keywords::{gives_password, gives_sms_code};
use numbers::{contains_card_number, contains_id_number};
use serde::{Deserialize, Serialize};

pub use numbers::{id_number_valid, luhn_complete, luhn_valid};

/// What kind of secret a message gave away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitive {
    /// A full bank card number (Luhn-valid, 15–19 digits).
    CardNumber,
    /// A full PRC resident ID number (18 characters, check character valid).
    IdNumber,
    /// A password or payment PIN, given after its keyword.
    Password,
    /// An SMS or verification code, given after its keyword.
    SmsCode,
}

impl Sensitive {
    /// Every kind of secret (each needs a refusal message in every locale).
    pub const ALL: [Sensitive; 4] = [
        Sensitive::CardNumber,
        Sensitive::IdNumber,
        Sensitive::Password,
        Sensitive::SmsCode,
    ];

    /// Fluent message id in `locales/*/validation.ftl`.
    pub fn message_id(self) -> &'static str {
        match self {
            Sensitive::CardNumber => "privacy-refused-card",
            Sensitive::IdNumber => "privacy-refused-id",
            Sensitive::Password => "privacy-refused-password",
            Sensitive::SmsCode => "privacy-refused-sms-code",
        }
    }
}

/// The first secret found in `text`, checked in the order ID number, card number, password,
/// SMS code (an 18-digit ID can also pass the Luhn check by chance, so IDs come first).
///
/// `allow_15_digits`: the merchant is being asked for a device serial / IMEI or a merchant
/// number, which are often exactly 15 digits (IMEIs are even Luhn-valid), so a run of exactly 15
/// digits is not taken for a card. Those values are stored without their spaces and dashes, so
/// numbers are then also looked for in the text without them (`62220 21234 56789 0128` would
/// be stored as a whole card number).
///
/// The guard sees the text as the fields store it: runs of white space count as one space
/// (`6222  0212  3456  7890  128` is a card in a free-text answer).
pub fn scan_sensitive(text: &str, allow_15_digits: bool) -> Option<Sensitive> {
    // NFKC folds full-width digits and colons; invisible characters cannot split a number.
    let cleaned = norm::collapse_ws(&norm::clean(text));
    let chars: Vec<char> = cleaned.chars().collect();
    let mut views = vec![chars];
    if allow_15_digits {
        let compact = cleaned
            .chars()
            .filter(|c| !c.is_whitespace() && !norm::is_dash(*c))
            .collect();
        views.push(compact);
    }
    let runs: Vec<Vec<Vec<Group>>> = views.iter().map(|chars| digit_runs(chars)).collect();
    let found = |f: &dyn Fn(&[char], &[Group]) -> bool| {
        views
            .iter()
            .zip(&runs)
            .any(|(chars, runs)| runs.iter().any(|run| f(chars, run)))
    };
    if found(&|chars, run| contains_id_number(chars, run)) {
        return Some(Sensitive::IdNumber);
    }
    if found(&|chars, run| contains_card_number(chars, run, allow_15_digits)) {
        return Some(Sensitive::CardNumber);
    }
    let lower: Vec<char> = cleaned.to_lowercase().chars().collect();
    if gives_password(&lower) {
        return Some(Sensitive::Password);
    }
    if gives_sms_code(&lower) {
        return Some(Sensitive::SmsCode);
    }
    None
}
