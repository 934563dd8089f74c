//! Yes / no answers typed as words instead of pressing a button.
//!
//! The form asks yes/no questions with buttons, but many merchants type their answer. A wrong
//! reading is worse than asking again, so anything unclear (questions, "not sure", long
//! stories) is `None` and the bot shows the buttons again. Negation wins: `没有激活` is no even
//! though it contains `有` and `激活`; `是，还没激活` is no.

use super::norm;

/// Phrases that look negative but mean yes; removed before the negation check.
const NEGATIVE_LOOKING_YES: &[&str] = &[
    "没问题",
    "没毛病",
    "没错",
    "无误",
    "no problem",
    "not a problem",
    "no worries",
    "why not",
];

/// Unsure or evasive answers: never read as yes or no.
const UNSURE: &[&str] = &[
    "不知道",
    "不清楚",
    "不确定",
    "不记得",
    "记不清",
    "记不得",
    "忘了",
    "忘记",
    "也许",
    "可能",
    "好像",
    "应该",
    "大概",
    "估计",
    "说不清",
    "不懂",
    "不明白",
    "不太懂",
    "不一定",
    "不会",
    "随便",
    "都行",
    "无所谓",
    "算了",
    "不错",
    "not sure",
    "unsure",
    "dont know",
    "do not know",
    "no idea",
    "idk",
    "dunno",
    "maybe",
    "perhaps",
    "probably",
    "not certain",
    "i think",
    "i guess",
    "whatever",
];

/// A question back to the bot, not an answer.
const QUESTION: &[&str] = &[
    "吗",
    "什么",
    "怎么",
    "为什么",
    "为啥",
    "咋",
    "哪",
    "多少",
    "几",
    "是否",
    "能否",
    "可否",
];

const NEGATION_CHARS: &[char] = &['不', '没', '沒', '未', '否', '无', '無', '别', '甭'];

const NEGATION_WORDS: &[&str] = &[
    "no", "n", "nope", "nah", "not", "never", "none", "negative", "false", "dont", "didnt",
    "havent", "hasnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "wont", "doesnt",
];

const YES_WORDS: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yea",
    "ya",
    "yep",
    "yup",
    "ok",
    "okay",
    "k",
    "sure",
    "correct",
    "right",
    "true",
    "done",
    "affirmative",
    "absolutely",
    "definitely",
    "certainly",
    "indeed",
    "already",
    "activated",
    "unbound",
    "transferred",
    "course",
];

const ENGLISH_QUESTION: &[&str] = &["what", "how", "why", "when", "where", "which", "who"];

/// Whole first clause (after trailing particles are removed) that means yes.
const YES_EXACT: &[&str] = &[
    "是",
    "是的",
    "是啊",
    "对",
    "对的",
    "对啊",
    "嗯",
    "恩",
    "有",
    "有的",
    "好",
    "好的",
    "行",
    "可以",
    "要",
    "要的",
    "需要",
    "当然",
    "确定",
    "确认",
    "肯定",
    "同意",
    "对头",
    "没错",
    "是滴",
    "正确",
    "本人",
    "是本人",
    "我本人",
    "是我的",
    "我的",
];

/// A first clause starting with one of these means yes.
const YES_PREFIX: &[&str] = &[
    "已",
    "需要",
    "要退",
    "想退",
    "想要",
    "确认",
    "同意",
    "当然",
    "激活了",
    "解绑了",
    "转出了",
    "是本人",
    "是我本人",
    "是我自己",
];

/// Verbs that, ending in 了 or 过, report something done (`激活了`, `转出了`, `用过`).
const DONE_VERBS: &[&str] = &[
    "激活", "解绑", "转出", "转走", "转完", "提现", "取出", "取完", "开通", "注销", "删除", "删了",
    "办", "弄", "搞定", "完成", "处理", "绑定", "用", "签", "转", "好",
];

/// Sentence-final particles that do not change the meaning (`是的呀`, `好啦`).
const PARTICLES: &[char] = &[
    '的', '啊', '呀', '吧', '哦', '喔', '噢', '哈', '嘛', '啦', '滴', '哒', '呢', '咯', '撒', '哟',
    '嘞',
];

/// `Some(true)` for yes, `Some(false)` for no, `None` when unclear.
pub fn parse_yes_no(input: &str) -> Option<bool> {
    let mut s = norm::clean(input)
        .to_lowercase()
        .replace(['\'', '’', '`'], "");
    if s.chars().count() > 60 {
        return None;
    }
    if s.contains('?') || s.contains('？') {
        return None;
    }
    if UNSURE.iter().any(|w| contains_phrase(&s, w)) {
        return None;
    }
    if QUESTION.iter().any(|w| s.contains(w)) || is_a_not_a(&s) {
        return None;
    }
    let mut yes = false;
    for phrase in NEGATIVE_LOOKING_YES {
        if contains_phrase(&s, phrase) {
            s = s.replace(phrase, " ");
            yes = true;
        }
    }
    let tokens: Vec<&str> = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.first().is_some_and(|t| ENGLISH_QUESTION.contains(t)) {
        return None;
    }

    // Emoji answers.
    let thumbs_down = s
        .chars()
        .any(|c| matches!(c, '❌' | '✖' | '👎' | '❎' | '🙅'));
    let thumbs_up = s
        .chars()
        .any(|c| matches!(c, '✅' | '✔' | '☑' | '👍' | '👌'));

    // Negation wins over everything else.
    if thumbs_down
        || s.chars().any(|c| NEGATION_CHARS.contains(&c))
        || tokens.iter().any(|t| NEGATION_WORDS.contains(t))
    {
        return Some(false);
    }

    if yes || thumbs_up {
        return Some(true);
    }
    if tokens.iter().any(|t| YES_WORDS.contains(t)) {
        return Some(true);
    }
    if s.contains("of course") {
        return Some(true);
    }

    let first = s
        .split(|c: char| !c.is_alphanumeric())
        .find(|clause| !clause.is_empty())
        .unwrap_or("");
    let raw_first = first;
    let first = first.trim_end_matches(PARTICLES);
    if first.is_empty() {
        return None;
    }
    if YES_EXACT.contains(&first)
        || YES_EXACT.contains(&raw_first)
        || first
            .chars()
            .all(|c| matches!(c, '嗯' | '恩' | '对' | '是' | '好'))
        || YES_PREFIX.iter().any(|p| first.starts_with(p))
        || s.contains('已')
    {
        return Some(true);
    }
    let done = first
        .strip_suffix('了')
        .or_else(|| first.strip_suffix('过'))
        .or_else(|| first.strip_suffix("过了"));
    if let Some(stem) = done {
        if DONE_VERBS.iter().any(|v| stem.contains(v)) {
            return Some(true);
        }
    }
    None
}

/// `phrase` in `s`; ASCII phrases only at word boundaries (`no` is not in `know`).
fn contains_phrase(s: &str, phrase: &str) -> bool {
    if !phrase.is_ascii() {
        return s.contains(phrase);
    }
    s.match_indices(phrase).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The Chinese yes/no question form `是不是`, `有没有`, `激活没激活`: X不X or X没X. Repeated
/// negations (`没有没有`, `不是不是`, `不不不`) are emphatic answers, not questions.
fn is_a_not_a(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let neg = |c: char| matches!(c, '不' | '没' | '沒');
    let fresh = |start: usize| start == 0 || !neg(chars[start - 1]);
    let short = chars
        .windows(3)
        .enumerate()
        .any(|(i, w)| neg(w[1]) && w[0] == w[2] && !w[0].is_ascii() && !neg(w[0]) && fresh(i));
    let long = chars.windows(5).enumerate().any(|(i, w)| {
        neg(w[2]) && w[0] == w[3] && w[1] == w[4] && !w[0].is_ascii() && !neg(w[0]) && fresh(i)
    });
    short || long
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_words() {
        for s in [
            "是",
            "是的",
            "是的。",
            "是的呀",
            "对",
            "对的",
            "嗯",
            "嗯嗯",
            "恩",
            "有",
            "有的",
            "已经",
            "已经激活了",
            "已激活",
            "已转出",
            "已经转出了",
            "已解绑",
            "好",
            "好的",
            "好的！",
            "要",
            "要的",
            "需要",
            "激活了",
            "解绑了",
            "转出了",
            "用过",
            "当然",
            "可以",
            "没问题",
            "没错",
            "是，已经激活了",
            "对，激活过了",
            "要退押金",
            "可以的",
            "好了",
            "转了",
            "是本人的卡",
            "是我自己的",
            "是我的",
            "行吧",
            "嗯呢",
            "对对对",
            "OK的",
            "yes",
            "Yes!",
            "YES",
            "y",
            "yeah",
            "yep",
            "ok",
            "OK",
            "okay",
            "sure",
            "of course",
            "no problem",
            "yes it is activated",
            "already done",
            "👍",
            "✅",
            "是的👍",
            "  是的  ",
        ] {
            assert_eq!(parse_yes_no(s), Some(true), "{s:?}");
        }
    }

    #[test]
    fn no_words_and_negation_wins() {
        for s in [
            "否",
            "不",
            "不是",
            "不是的",
            "没",
            "没有",
            "没有激活",
            "没激活",
            "未激活",
            "还没",
            "还没呢",
            "还没有转出",
            "不要",
            "不需要",
            "不用",
            "没转出",
            "没解绑",
            "无",
            "是，还没激活",
            "有，但是没激活",
            "不，谢谢",
            "没有没有",
            "不不不",
            "不是不是",
            "没有余额",
            "不是本人的",
            "no",
            "No.",
            "n",
            "nope",
            "nah",
            "not yet",
            "never",
            "I haven't",
            "it isn't",
            "don't need it",
            "👎",
            "❌",
            "没有👍",
        ] {
            assert_eq!(parse_yes_no(s), Some(false), "{s:?}");
        }
    }

    #[test]
    fn unclear_is_none() {
        for s in [
            "",
            "   ",
            "不知道",
            "我不清楚",
            "不确定",
            "忘了",
            "好像激活了",
            "应该是",
            "可能吧",
            "是不是",
            "有没有",
            "激活没激活",
            "激活了吗",
            "是吗？",
            "什么意思",
            "怎么看有没有激活",
            "需要什么材料",
            "有问题",
            "我想问一下手续费",
            "not sure",
            "I don't know",
            "idk",
            "maybe",
            "what do you mean",
            "is it?",
            "hello",
            "know",
            "13812345678",
            "😀",
            "算了",
            "坏了",
        ] {
            assert_eq!(parse_yes_no(s), None, "{s:?}");
        }
        let long = "是".repeat(61);
        assert_eq!(parse_yes_no(&long), None);
    }
}
