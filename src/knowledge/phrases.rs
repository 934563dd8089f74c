//! A small multi-pattern matcher over normalised text, used by the intent matcher
//! (concept keywords) and by brand detection (brand aliases).
//!
//! * Chinese keywords match character by character, and — for keywords of two or
//!   more characters — also by toneless pinyin, so that homophone typos from pinyin
//!   input methods (接绑 / 解帮 for 解绑, 注消 for 注销, 压金 for 押金) still hit.
//!   Characters are compared by their main reading.
//! * English phrases match word by word after light stemming; a word that is not in
//!   the vocabulary is mapped to the nearest vocabulary word within a small edit
//!   distance (`unbnd` → `unbind`).
//! * Patterns marked as *shadowing* hide the shorter hits inside them (`刷卡机` is a
//!   device, not `刷卡` "swiping a card"; `card machine` is not a bank `card`).
//!   Other overlapping hits all count.
//!
//! Everything is precomputed in [`PhraseIndex::new`]; [`PhraseIndex::find`] does no
//! allocation beyond its scratch vectors.

use std::collections::HashMap;

use pinyin::{ToPinyin, ToPinyinMulti};

use super::normalize::{is_cjk, BREAK};

const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;
const NO_SYL: u16 = u16::MAX;
/// Readings compared per character. Only the main reading, on both sides: a
/// homophone typo is a character whose usual reading is the intended syllable, and
/// secondary readings pair unrelated words (押 xia / 下 xia, 没 me / 么 me).
/// Heteronyms still match themselves (银行 and 银航 are both yin xing → hang is
/// lost, 银行咔 still matches).
const MAX_READINGS: usize = 1;
const UNKNOWN_WORD: u32 = u32::MAX;

/// Frequent English words that must never be "corrected" into a vocabulary word.
const STOPWORDS: &[&str] = &[
    "what", "whats", "that", "this", "with", "have", "from", "your", "they", "them", "would",
    "could", "should", "there", "which", "does", "about", "into", "just", "please", "some", "than",
    "then", "were", "been", "being", "also", "very", "much", "many", "more", "most", "only",
    "even", "well", "like", "make", "made", "know", "here", "want", "wants", "need", "is", "are",
    "the", "and", "for", "you", "can", "how", "its", "it", "my", "me", "an", "today", "thing",
    "things", "other", "mine", "able", "yours", "their",
];

/// One match: units `start..end` of the text carry the pattern with this payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: u32,
    pub end: u32,
    pub payload: u32,
    shadows: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Cjk(char),
    Word(u32),
    Break,
}

struct ZhPattern {
    chars: Vec<char>,
    syllables: Vec<[u16; MAX_READINGS]>,
    payload: u32,
    shadows: bool,
}

struct EnPattern {
    words: Vec<u32>,
    payload: u32,
    shadows: bool,
}

/// One pattern to index.
pub struct Pattern<'a> {
    /// Chinese (only CJK characters) or English (only ASCII letters and spaces).
    pub text: &'a str,
    pub payload: u32,
    /// Whether hits of this pattern hide the shorter hits inside them.
    pub shadows: bool,
}

/// Whether `text` is a pattern [`PhraseIndex`] accepts: only CJK, or only ASCII
/// letters and spaces.
pub fn is_valid_pattern(text: &str) -> bool {
    !text.trim().is_empty()
        && (text.chars().all(is_cjk) || text.chars().all(|c| c.is_ascii_alphabetic() || c == ' '))
}

/// Light English stemmer: strips one of `ing`, `ed`, `es`, `s`, `e`, keeping at
/// least three letters (`unbinding` → `unbind`, `documents` → `document`,
/// `approved` / `approve` → `approv`). Words ending in `ss` keep their `s`.
pub fn stem(word: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s", "e"] {
        if let Some(rest) = word.strip_suffix(suffix) {
            if rest.len() >= 3 && !(suffix == "s" && rest.ends_with('s')) {
                return rest;
            }
        }
    }
    word
}

/// Toneless pinyin readings of `c` (all heteronyms).
fn readings(c: char) -> impl Iterator<Item = &'static str> {
    c.to_pinyin_multi()
        .into_iter()
        .flat_map(|m| m.into_iter().map(|p| p.plain()))
}

pub struct PhraseIndex {
    zh: Vec<ZhPattern>,
    zh_by_char: HashMap<char, Vec<u32>>,
    zh_by_syllable: Vec<Vec<u32>>,
    /// Main reading of every CJK Unified Ideograph, as a syllable id, or `NO_SYL`
    /// when no sound-matched pattern uses that syllable.
    syllable_table: Vec<u16>,
    en: Vec<EnPattern>,
    en_by_first: HashMap<u32, Vec<u32>>,
    vocab: HashMap<String, u32>,
    vocab_words: Vec<String>,
    /// Length of the longest pattern, in units.
    max_len: u32,
}

impl PhraseIndex {
    /// Build the index. Chinese patterns (see [`is_valid_pattern`]) of at least
    /// `min_sound_len` characters also match by sound; English phrases are words
    /// separated by spaces, written plainly (the index stems them).
    ///
    /// # Panics
    /// On a pattern that is not valid: the tables are program data, tested.
    pub fn new<'a>(
        patterns: impl IntoIterator<Item = Pattern<'a>>,
        min_sound_len: usize,
    ) -> PhraseIndex {
        let min_sound_len = min_sound_len.max(2);
        let mut zh_raw: Vec<(Vec<char>, u32, bool)> = Vec::new();
        let mut en_raw: Vec<(Vec<String>, u32, bool)> = Vec::new();
        for Pattern {
            text,
            payload,
            shadows,
        } in patterns
        {
            assert!(is_valid_pattern(text), "invalid pattern {text:?}");
            let norm = super::normalize::normalize(text);
            if norm.chars().any(is_cjk) {
                zh_raw.push((norm.chars().collect(), payload, shadows));
            } else {
                let words = norm
                    .split([' ', BREAK])
                    .filter(|w| !w.is_empty())
                    .map(|w| stem(w).to_string())
                    .collect::<Vec<_>>();
                en_raw.push((words, payload, shadows));
            }
        }

        // Syllables used by multi-character Chinese patterns.
        let mut syllable_ids: HashMap<&'static str, u16> = HashMap::new();
        for (chars, _, _) in zh_raw.iter().filter(|(c, _, _)| c.len() >= min_sound_len) {
            for &c in chars {
                let mut kept: Vec<&'static str> = Vec::with_capacity(MAX_READINGS);
                for r in readings(c) {
                    if kept.len() < MAX_READINGS && !kept.contains(&r) {
                        kept.push(r);
                    }
                }
                for r in kept {
                    let next = syllable_ids.len() as u16;
                    syllable_ids.entry(r).or_insert(next);
                }
            }
        }
        // The text side uses each character's main reading only: a homophone typo
        // is a character whose usual reading is the intended syllable, and rare
        // readings on both sides would pair unrelated words (么 mo / 没 mo).
        let syllable_table: Vec<u16> = (CJK_FIRST..=CJK_LAST)
            .map(|u| {
                char::from_u32(u)
                    .and_then(|c| c.to_pinyin())
                    .and_then(|p| syllable_ids.get(p.plain()).copied())
                    .unwrap_or(NO_SYL)
            })
            .collect();
        let syllables_of = |c: char| -> [u16; MAX_READINGS] {
            let mut set = [NO_SYL; MAX_READINGS];
            let mut n = 0;
            for id in readings(c).filter_map(|r| syllable_ids.get(r).copied()) {
                if n < MAX_READINGS && !set.contains(&id) {
                    set[n] = id;
                    n += 1;
                }
            }
            set
        };

        let mut zh = Vec::with_capacity(zh_raw.len());
        let mut zh_by_char: HashMap<char, Vec<u32>> = HashMap::new();
        let mut zh_by_syllable: Vec<Vec<u32>> = vec![Vec::new(); syllable_ids.len()];
        for (chars, payload, shadows) in zh_raw {
            let idx = zh.len() as u32;
            zh_by_char.entry(chars[0]).or_default().push(idx);
            let syllables: Vec<_> = chars.iter().map(|&c| syllables_of(c)).collect();
            if chars.len() >= min_sound_len {
                for &s in syllables[0].iter().filter(|&&s| s != NO_SYL) {
                    zh_by_syllable[s as usize].push(idx);
                }
            }
            zh.push(ZhPattern {
                chars,
                syllables,
                payload,
                shadows,
            });
        }

        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut vocab_words = Vec::new();
        let mut en = Vec::with_capacity(en_raw.len());
        let mut en_by_first: HashMap<u32, Vec<u32>> = HashMap::new();
        for (words, payload, shadows) in en_raw {
            let ids: Vec<u32> = words
                .into_iter()
                .map(|w| {
                    *vocab.entry(w.clone()).or_insert_with(|| {
                        vocab_words.push(w);
                        (vocab_words.len() - 1) as u32
                    })
                })
                .collect();
            en_by_first.entry(ids[0]).or_default().push(en.len() as u32);
            en.push(EnPattern {
                words: ids,
                payload,
                shadows,
            });
        }

        let max_len = zh
            .iter()
            .map(|p| p.chars.len())
            .chain(en.iter().map(|p| p.words.len()))
            .max()
            .unwrap_or(1) as u32;
        PhraseIndex {
            max_len,
            zh,
            zh_by_char,
            zh_by_syllable,
            syllable_table,
            en,
            en_by_first,
            vocab,
            vocab_words,
        }
    }

    fn syllable(&self, c: char) -> u16 {
        let u = c as u32;
        if (CJK_FIRST..=CJK_LAST).contains(&u) {
            self.syllable_table[(u - CJK_FIRST) as usize]
        } else {
            NO_SYL
        }
    }

    /// Vocabulary id of an (unstemmed, lower-case) word, tolerating small typos.
    fn word_id(&self, word: &str) -> u32 {
        let stemmed = stem(word);
        if let Some(&id) = self.vocab.get(stemmed).or_else(|| self.vocab.get(word)) {
            return id;
        }
        if stemmed.len() < 4 || STOPWORDS.contains(&word) || !word.is_ascii() {
            return UNKNOWN_WORD;
        }
        let max = if stemmed.len() >= 7 { 2 } else { 1 };
        let mut best = (max + 1, UNKNOWN_WORD);
        for (id, v) in self.vocab_words.iter().enumerate() {
            if v.len().abs_diff(stemmed.len()) > max || v.len() < 4 {
                continue;
            }
            let d = strsim::levenshtein(v, stemmed);
            if d < best.0 {
                best = (d, id as u32);
            }
        }
        best.1
    }

    fn units(&self, normalized: &str, units: &mut Vec<Unit>) {
        units.clear();
        let mut word_start: Option<usize> = None;
        let flush = |units: &mut Vec<Unit>, start: &mut Option<usize>, end: usize| {
            if let Some(s) = start.take() {
                let w = &normalized[s..end];
                if w.bytes().all(|b| b.is_ascii_alphabetic()) {
                    units.push(Unit::Word(self.word_id(w)));
                } else {
                    units.push(Unit::Word(UNKNOWN_WORD));
                }
            }
        };
        for (i, c) in normalized.char_indices() {
            if c.is_ascii_alphanumeric() || c == '.' && word_start.is_some() {
                word_start.get_or_insert(i);
                continue;
            }
            flush(units, &mut word_start, i);
            if c == BREAK {
                units.push(Unit::Break);
            } else if is_cjk(c) {
                units.push(Unit::Cjk(c));
            }
            // spaces only separate words
        }
        flush(units, &mut word_start, normalized.len());
    }

    fn zh_matches_at(&self, units: &[Unit], i: usize, p: &ZhPattern, by_sound: bool) -> bool {
        if i + p.chars.len() > units.len() {
            return false;
        }
        p.chars
            .iter()
            .zip(&p.syllables)
            .enumerate()
            .all(|(k, (&pc, ps))| match units[i + k] {
                Unit::Cjk(c) if c == pc => true,
                Unit::Cjk(c) if by_sound => {
                    let s = self.syllable(c);
                    s != NO_SYL && ps.contains(&s)
                }
                _ => false,
            })
    }

    /// All hits in `normalized` (output of [`super::normalize::normalize`]), hits
    /// covered by a longer hit removed. `scratch` is reused between calls.
    pub fn find(&self, normalized: &str, scratch: &mut Scratch) {
        let Scratch {
            units,
            hits,
            dropped,
        } = scratch;
        self.units(normalized, units);
        hits.clear();
        for i in 0..units.len() {
            match units[i] {
                Unit::Cjk(c) => {
                    if let Some(list) = self.zh_by_char.get(&c) {
                        for &k in list {
                            let p = &self.zh[k as usize];
                            if self.zh_matches_at(units, i, p, false) {
                                push_hit(hits, i, p.chars.len(), p.payload, p.shadows);
                            }
                        }
                    }
                    let s = self.syllable(c);
                    if s != NO_SYL {
                        for &k in &self.zh_by_syllable[s as usize] {
                            let p = &self.zh[k as usize];
                            if self.zh_matches_at(units, i, p, true) {
                                push_hit(hits, i, p.chars.len(), p.payload, p.shadows);
                            }
                        }
                    }
                }
                Unit::Word(w) if w != UNKNOWN_WORD => {
                    if let Some(list) = self.en_by_first.get(&w) {
                        for &k in list {
                            let p = &self.en[k as usize];
                            let n = p.words.len();
                            if i + n <= units.len()
                                && p.words
                                    .iter()
                                    .zip(&units[i..i + n])
                                    .all(|(&pw, u)| *u == Unit::Word(pw))
                            {
                                push_hit(hits, i, n, p.payload, p.shadows);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Drop hits strictly inside a longer shadowing hit. Hits are in order of
        // start, and a cover starts at most `max_len` units earlier, so only a
        // short window around each hit is compared: linear in the text length.
        let covers = |o: &Hit, h: &Hit| {
            o.shadows
                && o.start <= h.start
                && h.end <= o.end
                && (o.end - o.start) > (h.end - h.start)
        };
        let n = hits.len();
        dropped.clear();
        dropped.resize(n, false);
        for r in 0..n {
            let h = hits[r];
            let mut lo = r;
            while lo > 0 && hits[lo - 1].start + self.max_len >= h.start {
                lo -= 1;
            }
            let mut hi = r + 1;
            while hi < n && hits[hi].start == h.start {
                hi += 1;
            }
            dropped[r] = (lo..hi).any(|q| q != r && covers(&hits[q], &h));
        }
        let mut k = 0;
        hits.retain(|_| {
            k += 1;
            !dropped[k - 1]
        });
    }
}

fn push_hit(hits: &mut Vec<Hit>, start: usize, len: usize, payload: u32, shadows: bool) {
    let hit = Hit {
        start: start as u32,
        end: (start + len) as u32,
        payload,
        shadows,
    };
    if !hits.contains(&hit) {
        hits.push(hit);
    }
}

/// Reusable buffers for [`PhraseIndex::find`]; `hits` holds the result.
#[derive(Default)]
pub struct Scratch {
    units: Vec<Unit>,
    pub hits: Vec<Hit>,
    dropped: Vec<bool>,
}

#[cfg(test)]
mod tests {
    use super::super::normalize::normalize;
    use super::*;

    fn index() -> PhraseIndex {
        let patterns = [
            ("解绑", 1, false),
            ("押金", 2, false),
            ("刷卡", 3, false),
            ("刷卡机", 4, true),
            ("银行卡", 5, false),
            ("unbind", 6, false),
            ("card machine", 7, true),
            ("card", 8, false),
            ("注销", 9, false),
            ("解绑后", 10, false),
        ];
        PhraseIndex::new(
            patterns.map(|(text, payload, shadows)| Pattern {
                text,
                payload,
                shadows,
            }),
            2,
        )
    }

    fn payloads(ix: &PhraseIndex, text: &str) -> Vec<u32> {
        let mut s = Scratch::default();
        ix.find(&normalize(text), &mut s);
        let mut p: Vec<u32> = s.hits.iter().map(|h| h.payload).collect();
        p.sort();
        p
    }

    #[test]
    fn homophone_typos_match_by_pinyin() {
        let ix = index();
        assert_eq!(payloads(&ix, "接绑怎么弄"), vec![1]);
        assert_eq!(payloads(&ix, "解帮"), vec![1]);
        assert_eq!(payloads(&ix, "压金能退吗"), vec![2]);
        assert_eq!(payloads(&ix, "注消"), vec![9]);
        assert_eq!(payloads(&ix, "银行咔"), vec![5]);
        assert_eq!(payloads(&ix, "解綁"), vec![1]);
        assert_eq!(payloads(&ix, "今天天气"), Vec::<u32>::new());
    }

    #[test]
    fn longer_hits_cover_shorter_ones() {
        let ix = index();
        assert_eq!(payloads(&ix, "刷卡机坏了"), vec![4]);
        assert_eq!(payloads(&ix, "怎么刷卡"), vec![3]);
        assert_eq!(payloads(&ix, "my card machine"), vec![7]);
        assert_eq!(payloads(&ix, "bank card"), vec![8]);
        // Not shadowing: both count.
        assert_eq!(payloads(&ix, "解绑后"), vec![1, 10]);
    }

    #[test]
    fn pattern_validity() {
        assert!(is_valid_pattern("解绑"));
        assert!(is_valid_pattern("card machine"));
        assert!(!is_valid_pattern("办pos"));
        assert!(!is_valid_pattern("won't"));
        assert!(!is_valid_pattern(" "));
    }

    #[test]
    fn english_stems_and_typos() {
        let ix = index();
        assert_eq!(payloads(&ix, "Unbinding"), vec![6]);
        assert_eq!(payloads(&ix, "unbnd pls"), vec![6]);
        assert_eq!(payloads(&ix, "what is this"), Vec::<u32>::new());
        assert_eq!(stem("documents"), "document");
        assert_eq!(stem("approved"), stem("approve"));
        assert_eq!(stem("business"), "business");
    }
}
