//! Fuzz entry points: every byte string a fuzzer invents goes through the untrusted-input
//! parsers here, and each checks *properties* of the result with `assert!`, so a violated
//! property is a crash the fuzzer reports, not only a panic inside a parser.
//!
//! They live in the library, not in `fuzz/`, so that the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs`, run with libFuzzer) and the corpus replay test
//! (`tests/content/fuzz_corpus.rs`, run by `cargo test` on stable) execute exactly the same code:
//! an input the fuzzer once found is a regression test forever. See `fuzz/README.md`.
//!
//! Not part of the bot's API (hidden from the docs); the bot itself never calls it.

use chrono::{Months, NaiveDate};

use crate::conversation::action::MAX_CALLBACK_BYTES;
use crate::conversation::forms;
use crate::conversation::{parse_callback, Action};
use crate::domain::{
    mask_phones, parse_date, parse_yes_no, scan_sensitive, BankName, CardLast4, CaseKind, CaseRef,
    DeviceSerial, FreeText, MerchantName, MerchantNo, PersonName, Phone, Sensitive,
};
use crate::i18n::Locale;
use crate::knowledge::{self, brands, Intent};
use crate::review::{parse_staff_callback, RejectReason, StaffAction};

/// Telegram's limit on a text message, in characters: longer input never reaches the bot.
pub const MAX_TEXT_CHARS: usize = 4096;

/// The fuzzer's bytes as the text of one Telegram message: invalid UTF-8 replaced (Telegram
/// only delivers valid UTF-8, but the fuzzer should still explore the bytes around it),
/// truncated to [`MAX_TEXT_CHARS`].
fn message_text(data: &[u8]) -> String {
    String::from_utf8_lossy(data)
        .chars()
        .take(MAX_TEXT_CHARS)
        .collect()
}

// ----- validators -----------------------------------------------------------------------

/// Every validator of `crate::domain` on one message, with the properties each promises:
///
/// - idempotence: a parsed value parses again to itself (it is the canonical form: the
///   open-case check compares a newly typed serial with stored ones);
/// - the documented bounds of each value (lengths, characters);
/// - privacy: when the guard lets a message through, the value stored from it is not a card
///   or ID number the guard would refuse (parsing must not assemble a secret, e.g. by
///   collapsing the spaces the guard saw). Serials and merchant numbers the merchant labelled
///   (`SN …`, `商户号 …`) are exempt, as in the guard;
/// - dates lie in the accepted window and re-read from their ISO form;
/// - phone masking only hides digits, and hides a mobile number typed on its own;
/// - yes/no ignores surrounding white space and never reads a question as an answer.
pub fn validators(data: &[u8]) {
    let text = message_text(data);
    let s = text.as_str();

    if let Ok(v) = Phone::parse(s) {
        let p = v.as_str();
        let b = p.as_bytes();
        assert!(
            b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && b[1] >= b'3',
            "{s:?} → phone {p:?}"
        );
        assert_eq!(
            Phone::parse(p).as_ref(),
            Ok(&v),
            "{s:?}: phone not idempotent"
        );
        assert_eq!(mask_phones(p), v.masked(), "{s:?}");
        assert!(Phone::parse(&v.masked()).is_err(), "{s:?}");
        assert_no_secret(s, p, false, false);
    }
    if let Ok(v) = DeviceSerial::parse(s) {
        let x = v.as_str();
        assert!(
            (6..=32).contains(&x.len())
                && x.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && x.bytes().any(|b| b.is_ascii_digit()),
            "{s:?} → serial {x:?}"
        );
        assert_eq!(
            DeviceSerial::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: serial not idempotent"
        );
        assert_no_secret(s, x, true, crate::domain::id_label_given(s, x));
    }
    if let Ok(v) = MerchantNo::parse(s) {
        let x = v.as_str();
        assert!(
            (8..=20).contains(&x.len())
                && x.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && x.bytes().filter(u8::is_ascii_digit).count() >= 6,
            "{s:?} → merchant number {x:?}"
        );
        assert_eq!(
            MerchantNo::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: merchant number not idempotent"
        );
        assert_no_secret(s, x, true, crate::domain::id_label_given(s, x));
    }
    if let Ok(v) = MerchantName::parse(s) {
        let x = v.as_str();
        let n = x.chars().count();
        assert!(
            (2..=60).contains(&n) && x.chars().any(char::is_alphabetic) && x.trim() == x,
            "{s:?} → merchant name {x:?}"
        );
        assert_eq!(
            MerchantName::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: merchant name not idempotent"
        );
        assert_no_secret(s, x, false, false);
    }
    if let Ok(v) = PersonName::parse(s) {
        let x = v.as_str();
        let n = x.chars().count();
        assert!(
            (2..=30).contains(&n) && !x.chars().any(|c| c.is_ascii_digit()),
            "{s:?} → person name {x:?}"
        );
        assert_eq!(
            PersonName::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: person name not idempotent"
        );
    }
    if let Ok(v) = CardLast4::parse(s) {
        let x = v.as_str();
        assert!(
            x.len() == 4 && x.bytes().all(|b| b.is_ascii_digit()),
            "{s:?} → last four {x:?}"
        );
        assert_eq!(CardLast4::parse(x).as_ref(), Ok(&v), "{s:?}");
    }
    if let Ok(v) = BankName::parse(s) {
        let x = v.as_str();
        assert!((2..=30).contains(&x.chars().count()), "{s:?} → bank {x:?}");
        assert_eq!(
            BankName::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: bank name not idempotent"
        );
        assert_no_secret(s, x, false, false);
    }
    if let Ok(v) = FreeText::parse(s) {
        let x = v.as_str();
        let n = x.chars().count();
        assert!(
            (2..=300).contains(&n) && x.chars().any(char::is_alphanumeric),
            "{s:?} → free text {x:?}"
        );
        assert_eq!(
            FreeText::parse(x).as_ref(),
            Ok(&v),
            "{s:?}: free text not idempotent"
        );
        assert_no_secret(s, x, false, false);
    }
    if let Ok(v) = CaseRef::parse(s) {
        let x = v.as_str();
        assert!(
            x.len() == 9 && v.kind().is_some(),
            "{s:?} → reference {x:?}"
        );
        assert_eq!(CaseRef::parse(x).as_ref(), Ok(&v), "{s:?}");
    }

    for today in fuzz_todays(data) {
        if let Ok(d) = parse_date(s, today) {
            let oldest = today.checked_sub_months(Months::new(60));
            assert!(
                d <= today && oldest.is_some_and(|o| d >= o),
                "{s:?} on {today} → {d}"
            );
            let iso = d.format("%Y-%m-%d").to_string();
            assert_eq!(parse_date(&iso, today), Ok(d), "{s:?} on {today}");
        }
    }

    let yes_no = parse_yes_no(s);
    assert_eq!(parse_yes_no(&format!(" \u{3000}{s}\n")), yes_no, "{s:?}");
    assert_eq!(parse_yes_no(&format!("{s}？")), None, "{s:?}");

    assert_masking_hides_phones(s);
}

/// [`mask_phones`] only turns digits into `*` (and drops invisible characters), and a message
/// that is a mobile number written as its documentation says (digits joined by single
/// spaces or dashes, `+86`/`0086` in front) is no longer one after masking.
///
/// Not asserted: that masking twice changes nothing. Masking splits a digit group, and the
/// split-off head can make a new 11-digit window with the group before it
/// (`13812342 13812345678` → `13812342 138****5678`, whose `13812342 138` masks again) —
/// digits that were no phone number in the input.
fn assert_masking_hides_phones(s: &str) {
    let masked = mask_phones(s);
    // The characters masking keeps: one on its own is dropped only if it is invisible.
    let kept: Vec<char> = s
        .chars()
        .filter(|c| !mask_phones(c.encode_utf8(&mut [0; 4])).is_empty())
        .collect();
    let out: Vec<char> = masked.chars().collect();
    assert_eq!(kept.len(), out.len(), "{s:?} → {masked:?}");
    for (a, b) in kept.iter().zip(&out) {
        assert!(
            a == b || (*b == '*' && a.is_numeric()),
            "{s:?} → {masked:?}"
        );
    }
    if written_as_documented(s) && Phone::parse(s).is_ok() {
        assert!(Phone::parse(&masked).is_err(), "{s:?} → {masked:?}");
    }
}

/// A phone number in the forms [`mask_phones`] documents: 11 digits in groups joined by
/// single spaces or dashes, after an optional `+86`/`86`/`0086` and separator, or one group
/// of `86`/`0086` and the 11 digits. (Phone::parse is more lenient: `8 613812345678`.)
fn written_as_documented(s: &str) -> bool {
    let rest = ["+86 ", "+86-", "0086 ", "0086-", "86 ", "86-", "+"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s);
    let separator = |c: char| c == ' ' || c == '-';
    let single_separators = rest.chars().all(|c| c.is_ascii_digit() || separator(c))
        && !rest.starts_with(separator)
        && !rest.ends_with(separator)
        && !rest
            .chars()
            .zip(rest.chars().skip(1))
            .any(|(a, b)| separator(a) && separator(b));
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let one_group = !rest.contains(separator);
    single_separators
        && (digits.len() == 11
            || (one_group && digits.len() == 13 && digits.starts_with("86"))
            || (one_group && digits.len() == 15 && digits.starts_with("0086")))
}

/// The property shared by the text fields: a message the privacy guard let through must not
/// give a stored value that holds a card or ID number. `allow_15`: the guard's setting for
/// the field, as the conversation runs it (identifier fields, serial and merchant number,
/// allow runs of exactly 15 digits). `labelled`: an identifier the merchant labelled
/// (`SN 6222…`), which the guard deliberately takes for what the label says; it must still
/// not be an ID number (the guard refuses those whatever the label).
fn assert_no_secret(input: &str, value: &str, allow_15: bool, labelled: bool) {
    if scan_sensitive(input, allow_15).is_some() {
        return;
    }
    let found = scan_sensitive(value, allow_15);
    let secret = match found {
        Some(Sensitive::IdNumber) => true,
        Some(Sensitive::CardNumber) => !labelled,
        _ => false,
    };
    assert!(
        !secret,
        "{input:?} passed the privacy guard, but the stored value {value:?} is {found:?}"
    );
}

/// The dates the date parser is checked against: a fixed ordinary day, a leap day, New
/// Year's Day, and one derived from the input (so the fuzzer explores month and year ends).
fn fuzz_todays(data: &[u8]) -> [NaiveDate; 4] {
    let fixed = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let seed = data
        .iter()
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let base = fixed(2020, 1, 1);
    let derived = base
        .checked_add_days(chrono::Days::new(u64::from(seed % 4000)))
        .unwrap_or(base);
    [
        fixed(2026, 11, 20),
        fixed(2024, 2, 29),
        fixed(2027, 1, 1),
        derived,
    ]
}

// ----- callback data --------------------------------------------------------------------

/// Callback data, as a press delivers it (to the merchant's core or to the staff side):
///
/// - whatever [`parse_callback`] accepts re-encodes to the same data, up to the two
///   normalizations it allows (leading zeros of the step, the spelling of a case reference),
///   fits Telegram's 64 bytes and parses back to the same action;
/// - the same for [`parse_staff_callback`] (`r.<code>.<REF>`, at most 20 bytes);
/// - no data is both a merchant's and a reviewer's button;
/// - an action built from the input with the ids this crate really uses (brands, form fields,
///   choices, generated references, any step) encodes within 64 bytes and parses back to
///   itself, for the merchant's and the reviewer's buttons.
pub fn callback_data(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let s = text.as_ref();

    let merchant = parse_callback(s);
    if let Some((step, action)) = &merchant {
        let encoded = action.encode(*step);
        assert!(encoded.len() <= MAX_CALLBACK_BYTES, "{s:?} → {encoded:?}");
        assert_eq!(
            parse_callback(&encoded).as_ref(),
            Some(&(*step, action.clone())),
            "{s:?} → {encoded:?}"
        );
        assert_same_callback(s, &encoded);
    }

    let staff = parse_staff_callback(s);
    if let Some((action, case_ref)) = &staff {
        let encoded = action.encode(case_ref);
        assert!(encoded.len() <= 20, "{s:?} → {encoded:?}");
        assert_eq!(
            parse_staff_callback(&encoded).as_ref(),
            Some(&(*action, case_ref.clone())),
            "{s:?} → {encoded:?}"
        );
        // `r.<code>.` exactly as encoded; the reference may be spelled differently.
        let head_len = encoded.len() - case_ref.as_str().len();
        assert_eq!(s.get(..head_len), encoded.get(..head_len), "{s:?}");
        let raw_ref = s.get(head_len..).unwrap_or_default();
        assert_eq!(CaseRef::parse(raw_ref).as_ref(), Ok(case_ref), "{s:?}");
    }
    assert!(
        merchant.is_none() || staff.is_none(),
        "{s:?} is both a merchant's and a reviewer's button"
    );

    let (action, step) = constructed_action(data);
    let encoded = action.encode(step);
    assert!(
        encoded.len() <= MAX_CALLBACK_BYTES,
        "{action:?} → {encoded:?}"
    );
    assert_eq!(
        parse_callback(&encoded),
        Some((step, action)),
        "{encoded:?}"
    );

    let (staff_action, case_ref) = constructed_staff_action(data);
    let encoded = staff_action.encode(&case_ref);
    assert!(encoded.len() <= 20, "{encoded:?}");
    assert_eq!(
        parse_staff_callback(&encoded),
        Some((staff_action, case_ref)),
        "{encoded:?}"
    );
}

/// `input` was accepted as `encoded` by [`parse_callback`]: they are the same up to leading
/// zeros in the step and the spelling of a case reference argument.
fn assert_same_callback(input: &str, encoded: &str) {
    let (Some((step_in, code_in)), Some((step_out, code_out))) =
        (input.split_once(':'), encoded.split_once(':'))
    else {
        panic!("{input:?} → {encoded:?}: no step");
    };
    let canonical_step = step_in.trim_start_matches('0');
    let canonical_step = if canonical_step.is_empty() {
        "0"
    } else {
        canonical_step
    };
    assert_eq!(canonical_step, step_out, "{input:?} → {encoded:?}");
    match code_out.split_once('.') {
        Some((head @ ("wd" | "wc" | "an" | "rs"), reference)) => {
            let raw = code_in.strip_prefix(head).and_then(|r| r.strip_prefix('.'));
            let normalized = raw.and_then(|r| CaseRef::parse(r).ok());
            assert_eq!(
                normalized.as_ref().map(CaseRef::as_str),
                Some(reference),
                "{input:?} → {encoded:?}"
            );
        }
        _ => assert_eq!(code_in, code_out, "{input:?} → {encoded:?}"),
    }
}

/// Reads small numbers off the fuzzer's bytes, then zeros.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::from(self.byte()) % items.len()]
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) << 32 | u64::from(self.u32())
    }
}

/// A merchant's button as the crate builds them, chosen by the input.
fn constructed_action(data: &[u8]) -> (Action, u32) {
    let mut b = Bytes(data.iter());
    let kind = b.pick(&CaseKind::ALL);
    let brand_ids: Vec<&str> = brands::all().iter().map(|x| x.id).collect();
    let field_ids: Vec<&str> = forms::all_fields().iter().map(|f| f.id).collect();
    let choice_ids = forms::all_choice_ids();
    let brand = b.pick(&brand_ids).to_string();
    let field = b.pick(&field_ids).to_string();
    let choice = b.pick(&choice_ids).to_string();
    let case_ref = CaseRef::generate(b.pick(&CaseKind::ALL), b.u64())
        .as_str()
        .to_string();
    let action = match b.byte() % 31 {
        0 => Action::Topic(kind),
        1 => Action::MyCases,
        2 => Action::Human,
        3 => Action::Menu,
        4 => Action::Brand(brand),
        5 => Action::GuideDone,
        6 => Action::OpenCase(kind, None),
        7 => Action::OpenCase(kind, Some(brand)),
        8 => Action::Yes,
        9 => Action::No,
        10 => Action::Skip,
        11 => Action::Choice(choice),
        12 => Action::Submit,
        13 => Action::EditMenu,
        14 => Action::EditField(field),
        15 => Action::CancelDraft,
        16 => Action::Resume,
        17 => Action::Discard,
        18 => Action::Lang(b.pick(&Locale::ALL)),
        19 => Action::ForgetYes,
        20 => Action::ForgetNo,
        21 => Action::Withdraw(case_ref),
        22 => Action::WithdrawConfirm(case_ref),
        23 => Action::AnswerCase(case_ref),
        24 => Action::DiscardConfirm,
        25 => Action::Undo,
        26 => Action::NoteToStaff(format!("N7{:010}", b.u32())),
        27 => Action::AnswerDone,
        28 => Action::AnswerLater,
        29 => Action::Resubmit(case_ref),
        _ => Action::Dismiss,
    };
    (action, b.u32())
}

/// A reviewer's button as the crate builds them, chosen by the input (read from the end, so
/// it varies independently of [`constructed_action`]).
fn constructed_staff_action(data: &[u8]) -> (StaffAction, CaseRef) {
    let reversed: Vec<u8> = data.iter().rev().copied().collect();
    let mut b = Bytes(reversed.iter());
    let action = match b.byte() % 8 {
        0 => StaffAction::Claim,
        1 => StaffAction::Approve,
        2 => StaffAction::RejectMenu,
        3 => StaffAction::Reject(b.pick(&RejectReason::ALL)),
        4 => StaffAction::AskMore,
        5 => StaffAction::Note,
        6 => StaffAction::Release,
        _ => StaffAction::Back,
    };
    (action, CaseRef::generate(b.pick(&CaseKind::ALL), b.u64()))
}

// ----- the intent matcher ---------------------------------------------------------------

/// A fixed question classified between two classifications of the fuzzed text, so that
/// state leaking through the matcher's reused buffers would show in either direction.
const CANARY: &str = "拉卡拉pos机怎么解绑银行卡";

/// The free-text matcher and brand detection on one message (at most 4,096 characters):
///
/// - the verdict is a known intent or none, with a finite confidence in 0..=1;
/// - it is deterministic, and classifying one text does not change the next verdict;
/// - white space around the message changes nothing;
/// - text in which no concept is found is "none" with confidence 0;
/// - the normalized text has single separators, none at either end, and no capitals;
/// - a detected brand is a listed one, never the catch-all "other".
pub fn matcher(data: &[u8]) {
    let text = message_text(data);
    let m = knowledge::matcher();

    let first = m.classify(&text);
    assert!(
        first.score.is_finite() && (0.0..=1.0).contains(&first.score),
        "{text:?} → {first:?}"
    );
    assert_eq!(Intent::from_id(first.id()), first.intent, "{text:?}");
    assert!(first.intent.is_some() || first.id() == "none", "{text:?}");

    let canary = m.classify(CANARY);
    assert_eq!(m.classify(&text), first, "{text:?}: not deterministic");
    assert_eq!(
        m.classify(CANARY),
        canary,
        "{text:?} changed the next verdict"
    );
    assert_eq!(
        m.classify(&format!(" {text}\n\u{3000}")),
        first,
        "{text:?}: white space changed the verdict"
    );
    if m.explain(&text).is_empty() {
        assert_eq!(first.intent, None, "{text:?}: an intent without concepts");
        assert_eq!(first.score, 0.0, "{text:?}: out-of-scope without concepts");
    }

    let norm = knowledge::normalize(&text);
    // `|` is the normalizer's break marker (`knowledge::normalize`).
    let separator = |c: char| c == ' ' || c == '|';
    assert!(
        !norm.starts_with(separator) && !norm.ends_with(separator),
        "{text:?} → {norm:?}"
    );
    assert!(
        !norm
            .chars()
            .zip(norm.chars().skip(1))
            .any(|(a, b)| separator(a) && separator(b)),
        "{text:?} → {norm:?}: doubled separator"
    );
    assert!(
        !norm
            .chars()
            .any(|c| c.is_ascii_uppercase() || (c.is_whitespace() && c != ' ')),
        "{text:?} → {norm:?}"
    );

    let brand = brands::detect(&text);
    if let Some(b) = brand {
        assert!(
            brands::find(b.id).is_some_and(|f| std::ptr::eq(f, b)) && !b.is_other(),
            "{text:?} → {}",
            b.id
        );
    }
    assert_eq!(brands::detect(&text).map(|b| b.id), brand.map(|b| b.id));
}
