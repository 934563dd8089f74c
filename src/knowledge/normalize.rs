//! Text normalisation shared by the intent matcher and brand detection.
//!
//! Merchants type on phones: full-width characters, traditional characters, emoji,
//! zero-width characters, and the filter-dodging disguises of the source guides
//! (`身份F证`, `信xi息`, `ka卡`). [`normalize`] turns all of that into lower-case
//! simplified text in which every run of punctuation, emoji or white space between
//! two ASCII words is one space, white space between Chinese characters is dropped,
//! and punctuation is kept as a single `|` break so phrases never match across it.

use pinyin::ToPinyinMulti;
use unicode_normalization::UnicodeNormalization;

/// The break marker [`normalize`] puts where punctuation or emoji separated words.
pub const BREAK: char = '|';

/// Traditional → simplified, for the characters that carry meaning in merchants'
/// questions (traditional first; sorted by the traditional character). Characters that are the same in
/// both scripts are absent. Pinyin matching also tolerates the rest.
const TRAD_SIMP: &[(char, char)] = &[
    ('來', '来'),
    ('係', '系'),
    ('個', '个'),
    ('們', '们'),
    ('備', '备'),
    ('傳', '传'),
    ('價', '价'),
    ('兒', '儿'),
    ('別', '别'),
    ('動', '动'),
    ('務', '务'),
    ('員', '员'),
    ('問', '问'),
    ('啟', '启'),
    ('單', '单'),
    ('嗎', '吗'),
    ('圖', '图'),
    ('執', '执'),
    ('報', '报'),
    ('塊', '块'),
    ('壞', '坏'),
    ('夠', '够'),
    ('實', '实'),
    ('審', '审'),
    ('寫', '写'),
    ('專', '专'),
    ('對', '对'),
    ('導', '导'),
    ('屬', '属'),
    ('帳', '账'),
    ('幾', '几'),
    ('廠', '厂'),
    ('張', '张'),
    ('後', '后'),
    ('復', '复'),
    ('態', '态'),
    ('應', '应'),
    ('戲', '戏'),
    ('戶', '户'),
    ('掃', '扫'),
    ('換', '换'),
    ('擇', '择'),
    ('擊', '击'),
    ('據', '据'),
    ('數', '数'),
    ('斷', '断'),
    ('時', '时'),
    ('書', '书'),
    ('會', '会'),
    ('條', '条'),
    ('業', '业'),
    ('樣', '样'),
    ('機', '机'),
    ('權', '权'),
    ('歷', '历'),
    ('歸', '归'),
    ('氣', '气'),
    ('決', '决'),
    ('沒', '没'),
    ('洩', '泄'),
    ('測', '测'),
    ('準', '准'),
    ('為', '为'),
    ('無', '无'),
    ('營', '营'),
    ('狀', '状'),
    ('現', '现'),
    ('畫', '画'),
    ('發', '发'),
    ('確', '确'),
    ('碼', '码'),
    ('範', '范'),
    ('簽', '签'),
    ('紙', '纸'),
    ('級', '级'),
    ('終', '终'),
    ('結', '结'),
    ('給', '给'),
    ('統', '统'),
    ('綁', '绑'),
    ('經', '经'),
    ('維', '维'),
    ('網', '网'),
    ('線', '线'),
    ('繫', '系'),
    ('聯', '联'),
    ('聽', '听'),
    ('與', '与'),
    ('舊', '旧'),
    ('處', '处'),
    ('號', '号'),
    ('裏', '里'),
    ('補', '补'),
    ('裝', '装'),
    ('裡', '里'),
    ('親', '亲'),
    ('訊', '讯'),
    ('託', '托'),
    ('記', '记'),
    ('設', '设'),
    ('註', '注'),
    ('詢', '询'),
    ('試', '试'),
    ('話', '话'),
    ('該', '该'),
    ('認', '认'),
    ('說', '说'),
    ('請', '请'),
    ('證', '证'),
    ('護', '护'),
    ('讀', '读'),
    ('讓', '让'),
    ('貨', '货'),
    ('貴', '贵'),
    ('買', '买'),
    ('費', '费'),
    ('資', '资'),
    ('賣', '卖'),
    ('賬', '账'),
    ('贈', '赠'),
    ('載', '载'),
    ('輸', '输'),
    ('轉', '转'),
    ('辦', '办'),
    ('這', '这'),
    ('進', '进'),
    ('過', '过'),
    ('遞', '递'),
    ('選', '选'),
    ('還', '还'),
    ('邊', '边'),
    ('郵', '邮'),
    ('銀', '银'),
    ('銷', '销'),
    ('錄', '录'),
    ('錢', '钱'),
    ('錯', '错'),
    ('錶', '表'),
    ('鍵', '键'),
    ('鐘', '钟'),
    ('長', '长'),
    ('門', '门'),
    ('閃', '闪'),
    ('開', '开'),
    ('間', '间'),
    ('關', '关'),
    ('陣', '阵'),
    ('險', '险'),
    ('隱', '隐'),
    ('難', '难'),
    ('電', '电'),
    ('靈', '灵'),
    ('響', '响'),
    ('頁', '页'),
    ('項', '项'),
    ('須', '须'),
    ('領', '领'),
    ('頭', '头'),
    ('題', '题'),
    ('額', '额'),
    ('願', '愿'),
    ('類', '类'),
    ('顯', '显'),
    ('風', '风'),
    ('餘', '余'),
    ('騙', '骗'),
    ('驗', '验'),
    ('麼', '么'),
    ('麽', '么'),
    ('點', '点'),
];

/// ASCII words that stay when wedged inside Chinese (`pos机`, `sn码`, `app里`).
const KEEP_WEDGED: &[&str] = &[
    "pos", "sn", "app", "id", "ic", "pin", "nfc", "sms", "imei", "ok",
];

/// Simplified form of `c` for the characters in the table, else `c`.
pub fn simplify(c: char) -> char {
    TRAD_SIMP
        .binary_search_by_key(&c, |&(t, _)| t)
        .map_or(c, |i| TRAD_SIMP[i].1)
}

/// Whether `c` is a CJK ideograph (the blocks merchants' text uses).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0x00AD | 0xFE00..=0xFE0F)
}

/// Whether an ASCII word equals (one of) the toneless pinyin readings of `c`.
fn is_pinyin_of(word: &str, c: char) -> bool {
    c.to_pinyin_multi()
        .map(|m| m.into_iter().any(|p| p.plain() == word))
        .unwrap_or(false)
}

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Cjk,
    Word,
    Digit,
    Space,
    Break,
}

/// Normalise a merchant's message; see the module documentation.
pub fn normalize(text: &str) -> String {
    // Pass 1: NFKC (full-width → half-width), lower case, traditional → simplified,
    // invisible characters removed, classification into tokens.
    let mut chars: Vec<(char, Tok)> = Vec::with_capacity(text.len());
    for c in text.nfkc() {
        if is_invisible(c) {
            continue;
        }
        for c in c.to_lowercase() {
            let tok = if c.is_ascii_alphabetic() {
                Tok::Word
            } else if c.is_ascii_digit()
                || c == '.' && matches!(chars.last(), Some((_, Tok::Digit)))
            {
                Tok::Digit
            } else if is_cjk(c) {
                Tok::Cjk
            } else if c.is_whitespace() {
                Tok::Space
            } else if c == '\'' || c == '’' {
                // "won't" → "wont": apostrophes join.
                continue;
            } else {
                Tok::Break
            };
            let c = if tok == Tok::Cjk { simplify(c) } else { c };
            chars.push((c, tok));
        }
    }

    // Pass 2: drop ASCII letters wedged into Chinese words (身份F证, 信xi息, ka卡).
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1 != Tok::Word {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].1 == Tok::Word {
            i += 1;
        }
        let word: String = chars[start..i].iter().map(|&(c, _)| c).collect();
        let prev = start
            .checked_sub(1)
            .map(|j| chars[j])
            .filter(|&(_, t)| t == Tok::Cjk);
        let next = chars.get(i).copied().filter(|&(_, t)| t == Tok::Cjk);
        let keep = KEEP_WEDGED.contains(&word.as_str());
        let wedged = prev.is_some() && next.is_some() && word.len() <= 2 && !keep;
        let echo = prev.is_some_and(|(c, _)| is_pinyin_of(&word, c))
            || next.is_some_and(|(c, _)| is_pinyin_of(&word, c));
        if wedged || (echo && !keep) {
            chars.drain(start..i);
            i = start;
        }
    }

    // Pass 3: assemble. Spaces between CJK characters vanish; any run of spaces and
    // breaks becomes one space between ASCII words, or `|` if it held a break.
    let mut out = String::with_capacity(text.len());
    let mut pending: Option<Tok> = None; // Space or Break seen since the last kept char
    let mut last: Option<Tok> = None;
    for &(c, tok) in &chars {
        match tok {
            Tok::Space => {
                if pending.is_none() {
                    pending = Some(Tok::Space);
                }
            }
            Tok::Break => pending = Some(Tok::Break),
            _ => {
                if let (Some(p), Some(l)) = (pending, last) {
                    if p == Tok::Break {
                        out.push(BREAK);
                    } else if l != Tok::Cjk || tok != Tok::Cjk {
                        out.push(' ');
                    }
                }
                pending = None;
                last = Some(tok);
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trad_table_is_sorted_and_meaningful() {
        assert!(TRAD_SIMP.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TRAD_SIMP.iter().all(|&(t, s)| t != s));
    }

    #[test]
    fn full_width_case_and_punctuation() {
        assert_eq!(normalize("ＰＯＳ机，怎么解绑？"), "pos机|怎么解绑");
        assert_eq!(normalize("  How   do I UNBIND?! "), "how do i unbind");
        assert_eq!(normalize("won't turn on"), "wont turn on");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(normalize("解綁"), "解绑");
        assert_eq!(normalize("註銷帳戶"), "注销账户");
        assert_eq!(normalize("押金能退嗎"), "押金能退吗");
    }

    #[test]
    fn disguises_are_undone() {
        assert_eq!(normalize("身份F证"), "身份证");
        assert_eq!(normalize("信xi息"), "信息");
        assert_eq!(normalize("发FA票"), "发票");
        assert_eq!(normalize("ka卡"), "卡");
        assert_eq!(normalize("绑定的ka卡"), "绑定的卡");
        // Real words inside Chinese stay.
        assert_eq!(normalize("收到的pos机"), "收到的pos机");
        assert_eq!(normalize("有sn码吗"), "有sn码吗");
    }

    #[test]
    fn emoji_zero_width_and_spaces() {
        assert_eq!(normalize("解\u{200b}绑 🙏"), "解绑");
        assert_eq!(normalize("店关了 机子不用了"), "店关了机子不用了");
        assert_eq!(normalize("机器😭坏了"), "机器|坏了");
        assert_eq!(normalize("0.38的费率"), "0.38的费率");
    }
}
