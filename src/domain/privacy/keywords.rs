//! Passwords, PINs and SMS codes: a value typed after the keyword that announces it
//! (`密码是…`, `验证码：…`, `my password is …`), not a question about one.

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
pub(super) fn gives_password(s: &[char]) -> bool {
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
pub(super) fn gives_sms_code(s: &[char]) -> bool {
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
