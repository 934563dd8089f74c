//! Why a value was refused.
//!
//! The conversation core never builds text: it replies with [`Invalid::message_id`], and the
//! edge renders it from `locales/*/validation.ftl`. Each message names what is wrong and shows a
//! good example, so a merchant can fix the value on the next try. The `Display` texts below are
//! for logs and developers only.

/// Why a value was refused. Each variant maps to one Fluent message that names what is wrong
/// and gives an example of a good value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Invalid {
    // Phone
    /// Phone number contains characters other than digits, spaces, dashes and `+`.
    #[error("phone number contains characters other than digits, spaces, dashes and +")]
    PhoneInvalidChars,
    /// Phone number does not have 11 digits.
    #[error("phone number does not have 11 digits")]
    PhoneLength,
    /// 11 digits, but not a mainland China mobile number (`1[3-9]…`).
    #[error("11 digits, but not a mainland China mobile number (1[3-9]…)")]
    PhoneNotMobile,

    // Device serial
    /// Device serial number has characters other than letters and digits.
    #[error("device serial number has characters other than letters and digits")]
    SerialInvalidChars,
    /// Device serial number is shorter than 6 characters.
    #[error("device serial number is shorter than 6 characters")]
    SerialTooShort,
    /// Device serial number is longer than 32 characters.
    #[error("device serial number is longer than 32 characters")]
    SerialTooLong,
    /// Device serial number has no digit.
    #[error("device serial number has no digit")]
    SerialNoDigit,

    // Merchant number
    /// Merchant number has characters other than letters and digits.
    #[error("merchant number has characters other than letters and digits")]
    MerchantNoInvalidChars,
    /// Merchant number is shorter than 8 characters.
    #[error("merchant number is shorter than 8 characters")]
    MerchantNoTooShort,
    /// Merchant number is longer than 20 characters.
    #[error("merchant number is longer than 20 characters")]
    MerchantNoTooLong,
    /// Merchant number has fewer than 6 digits.
    #[error("merchant number has fewer than 6 digits")]
    MerchantNoTooFewDigits,

    // Merchant name
    /// Merchant name is shorter than 2 characters.
    #[error("merchant name is shorter than 2 characters")]
    MerchantNameTooShort,
    /// Merchant name is longer than 60 characters.
    #[error("merchant name is longer than 60 characters")]
    MerchantNameTooLong,
    /// Merchant name has only digits or punctuation.
    #[error("merchant name has only digits or punctuation")]
    MerchantNameNoLetters,

    // Person name
    /// Name is shorter than 2 characters.
    #[error("name is shorter than 2 characters")]
    PersonNameTooShort,
    /// Name is longer than 30 characters.
    #[error("name is longer than 30 characters")]
    PersonNameTooLong,
    /// Name contains digits.
    #[error("name contains digits")]
    PersonNameHasDigits,
    /// Name contains characters other than Chinese or Latin letters, spaces and `·`.
    #[error("name contains characters other than Chinese or Latin letters, spaces and ·")]
    PersonNameInvalidChars,

    // Card last four
    /// No digits where the last four digits of a card were expected.
    #[error("no digits where the last four digits of a card were expected")]
    CardLast4NoDigits,
    /// Fewer than four digits for the card's last four.
    #[error("fewer than four digits for the card's last four")]
    CardLast4TooFewDigits,
    /// More than four digits: only the card's last four are wanted.
    #[error("more than four digits: only the card's last four are wanted")]
    CardLast4TooManyDigits,

    // Bank name
    /// Bank name is only digits.
    #[error("bank name is only digits")]
    BankNameDigitsOnly,
    /// Not recognisable as a bank's name.
    #[error("not recognisable as a bank's name")]
    BankNameNotBank,
    /// Bank name is longer than 30 characters.
    #[error("bank name is longer than 30 characters")]
    BankNameTooLong,

    // Free text
    /// Text is shorter than 2 characters or has no words.
    #[error("text is shorter than 2 characters or has no words")]
    TextTooShort,
    /// Text is longer than 300 characters.
    #[error("text is longer than 300 characters")]
    TextTooLong,

    // Date
    /// Date is in the future.
    #[error("date is in the future")]
    DateInFuture,
    /// Date is more than 5 years ago.
    #[error("date is more than 5 years ago")]
    DateTooOld,
    /// No such calendar date.
    #[error("no such calendar date")]
    DateImpossible,
    /// Not a recognisable date.
    #[error("not a recognisable date")]
    DateUnreadable,

    // Case reference
    /// Not a case reference like `UB-7K3QF9`.
    #[error("not a case reference like UB-7K3QF9")]
    CaseRefMalformed,
}

impl Invalid {
    /// Every variant, for exhaustive tests (each needs a message in every locale).
    pub const ALL: [Invalid; 31] = [
        Invalid::PhoneInvalidChars,
        Invalid::PhoneLength,
        Invalid::PhoneNotMobile,
        Invalid::SerialInvalidChars,
        Invalid::SerialTooShort,
        Invalid::SerialTooLong,
        Invalid::SerialNoDigit,
        Invalid::MerchantNoInvalidChars,
        Invalid::MerchantNoTooShort,
        Invalid::MerchantNoTooLong,
        Invalid::MerchantNoTooFewDigits,
        Invalid::MerchantNameTooShort,
        Invalid::MerchantNameTooLong,
        Invalid::MerchantNameNoLetters,
        Invalid::PersonNameTooShort,
        Invalid::PersonNameTooLong,
        Invalid::PersonNameHasDigits,
        Invalid::PersonNameInvalidChars,
        Invalid::CardLast4NoDigits,
        Invalid::CardLast4TooFewDigits,
        Invalid::CardLast4TooManyDigits,
        Invalid::BankNameDigitsOnly,
        Invalid::BankNameNotBank,
        Invalid::BankNameTooLong,
        Invalid::TextTooShort,
        Invalid::TextTooLong,
        Invalid::DateInFuture,
        Invalid::DateTooOld,
        Invalid::DateImpossible,
        Invalid::DateUnreadable,
        Invalid::CaseRefMalformed,
    ];

    /// Fluent message id in `locales/*/validation.ftl`.
    pub fn message_id(&self) -> &'static str {
        match self {
            Invalid::PhoneInvalidChars => "invalid-phone-invalid-chars",
            Invalid::PhoneLength => "invalid-phone-length",
            Invalid::PhoneNotMobile => "invalid-phone-not-mobile",
            Invalid::SerialInvalidChars => "invalid-serial-invalid-chars",
            Invalid::SerialTooShort => "invalid-serial-too-short",
            Invalid::SerialTooLong => "invalid-serial-too-long",
            Invalid::SerialNoDigit => "invalid-serial-no-digit",
            Invalid::MerchantNoInvalidChars => "invalid-merchant-no-invalid-chars",
            Invalid::MerchantNoTooShort => "invalid-merchant-no-too-short",
            Invalid::MerchantNoTooLong => "invalid-merchant-no-too-long",
            Invalid::MerchantNoTooFewDigits => "invalid-merchant-no-too-few-digits",
            Invalid::MerchantNameTooShort => "invalid-merchant-name-too-short",
            Invalid::MerchantNameTooLong => "invalid-merchant-name-too-long",
            Invalid::MerchantNameNoLetters => "invalid-merchant-name-no-letters",
            Invalid::PersonNameTooShort => "invalid-person-name-too-short",
            Invalid::PersonNameTooLong => "invalid-person-name-too-long",
            Invalid::PersonNameHasDigits => "invalid-person-name-has-digits",
            Invalid::PersonNameInvalidChars => "invalid-person-name-invalid-chars",
            Invalid::CardLast4NoDigits => "invalid-card-last4-no-digits",
            Invalid::CardLast4TooFewDigits => "invalid-card-last4-too-few-digits",
            Invalid::CardLast4TooManyDigits => "invalid-card-last4-too-many-digits",
            Invalid::BankNameDigitsOnly => "invalid-bank-name-digits-only",
            Invalid::BankNameNotBank => "invalid-bank-name-not-bank",
            Invalid::BankNameTooLong => "invalid-bank-name-too-long",
            Invalid::TextTooShort => "invalid-text-too-short",
            Invalid::TextTooLong => "invalid-text-too-long",
            Invalid::DateInFuture => "invalid-date-in-future",
            Invalid::DateTooOld => "invalid-date-too-old",
            Invalid::DateImpossible => "invalid-date-impossible",
            Invalid::DateUnreadable => "invalid-date-unreadable",
            Invalid::CaseRefMalformed => "invalid-case-ref-malformed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn message_ids_are_unique_and_prefixed() {
        let ids: HashSet<_> = Invalid::ALL.iter().map(Invalid::message_id).collect();
        assert_eq!(ids.len(), Invalid::ALL.len());
        for id in ids {
            assert!(id.starts_with("invalid-"), "{id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn all_lists_every_variant() {
        // A match without a wildcard: adding a variant breaks this until ALL is updated.
        let count = |v: Invalid| -> usize {
            match v {
                Invalid::PhoneInvalidChars
                | Invalid::PhoneLength
                | Invalid::PhoneNotMobile
                | Invalid::SerialInvalidChars
                | Invalid::SerialTooShort
                | Invalid::SerialTooLong
                | Invalid::SerialNoDigit
                | Invalid::MerchantNoInvalidChars
                | Invalid::MerchantNoTooShort
                | Invalid::MerchantNoTooLong
                | Invalid::MerchantNoTooFewDigits
                | Invalid::MerchantNameTooShort
                | Invalid::MerchantNameTooLong
                | Invalid::MerchantNameNoLetters
                | Invalid::PersonNameTooShort
                | Invalid::PersonNameTooLong
                | Invalid::PersonNameHasDigits
                | Invalid::PersonNameInvalidChars
                | Invalid::CardLast4NoDigits
                | Invalid::CardLast4TooFewDigits
                | Invalid::CardLast4TooManyDigits
                | Invalid::BankNameDigitsOnly
                | Invalid::BankNameNotBank
                | Invalid::BankNameTooLong
                | Invalid::TextTooShort
                | Invalid::TextTooLong
                | Invalid::DateInFuture
                | Invalid::DateTooOld
                | Invalid::DateImpossible
                | Invalid::DateUnreadable
                | Invalid::CaseRefMalformed => 1,
            }
        };
        let distinct: HashSet<_> = Invalid::ALL.iter().copied().collect();
        assert_eq!(distinct.len(), Invalid::ALL.len());
        assert_eq!(Invalid::ALL.iter().map(|v| count(*v)).sum::<usize>(), 31);
    }
}
