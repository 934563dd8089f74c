//! What a short message means before it is taken as an answer: a question, a request for
//! a person, a greeting, "where was I", a confirmation, cancel / skip / undo words.
//!
//! Merchants type these anywhere, also in the middle of a form, and a free-text field would
//! otherwise store them as the answer ("转人工" as the contact's name). Matching only: the
//! text itself is never changed by these functions.

/// Whole-message words that cancel an application (a confirmation follows when it has
/// answers); compared after [`normalize_word`].
pub const CANCEL_WORDS: &[&str] = &[
    "取消",
    "取消申请",
    "不办了",
    "算了",
    "不填了",
    "cancel",
    "stop",
    "quit",
];

/// Whole-message words that skip an optional field.
const SKIP: &[&str] = &[
    "跳过",
    "略过",
    "没有",
    "无",
    "不需要",
    "skip",
    "none",
    "n/a",
    "na",
];

/// Whole-message words that mean "submit" at the summary.
const CONFIRM: &[&str] = &[
    "好",
    "好的",
    "行",
    "可以",
    "对",
    "对的",
    "是的",
    "没错",
    "没问题",
    "确认",
    "确定",
    "提交",
    "确认提交",
    "好的提交",
    "ok",
    "okay",
    "yes",
    "submit",
    "confirm",
    "send",
    "looks good",
];

/// Whole-message words that bring a discarded draft back.
const UNDO: &[&str] = &[
    "撤销",
    "恢复",
    "恢复申请",
    "找回",
    "找回申请",
    "undo",
    "restore",
];

/// Greetings a message may start with.
const GREETINGS: &[&str] = &[
    "你好",
    "您好",
    "你们好",
    "嗨",
    "哈喽",
    "哈啰",
    "喂",
    "在吗",
    "在么",
    "在不在",
    "早上好",
    "上午好",
    "下午好",
    "晚上好",
    "hello",
    "hi",
    "hey",
    "good morning",
    "good afternoon",
    "good evening",
];

/// "Where was I": the merchant wants to get back to their unfinished application.
const RESUME_PHRASES: &[&str] = &[
    "申请还在",
    "还在吗",
    "还在不在",
    "刚才的申请",
    "刚才填",
    "之前填",
    "上次填",
    "填到哪",
    "到哪了",
    "到哪一步",
    "继续填",
    "接着填",
    "where was i",
    "where were we",
    "still there",
    "continue my",
    "pick up where",
];
const RESUME_WORDS: &[&str] = &["继续", "接着", "接着来", "continue", "resume", "go on"];

/// Asking for a person (or to complain, which also goes to a person).
const PERSON_WORDS: &[&str] = &[
    "人工",
    "转人工",
    "人工客服",
    "人工服务",
    "客服",
    "真人",
    "human",
    "agent",
    "operator",
    "real person",
    "customer service",
];
const PERSON_PHRASES: &[&str] = &[
    "转人工",
    "找人工",
    "要人工",
    "人工服务",
    "人工客服",
    "找客服",
    "联系客服",
    "接客服",
    "真人客服",
    "找真人",
    "找个真人",
    "找个人",
    "投诉",
    "talk to a person",
    "talk to someone",
    "talk to a human",
    "speak to",
    "real person",
    "human agent",
    "complain",
];

/// Lower case, without surrounding punctuation, spaces and trailing particles (吧, 啊, …).
pub fn normalize_word(text: &str) -> String {
    let is_edge = |c: char| {
        c.is_ascii_punctuation() || c.is_whitespace() || "。！，、～~？；：…“”‘’（）".contains(c)
    };
    let mut s = text.trim_matches(is_edge).to_lowercase();
    loop {
        let trimmed = s
            .trim_end_matches(['吧', '啊', '呀', '哈', '啦', '哦', '嗯'])
            .trim_end_matches(is_edge)
            .to_string();
        if trimmed.len() == s.len() || trimmed.is_empty() {
            return s;
        }
        s = trimmed;
    }
}

fn is_one_of(text: &str, words: &[&str]) -> bool {
    let w = normalize_word(text);
    words.contains(&w.as_str())
}

fn contains_any(text: &str, phrases: &[&str]) -> bool {
    let lower = text.to_lowercase();
    phrases.iter().any(|p| lower.contains(p))
}

/// Whether the whole message is a word that cancels the application (`取消`, `算了`, `cancel`…).
pub fn is_cancel(text: &str) -> bool {
    is_one_of(text, CANCEL_WORDS)
}

/// Whether the whole message is a word that skips an optional field (`跳过`, `没有`, `skip`…).
pub fn is_skip(text: &str) -> bool {
    is_one_of(text, SKIP)
}

/// "好的", "没问题，提交吧", "OK": every clause a confirmation.
pub fn is_confirm(text: &str) -> bool {
    let mut clauses = text
        .split(|c: char| ",，。!！ ".contains(c))
        .filter(|c| !c.trim().is_empty())
        .peekable();
    clauses.peek().is_some() && clauses.all(|c| is_one_of(c, CONFIRM))
}

/// Whether the whole message asks to undo the last discard (`撤销`, `undo`…).
pub fn is_undo(text: &str) -> bool {
    is_one_of(text, UNDO)
}

/// The message without a greeting in front (`你好，押金能退吗` → `押金能退吗`); `None` when it
/// does not start with one. An empty rest means the message was only a greeting.
pub fn strip_greeting(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    let greeting = GREETINGS
        .iter()
        .filter(|g| lower.starts_with(*g))
        .max_by_key(|g| g.len())?;
    // Lower-casing keeps byte lengths for the ASCII greetings and does not touch CJK ones.
    let rest = t.get(greeting.len()..)?;
    // "hi" must not eat the start of "his" or "history".
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_punctuation() || "，。！～~、？".contains(c)
    });
    Some(strip_greeting(rest).unwrap_or(rest))
}

/// "Is my application still there?", "where was I", "continue".
pub fn is_resume_request(text: &str) -> bool {
    is_one_of(text, RESUME_WORDS) || contains_any(text, RESUME_PHRASES)
}

/// Whether the merchant asks for a person: one of a few words as the whole message, or a
/// phrase that asks for one. "客服让我申请的" (a reason) mentions support without asking.
pub fn asks_for_person(text: &str) -> bool {
    is_one_of(text, PERSON_WORDS) || contains_any(text, PERSON_PHRASES)
}

/// Whether a message reads as a question rather than an answer: a question mark, a
/// question word, or a question particle ending a clause (吗 at the end of "…的名字吗",
/// not inside a shop's name).
pub fn looks_like_question(text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "?",
        "？",
        "怎么",
        "怎样",
        "如何",
        "多久",
        "多长",
        "几天",
        "什么",
        "啥",
        "谁",
        "哪里",
        "哪儿",
        "哪个",
        "哪些",
        "哪家",
        "能不能",
        "可不可以",
        "可以不",
        "是不是",
        "是否",
        "要不要",
        "有没有",
        "用不用",
        "需不需要",
    ];
    const PARTICLES: &[char] = &['吗', '嘛', '呢', '么'];
    const EN_STARTS: &[&str] = &[
        "how ", "what ", "when ", "where ", "why ", "can ", "could ", "do ", "does ", "is ",
        "are ", "will ", "should ", "which ", "who ", "must ", "may ",
    ];
    let lower = text.trim().to_lowercase();
    if MARKERS.iter().any(|mk| lower.contains(mk)) || EN_STARTS.iter().any(|s| lower.starts_with(s))
    {
        return true;
    }
    // A particle at the end of a clause: before punctuation, a space or the end.
    let chars: Vec<char> = lower.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        PARTICLES.contains(c)
            && chars.get(i + 1).map_or(true, |n| {
                n.is_whitespace() || n.is_ascii_punctuation() || "，。！～、；…".contains(*n)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_and_answers_are_told_apart() {
        for q in [
            "商户名称是写营业执照上的名字吗？",
            "商户名称是写营业执照上的名字吗",
            "写执照上的名字吗，还是店名",
            "联系人写谁",
            "写老板的名字还是我的？",
            "What name do you need",
            "is it the name on the licence",
            "这个怎么填",
        ] {
            assert!(looks_like_question(q), "{q}");
        }
        for a in [
            "张记便利店",
            "么么茶饮店",
            "吗啡烘焙坊",
            "张伟",
            "Joe's Noodles",
            "店不开了",
        ] {
            assert!(!looks_like_question(a), "{a}");
        }
    }

    #[test]
    fn requests_for_a_person() {
        for q in [
            "转人工",
            "人工",
            "人工客服！",
            "我要找客服",
            "能帮我转人工吗",
            "我要投诉",
            "Human",
            "I want to talk to a person",
        ] {
            assert!(asks_for_person(q), "{q}");
        }
        for a in ["客服让我申请的", "张客服", "王老板", "张伟"] {
            assert!(!asks_for_person(a), "{a}");
        }
    }

    #[test]
    fn greetings_come_off_the_front() {
        assert_eq!(strip_greeting("你好"), Some(""));
        assert_eq!(strip_greeting("您好，在吗？"), Some(""));
        assert_eq!(
            strip_greeting("你好，我刚才的申请还在吗"),
            Some("我刚才的申请还在吗")
        );
        assert_eq!(strip_greeting("Hi, where was I?"), Some("where was I?"));
        assert_eq!(strip_greeting("history"), None);
        assert_eq!(strip_greeting("张伟"), None);
        assert!(is_resume_request("我刚才的申请还在吗"));
        assert!(is_resume_request("where was I?"));
        assert!(is_resume_request("继续"));
        assert!(!is_resume_request("张伟"));
    }

    #[test]
    fn whole_message_words() {
        assert!(is_cancel("算了。"));
        assert!(is_cancel("CANCEL!"));
        assert!(!is_cancel("算了吧我再想想"));
        assert!(is_skip("跳过"));
        assert!(is_confirm("好的"));
        assert!(is_confirm("好的，提交吧"));
        assert!(is_confirm("没问题 提交"));
        assert!(!is_confirm("好的，不过电话写错了"));
        assert!(!is_confirm("，"));
        assert!(is_confirm("提交吧"));
        assert!(is_confirm("OK!"));
        assert!(!is_confirm("好的店"));
        assert!(is_undo("撤销"));
    }
}
