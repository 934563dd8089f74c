//! The free-text intent matcher: normalise, find concepts (see [`super::lexicon`]),
//! add up the weighted evidence of each intent, and decide.

use std::cell::RefCell;
use std::sync::OnceLock;

use super::lexicon::{C, CONCEPTS, RULES, SHADOWING};
use super::normalize::normalize;
use super::phrases::{Pattern, PhraseIndex, Scratch};
use super::Intent;

/// Below this much evidence no intent is claimed.
const MIN_EVIDENCE: f32 = 0.9;
/// Scale of the evidence → confidence curve: `1 - exp(-evidence / SCALE)`.
const SCALE: f32 = 1.2;

/// The matcher's verdict.
///
/// With an intent, `score` is the confidence (0..=1) that the text asks that
/// question; 0.5 or more is confident. With `intent: None`, `score` is the
/// confidence that the text is an out-of-scope *question or remark* (fee rates,
/// buying a terminal, greetings): it is 0 for text that shows no sign of being a
/// question at all, such as a name or a number typed into a form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub intent: Option<Intent>,
    pub score: f32,
}

impl Match {
    /// The intent id, or `"none"`.
    pub fn id(&self) -> &'static str {
        self.intent.map_or("none", Intent::id)
    }
}

struct Rule {
    target: usize, // Intent index, or Intent::ALL.len() for out of scope
    mask: u128,
    weight: f32,
}

/// Classifies merchants' free text into [`Intent`]s. Build once ([`matcher`]).
pub struct Matcher {
    index: PhraseIndex,
    /// Concept mask of each pattern (the index's payload is the pattern number).
    pattern_masks: Vec<u128>,
    rules: Vec<Rule>,
}

const NONE_SLOT: usize = Intent::ALL.len();

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::new()
    }
}

impl Matcher {
    pub fn new() -> Matcher {
        // Merge identical patterns of different concepts into one mask.
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut pattern_masks: Vec<u128> = Vec::new();
        for &(concept, zh, en) in CONCEPTS {
            for &p in zh.iter().chain(en) {
                match patterns.iter().position(|&q| q == p) {
                    Some(k) => pattern_masks[k] |= concept.bit(),
                    None => {
                        patterns.push(p);
                        pattern_masks.push(concept.bit());
                    }
                }
            }
        }
        let index = PhraseIndex::new(
            patterns.iter().enumerate().map(|(k, &text)| Pattern {
                text,
                payload: k as u32,
                shadows: SHADOWING.contains(&text),
            }),
            2,
        );
        let rules = RULES
            .iter()
            .map(|&(target, concepts, weight)| Rule {
                target: target.map_or(NONE_SLOT, Intent::index),
                mask: concepts.iter().fold(0, |m, c| m | c.bit()),
                weight,
            })
            .collect();
        Matcher {
            index,
            pattern_masks,
            rules,
        }
    }

    /// The concepts found in `text` (a bit set of [`C`]).
    fn concepts(&self, text: &str) -> u128 {
        let norm = normalize(text);
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.index.find(&norm, &mut s);
            s.hits
                .iter()
                .fold(0, |m, h| m | self.pattern_masks[h.payload as usize])
        })
    }

    /// Evidence per intent (in [`Intent::ALL`] order) and for out of scope (last).
    fn evidence(&self, found: u128) -> [f32; NONE_SLOT + 1] {
        let mut scores = [0.0f32; NONE_SLOT + 1];
        for r in &self.rules {
            if found & r.mask == r.mask {
                scores[r.target] += r.weight;
            }
        }
        scores
    }

    pub fn classify(&self, text: &str) -> Match {
        let scores = self.evidence(self.concepts(text));
        let none = scores[NONE_SLOT].max(0.0);
        let (mut best, mut second) = ((0usize, f32::MIN), f32::MIN);
        for (k, &s) in scores[..NONE_SLOT].iter().enumerate() {
            if s > best.1 {
                second = best.1;
                best = (k, s);
            } else if s > second {
                second = s;
            }
        }
        let confidence = |e: f32| 1.0 - (-e.max(0.0) / SCALE).exp();
        if best.1 < MIN_EVIDENCE || none >= best.1 {
            return Match {
                intent: None,
                score: confidence(none),
            };
        }
        let rival = second.max(none).max(0.0);
        let margin = ((best.1 - rival) / best.1).clamp(0.0, 1.0);
        let score = (confidence(best.1) * (0.7 + 0.3 * margin)).clamp(0.0, 1.0);
        Match {
            intent: Some(Intent::ALL[best.0]),
            score,
        }
    }

    /// Names of the concepts found in `text`, for debugging and tests.
    pub fn explain(&self, text: &str) -> Vec<String> {
        let found = self.concepts(text);
        CONCEPTS
            .iter()
            .map(|&(c, _, _)| c)
            .filter(|c: &C| found & c.bit() != 0)
            .map(|c| format!("{c:?}"))
            .collect()
    }
}

/// The process-wide matcher, built on first use.
pub fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(Matcher::new)
}
