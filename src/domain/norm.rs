//! Shared text clean-up for the parsers.
//!
//! Merchants type on phones with Chinese input methods: full-width digits and letters (`１３８`,
//! `ＳＮ`), the ideographic space, full-width colons, and sometimes invisible characters pasted
//! from other apps (zero-width spaces, direction marks). Every parser starts from [`clean`], so
//! none of them has to think about those again.

use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing (zero-width, direction and format marks, variation
/// selectors, tag characters). They are dropped: a zero-width space inside a phone number must
/// neither break parsing nor hide a card number from the privacy guard.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// NFKC-normalise (full-width → ASCII, ideographic space → space, `：` → `:`), drop invisible
/// characters, turn control characters (newlines, tabs) into spaces, and trim.
///
/// Invisible characters go before NFKC too: one between a letter and a combining mark
/// (`e\u{200B}\u{301}`) would otherwise block the composition, and the result, once cleaned
/// again, would change (`e\u{301}` → `é`); cleaning must give text that cleans to itself.
pub(crate) fn clean(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().filter(|c| !is_invisible(*c)).nfkc() {
        if is_invisible(c) {
            continue;
        }
        if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Like [`clean`] but without NFKC, for free text whose punctuation (`，。`) must be kept as the
/// merchant wrote it; whitespace runs (including the ideographic space) become one space.
pub(crate) fn clean_keep_width(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Collapse runs of whitespace into one space and trim.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Dashes merchants use between digit groups (`138-1234-5678`, `138–1234`, `138—1234`).
pub(crate) fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2212}'
            | '\u{FF0D}'
    )
}

/// `input` cleaned, without spaces and dashes, upper-cased, and without leading labels from
/// `labels` (`SN:`, `S N`, `SN SN…`: labels are compared without spaces and dashes too, and
/// stripped as often as they repeat): the shape identifiers (serial numbers, merchant numbers)
/// are compared in. Compacting first makes the result its own compact form, so a stored
/// identifier parses back to itself.
pub(crate) fn compact_id(input: &str, labels: &[&str]) -> String {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !is_dash(*c))
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let value = compact(&clean(input));
    let labels: Vec<String> = labels.iter().map(|l| compact(l)).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let mut rest = value.as_str();
    loop {
        let next = strip_label(rest, &labels);
        if next.len() == rest.len() {
            return rest.to_string();
        }
        rest = next;
    }
}

/// Strip one of `prefixes` (compared case-insensitively, ASCII only) from the start of `s`,
/// followed by an optional connector (`:`, `是`, `为`, `#`, spaces). Longest prefix wins.
pub(crate) fn strip_label<'a>(s: &'a str, prefixes: &[&str]) -> &'a str {
    let mut best: Option<&str> = None;
    for p in prefixes {
        if s.len() >= p.len()
            && s.is_char_boundary(p.len())
            && s[..p.len()].eq_ignore_ascii_case(p)
            && best.map_or(true, |b| p.len() > b.len())
        {
            best = Some(p);
        }
    }
    match best {
        Some(p) => s[p.len()..].trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '：' | '是' | '为' | '#' | '=')
        }),
        None => s,
    }
}

/// The value of a decimal digit, ASCII or full-width (`０`–`９`).
pub(crate) fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

/// A maximal run of digits, by char index into the scanned slice (`start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Group {
    pub start: usize,
    pub end: usize,
}

impl Group {
    pub fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Digit groups joined by exactly one space or one dash form a run: `6222 0212 3456 7890 128`
/// is one run of five groups, `138-1234-5678` one of three. Two spaces, or any other character,
/// end the run. Returns the runs in order.
pub(crate) fn digit_runs(chars: &[char]) -> Vec<Vec<Group>> {
    let mut runs: Vec<Vec<Group>> = Vec::new();
    let mut current: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit_value(chars[i]).is_some() {
            let start = i;
            while i < chars.len() && digit_value(chars[i]).is_some() {
                i += 1;
            }
            current.push(Group { start, end: i });
            // One separator followed by a digit continues the run.
            let joins = i + 1 < chars.len()
                && (chars[i] == ' ' || chars[i] == '\u{3000}' || is_dash(chars[i]))
                && digit_value(chars[i + 1]).is_some();
            if joins {
                i += 1;
            } else {
                runs.push(std::mem::take(&mut current));
            }
        } else {
            i += 1;
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The ASCII digits of `chars[g.start..g.end]` for each group in `groups`, concatenated.
pub(crate) fn group_digits(chars: &[char], groups: &[Group]) -> String {
    let mut s = String::new();
    for g in groups {
        for &c in &chars[g.start..g.end] {
            if let Some(d) = digit_value(c) {
                s.push(char::from(b'0' + d));
            }
        }
    }
    s
}

/// CJK ideographs (the unified blocks, extensions and compatibility ideographs).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2EBEF}'
            | '\u{30000}'..='\u{3134F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_folds_width_and_drops_invisibles() {
        assert_eq!(clean("  １３８\u{200B}０\u{3000}ＳＮ：\n"), "1380 SN:");
        assert_eq!(clean("\u{202E}abc\u{202C}"), "abc");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn clean_gives_text_that_cleans_to_itself() {
        for (input, want) in [
            ("ae\u{200B}\u{301}", "aé"),
            ("\u{1100}\u{FFA0}\u{1161}", "가"),
            ("e\u{FEFF}\u{308}", "ë"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
            assert_eq!(clean(want), want, "{input:?}");
        }
    }

    #[test]
    fn clean_keep_width_keeps_chinese_punctuation() {
        assert_eq!(
            clean_keep_width("  机器坏了，\u{3000}\n 开不了机。 "),
            "机器坏了， 开不了机。"
        );
    }

    #[test]
    fn strip_label_takes_longest_and_connectors() {
        assert_eq!(strip_label("商户编号：123", &["商户号", "商户编号"]), "123");
        assert_eq!(strip_label("sn: AB12", &["SN"]), "AB12");
        assert_eq!(strip_label("AB12", &["SN"]), "AB12");
        // A multi-byte label longer than the input must not slice inside a char.
        assert_eq!(strip_label("序", &["序列号"]), "序");
    }

    #[test]
    fn compact_id_is_its_own_compact_form() {
        let labels = &["SN", "merchant no"];
        for (input, want) in [
            ("SN: n7nl-0012 3456", "N7NL00123456"),
            ("S N 123456", "123456"),
            ("SN SN12345678", "12345678"),
            ("merchant  no 8221", "8221"),
            ("", ""),
        ] {
            let once = compact_id(input, labels);
            assert_eq!(once, want, "{input:?}");
            assert_eq!(compact_id(&once, labels), once, "{input:?}");
        }
    }

    #[test]
    fn digit_runs_join_single_separators_only() {
        let chars: Vec<char> = "a 6222 0212-3456  7890 x１２".chars().collect();
        let runs = digit_runs(&chars);
        let lens: Vec<Vec<usize>> = runs
            .iter()
            .map(|r| r.iter().map(Group::len).collect())
            .collect();
        assert_eq!(lens, vec![vec![4, 4, 4], vec![4], vec![2]]);
        assert_eq!(group_digits(&chars, &runs[2]), "12");
    }
}
