//! Whole conversations as data: what a merchant does at each step, the reply that step
//! waits for, and the case the conversation must leave in the database. The steps are those
//! of `tests/telegram/telegram_e2e.rs`, with values that differ per merchant and per case so that
//! every stored case can be traced back to the conversation that made it.

use super::bot::Merchant;
use super::fake_telegram::FakeTelegram;
use posdesk::domain::CaseRecord;
use serde_json::{json, Value};

/// One thing a merchant does.
#[derive(Debug, Clone)]
pub enum Act {
    Say(String),
    /// Press the newest button whose label contains this.
    Tap(&'static str),
    /// Share their phone number.
    Contact(String),
    /// Photos with these file ids: one message, or an album when there are several.
    Photos(Vec<String>),
}

/// One step: the act and a text the reply to it contains.
#[derive(Debug, Clone)]
pub struct Step {
    pub act: Act,
    pub expect: &'static str,
}

/// A conversation from `/start` to a submitted case.
#[derive(Debug, Clone)]
pub struct Script {
    pub chat: i64,
    pub lang: &'static str,
    pub steps: Vec<Step>,
    /// What the submitted case must hold.
    pub case: ExpectedCase,
    /// A text only the reply confirming the submission contains.
    pub confirmation: &'static str,
}

/// The case a script must leave: every value the merchant gave, exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedCase {
    pub kind: &'static str,
    pub serial: Option<String>,
    /// Every stored field.
    pub fields: Value,
    /// The attachments' file ids, in order.
    pub files: Vec<String>,
}

impl ExpectedCase {
    /// Panics, naming what differs, unless `case` is exactly this one.
    pub fn check(&self, case: &CaseRecord) {
        assert_eq!(case.kind.id(), self.kind, "{}: kind", case.case_ref);
        assert_eq!(case.serial, self.serial, "{}: serial", case.case_ref);
        assert_eq!(case.fields, self.fields, "{}: fields", case.case_ref);
        assert_eq!(file_ids(case), self.files, "{}: attachments", case.case_ref);
    }
}

/// The file ids of a case's attachments, in order.
pub fn file_ids(case: &CaseRecord) -> Vec<String> {
    case.attachments
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|a| a["file_id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// How many conversation templates [`script`] knows.
pub const TEMPLATES: usize = 3;

fn step(act: Act, expect: &'static str) -> Step {
    Step { act, expect }
}

fn say(text: impl Into<String>) -> Act {
    Act::Say(text.into())
}

/// Conversation `template` (modulo [`TEMPLATES`]) for merchant `chat`, its `n`-th case.
/// The values typed differ per chat and case (serials must: one open case per terminal).
pub fn script(template: usize, chat: i64, n: u32) -> Script {
    // Two distinct digits per chat (chats are 1..=99 apart) and per case.
    let c = chat.rem_euclid(100);
    let n = i64::from(n % 100);
    let photo = |what: &str| format!("{what}-{chat}-{n}");
    match template % TEMPLATES {
        // Unbinding a Lakala terminal, in Chinese, with an album of two photos.
        0 => {
            let serial = format!("LKL-8C{c:02}-04{n:02}7");
            let phone = format!("1381234{c:02}{n:02}");
            let name = format!("张记便利店{c}号{n}");
            Script {
                chat,
                lang: "zh-hans",
                steps: vec![
                    step(say("/start"), "您好"),
                    step(Act::Tap("机器解绑"), "哪个品牌"),
                    step(Act::Tap("拉卡拉"), "95017"),
                    step(Act::Tap("帮我提交申请"), "序列号"),
                    step(say(serial.clone()), "激活"),
                    step(Act::Tap("否"), "商户编号"),
                    step(Act::Tap("跳过"), "商户名称"),
                    step(say(name.clone()), "联系人"),
                    step(say("张伟"), "手机号"),
                    step(Act::Contact(format!("+86{phone}")), "原因"),
                    step(Act::Tap("长期不用了"), "人像面"),
                    step(Act::Photos(vec![photo("front"), photo("back")]), "营业执照"),
                    step(Act::Tap("跳过"), "请核对"),
                    step(Act::Tap("提交"), "申请编号"),
                ],
                case: ExpectedCase {
                    kind: "unbind",
                    serial: Some(serial.replace('-', "")),
                    fields: json!({
                        "brand": "lakala",
                        "serial": serial.replace('-', ""),
                        "activated": false,
                        "merchant_no": null,
                        "merchant_name": name,
                        "contact_name": "张伟",
                        "phone": phone,
                        "reason": { "choice": "reason-unused" },
                        "licence": null,
                    }),
                    files: vec![photo("front"), photo("back")],
                },
                confirmation: "申请编号",
            }
        }
        // Changing the settlement card of a Lakala merchant, in English, with one photo.
        1 => {
            let merchant_no = format!("8221000123{c:02}{n:02}8");
            let last4 = format!("{:04}", 1000 + c * 10 + n);
            let name = format!("Joe's Noodles {c}-{n}");
            let phone = format!("1391234{c:02}{n:02}");
            Script {
                chat,
                lang: "en",
                steps: vec![
                    step(say("/start"), "Hello"),
                    step(Act::Tap("Change settlement card"), "Which brand"),
                    step(Act::Tap("Lakala"), "final word"),
                    step(Act::Tap("Apply for me"), "merchant number"),
                    step(say(merchant_no.clone()), "merchant's name"),
                    step(say(name.clone()), "mobile number"),
                    step(say(phone.clone()), "Which bank"),
                    step(say("ICBC"), "last 4 digits"),
                    step(say(last4.clone()), "merchant's own name"),
                    step(Act::Tap("Yes"), "portrait"),
                    step(Act::Photos(vec![photo("id")]), "Please check"),
                    step(Act::Tap("Submit"), "Your reference"),
                ],
                case: ExpectedCase {
                    kind: "card",
                    serial: None,
                    fields: json!({
                        "brand": "lakala",
                        "merchant_no": merchant_no,
                        "merchant_name": name,
                        "phone": phone,
                        "new_bank": "中国工商银行",
                        "new_last4": last4,
                        "holder_is_merchant": true,
                    }),
                    files: vec![photo("id")],
                },
                confirmation: "Your reference",
            }
        }
        // Closing a Lakala merchant account, in Chinese, with an album of two photos.
        _ => {
            let merchant_no = format!("8221000456{c:02}{n:02}7");
            let name = format!("小李烟酒店{c}号{n}");
            let login = format!("xiaoli{c:02}{n:02}");
            let phone = format!("1371234{c:02}{n:02}");
            Script {
                chat,
                lang: "zh-hans",
                steps: vec![
                    step(say("/start"), "您好"),
                    step(Act::Tap("注销商户"), "哪个品牌"),
                    step(Act::Tap("拉卡拉"), "人工审核"),
                    step(Act::Tap("帮我提交申请"), "商户编号"),
                    step(say(merchant_no.clone()), "商户名称"),
                    step(say(name.clone()), "用户名"),
                    step(say(login.clone()), "手机号"),
                    step(Act::Contact(format!("+86{phone}")), "余额"),
                    step(Act::Tap("是"), "解绑"),
                    step(say("是的"), "人像面"),
                    step(Act::Photos(vec![photo("f"), photo("b")]), "委托书"),
                    step(Act::Tap("跳过"), "请核对"),
                    step(Act::Tap("提交"), "申请编号"),
                ],
                case: ExpectedCase {
                    kind: "close",
                    serial: None,
                    fields: json!({
                        "brand": "lakala",
                        "merchant_no": merchant_no,
                        "merchant_name": name,
                        "login": login,
                        "phone": phone,
                        "balance_moved": true,
                        "unbound": true,
                        "authorisation": null,
                    }),
                    files: vec![photo("f"), photo("b")],
                },
                confirmation: "申请编号",
            }
        }
    }
}

impl Act {
    /// The updates this act sends, without update ids. A press uses the newest button with
    /// its label that the merchant was shown; an album's parts share a media group id.
    pub fn updates(&self, m: &Merchant) -> Vec<Value> {
        let (chat, lang) = (m.chat, m.lang);
        match self {
            Act::Say(text) => vec![FakeTelegram::text(chat, lang, text)],
            Act::Tap(label) => vec![FakeTelegram::callback(chat, lang, 1, &m.button(label))],
            Act::Contact(phone) => vec![FakeTelegram::contact(chat, lang, phone)],
            Act::Photos(ids) if ids.len() == 1 => {
                vec![FakeTelegram::photo(chat, lang, &ids[0], None, None)]
            }
            Act::Photos(ids) => {
                let album = format!("album-{}", ids[0]);
                ids.iter()
                    .map(|id| FakeTelegram::photo(chat, lang, id, Some(&album), None))
                    .collect()
            }
        }
    }
}
