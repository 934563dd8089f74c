//! Telegram's bounds on what a bot sends, and the two ways posdesk keeps texts built from
//! data within them: shortening (a case card, a caption, a press answer: one message whose
//! end may go, marked "…") and splitting (lists, digests, a merchant's long answer: every
//! line matters, so they go out as several messages).
//!
//! Texts are Telegram HTML (parse mode `HTML`). Telegram measures a text *after entity
//! parsing*: tags do not count, `&amp;` counts as one character. It counts UTF-16 code units
//! (an emoji outside the BMP counts two), which is what [`visible_len`] counts. Both
//! operations keep the markup well formed: a tag open where a text is cut is closed there
//! and, when splitting, opened again at the start of the next piece; nothing is cut inside
//! a tag or an entity.

/// `sendMessage` / `editMessageText`: 1–4,096 characters after entity parsing.
pub const MAX_TEXT: usize = 4096;
/// A photo's or document's caption: 0–1,024 characters after entity parsing.
pub const MAX_CAPTION: usize = 1024;
/// `answerCallbackQuery` text: 0–200 characters.
pub const MAX_CALLBACK_ANSWER: usize = 200;
/// An inline button's `callback_data`: 1–64 bytes.
pub const MAX_CALLBACK_DATA: usize = 64;
/// The mark left where a text was shortened.
pub const ELLIPSIS: &str = "…";

/// One piece of Telegram HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// `<b>`, `<code>` …: its name.
    Open(&'a str, &'a str),
    /// `</b>` …: its name.
    Close(&'a str, &'a str),
    /// Visible text: a character or an entity (`&amp;`), with its UTF-16 length.
    Text(&'a str, usize),
}

impl Token<'_> {
    fn raw(&self) -> &str {
        match self {
            Token::Open(raw, _) | Token::Close(raw, _) | Token::Text(raw, _) => raw,
        }
    }

    fn width(&self) -> usize {
        match self {
            Token::Text(_, w) => *w,
            _ => 0,
        }
    }
}

fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let take = match c {
            '<' => match rest.find('>') {
                Some(end) => {
                    let raw = &rest[..=end];
                    let inner = raw[1..raw.len() - 1].trim();
                    let (closing, inner) = match inner.strip_prefix('/') {
                        Some(name) => (true, name),
                        None => (false, inner),
                    };
                    let name = inner.split_whitespace().next().unwrap_or_default();
                    out.push(if closing {
                        Token::Close(raw, name)
                    } else {
                        Token::Open(raw, name)
                    });
                    raw.len()
                }
                None => {
                    out.push(Token::Text(&rest[..1], 1));
                    1
                }
            },
            '&' => {
                let end = rest
                    .char_indices()
                    .take(10)
                    .find(|(_, ch)| *ch == ';')
                    .map(|(i, _)| i);
                let len = end.map_or(1, |i| i + 1);
                out.push(Token::Text(&rest[..len], 1));
                len
            }
            c => {
                let len = c.len_utf8();
                out.push(Token::Text(&rest[..len], c.len_utf16()));
                len
            }
        };
        rest = &rest[take..];
    }
    out
}

/// How long Telegram counts `html` to be: UTF-16 code units of the text after entity
/// parsing.
pub fn visible_len(html: &str) -> usize {
    tokens(html).iter().map(Token::width).sum()
}

/// Close the tags in `open`, innermost first.
fn close_all(out: &mut String, open: &[(&str, &str)]) {
    for (_, name) in open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}

/// `html` if it fits in `max` characters, else its beginning and "…", with the tags
/// open at the cut closed.
pub fn shorten(html: &str, max: usize) -> String {
    if visible_len(html) <= max {
        return html.to_string();
    }
    let budget = max.saturating_sub(ELLIPSIS.encode_utf16().count());
    let mut out = String::new();
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut used = 0;
    for token in tokens(html) {
        match token {
            Token::Text(raw, width) => {
                if used + width > budget {
                    break;
                }
                used += width;
                out.push_str(raw);
            }
            Token::Open(raw, name) => {
                open.push((raw, name));
                out.push_str(raw);
            }
            Token::Close(raw, name) => {
                if let Some(i) = open.iter().rposition(|(_, n)| *n == name) {
                    open.truncate(i);
                }
                out.push_str(raw);
            }
        }
    }
    // Nothing visible is left between the last open tags and the cut: drop them rather
    // than send an empty entity.
    let trimmed = out.trim_end();
    out.truncate(trimmed.len());
    out.push_str(ELLIPSIS);
    close_all(&mut out, &open);
    out
}

/// Plain text (no markup) cut to `max` characters with "…".
pub fn shorten_plain(text: &str, max: usize) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub(ELLIPSIS.encode_utf16().count());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push_str(ELLIPSIS);
    out
}

/// `html` as pieces of at most `max` characters each, cut between lines where a line fits
/// (blank lines between pieces are dropped), else inside the line; the tags open at a cut
/// are closed at the end of the piece and opened again at the start of the next.
pub fn split(html: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    if visible_len(html) <= max {
        return vec![html.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    let mut open: Vec<(&str, &str)> = Vec::new();
    let flush = |current: &mut String,
                 used: &mut usize,
                 open: &[(&str, &str)],
                 pieces: &mut Vec<String>| {
        let mut piece = current.trim_end_matches('\n').to_string();
        close_all(&mut piece, open);
        if visible_len(&piece) > 0 {
            pieces.push(piece);
        }
        current.clear();
        *used = 0;
        for (raw, _) in open {
            current.push_str(raw);
        }
    };
    for line in html.split_inclusive('\n') {
        let width = visible_len(line);
        if used > 0 && used + width > max {
            flush(&mut current, &mut used, &open, &mut pieces);
        }
        for token in tokens(line) {
            match token {
                Token::Text(raw, w) => {
                    if used + w > max {
                        flush(&mut current, &mut used, &open, &mut pieces);
                    }
                    // A piece never starts with the line break it was cut at.
                    if used == 0 && raw == "\n" {
                        continue;
                    }
                    used += w;
                    current.push_str(raw);
                }
                Token::Open(raw, name) => {
                    open.push((raw, name));
                    current.push_str(token.raw());
                }
                Token::Close(raw, name) => {
                    if let Some(i) = open.iter().rposition(|(_, n)| *n == name) {
                        open.truncate(i);
                    }
                    current.push_str(raw);
                }
            }
        }
    }
    flush(&mut current, &mut used, &open, &mut pieces);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_after_entity_parsing_in_utf16_units() {
        assert_eq!(visible_len("<b>a&amp;b</b>"), 3);
        assert_eq!(visible_len("汉字"), 2);
        assert_eq!(visible_len("😀"), 2);
        assert_eq!(
            visible_len("a < b"),
            5,
            "a stray < without > counts as text"
        );
    }

    #[test]
    fn shortening_keeps_the_markup_well_formed() {
        let html = format!("<b>{}</b> tail", "x".repeat(50));
        let short = shorten(&html, 10);
        assert_eq!(short, format!("<b>{}…</b>", "x".repeat(9)));
        assert_eq!(visible_len(&short), 10);
        assert_eq!(shorten("fits", 10), "fits");
        // Never inside an entity.
        let short = shorten(&"&amp;".repeat(20), 5);
        assert_eq!(short, format!("{}…", "&amp;".repeat(4)));
        assert_eq!(
            shorten_plain(&"字".repeat(300), MAX_CALLBACK_ANSWER)
                .chars()
                .count(),
            200
        );
    }

    #[test]
    fn splitting_prefers_line_breaks_and_reopens_tags() {
        let lines: Vec<String> = (0..100)
            .map(|i| format!("<code>line {i:03}</code> · x"))
            .collect();
        let html = lines.join("\n");
        let pieces = split(&html, 100);
        assert!(pieces.len() > 1);
        for p in &pieces {
            assert!(visible_len(p) <= 100, "{p}");
            assert!(!p.starts_with('\n') && !p.ends_with('\n'));
        }
        assert_eq!(pieces.join("\n"), html, "cut between lines only");

        let long = format!("<b>head</b> {}", "长".repeat(250));
        let pieces = split(&format!("<i>{long}</i>"), 100);
        assert_eq!(pieces.len(), 3);
        assert!(pieces[1].starts_with("<i>") && pieces[1].ends_with("</i>"));
        let text: String = pieces
            .iter()
            .map(|p| p.replace("<i>", "").replace("</i>", ""))
            .collect();
        assert_eq!(text, long, "nothing lost");
    }
}
