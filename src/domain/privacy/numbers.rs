//! Card and ID numbers: their check digits, and how they are written in a message.

use super::super::norm::{group_digits, Group};
use chrono::NaiveDate;

/// The Luhn (mod 10) check used by every payment card number. `digits` must be only ASCII
/// digits, at least two of them; anything else is `false`.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// `body` completed with its Luhn check digit (for building valid test numbers and
/// checking the guard against them); `None` when `body` is not all ASCII digits.
pub fn luhn_complete(body: &str) -> Option<String> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|candidate| luhn_valid(candidate))
}

/// A PRC resident ID number (18 characters): six digits of region, eight of birth date
/// (YYYYMMDD), three of sequence, and an ISO 7064 MOD 11-2 check character (`0`–`9` or `X`).
/// The birth date must be a real calendar date from 1900 to 2099; the bound is fixed rather
/// than "today" so the function stays pure (a false alarm on a future birth date is harmless).
pub fn id_number_valid(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if b[17].to_ascii_uppercase() != CHECK[(sum % 11) as usize] {
        return false;
    }
    if b[0] == b'0' {
        return false; // region codes start at 11
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    (1900..=2099).contains(&year) && NaiveDate::from_ymd_opt(year as i32, month, day).is_some()
}

/// Consecutive groups of `run` (`run[i..=j]`) with their total digit count, up to 19 digits
/// (the longest thing looked for), so a long run of short groups stays cheap.
fn windows(run: &[Group]) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    (0..run.len()).flat_map(move |i| {
        let mut total = 0;
        (i..run.len())
            .map(move |j| {
                total += run[j].len();
                (i, j, total)
            })
            .take_while(|&(_, _, total)| total <= 19)
    })
}

/// An 18-character ID: 18 digits, or 17 digits and an `X`, as one group or grouped by single
/// spaces/dashes (`110101 19900307 1234`).
pub(super) fn contains_id_number(chars: &[char], run: &[Group]) -> bool {
    windows(run).any(|(i, j, total)| match total {
        18 => id_number_valid(&group_digits(chars, &run[i..=j])),
        17 => {
            let mut digits = group_digits(chars, &run[i..=j]);
            let end = run[j].end;
            let x_follows = matches!(chars.get(end), Some('x' | 'X'))
                && !chars.get(end + 1).is_some_and(char::is_ascii_alphanumeric);
            if x_follows {
                digits.push('X');
            }
            x_follows && id_number_valid(&digits)
        }
        _ => false,
    })
}

/// Labels in front of a number that say what it is when it is *not* a card: serials, IMEIs,
/// merchant and order numbers. Compared lower-case, just before the number (ignoring `:`, `是`
/// and spaces in between).
const NOT_CARD_LABELS: &[&str] = &[
    "sn",
    "s/n",
    "imei",
    "meid",
    "serial",
    "序列号",
    "串号",
    "机身号",
    "终端号",
    "设备号",
    "商户号",
    "商户编号",
    "商编",
    "订单",
    "订单号",
    "单号",
    "流水号",
    "交易号",
    "参考号",
    "凭证号",
    "批次号",
    "工单号",
    "快递",
    "运单号",
    "order",
    "tracking",
    "merchant no",
    "mid",
];

/// How a card number is written: contiguous, or in fours (`6222 0212 3456 7890 128`), or the
/// 4-6-5 of American Express. Runs grouped otherwise (a phone number followed by a card tail,
/// `13812345678 1234`) are not one number.
fn card_like_grouping(groups: &[Group]) -> bool {
    let lens: Vec<usize> = groups.iter().map(Group::len).collect();
    match lens.as_slice() {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [init @ .., last] => init.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// A Luhn-valid number of 15–19 digits whose first digit is a payment-card major industry
/// identifier (2–6 for the card networks, 9 for old domestic cards such as 9558…). Numbers
/// starting with 0 (serials), 1 (phone numbers), 7 or 8 (IMEIs, merchant numbers) are not
/// cards; that alone rules out most false alarms from the other numbers merchants type.
pub(super) fn contains_card_number(chars: &[char], run: &[Group], allow_15_digits: bool) -> bool {
    windows(run).any(|(i, j, total)| {
        if !(15..=19).contains(&total) || (allow_15_digits && total == 15) {
            return false;
        }
        let groups = &run[i..=j];
        if !card_like_grouping(groups) {
            return false;
        }
        // Part of an alphanumeric token (a serial like N86222021234567890128): not a card.
        let (start, end) = (groups[0].start, groups[groups.len() - 1].end);
        if start > 0 && chars[start - 1].is_ascii_alphabetic() {
            return false;
        }
        if chars.get(end).is_some_and(char::is_ascii_alphabetic) {
            return false;
        }
        if labelled_not_card(chars, start) {
            return false;
        }
        let digits = group_digits(chars, groups);
        matches!(digits.as_bytes()[0], b'2'..=b'6' | b'9') && luhn_valid(&digits)
    })
}

fn labelled_not_card(chars: &[char], start: usize) -> bool {
    let mut k = start;
    while k > 0 && matches!(chars[k - 1], ' ' | ':' | '是' | '为' | '#' | '=' | '：') {
        k -= 1;
    }
    let before: String = chars[k.saturating_sub(12)..k]
        .iter()
        .collect::<String>()
        .to_lowercase();
    NOT_CARD_LABELS.iter().any(|l| before.ends_with(l))
}
