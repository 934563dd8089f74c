//! A person's name: the contact person, or the card holder.

use super::norm::{self, is_cjk};
use super::Invalid;
use serde::{Deserialize, Serialize};

/// A person's name: 2–30 characters of Chinese or Latin letters, spaces and the middle dot `·`
/// of transcribed ethnic-minority and foreign names (`买买提·艾力`). Hyphens and apostrophes are
/// accepted between Latin letters (`Jean-Pierre`, `O'Brien`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

/// The dots phones produce when a merchant means `·` (bullet, katakana middle dot, …).
fn is_middle_dot(c: char) -> bool {
    matches!(
        c,
        '·' | '•' | '・' | '‧' | '∙' | '⋅' | '●' | '\u{16EB}' | '\u{2E31}'
    )
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (('\u{00C0}'..='\u{024F}').contains(&c) && c != '×' && c != '÷')
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

impl PersonName {
    /// Normalises the middle dot (`•`, `・`, or `.` between Chinese characters become `·`) and
    /// drops spaces between Chinese characters (`张 三` → `张三`) and around the dot.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let cleaned = norm::collapse_ws(&norm::clean(input));
        let chars: Vec<char> = cleaned.chars().collect();
        let mut out: Vec<char> = Vec::with_capacity(chars.len());
        for (i, &c) in chars.iter().enumerate() {
            let prev = out.last().copied();
            let next = chars.get(i + 1).copied();
            if is_middle_dot(c)
                || (c == '.' && prev.is_some_and(is_cjk) && next.is_some_and(is_cjk))
            {
                if out.last() == Some(&' ') {
                    out.pop();
                }
                out.push('·');
            } else if c == ' ' {
                let next_is_dot = next.is_some_and(is_middle_dot);
                let between_cjk = prev.is_some_and(is_cjk) && next.is_some_and(is_cjk);
                if prev != Some('·') && !next_is_dot && !between_cjk {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
        let value: String = out.into_iter().collect();
        let value = value
            .trim_matches(|c: char| c == '·' || c == ' ')
            .to_string();
        if value.is_empty() {
            return Err(Invalid::PersonNameTooShort);
        }
        if value.chars().any(|c| c.is_ascii_digit()) {
            return Err(Invalid::PersonNameHasDigits);
        }
        let v: Vec<char> = value.chars().collect();
        for (i, &c) in v.iter().enumerate() {
            let ok = is_cjk(c)
                || c == '〇'
                || is_latin_letter(c)
                || c == ' '
                || c == '·'
                || ((c == '-' || c == '\'' || c == '’')
                    && i > 0
                    && v.get(i - 1).copied().is_some_and(is_latin_letter)
                    && v.get(i + 1).copied().is_some_and(is_latin_letter));
            if !ok {
                return Err(Invalid::PersonNameInvalidChars);
            }
        }
        if v.windows(2).any(|w| w[0] == '·' && w[1] == '·') {
            return Err(Invalid::PersonNameInvalidChars);
        }
        let len = v.len();
        if len < 2 {
            return Err(Invalid::PersonNameTooShort);
        }
        if len > 30 {
            return Err(Invalid::PersonNameTooLong);
        }
        Ok(PersonName(value))
    }
}

string_value!(PersonName);

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match PersonName::parse(s) {
            Ok(v) => v.as_str().to_string(),
            Err(e) => panic!("{s:?} refused: {e:?}"),
        }
    }

    #[test]
    fn accepts_chinese_latin_and_dotted_names() {
        assert_eq!(ok("张三"), "张三");
        assert_eq!(ok(" 张 三 "), "张三");
        assert_eq!(ok("欧阳娜娜"), "欧阳娜娜");
        assert_eq!(ok("买买提·艾力"), "买买提·艾力");
        assert_eq!(ok("买买提•艾力"), "买买提·艾力");
        assert_eq!(ok("买买提・艾力"), "买买提·艾力");
        assert_eq!(ok("买买提.艾力"), "买买提·艾力");
        assert_eq!(ok("买买提 · 艾力"), "买买提·艾力");
        assert_eq!(ok("阿依古丽·买买提·吐尔逊"), "阿依古丽·买买提·吐尔逊");
        assert_eq!(ok("John  Smith"), "John Smith");
        assert_eq!(ok("Ｊｏｈｎ Ｓｍｉｔｈ"), "John Smith");
        assert_eq!(ok("José Núñez"), "José Núñez");
        assert_eq!(ok("Jean-Pierre O'Brien"), "Jean-Pierre O'Brien");
        assert_eq!(ok("王〇"), "王〇");
        assert_eq!(ok(&"张".repeat(30)), "张".repeat(30));
    }

    #[test]
    fn refuses_with_the_right_reason() {
        let long = "张".repeat(31);
        for (s, want) in [
            ("", Invalid::PersonNameTooShort),
            ("张", Invalid::PersonNameTooShort),
            ("··", Invalid::PersonNameTooShort),
            ("A", Invalid::PersonNameTooShort),
            (long.as_str(), Invalid::PersonNameTooLong),
            ("张三1", Invalid::PersonNameHasDigits),
            ("13812345678", Invalid::PersonNameHasDigits),
            ("张三（老板）", Invalid::PersonNameInvalidChars),
            ("张三!", Invalid::PersonNameInvalidChars),
            ("张三😀", Invalid::PersonNameInvalidChars),
            ("-Smith", Invalid::PersonNameInvalidChars),
            ("张··三", Invalid::PersonNameInvalidChars),
            ("Иван", Invalid::PersonNameInvalidChars),
        ] {
            assert_eq!(PersonName::parse(s), Err(want), "{s:?}");
        }
    }
}
