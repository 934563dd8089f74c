//! Hostile input: a deterministic corpus of odd messages, presses and files, driven through
//! the pure core from many starting states and through the real service on every backend.
//!
//! What it proves, for every (starting state, event) pair: the step returns (no panic); the
//! merchant gets a clear reply (a press may be answered by a notice only); every message id
//! used exists in both locales and renders to non-empty Telegram HTML of at most 4096
//! characters per message after the edge's splitting, with the merchant's text escaped;
//! every button's callback data fits in 64 bytes and parses back to the button; the facts
//! the core reads are the ones `needs` asked for; and a stored draft is never damaged (an
//! event may only add a validated value for the field being asked, or leave the cancel /
//! forget / submit exits). On the service level a merchant half-way through a form sends
//! a few hundred corpus items (some redelivered): the stored dialogue still decodes, the
//! earlier answers are intact, nothing the privacy guard must refuse reaches the database,
//! and the merchant can still finish and submit.
//!
//! No new crates: the corpus comes from a fixed-seed xorshift generator.

use crate::support::db::TestDb;
use chrono::{DateTime, Utc};
use posdesk::conversation::forms::{self, Field, FieldKind};
use posdesk::conversation::prompt::is_active;
use posdesk::conversation::{
    needs, parse_callback, state, step, strip_controls, Action, CaseLine, Command, Ctx, Dialogue,
    Draft, Effect, Event, Facts, FileKind, Incoming, Keyboard, Need, State, Unsupported, Upload,
    Value, CANCEL_WORDS, MAX_DOCUMENT_BYTES,
};
use posdesk::domain::{
    scan_sensitive, BankName, CardLast4, CaseKind, CaseStatus, DeviceSerial, FreeText,
    MerchantName, MerchantNo, PersonName, Phone,
};
use posdesk::i18n::{Arg, Locale, Localizer, Msg, ALLOWED_TAGS};
use posdesk::knowledge::brands;
use posdesk::service::{Inbound, Service};
use posdesk::store::{self, CaseFilter};
use posdesk::telegram::outgoing::{Outgoing, TelegramRenderer, MAX_TEXT};
use posdesk::testkit::{friday_afternoon, luhn_card, valid_answer, Chat};
use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

// ----- deterministic randomness -----------------------------------------------------------

/// xorshift64: fixed seed, same corpus on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ----- secrets the privacy guard must refuse ----------------------------------------------

/// A Luhn-valid 16-digit card number.
fn card16() -> String {
    luhn_card("622202123456789")
}

/// A Luhn-valid 19-digit card number.
fn card19() -> String {
    luhn_card("621700001000123456")
}

/// `body` (17 digits) with its ISO 7064 MOD 11-2 check character: a valid PRC ID number.
fn id_number(body: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{body}{}", char::from(CHECK[(sum % 11) as usize]))
}

/// A valid ID number whose check character is `X` (the odd shape).
fn id_number_x() -> String {
    (0..1000)
        .map(|seq| id_number(&format!("11010519491231{seq:03}")))
        .find(|id| id.ends_with('X'))
        .unwrap()
}

/// The digit strings that must never be stored, whatever shape they were typed in.
fn secret_digits() -> Vec<String> {
    vec![
        card16(),
        card19(),
        id_number("11010519491231002"),
        id_number("44030819900101123"),
        id_number_x(),
    ]
}

/// Full-width digits.
fn wide(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            other => other,
        })
        .collect()
}

fn grouped(s: &str, sep: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(sep)
}

// ----- the corpus -------------------------------------------------------------------------

#[derive(Clone)]
struct Item {
    label: String,
    event: Event,
    /// Run on one starting state in `stride` (see [`stride`]).
    stride: usize,
}

fn label_of(event: &Event) -> String {
    let s = format!("{event:?}");
    if s.chars().count() > 90 {
        format!(
            "{}… ({} chars)",
            s.chars().take(90).collect::<String>(),
            s.chars().count()
        )
    } else {
        s
    }
}

fn item(event: Event) -> Item {
    Item {
        label: label_of(&event),
        stride: stride(&event),
        event,
    }
}

fn random_cjk(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_u32(0x4E00 + rng.below(0x9FA5 - 0x4E00) as u32).unwrap())
        .collect()
}

fn random_ascii(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(0x20 + rng.below(0x7F - 0x20) as u8))
        .collect()
}

/// Pieces for the mixed texts: scripts, emoji, invisible and control characters, markup.
const PIECES: &[&str] = &[
    "解绑",
    "押金",
    "拉卡拉",
    "机器",
    "吗",
    "？",
    "abc",
    "LKL",
    "SN:",
    "1",
    "38",
    "6222",
    "１２",
    " ",
    "\n",
    "\t",
    "-",
    "/",
    ".",
    "😀",
    "👨\u{200D}👩\u{200D}👧",
    "🇨🇳",
    "\u{200B}",
    "\u{FEFF}",
    "\u{202E}",
    "\u{202C}",
    "مرحبا",
    "שלום",
    "e\u{0301}",
    "\u{0}",
    "\u{7}",
    "\u{1b}[0m",
    "<b>",
    "&amp;",
    "{ $x }",
    "%s",
    "'",
    "\"",
    ";",
    "--",
    "密码",
    "验证码",
    "尾号",
    "是",
    "否",
    "取消",
    "/start",
    "年",
    "月",
    "日",
];

fn random_pieces(rng: &mut Rng, max_pieces: usize) -> String {
    let n = rng.below(max_pieces + 1);
    (0..n).map(|_| *rng.pick(PIECES)).collect()
}

fn truncate_chars(s: String, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Every text of the corpus.
fn texts(rng: &mut Rng) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    // 4096 characters (Telegram's limit on incoming text) and a little beyond.
    v.push(random_cjk(rng, 4096));
    v.push(random_ascii(rng, 4096));
    let mut mixed = String::new();
    while mixed.chars().count() < 4096 {
        mixed.push_str(&random_pieces(rng, 8));
    }
    v.push(truncate_chars(mixed, 4096));
    v.push("好".repeat(4096));
    v.push("a".repeat(4097));
    v.push("1".repeat(4096));
    v.push("\n".repeat(4096));
    v.push(" ".repeat(4096));
    v.push("押金能退吗？".repeat(682));
    v.push("😀".repeat(4096));
    v.push("👨\u{200D}👩\u{200D}👧\u{200D}👦".repeat(600));
    v.push("\u{200B}".repeat(4096));
    v.push("e\u{0301}".repeat(2048));
    v.push(format!("LKL8C2104567{}", "\u{0301}".repeat(4000)));
    // Emoji and ZWJ sequences.
    for s in [
        "😀",
        "👍🏽",
        "👨\u{200D}👩\u{200D}👧\u{200D}👦",
        "🏳\u{FE0F}\u{200D}🌈",
        "🇨🇳🇺🇸",
        "1\u{FE0F}\u{20E3}",
        "😀😀",
        "😭 😭",
        "🙂 是",
        "否 🙃",
    ] {
        v.push(s.into());
    }
    // Zero-width characters.
    for s in [
        "\u{200B}",
        "\u{200C}\u{200D}",
        "\u{FEFF}",
        "\u{200B}\u{200C}\u{200D}\u{FEFF}",
        "\u{FEFF}/start",
        "/\u{200B}cancel",
        "取\u{200B}消",
        "LKL\u{200B}8C21\u{200D}04567",
        "138\u{200B}1234\u{FEFF}5678",
        "是\u{200D}",
    ] {
        v.push(s.into());
    }
    // Right-to-left text and overrides.
    for s in [
        "مرحبا بالعالم",
        "שלום עולם",
        "\u{202E}LKL8C2104567\u{202C}",
        "\u{202E}/start\u{202C}",
        "\u{202E}取消",
        "١٣٨١٢٣٤٥٦٧٨",
        "۱۳۸۱۲۳۴۵۶۷۸",
        "\u{202B}张记便利店\u{202C}",
        "\u{2067}abc\u{2069}",
        "שלום 13812345678",
    ] {
        v.push(s.into());
    }
    // Combining marks.
    for s in [
        "e\u{0301}\u{0301}\u{0301}\u{0301}",
        "Z̴̡̢̛͙͇a̶͎͛l̸͇̓g̷̡̛o̵̧͒",
        "张\u{0301}伟",
        "\u{0301}",
        "\u{0301}\u{0302}\u{0303}",
        "是\u{20DD}",
    ] {
        v.push(s.into());
    }
    // NUL and other control characters.
    for s in [
        "\u{0}",
        "a\u{0}b",
        "陈氏\u{0}理发\u{7}",
        "\u{7}\u{8}\u{1b}[31mred",
        "\r\n",
        "\r",
        "\u{85}",
        "\u{2028}\u{2029}",
        "\u{7f}",
        "\u{0}/start",
        "/can\u{0}cel",
        "/sta\u{0}tus",
        "\u{1}\u{2}\u{3}\u{4}",
        "\u{9f}",
    ] {
        v.push(s.into());
    }
    // SQL fragments.
    for s in [
        "'; DROP TABLE cases; --",
        "\" OR 1=1",
        "1' OR '1'='1",
        "Robert'); DROP TABLE dialogues;--",
        "%' --",
        "\\",
        "\\\\'",
        "$$; DROP SCHEMA public CASCADE; $$",
        "'; SELECT pg_sleep(10); --",
        "LKL'; DELETE FROM outbox; --",
    ] {
        v.push(s.into());
    }
    // HTML / Telegram markup.
    for s in [
        "<b>bold</b>",
        "<a href=\"tg://user?id=1\">x</a>",
        "<a href=https://evil.example>点我</a>",
        "&amp;",
        "&lt;script&gt;",
        "<script>alert(1)</script>",
        "</b></i></code>",
        "<",
        ">",
        "&",
        "&#0;",
        "<pre><code class=\"x\">",
        "<tg-spoiler>秘密</tg-spoiler>",
        "*bold* _it_ [x](http://e.example) `code`",
    ] {
        v.push(s.into());
    }
    // Format strings and Fluent-looking text.
    for s in [
        "{}",
        "{0}",
        "%s%s%s%n",
        "%d %x %p",
        "{ $x }",
        "{ $ref }",
        "{ -brand }",
        "{ NUMBER($n) }",
        "{{",
        "}}",
        "{ $count ->\n [one] x\n *[other] y\n}",
        "${jndi:ldap://x.example/a}",
        "welcome",
        "btn-submit",
        "field-serial-prompt = x",
    ] {
        v.push(s.into());
    }
    // Huge and odd numbers.
    for s in [
        "99999999999999999999999999",
        "-1",
        "1e308",
        "-1e308",
        "NaN",
        "inf",
        "0",
        "-0",
        "0x7fffffff",
        "4294967295",
        "4294967296",
        "18446744073709551616",
        "1.7976931348623157e308",
        "９９９",
        "一亿亿",
        "十万八千",
    ] {
        v.push(s.into());
    }
    // Numbers shaped like cards, IDs, phones, dates, serials.
    for digits in secret_digits() {
        v.push(digits.clone());
        v.push(grouped(&digits, " "));
        v.push(grouped(&digits, "-"));
        v.push(wide(&digits));
        v.push(format!("我的卡号是{digits}"));
        v.push(format!("my number is {}", grouped(&digits, " ")));
        v.push(format!("LKL8C2104567 {digits}"));
        v.push(format!("\u{200B}{}\u{200B}", grouped(&digits, "\u{200B}")));
    }
    v.push(id_number_x().to_lowercase());
    for s in [
        "+86 138 1234 5678",
        "138-1234-5678",
        "0086 13812345678",
        "1381234567",
        "138123456789",
        "+1 (555) 010-0000",
        "13812345678 13812345678",
        "１３８１２３４５６７８",
        "2026-13-45",
        "0000-00-00",
        "9999-12-31",
        "2月30日",
        "1900-01-01",
        "11/3/2026",
        "3/11",
        "昨天",
        "明天",
        "99月99日",
        "Nov 31",
        "2026年4294967296月1日",
        "LKL8C2104567",
        "SN:",
        "IMEI 490154203237518",
        "822100012345678",
        "尾号1234",
        "12345",
        "6222",
        "卡号后四位是4321",
    ] {
        v.push(s.into());
    }
    // Secrets in words.
    for s in [
        "密码是123456",
        "验证码 834201",
        "my password is Hunter2Xyz",
        "pin 1234",
        "支付密码：998877",
        "忘记密码了怎么办",
    ] {
        v.push(s.into());
    }
    // Commands, unknown and malformed.
    let mut long_start = "/start ".to_string();
    long_start.push_str(&random_ascii(rng, 5000));
    v.push(long_start);
    for s in [
        "/",
        "//start",
        "/start@",
        "/start@@",
        "/START",
        "/Status",
        "/STATUS",
        "/Forget",
        "/status@other_bot",
        "/start unbind_lakala",
        "/start close",
        "/start status",
        "/START status",
        "/start ../../etc/passwd",
        "/start unbind_nope",
        "/start unbind_",
        "/start _lakala",
        "/help",
        "/lang",
        "/language",
        "/menu",
        "/forget",
        "/unknown",
        "/start\nstatus",
        "/status\nplease",
        "/forget\tnow",
        "/ start",
        "/\u{200B}start",
        "/cancel@posdesk_bot",
        "/CANCEL",
        "/cancel",
        "/status junk junk",
        "/😀",
        "/start 😀",
        "/start\u{0}status",
    ] {
        v.push(s.into());
    }
    // Cancel, skip, yes / no words and questions (legitimate, but must behave).
    for s in [
        "取消",
        "cancel",
        "CANCEL!",
        "stop",
        "quit",
        "算了。",
        "不办了",
        "跳过",
        "skip",
        "n/a",
        "none",
        "是",
        "否",
        "yes",
        "no",
        "是不是",
        "yes no",
        "押金能退吗？",
        "How long does the review take?",
        "我的申请到哪了？",
        "人工客服",
    ] {
        v.push(s.into());
    }
    // Whitespace only.
    for s in ["", " ", "\u{3000}", "\n\n\n", "\t", " \u{200B} "] {
        v.push(s.into());
    }
    v
}

/// Generated noise from [`PIECES`].
fn noise(rng: &mut Rng) -> Vec<String> {
    (0..160).map(|_| random_pieces(rng, 12)).collect()
}

/// Callback data a real keyboard could send (every action the crate encodes).
fn every_action() -> Vec<Action> {
    let mut v = vec![
        Action::MyCases,
        Action::Human,
        Action::Menu,
        Action::GuideDone,
        Action::Yes,
        Action::No,
        Action::Skip,
        Action::Submit,
        Action::EditMenu,
        Action::CancelDraft,
        Action::DiscardConfirm,
        Action::Undo,
        Action::NoteToStaff("N7NL00123456".into()),
        Action::Resume,
        Action::Discard,
        Action::ForgetYes,
        Action::ForgetNo,
        Action::Dismiss,
        Action::Brand("nope".into()),
        Action::Choice("reason-nope".into()),
        Action::EditField("nope".into()),
    ];
    for b in brands::all() {
        v.push(Action::Brand(b.id.into()));
    }
    for k in CaseKind::ALL {
        v.push(Action::Topic(k));
        v.push(Action::OpenCase(k, None));
        v.push(Action::OpenCase(k, Some("lakala".into())));
        v.push(Action::OpenCase(k, Some("nope".into())));
    }
    for f in forms::all_fields() {
        v.push(Action::EditField(f.id.into()));
    }
    for c in forms::all_choice_ids() {
        v.push(Action::Choice(c.into()));
    }
    for l in Locale::ALL {
        v.push(Action::Lang(l));
    }
    for r in [OPEN_REF, WAITING_REF, DECIDED_REF, FOREIGN_REF] {
        v.push(Action::Withdraw(r.into()));
        v.push(Action::WithdrawConfirm(r.into()));
        v.push(Action::AnswerCase(r.into()));
    }
    v
}

/// Presses that do not depend on the current step: stale, forged, truncated, oversized.
fn forged_presses(rng: &mut Rng) -> Vec<String> {
    let mut v = Vec::new();
    for action in every_action() {
        for step in [0, 1, 3, u32::MAX - 1, u32::MAX] {
            v.push(action.encode(step));
        }
        // Every prefix of the real data.
        for step in [1, u32::MAX] {
            let data = action.encode(step);
            for end in 0..data.len() {
                if data.is_char_boundary(end) {
                    v.push(data[..end].to_string());
                }
            }
        }
    }
    for s in [
        "4294967296:sb",
        "4294967295:sb",
        "99999999999999999999:sb",
        "18446744073709551616:cx",
        "-1:sb",
        "+1:sb",
        "01:sb",
        "00000000001:sb",
        " 1:sb",
        "1 :sb",
        "0x1:sb",
        "１:sb",
        "1:sb ",
        "1:SB",
        "1:sb.x",
        "1:t.unbind.x",
        "1:oc.unbind.lakala.x",
        "1:ef.serial.x",
        "1:b.LAKALA",
        "1:b.<b>",
        "1:ch.'; DROP TABLE cases; --",
        "1:wd.UB-7K3QF9;",
        "1:wc.ub-7k3qf9",
        "1:an.UB-7K3QF",
        "1:l.EN",
        "1:l.fr",
        "1:\u{0}",
        "\u{0}",
        ":",
        "::",
        "1::sb",
        "1:sb:1",
        "😀:sb",
        "1:😀",
    ] {
        v.push(s.into());
    }
    // 64 bytes and beyond.
    for n in [60, 61, 62, 63, 64, 100, 4096] {
        v.push(format!("1:b.{}", "a".repeat(n)));
        v.push(format!("{}:sb", "1".repeat(n)));
    }
    // Random bytes (as Telegram delivers them: valid UTF-8 of any shape).
    for _ in 0..60 {
        let n = rng.below(80);
        let s: String = (0..n)
            .map(|_| match rng.below(4) {
                0 => char::from(rng.below(128) as u8),
                1 => *rng.pick(&[':', '.', '1', '0', '9', '-', '_']),
                2 => char::from_u32(0x4E00 + rng.below(500) as u32).unwrap(),
                _ => char::from(b'a' + rng.below(26) as u8),
            })
            .collect();
        v.push(s);
    }
    v
}

fn doc(file_id: &str, mime: Option<&str>, size: Option<u64>) -> Upload {
    Upload {
        file_id: file_id.into(),
        kind: FileKind::Document,
        mime: mime.map(str::to_string),
        size,
        caption: None,
    }
}

fn uploads() -> Vec<Vec<Upload>> {
    let long_mime = format!("image/{}", "x".repeat(4096));
    let mut v = vec![
        vec![],
        vec![Upload::photo("p-ok")],
        vec![Upload {
            size: Some(0),
            ..Upload::photo("p-zero")
        }],
        vec![Upload {
            size: Some(u64::MAX),
            ..Upload::photo("p-max")
        }],
        vec![Upload {
            size: Some(MAX_DOCUMENT_BYTES + 1),
            ..Upload::photo("p-big")
        }],
        (0..20)
            .map(|i| Upload::photo(format!("album-{i}")))
            .collect(),
        vec![
            doc("d-exe", Some("application/x-msdownload"), Some(10)),
            Upload::photo("p-after-bad"),
        ],
    ];
    for (mime, size) in [
        (None, Some(100)),
        (Some(""), Some(100)),
        (Some("application/x-msdownload"), Some(100)),
        (Some("image/svg+xml"), Some(100)),
        (Some("text/html"), Some(100)),
        (Some("IMAGE/JPEG"), Some(100)),
        (Some("image/jpeg; charset=utf-8"), Some(100)),
        (Some("application/pdf"), Some(0)),
        (Some("application/pdf"), Some(u64::MAX)),
        (Some("application/pdf"), Some(MAX_DOCUMENT_BYTES)),
        (Some("application/pdf"), Some(MAX_DOCUMENT_BYTES + 1)),
        (Some("image/png"), None),
        (Some("\u{0}"), Some(1)),
        (Some("<b>image/png</b>"), Some(1)),
        (Some(long_mime.as_str()), Some(1)),
    ] {
        v.push(vec![doc("d", mime, size)]);
    }
    v
}

fn corpus(rng: &mut Rng) -> Vec<Item> {
    let mut items = Vec::new();
    let texts = texts(rng);
    for (i, t) in texts.iter().enumerate() {
        items.push(item(Event::Text(t.clone())));
        // Edited messages: every fourth text, and every one that holds a secret.
        if i % 4 == 0 || scan_sensitive(t, true).is_some() {
            items.push(item(Event::Edited(Some(t.clone()))));
        }
    }
    for t in noise(rng) {
        items.push(Item {
            stride: 2,
            ..item(Event::Text(t))
        });
    }
    items.push(item(Event::Edited(None)));
    let mut phones: Vec<String> = [
        "",
        "0",
        "+",
        "abc",
        "13812345678",
        "+86 138 1234 5678",
        "+8613812345678",
        "138",
        "+1 555 0100",
        "99999999999999999999999999",
        "-1",
        "\u{0}",
        "\u{202E}87654321831",
        "<b>1</b>",
        "١٣٨١٢٣٤٥٦٧٨",
        "'; DROP TABLE cases; --",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    phones.push("9".repeat(4096));
    for secret in secret_digits() {
        phones.push(secret.clone());
        phones.push(format!("+{secret}"));
    }
    for phone in phones {
        items.push(item(Event::Contact { phone }));
    }
    for files in uploads() {
        items.push(item(Event::Files(files.clone())));
        if let Some(first) = files.first() {
            items.push(item(Event::AlbumPart {
                album_id: "alb".into(),
                upload: first.clone(),
            }));
        }
    }
    for kind in [
        Unsupported::Sticker,
        Unsupported::Voice,
        Unsupported::Video,
        Unsupported::Location,
        Unsupported::Other,
    ] {
        items.push(item(Event::Unsupported(kind)));
    }
    for data in forged_presses(rng) {
        items.push(item(Event::Press(data)));
    }
    // No duplicates: the same event from two generators is tested once.
    let mut seen = HashSet::new();
    items.retain(|i| seen.insert(format!("{:?}", i.event)));
    items
}

// ----- the world the core sees --------------------------------------------------------------

const OPEN_REF: &str = "UB-7K3QF9";
const WAITING_REF: &str = "CX-2345XY";
const DECIDED_REF: &str = "CL-ABCDEF";
const FOREIGN_REF: &str = "CD-ZZZZZZ";

/// The merchant's cases as the database would report them.
fn full_facts() -> Facts {
    let due = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let line = |r: &str, kind, status| CaseLine {
        case_ref: r.into(),
        kind,
        status,
        due,
    };
    Facts {
        open_case_for_serial: None,
        own_cases: vec![
            line(OPEN_REF, CaseKind::Unbind, CaseStatus::Queued),
            line(WAITING_REF, CaseKind::Cancel, CaseStatus::WaitingMerchant),
            line(DECIDED_REF, CaseKind::Close, CaseStatus::Approved),
        ],
        case_notes: [(
            WAITING_REF.to_string(),
            posdesk::conversation::CaseNote::Question("请补拍营业执照".into()),
        )]
        .into_iter()
        .collect(),
        resubmit: None,
    }
}

/// What the service would read for this step: only what `needs` lists.
fn facts_for(needs: &[Need], full: &Facts) -> Facts {
    let mut f = Facts::default();
    if needs.contains(&Need::OwnCases) {
        f.own_cases = full.own_cases.clone();
        f.case_notes = full.case_notes.clone();
    }
    f
}

/// A chat driven through the real core, which sees the merchant's cases as [`full_facts`].
fn chat(hint: Locale) -> Chat {
    Chat {
        facts: full_facts(),
        ..Chat::new(hint)
    }
}

/// The starting states, reached by driving the core with valid input.
fn starting_states() -> Vec<(String, Dialogue, Locale)> {
    let mut out = Vec::new();
    let mut c = chat(Locale::ZhCn);
    c.text("/start");
    out.push(("menu".to_string(), c.dialogue.clone(), Locale::ZhCn));
    c.press(Action::Topic(CaseKind::Unbind));
    out.push(("choose-brand".to_string(), c.dialogue.clone(), Locale::ZhCn));
    c.press(Action::Brand("lakala".into()));
    out.push(("guide".to_string(), c.dialogue.clone(), Locale::ZhCn));
    let mut c = chat(Locale::En);
    c.text("/start");
    c.question(WAITING_REF);
    out.push((
        "answer-from-menu(en)".to_string(),
        c.dialogue.clone(),
        Locale::En,
    ));

    for (i, kind) in CaseKind::ALL.into_iter().enumerate() {
        // Alternate the merchant's language between kinds.
        let hint = if i % 2 == 0 { Locale::ZhCn } else { Locale::En };
        let tag = if i % 2 == 0 { "" } else { "(en)" };
        let mut c = chat(hint);
        c.open(kind);
        let mut guard = 0;
        while let State::Form { field, .. } = &c.dialogue.state {
            let field = field.clone();
            out.push((
                format!("form:{}:{field}{tag}", kind.id()),
                c.dialogue.clone(),
                hint,
            ));
            if field == "phone" || field == "id_front" {
                // A reviewer's question arrives in the middle of the form.
                let mut q = c.with_dialogue(c.dialogue.clone());
                q.question(WAITING_REF);
                out.push((
                    format!("answer-in-form:{}:{field}{tag}", kind.id()),
                    q.dialogue,
                    hint,
                ));
            }
            c.answer_current();
            guard += 1;
            assert!(guard < 40, "form does not finish: {:?}", c.dialogue.state);
        }
        assert!(
            matches!(c.dialogue.state, State::Review { .. }),
            "{:?}",
            c.dialogue.state
        );
        out.push((
            format!("review:{}{tag}", kind.id()),
            c.dialogue.clone(),
            hint,
        ));
        let review = c.dialogue.clone();
        c.press(Action::EditMenu);
        out.push((
            format!("edit-menu:{}{tag}", kind.id()),
            c.dialogue.clone(),
            hint,
        ));
        let fields: Vec<&Field> = forms::form(kind).iter().collect();
        for f in [
            fields[1],
            fields[fields.len() / 2],
            fields[fields.len() - 1],
        ] {
            let mut e = c.with_dialogue(review.clone());
            e.press(Action::EditMenu);
            e.press(Action::EditField(f.id.into()));
            if matches!(e.dialogue.state, State::Edit { field: Some(_), .. }) {
                out.push((
                    format!("edit:{}:{}{tag}", kind.id(), f.id),
                    e.dialogue,
                    hint,
                ));
            }
        }
        let mut q = c.with_dialogue(review);
        q.question(WAITING_REF);
        out.push((
            format!("answer-in-review:{}{tag}", kind.id()),
            q.dialogue,
            hint,
        ));
    }
    // A chat whose button counter is about to wrap around.
    let mut c = chat(Locale::ZhCn);
    c.dialogue.step = u32::MAX - 1;
    c.open(CaseKind::Card);
    out.push((
        "form:card:wrapping-step".to_string(),
        c.dialogue.clone(),
        Locale::ZhCn,
    ));
    out
}

// ----- the checks ---------------------------------------------------------------------------

/// Every message id used by `msg`, its nested arguments included.
fn msg_ids<'a>(msg: &'a Msg, out: &mut Vec<&'a str>) {
    out.push(&msg.id);
    for (_, arg) in &msg.args {
        if let Arg::Msg(inner) = arg {
            msg_ids(inner, out);
        }
    }
}

/// Every text argument of `msg` (what a person typed, echoed back).
fn msg_texts<'a>(msg: &'a Msg, out: &mut Vec<&'a str>) {
    for (_, arg) in &msg.args {
        match arg {
            Arg::Str(s) => out.push(s),
            Arg::Msg(inner) => msg_texts(inner, out),
            Arg::Num(_) => {}
        }
    }
}

/// Telegram HTML as the edge sends it: only the allowed tags, every `&` an entity.
fn html_problem(text: &str) -> Option<String> {
    let mut rest = text.to_string();
    for tag in ALLOWED_TAGS {
        rest = rest.replace(tag, "");
    }
    if rest.contains('<') {
        return Some("unescaped '<'".into());
    }
    let mut s = rest.as_str();
    while let Some(i) = s.find('&') {
        s = &s[i..];
        let ok = ["&amp;", "&lt;", "&gt;", "&quot;"]
            .iter()
            .any(|e| s.starts_with(e));
        if !ok {
            return Some(format!(
                "bare or cut entity at {:?}",
                s.chars().take(10).collect::<String>()
            ));
        }
        s = &s[1..];
    }
    None
}

fn roundtrips<T, E>(
    s: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    as_str: impl Fn(&T) -> &str,
) -> bool {
    parse(s).map(|v| as_str(&v) == s).unwrap_or(false)
}

/// Whether `value` is a correctly validated answer for `field`.
fn value_ok(field: &Field, value: &Value) -> bool {
    match (field.kind, value) {
        (_, Value::Skipped) => !field.required,
        (FieldKind::Brand, Value::Brand(b)) => brands::find(b).is_some(),
        (FieldKind::Serial, Value::Text(s)) => {
            roundtrips(s, DeviceSerial::parse, |v| v.as_str()) && scan_sensitive(s, true).is_none()
        }
        (FieldKind::MerchantNo, Value::Text(s)) => {
            roundtrips(s, MerchantNo::parse, |v| v.as_str()) && scan_sensitive(s, true).is_none()
        }
        (FieldKind::MerchantName, Value::Text(s)) => {
            roundtrips(s, MerchantName::parse, |v| v.as_str()) && scan_sensitive(s, false).is_none()
        }
        (FieldKind::PersonName, Value::Text(s)) => {
            roundtrips(s, PersonName::parse, |v| v.as_str()) && scan_sensitive(s, false).is_none()
        }
        (FieldKind::Phone, Value::Text(s)) => roundtrips(s, Phone::parse, |v| v.as_str()),
        (FieldKind::Login, Value::Text(s)) => {
            (roundtrips(s, Phone::parse, |v| v.as_str())
                || roundtrips(s, FreeText::parse, |v| v.as_str()))
                && scan_sensitive(s, false).is_none()
        }
        (FieldKind::Text { choices }, Value::Choice(c)) => choices.contains(&c.as_str()),
        (FieldKind::Text { .. }, Value::Text(s)) => {
            roundtrips(s, FreeText::parse, |v| v.as_str()) && scan_sensitive(s, false).is_none()
        }
        (FieldKind::YesNo, Value::Bool(_)) => true,
        (FieldKind::Date, Value::Date(_)) => true,
        (FieldKind::BankName, Value::Text(s)) => roundtrips(s, BankName::parse, |v| v.as_str()),
        (FieldKind::CardLast4, Value::Text(s)) => {
            roundtrips(s, CardLast4::parse, |v| v.as_str()) && s.len() == 4
        }
        (FieldKind::Photo, Value::File(_)) => true,
        _ => false,
    }
}

/// The field being asked, if the state asks one directly.
fn asked_field(state: &State) -> Option<(&Draft, &'static Field)> {
    match state {
        State::Form { draft, field }
        | State::Edit {
            draft,
            field: Some(field),
        } => forms::field(draft.kind, field).map(|f| (draft, f)),
        _ => None,
    }
}

/// Whether the event is one of the allowed ways to discard or finish the draft.
fn is_exit(event: &Event, before: &Dialogue) -> bool {
    match event {
        Event::Text(t) => {
            let t = strip_controls(t);
            let t = t.trim();
            if let Some(typed) = Command::parse(t) {
                return typed.command == Some(Command::Cancel);
            }
            let word = t
                .trim_matches(|c: char| c.is_ascii_punctuation() || "。！，、～~ ".contains(c))
                .to_lowercase();
            // At the summary, "好的" / "ok" submits (issue 15).
            let confirm = matches!(before.state, State::Review { .. })
                && posdesk::conversation::words::is_confirm(t);
            confirm || CANCEL_WORDS.contains(&word.as_str())
        }
        Event::Press(data) => matches!(
            parse_callback(data),
            Some((s, Action::DiscardConfirm | Action::Submit | Action::ForgetYes))
                if s == before.step
        ),
        _ => false,
    }
}

/// The draft rule: earlier answers stay; only the asked field may get a validated value.
fn draft_problem(
    before: &Dialogue,
    after: &Dialogue,
    event: &Event,
    fx: &[Effect],
) -> Option<String> {
    let b = before.state.draft()?;
    let Some(a) = after.state.draft() else {
        let exited = fx.iter().any(|e| match e {
            Effect::Reply(r) => r.has("draft-cancelled") || r.has("draft-discarded"),
            Effect::Forget => true,
            Effect::Submit(s) => s.draft_id == b.id && s.kind == b.kind,
            _ => false,
        });
        return (!(exited && is_exit(event, before)))
            .then(|| "the draft was discarded by an event that is not an exit".to_string());
    };
    if a.id != b.id || a.kind != b.kind || a.started_at != b.started_at {
        return Some(format!("the draft was replaced: {} → {}", b.id, a.id));
    }
    let asked = asked_field(&before.state).map(|(_, f)| f);
    for (k, v) in &b.values {
        if a.values.get(k) == Some(v) {
            continue;
        }
        let Some(field) = forms::field(a.kind, k) else {
            return Some(format!("answer {k} is for a field the form does not have"));
        };
        match a.values.get(k) {
            Some(new) if asked.is_some_and(|f| f.id == *k) && value_ok(field, new) => {}
            None if !is_active(a, field)
                && field
                    .when
                    .is_some_and(|c| asked.is_some_and(|f| f.id == c.field)) => {}
            other => return Some(format!("answer {k} changed: {v:?} → {other:?}")),
        }
    }
    for (k, v) in &a.values {
        if b.values.contains_key(k) {
            continue;
        }
        let Some(field) = forms::field(a.kind, k) else {
            return Some(format!("value for a field the form does not have: {k}"));
        };
        let for_asked = asked.is_some_and(|f| f.id == *k);
        let album = matches!(event, Event::Files(_)) && field.kind == FieldKind::Photo;
        if !(for_asked || album) {
            return Some(format!(
                "{k} was filled while another field was asked: {v:?}"
            ));
        }
        if !value_ok(field, v) {
            return Some(format!("{k} got an invalid value {v:?}"));
        }
    }
    None
}

#[derive(Default)]
struct Tally {
    steps: usize,
    replies: usize,
    /// Drafts left by an allowed exit; answers added by a hostile event.
    exits: usize,
    filled: usize,
    /// Problem → (how often, the first few examples).
    failures: std::collections::BTreeMap<String, (usize, Vec<String>)>,
}

impl Tally {
    fn fail(&mut self, state: &str, item: &Item, what: String) {
        let entry = self.failures.entry(what).or_default();
        entry.0 += 1;
        if entry.1.len() < 3 {
            entry.1.push(format!("[{state}] {}", item.label));
        }
    }

    fn assert_clean(&self) {
        let count: usize = self.failures.values().map(|(n, _)| n).sum();
        let report: Vec<String> = self
            .failures
            .iter()
            .take(30)
            .map(|(what, (n, ex))| format!("{what} ({n}×), e.g.\n    {}", ex.join("\n    ")))
            .collect();
        assert!(
            count == 0,
            "{count} failures of {} kinds:\n{}",
            self.failures.len(),
            report.join("\n")
        );
    }
}

/// Everything that must hold about one step's output.
fn check_output(fx: &[Effect], after: &Dialogue, locale: Locale, event: &Event) -> Vec<String> {
    let l10n = Localizer::global();
    let mut problems = Vec::new();
    let is_press = matches!(event, Event::Press(_));
    let has_reply = fx.iter().any(|e| matches!(e, Effect::Reply(_)));
    let has_notice = fx.iter().any(|e| matches!(e, Effect::Notice(_)));
    if !(has_reply || (is_press && has_notice)) {
        problems.push(format!("no clear reply: {fx:?}"));
    }
    let mut ids = Vec::new();
    let mut typed = Vec::new();
    for e in fx {
        match e {
            Effect::Reply(r) => {
                if r.parts.is_empty() {
                    problems.push("a reply without paragraphs".into());
                }
                for p in &r.parts {
                    msg_ids(p, &mut ids);
                    msg_texts(p, &mut typed);
                }
                match &r.keyboard {
                    Keyboard::Inline(rows) => {
                        for b in rows.iter().flatten() {
                            msg_ids(&b.label, &mut ids);
                            let data = b.data();
                            if data.len() > 64 {
                                problems.push(format!("callback data over 64 bytes: {data}"));
                            }
                            if parse_callback(&data) != Some((b.step, b.action.clone())) {
                                problems.push(format!("callback data does not parse back: {data}"));
                            }
                            if b.step != after.step {
                                problems.push(format!(
                                    "button {data} is stale on arrival (step {})",
                                    after.step
                                ));
                            }
                            if l10n.render(locale, &b.label).trim().is_empty() {
                                problems.push(format!("empty button label {:?}", b.label.id));
                            }
                        }
                    }
                    Keyboard::ShareContact(label) => msg_ids(label, &mut ids),
                    Keyboard::None | Keyboard::RemoveShareContact => {}
                }
            }
            Effect::Notice(m) => {
                msg_ids(m, &mut ids);
                let text = l10n.render(locale, m);
                // answerCallbackQuery takes 0–200 characters.
                if text.trim().is_empty() || text.chars().count() > 200 {
                    problems.push(format!("notice {:?} renders badly: {text:?}", m.id));
                }
            }
            Effect::AnswerCase { text: Some(t), .. } => {
                if let Some(s) = scan_sensitive(t, false) {
                    problems.push(format!("{s:?} forwarded to the review team as an answer"));
                }
            }
            Effect::Submit(s) => {
                for (k, v) in &s.fields {
                    if let Some(t) = v.as_str() {
                        if scan_sensitive(t, true).is_some() {
                            problems.push(format!("secret submitted in {k}"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for id in ids {
        for l in Locale::ALL {
            if !l10n.has(l, id) {
                problems.push(format!("message {id:?} missing in {l}"));
            }
        }
    }
    for t in typed {
        if let Some(s) = scan_sensitive(t, true) {
            problems.push(format!("{s:?} echoed back in a reply"));
        }
    }
    // As the edge sends it: HTML, split at 4096 characters.
    for (request, _) in TelegramRenderer::requests(locale, fx) {
        if let Outgoing::Send { text, .. } = request {
            let n = text.chars().count();
            if text.trim().is_empty() || n > MAX_TEXT {
                problems.push(format!("message of {n} characters"));
            }
            if let Some(p) = html_problem(&text) {
                problems.push(format!("bad HTML: {p}"));
            }
        }
    }
    problems
}

/// Bounded run time: an item meets one starting state in `stride`. Long texts (thousands
/// of characters through the matcher) every eighth, presses that are stale or malformed
/// (refused before the state is looked at) every fourth, edited messages (answered alike
/// in every state) and generated noise every other one; everything else every state.
fn stride(event: &Event) -> usize {
    match event {
        Event::Text(t) | Event::Edited(Some(t)) if t.chars().count() > 300 => 8,
        Event::Press(_) => 4,
        Event::Edited(_) => 2,
        _ => 1,
    }
}

/// One hostile event from one starting state.
fn run_one(name: &str, start: &Dialogue, hint: Locale, it: &Item, entropy: u64, tally: &mut Tally) {
    let full = full_facts();
    let incoming = Incoming::new(it.event.clone()).with_message_id(4242);
    // As the service does it: the facts listed by `needs` for the raw (unsanitized) input.
    let facts = facts_for(&needs(start, &incoming), &full);
    let ctx = Ctx {
        now: friday_afternoon(),
        locale_hint: hint,
        entropy,
        holidays: &[],
        facts: &facts,
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        step(start.clone(), incoming.clone(), &ctx)
    }));
    tally.steps += 1;
    let Ok((after, fx)) = result else {
        return tally.fail(name, it, "panicked".into());
    };
    if facts != full {
        // Had the service read everything, the step must have come out the same.
        let ctx_full = Ctx {
            facts: &full,
            ..ctx
        };
        let (after_full, fx_full) = step(start.clone(), incoming, &ctx_full);
        if after_full != after || fx_full != fx {
            tally.fail(
                name,
                it,
                "the step reads facts that `needs` did not ask for".into(),
            );
        }
    }
    tally.replies += fx.iter().filter(|e| matches!(e, Effect::Reply(_))).count();
    let locale = after.locale.unwrap_or(hint);
    for p in check_output(&fx, &after, locale, &it.event) {
        tally.fail(name, it, p);
    }
    if let Some(p) = draft_problem(start, &after, &it.event, &fx) {
        tally.fail(name, it, p);
    }
    match (start.state.draft(), after.state.draft()) {
        (Some(_), None) => tally.exits += 1,
        (Some(b), Some(a)) if a.values.len() > b.values.len() => tally.filled += 1,
        _ => {}
    }
    // What is stored must still be storable (no NUL: PostgreSQL's jsonb refuses it) and
    // readable. Only the state and the album hold strings that came from outside, so the
    // (slow, unoptimized) JSON round trip runs when one of them changed.
    if (after.state != start.state || after.album != start.album) && !round_trips(&after) {
        tally.fail(
            name,
            it,
            "the dialogue does not round-trip through storage".into(),
        );
    }
}

fn round_trips(d: &Dialogue) -> bool {
    let json = state::encode(d);
    !json.contains("\\u0000")
        && state::decode(&json, posdesk::conversation::SCHEMA_VERSION).as_ref() == Some(d)
}

#[test]
fn core_survives_the_hostile_corpus_from_every_state() {
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let items = corpus(&mut rng);
    let states = starting_states();
    for (name, d, _) in &states {
        assert!(round_trips(d), "{name}");
    }
    let mut tally = Tally::default();
    for (s, (name, start, hint)) in states.iter().enumerate() {
        for (i, it) in items.iter().enumerate() {
            if (s + i) % it.stride == 0 {
                run_one(name, start, *hint, it, rng.next(), &mut tally);
            }
        }
        // Presses of every real button at this state's current step (the "forged" press
        // that happens to be well-formed and current).
        for action in every_action() {
            let it = item(Event::Press(action.encode(start.step)));
            run_one(name, start, *hint, &it, rng.next(), &mut tally);
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "hostile_input core: corpus {} events (+{} live presses per state), {} states, {} steps, {} replies, {} drafts exited, {} answers added, {:.1}s",
        items.len(),
        every_action().len(),
        states.len(),
        tally.steps,
        tally.replies,
        tally.exits,
        tally.filled,
        started.elapsed().as_secs_f64()
    );
    tally.assert_clean();
}

// ----- service level, on every backend --------------------------------------------------------

/// A merchant talking to the real service, with Telegram-like update ids.
struct Sender<'a> {
    service: &'a Service,
    store: &'a Arc<dyn store::Store>,
    chat_id: i64,
    update_id: i64,
    message_id: i32,
    now: DateTime<Utc>,
}

impl Sender<'_> {
    fn inbound(&self, event: Event) -> Inbound {
        Inbound {
            chat_id: self.chat_id,
            update_id: Some(self.update_id),
            locale_hint: Some(Locale::ZhCn),
            incoming: Incoming::new(event).with_message_id(self.message_id),
            now: self.now,
        }
    }

    /// A new update; returns its effects.
    async fn send(&mut self, event: Event) -> Vec<Effect> {
        self.update_id += 1;
        self.message_id += 1;
        self.now += chrono::Duration::seconds(20);
        let outcome = self
            .service
            .handle(self.inbound(event))
            .await
            .expect("handled");
        assert!(!outcome.duplicate, "update {} is new", self.update_id);
        outcome.effects
    }

    /// Telegram delivers the last update again: applied once only.
    async fn redeliver(&mut self, event: Event) {
        let outcome = self
            .service
            .handle(self.inbound(event))
            .await
            .expect("handled");
        assert!(
            outcome.duplicate && outcome.effects.is_empty(),
            "{outcome:?}"
        );
    }

    /// The stored dialogue, which must decode.
    async fn dialogue(&self) -> Dialogue {
        let mut tx = self.store.begin().await.unwrap();
        let stored = tx
            .load_dialogue(self.chat_id)
            .await
            .unwrap()
            .expect("stored");
        tx.commit().await.unwrap();
        state::decode(&stored.state, stored.schema_version).expect("the dialogue decodes")
    }

    async fn press(&mut self, action: Action) -> Vec<Effect> {
        let step = self.dialogue().await.step;
        self.send(Event::Press(action.encode(step))).await
    }
}

/// Whether the service run may send this item: no exits (cancel words, `/cancel`), and no
/// press that could be current in this run (a few hundred steps from the start).
fn for_service(it: &Item) -> bool {
    match &it.event {
        Event::Press(data) => !matches!(parse_callback(data), Some((step, _)) if step <= 1_000_000),
        event => !is_exit(event, &Dialogue::default()),
    }
}

/// The typed or shared text of an event, if it carries a secret the guard must refuse.
fn secret_text(event: &Event) -> Option<&str> {
    match event {
        Event::Text(t) | Event::Edited(Some(t)) | Event::Contact { phone: t } => {
            scan_sensitive(t, true).is_some().then_some(t.as_str())
        }
        _ => None,
    }
}

backends!(service_keeps_a_half_filled_draft_through_the_corpus);
async fn service_keeps_a_half_filled_draft_through_the_corpus(db: &TestDb) {
    let started = Instant::now();
    let store = store::open(&db.url).await.expect("open store");
    let service = Service::new(store.clone(), Locale::ZhCn, Vec::new())
        .with_outbox(Arc::new(TelegramRenderer::new(None)));
    let mut m = Sender {
        service: &service,
        store: &store,
        chat_id: 8080,
        update_id: 70_000,
        message_id: 0,
        now: friday_afternoon(),
    };

    // Half-way through an unbind application.
    m.send(Event::Text("/start unbind_lakala".into())).await;
    m.press(Action::OpenCase(CaseKind::Unbind, Some("lakala".into())))
        .await;
    m.send(Event::Text("LKL8C2104567".into())).await;
    m.press(Action::No).await;
    m.send(Event::Text("822100012345678".into())).await;
    m.send(Event::Text("张记便利店".into())).await;
    let before = m.dialogue().await;
    let State::Form {
        draft: earlier,
        field,
    } = &before.state
    else {
        panic!("not in the form: {:?}", before.state)
    };
    assert_eq!(field, "contact_name");
    assert_eq!(earlier.values.len(), 5, "{:?}", earlier.values);

    // A few hundred corpus items: every secret, and a fixed-seed sample of the rest.
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let all = corpus(&mut Rng(0x9E37_79B9_7F4A_7C15));
    let mut chosen: Vec<&Item> = all
        .iter()
        .filter(|it| for_service(it) && secret_text(&it.event).is_some())
        .collect();
    let rest: Vec<&Item> = all
        .iter()
        .filter(|it| for_service(it) && secret_text(&it.event).is_none())
        .collect();
    while chosen.len() < 300 {
        chosen.push(rest[rng.below(rest.len())]);
    }
    // Interleave the secrets with the rest.
    for i in (1..chosen.len()).rev() {
        chosen.swap(i, rng.below(i + 1));
    }
    let mut redelivered = 0;
    let mut fields_seen = HashSet::new();
    for (i, it) in chosen.iter().enumerate() {
        let fx = m.send(it.event.clone()).await;
        let is_press = matches!(it.event, Event::Press(_));
        let answered = fx.iter().any(|e| match e {
            Effect::Reply(_) => true,
            Effect::Notice(_) => is_press,
            _ => false,
        });
        assert!(answered, "no reply to {}: {fx:?}", it.label);
        if i % 8 == 0 {
            m.redeliver(it.event.clone()).await;
            redelivered += 1;
        }
        if i % 25 == 0 {
            if let Some((_, f)) = asked_field(&m.dialogue().await.state) {
                fields_seen.insert(f.id);
            }
        }
    }

    // The stored dialogue decodes; the earlier answers are intact; what was added is valid.
    let after = m.dialogue().await;
    let draft = after.state.draft().expect("the draft is still there");
    assert_eq!(draft.id, earlier.id);
    assert_eq!(draft.kind, earlier.kind);
    for (k, v) in &earlier.values {
        assert_eq!(draft.values.get(k), Some(v), "earlier answer {k}");
    }
    for (k, v) in &draft.values {
        let f = forms::field(draft.kind, k).expect("a field of the form");
        assert!(value_ok(f, v), "{k} = {v:?}");
    }

    // Nothing the privacy guard must refuse reached the database.
    // The digits in any shape, and each secret-bearing text as sent (unless it holds the
    // plain digits, already looked for).
    let digits = secret_digits();
    let mut needles = digits.clone();
    needles.extend(
        chosen
            .iter()
            .filter_map(|it| secret_text(&it.event))
            .map(|t| t.trim().to_string())
            .filter(|t| !digits.iter().any(|d| t.contains(d.as_str()))),
    );
    needles.sort();
    needles.dedup();
    for needle in &needles {
        assert!(!db.contains_text(needle).await, "stored: {needle:?}");
    }

    // The merchant can still finish and submit.
    let mut case_ref = None;
    for _ in 0..30 {
        let d = m.dialogue().await;
        match &d.state {
            State::Form { draft, field } => {
                m.send(valid_answer(draft.kind, field, d.step)).await;
            }
            State::Edit { .. } => {
                m.press(Action::Resume).await;
            }
            State::Review { .. } => {
                let fx = m.press(Action::Submit).await;
                case_ref = fx.iter().find_map(|e| match e {
                    Effect::Submit(s) => Some(s.case_ref.clone()),
                    _ => None,
                });
                break;
            }
            other => panic!("unexpected state {other:?}"),
        }
    }
    let case_ref = case_ref.expect("submitted");
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(
        (case.case_ref.as_str(), case.chat_id),
        (case_ref.as_str(), 8080)
    );
    assert_eq!(case.draft_id, earlier.id);
    assert_eq!(case.serial.as_deref(), Some("LKL8C2104567"));
    assert_eq!(case.fields["merchant_no"], "822100012345678");
    assert_eq!(case.fields["merchant_name"], "张记便利店");
    assert_eq!(case.fields["activated"], false);
    for needle in &needles {
        assert!(!db.contains_text(needle).await, "stored: {needle:?}");
    }
    store.close().await;

    let _ = writeln!(
        std::io::stderr(),
        "hostile_input service ({:?}): {} events ({} with secrets, {} redelivered) from field contact_name, passing {:?}, then submitted {case_ref}; {:.1}s",
        db.backend,
        chosen.len(),
        chosen
            .iter()
            .filter(|it| secret_text(&it.event).is_some())
            .count(),
        redelivered,
        fields_seen,
        started.elapsed().as_secs_f64()
    );
}

// ----- regressions found by the corpus ------------------------------------------------------

/// `needs` parsed commands more narrowly than the machine (case, control characters, any
/// whitespace), so `/Status` listed "no applications" although the merchant had some, and
/// `/Forget` offered to erase their data while cases were open.
#[test]
fn every_spelling_of_status_forget_and_start_reads_the_merchants_cases() {
    let full = full_facts();
    let mut c = chat(Locale::ZhCn);
    c.text("/start");
    for text in [
        "/Status",
        "/STATUS",
        "/sta\u{0}tus",
        "/status\nplease",
        "/status\tnow",
        "/Forget",
        "/forget\tnow",
        "/START status",
        "/start\nstatus",
        "/status@posdesk_bot",
    ] {
        let incoming = Incoming::new(Event::Text(text.into()));
        let needs = needs(&c.dialogue, &incoming);
        assert!(needs.contains(&Need::OwnCases), "{text:?}: {needs:?}");
    }
    let incoming = Incoming::new(Event::Text("/Status".into()));
    let facts = facts_for(&needs(&c.dialogue, &incoming), &full);
    let ctx = Ctx {
        now: friday_afternoon(),
        locale_hint: Locale::ZhCn,
        entropy: 1,
        holidays: &[],
        facts: &facts,
    };
    let (_, fx) = step(c.dialogue.clone(), incoming, &ctx);
    assert!(
        fx.iter()
            .filter_map(Effect::as_reply)
            .any(|r| r.has("status-line")),
        "{fx:?}"
    );
}

/// A shared contact answering a reviewer's question was forwarded to the case without the
/// privacy guard that typed text passes (a contact's "phone number" is any text).
#[test]
fn a_contact_answering_a_reviewer_passes_the_privacy_guard() {
    let mut c = chat(Locale::ZhCn);
    c.open(CaseKind::Unbind);
    c.question(WAITING_REF);
    let asking = c.dialogue.clone();
    for secret in [card16(), format!("+{}", id_number("11010519491231002"))] {
        c.dialogue = asking.clone();
        let fx = c.send(Event::Contact { phone: secret });
        assert!(fx.contains(&Effect::DeleteMessage(c.message_id)), "{fx:?}");
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::AnswerCase { .. })),
            "{fx:?}"
        );
        assert!(matches!(c.dialogue.state, State::AnswerStaff { .. }));
    }
    // A real phone number is taken for the answer, which "done" sends.
    c.dialogue = asking;
    c.send(Event::Contact {
        phone: "+86 138 1234 5678".into(),
    });
    let fx = c.press(Action::AnswerDone);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::AnswerCase { .. })),
        "{fx:?}"
    );
}
