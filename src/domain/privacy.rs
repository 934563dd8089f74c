//! The privacy guard: spot what must never be stored (full card numbers, full ID numbers,
//! passwords and PINs, SMS codes) so the message can be deleted and the merchant told why.
//!
//! Staff never need any of these (KNOWLEDGE.md, Privacy). The guard runs on every text message
//! before anything else looks at it. It must catch the real thing, but a false alarm deletes an
//! honest answer and confuses the merchant, so every rule is shaped to leave alone what
//! merchants legitimately type: a card's last four digits, phone numbers, dates, serial numbers,
//! merchant numbers, and questions *about* passwords or codes (`忘记密码了怎么办`, `收不到验证码`).

use super::norm::{self, digit_runs, group_digits, Group};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of secret a message gave away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitive {
    CardNumber,
    IdNumber,
    Password,
    SmsCode,
}

impl Sensitive {
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
fn contains_id_number(chars: &[char], run: &[Group]) -> bool {
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
fn contains_card_number(chars: &[char], run: &[Group], allow_15_digits: bool) -> bool {
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

/// Keywords after which a password or PIN would follow.
const PASSWORD_KEYWORDS: &[&str] = &[
    "密码", "口令", "password", "passwd", "passcode", "pwd", "pin码", "pin code", "pin",
];

/// Keywords after which an SMS / verification code would follow.
const CODE_KEYWORDS: &[&str] = &[
    "验证码",
    "校验码",
    "动态码",
    "短信码",
    "确认码",
    "verification code",
    "sms code",
    "otp",
    "security code",
    "confirmation code",
    "code",
];

/// Words allowed right before a bare English `code` (`the code: 4821`, `my code is 123456`);
/// anything else (`error code 1234`, `zip code`) is some other code.
const CODE_BARE_BEFORE: &[&str] = &[
    "",
    "the",
    "my",
    "your",
    "a",
    "this",
    "that",
    "text",
    "sms",
    "verification",
    "login",
    "one-time",
    "auth",
];

/// Connectors between keyword and value, longest first.
const CONNECTORS: &[&str] = &[
    "收到的是",
    "收到了",
    "收到",
    "发来的是",
    "发来了",
    "如下",
    "就是",
    "改成了",
    "改成",
    "改为",
    "设置成",
    "设成",
    "设为",
    "是",
    "为",
    "is",
    ":",
    "=",
    "：",
];

/// English words that follow `password is …` without being a password.
const NOT_A_VALUE: &[&str] = &[
    "wrong",
    "incorrect",
    "invalid",
    "expired",
    "not",
    "correct",
    "right",
    "locked",
    "blocked",
    "forgotten",
    "lost",
    "reset",
    "changed",
    "missing",
    "required",
    "needed",
    "empty",
    "too",
    "the",
    "same",
    "what",
    "still",
    "also",
    "already",
    "being",
    "different",
    "working",
    "weak",
    "strong",
    "long",
    "short",
    "fine",
    "ok",
    "okay",
    "gone",
    "broken",
    "there",
    "here",
    "sent",
];

/// Position just after `kw` if `kw` starts at `i` (`s` already lower-case); ASCII keywords only
/// at word boundaries (`pin` is not in `shipping`).
fn keyword_at(s: &[char], i: usize, kw: &str) -> Option<usize> {
    let len = kw.chars().count();
    if s.len() < i + len || !kw.chars().zip(&s[i..]).all(|(k, c)| k == *c) {
        return None;
    }
    let end = i + len;
    // English words must stand alone; symbols (`:`) and Chinese keywords need no boundary.
    if kw.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let before_ok = i == 0 || !s[i - 1].is_ascii_alphanumeric();
        let after_ok = end >= s.len() || !s[end].is_ascii_alphabetic();
        if !(before_ok && after_ok) {
            return None;
        }
    }
    Some(end)
}

/// After a keyword: skip spaces, then an optional connector. Returns the value's start and
/// whether a connector was present.
fn after_connector(s: &[char], mut p: usize) -> (usize, bool) {
    let skip_ws = |mut p: usize| {
        while p < s.len() && s[p].is_whitespace() {
            p += 1;
        }
        p
    };
    p = skip_ws(p);
    let mut connected = false;
    // Up to two connectors: `密码是：abc123`, `password is: abc123`.
    for _ in 0..2 {
        match CONNECTORS.iter().find_map(|c| keyword_at(s, p, c)) {
            Some(end) => {
                p = skip_ws(end);
                connected = true;
            }
            None => break,
        }
    }
    (p, connected)
}

/// The printable ASCII token starting at `p` (a password is typed in ASCII).
fn ascii_token(s: &[char], p: usize) -> String {
    s[p.min(s.len())..]
        .iter()
        .take_while(|c| c.is_ascii_graphic())
        .collect()
}

/// `密码是abc123`, `登录密码：xxxx`, `支付密码 123456`, `my password is hunter22`, `pwd: x9`,
/// `PIN 1234`. Not: `忘记密码了怎么办`, `I forgot my password`, `密码错误`, `password is wrong`,
/// `密码：******` (already masked).
fn gives_password(s: &[char]) -> bool {
    (0..s.len()).any(|i| {
        PASSWORD_KEYWORDS.iter().any(|kw| {
            let Some(end) = keyword_at(s, i, kw) else {
                return false;
            };
            let (p, connected) = after_connector(s, end);
            let token = ascii_token(s, p);
            let token = token.trim_end_matches(['.', ',', '!', '?', ';']);
            if token.chars().count() < 4 || !token.chars().any(|c| c.is_ascii_alphanumeric()) {
                return false;
            }
            if NOT_A_VALUE.contains(&token) {
                return false;
            }
            // Without a connector (`password since yesterday`) only a value that looks like a
            // password counts: one with a digit.
            connected || token.chars().any(|c| c.is_ascii_digit())
        })
    })
}

/// `验证码是 123456`, `验证码：4821`, `短信码 482913`, `code is 123456`, `the code: 4821`.
/// Not: `收不到验证码`, `验证码一直没来`, `error code 1234`, `验证码60秒后重发`.
fn gives_sms_code(s: &[char]) -> bool {
    (0..s.len()).any(|i| {
        CODE_KEYWORDS.iter().any(|kw| {
            let Some(end) = keyword_at(s, i, kw) else {
                return false;
            };
            if *kw == "code" && !bare_code_allowed(s, i) {
                return false;
            }
            let (p, _) = after_connector(s, end);
            let digits = s[p.min(s.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if !(4..=8).contains(&digits) {
                return false;
            }
            // A unit after the number makes it a time or a count, not a code.
            let next = s.get(p + digits).copied();
            let unit = next.is_some_and(|c| {
                "秒分钟小时天年月日号位个条次点".contains(c) || c.is_ascii_alphabetic()
            });
            !unit
        })
    })
}

fn bare_code_allowed(s: &[char], i: usize) -> bool {
    let before: String = s[..i].iter().collect();
    let prev_word = before
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .next()
        .unwrap_or("");
    // A Chinese character just before `code` (`我的code是…`) counts as no English word.
    let prev_word = if before.trim_end().ends_with(|c: char| !c.is_ascii()) {
        ""
    } else {
        prev_word
    };
    CODE_BARE_BEFORE.contains(&prev_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our own Luhn check digit, so test card numbers are valid by construction.
    fn with_luhn_digit(body: &str) -> String {
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|s| luhn_valid(s))
            .unwrap()
    }

    /// Our own MOD 11-2 check character, so test ID numbers are valid by construction.
    fn with_id_check(body17: &str) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body17
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{body17}{check}")
    }

    fn group4(s: &str, sep: &str) -> String {
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(sep)
    }

    fn fullwidth(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
                other => other,
            })
            .collect()
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("79927398713"));
        assert!(luhn_valid("378282246310005"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("0"));
        assert!(!luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("４１１１１１１１１１１１１１１１"));
        let card = with_luhn_digit("622202123456789012");
        assert_eq!(card.len(), 19);
        assert!(luhn_valid(&card));
    }

    #[test]
    fn id_number_checks() {
        // The sample number from GB 11643-1999.
        assert!(id_number_valid("11010519491231002X"));
        assert!(id_number_valid("11010519491231002x"));
        assert!(!id_number_valid("110105194912310021"));
        let id = with_id_check("44030419900307123");
        assert!(id_number_valid(&id));
        // Impossible birth dates fail even with a correct check character.
        assert!(!id_number_valid(&with_id_check("44030419900230123")));
        assert!(!id_number_valid(&with_id_check("44030418500307123")));
        assert!(!id_number_valid(&with_id_check("44030419901307123")));
        // Region code cannot start with 0.
        assert!(!id_number_valid(&with_id_check("04030419900307123")));
        assert!(!id_number_valid("4403041990030712"));
        assert!(!id_number_valid("44030419900307123X1"));
        assert!(!id_number_valid("4403041990030712XX"));
        assert!(!id_number_valid(""));
    }

    #[test]
    fn finds_card_numbers_in_every_form() {
        let c19 = with_luhn_digit("622202123456789012");
        let c16 = with_luhn_digit("622848001234567");
        let visa = with_luhn_digit("411111111111111");
        let old = with_luhn_digit("955880123456789012");
        for text in [
            c19.clone(),
            c16.clone(),
            visa.clone(),
            old.clone(),
            group4(&c19, " "),
            group4(&c19, "-"),
            group4(&c16, " "),
            format!("我的卡号是{c19}，谢谢"),
            format!("卡号：{}", group4(&c16, " ")),
            format!("card {c16}"),
            fullwidth(&c19),
            format!("卡号 {}", fullwidth(&group4(&c16, " "))),
            format!("{}\u{200B}{}", &c16[..8], &c16[8..]),
            "3782 822463 10005".to_string(),
        ] {
            assert_eq!(
                scan_sensitive(&text, false),
                Some(Sensitive::CardNumber),
                "{text:?}"
            );
        }
        // A 16- or 19-digit card is a card even while a serial is being asked for.
        assert_eq!(scan_sensitive(&c19, true), Some(Sensitive::CardNumber));
        // White space runs are one space, as the text fields store them.
        for sep in ["  ", "\u{3000}\u{3000}", " \u{200B} ", "\t\t"] {
            let text = group4(&c16, sep);
            assert_eq!(
                scan_sensitive(&text, false),
                Some(Sensitive::CardNumber),
                "{text:?}"
            );
        }
        // A serial or merchant number is stored without spaces and dashes: any grouping of
        // a card number is a card there (in other answers, only a card's own grouping is).
        let odd = format!(
            "{} {} {} {}",
            &c19[..5],
            &c19[5..10],
            &c19[10..15],
            &c19[15..]
        );
        assert_eq!(scan_sensitive(&odd, true), Some(Sensitive::CardNumber));
        assert_eq!(scan_sensitive(&odd, false), None);
        let dashed = format!("{}-{}--{}", &c16[..3], &c16[3..9], &c16[9..]);
        assert_eq!(scan_sensitive(&dashed, true), Some(Sensitive::CardNumber));
        // 15-digit cards (Amex) are caught unless 15 digits are allowed.
        assert_eq!(
            scan_sensitive("378282246310005", false),
            Some(Sensitive::CardNumber)
        );
        assert_eq!(scan_sensitive("378282246310005", true), None);
    }

    #[test]
    fn card_look_alikes_are_not_flagged() {
        let c16 = with_luhn_digit("622848001234567");
        let not_luhn = {
            let mut s = c16.clone();
            let last = s.pop().unwrap();
            s.push(if last == '9' {
                '0'
            } else {
                char::from(last as u8 + 1)
            });
            s
        };
        let imei = with_luhn_digit("35693803564380");
        let lakala_mno = with_luhn_digit("82210005011234");
        for text in [
            not_luhn.clone(),
            group4(&not_luhn, " "),
            "1234".to_string(),
            "尾号1234".to_string(),
            "**** **** **** 1234".to_string(),
            "6222 **** **** 1234".to_string(),
            "13812345678".to_string(),
            "+86 138 1234 5678".to_string(),
            "0086 138 1234 5678".to_string(),
            "008613812345678".to_string(),
            "13812345678 1234".to_string(),
            "2026-11-03".to_string(),
            "20261103".to_string(),
            "2026年11月3日".to_string(),
            "SN00001234567890123".to_string(),
            "N86222021234567890128".to_string(),
            format!("SN: {c16}"),
            format!("序列号 {c16}"),
            format!("IMEI {imei}"),
            format!("商户号：{lakala_mno}"),
            format!("订单号 {c16}"),
            format!("押金 299 元，订单 {c16}"),
            lakala_mno.clone(),
            "12345678901234567890123".to_string(),
            // Too short and too long.
            with_luhn_digit("6222021234567"),
            with_luhn_digit("62220212345678901234"),
        ] {
            assert_eq!(scan_sensitive(&text, false), None, "{text:?}");
        }
        // With 15 digits allowed, a bare 15-digit IMEI starting with 3 is not a card either.
        assert_eq!(scan_sensitive(&imei, true), None);
        assert_eq!(scan_sensitive(&imei, false), Some(Sensitive::CardNumber));
    }

    #[test]
    fn finds_id_numbers() {
        let id = with_id_check("44030419900307123");
        let idx = "11010519491231002X";
        for text in [
            id.clone(),
            idx.to_string(),
            idx.to_lowercase(),
            format!("身份证号{id}"),
            format!("身份证：{idx}，姓名张三"),
            format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
            fullwidth(&id),
            format!("ID{id}"),
        ] {
            assert_eq!(
                scan_sensitive(&text, false),
                Some(Sensitive::IdNumber),
                "{text:?}"
            );
            assert_eq!(
                scan_sensitive(&text, true),
                Some(Sensitive::IdNumber),
                "{text:?}"
            );
        }
        // Wrong check digit, or glued into a longer number: not an ID.
        let mut bad = id.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '1' { '2' } else { '1' });
        for text in [bad, format!("{id}5"), format!("9{id}")] {
            assert_ne!(
                scan_sensitive(&text, false),
                Some(Sensitive::IdNumber),
                "{text:?}"
            );
        }
    }

    #[test]
    fn finds_passwords() {
        for text in [
            "密码是abc123",
            "密码是 abc123",
            "我的密码是：Abc12345",
            "登录密码：xxxx",
            "登录密码:hello",
            "支付密码 123456",
            "支付密码123456",
            "取款密码是888888",
            "密码就是 qwerty",
            "密码改成了 abc123",
            "my password is hunter22",
            "My password is sunshine",
            "password: letmein",
            "pwd: x9y8z7",
            "PIN 1234",
            "pin码 123456",
            "PIN code: 0000",
            "Password=secret1",
            "密码：ａｂｃ１２３",
        ] {
            assert_eq!(
                scan_sensitive(text, false),
                Some(Sensitive::Password),
                "{text:?}"
            );
        }
    }

    #[test]
    fn password_questions_are_not_flagged() {
        for text in [
            "忘记密码了怎么办",
            "密码错误",
            "密码错了三次被锁了",
            "支付密码忘了",
            "怎么修改登录密码",
            "密码是多少位的",
            "密码6位",
            "密码：******",
            "I forgot my password",
            "my password is wrong",
            "the password is not working",
            "password reset",
            "password since yesterday does not work",
            "how do I change my PIN?",
            "shipping 1234",
            "密码键盘坏了",
            "spinning 12345",
        ] {
            assert_eq!(scan_sensitive(text, false), None, "{text:?}");
        }
    }

    #[test]
    fn finds_sms_codes() {
        for text in [
            "验证码是 123456",
            "验证码是123456",
            "验证码：4821",
            "验证码:4821",
            "短信码 482913",
            "短信验证码 482913",
            "校验码 1234",
            "动态码是 839201",
            "code is 123456",
            "the code: 4821",
            "my code is 123456",
            "Verification code: 735102",
            "OTP 123456",
            "我收到的验证码是 657483，麻烦快点",
            "短信验证码收到了 982341",
            "验证码：６５７４８３",
            "我的code是123456",
        ] {
            assert_eq!(
                scan_sensitive(text, false),
                Some(Sensitive::SmsCode),
                "{text:?}"
            );
        }
    }

    #[test]
    fn code_questions_are_not_flagged() {
        for text in [
            "收不到验证码",
            "验证码一直没来",
            "验证码收不到怎么办",
            "验证码60秒后重发",
            "验证码 120 秒后重发",
            "验证码过期了",
            "验证码发到 13812345678 了吗",
            "验证码是6位数",
            "error code 1234",
            "zip code 100000",
            "QR code 123456",
            "I didn't get the code",
            "the code is wrong",
            "验证码是2026年发的",
        ] {
            assert_eq!(scan_sensitive(text, false), None, "{text:?}");
        }
    }

    #[test]
    fn ordinary_answers_are_never_flagged() {
        for text in [
            "",
            "1234",
            "尾号 1234",
            "13812345678",
            "138 1234 5678",
            "2026-11-03",
            "11月3日",
            "SN: N7NL00123456",
            "00001234567890",
            "822100050112345",
            "张三",
            "张三便利店",
            "中国工商银行",
            "机器开不了机，屏幕不亮",
            "UB-7K3QF9",
            "是的",
            "已经激活了",
            "押金 299 元",
        ] {
            assert_eq!(scan_sensitive(text, false), None, "{text:?}");
            assert_eq!(scan_sensitive(text, true), None, "{text:?}");
        }
    }

    #[test]
    fn message_ids() {
        assert_eq!(Sensitive::CardNumber.message_id(), "privacy-refused-card");
        assert_eq!(Sensitive::IdNumber.message_id(), "privacy-refused-id");
        assert_eq!(Sensitive::Password.message_id(), "privacy-refused-password");
        assert_eq!(Sensitive::SmsCode.message_id(), "privacy-refused-sms-code");
        assert_eq!(
            serde_json::to_string(&Sensitive::SmsCode).unwrap(),
            "\"sms-code\""
        );
    }
}

#[cfg(test)]
mod luhn_complete_tests {
    use super::*;

    #[test]
    fn completes_to_a_valid_number() {
        let card = luhn_complete("622202123456789").unwrap();
        assert_eq!(card.len(), 16);
        assert!(luhn_valid(&card));
        assert_eq!(luhn_complete("12a"), None);
        assert_eq!(luhn_complete(""), None);
    }
}
