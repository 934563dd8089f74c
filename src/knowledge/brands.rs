//! POS brands. The list is data: to add a brand, add one row to [`BRANDS`] and a
//! `brand-<id>` message to `locales/*/brands.ftl`. The `other` row stays last.

use std::sync::OnceLock;

use super::normalize::normalize;
use super::phrases::{Pattern, PhraseIndex, Scratch};

/// A POS brand merchants can choose or mention.
#[derive(Debug, PartialEq, Eq)]
pub struct Brand {
    /// Stable id (database, callback data, Fluent ids).
    pub id: &'static str,
    /// Names merchants use for it: Chinese (simplified), English / pinyin, app and
    /// product names, common typos. Matched after normalisation; Chinese names of
    /// three or more characters also match by sound (啦卡拉, 瑞银心).
    pub aliases: &'static [&'static str],
    /// Official support line, where a source of `docs/knowledge.md` gives one.
    pub hotline: Option<&'static str>,
}

impl Brand {
    /// Fluent id of the brand's display name (`brand-lakala`).
    pub fn message_id(&self) -> String {
        format!("brand-{}", self.id)
    }

    /// Whether this is the catch-all "other brand".
    pub fn is_other(&self) -> bool {
        self.id == OTHER
    }
}

const OTHER: &str = "other";

const BRANDS: &[Brand] = &[
    Brand {
        id: "lakala",
        aliases: &[
            "拉卡拉",
            "lakala",
            "la ka la",
            "lkl",
            "收款宝",
            "汇拓客",
            "huituoke",
            "shoukuanbao",
        ],
        hotline: Some("95017"),
    },
    Brand {
        id: "lishua",
        aliases: &["立刷", "力刷", "利刷", "lishua", "li shua"],
        hotline: None,
    },
    Brand {
        id: "shengfutong",
        aliases: &["盛付通", "shengfutong", "sheng fu tong", "shengpay"],
        hotline: None,
    },
    Brand {
        id: "ruiyinxin",
        aliases: &["瑞银信", "ruiyinxin", "rui yin xin"],
        hotline: None,
    },
    Brand {
        id: OTHER,
        aliases: &[],
        hotline: None,
    },
];

/// All brands, "other" last.
pub fn all() -> &'static [Brand] {
    BRANDS
}

/// The brand with this id.
pub fn find(id: &str) -> Option<&'static Brand> {
    BRANDS.iter().find(|b| b.id == id)
}

struct Detector {
    index: PhraseIndex,
    /// ASCII aliases without spaces, for text like "lakalapos" or "la kala".
    compact: Vec<(String, usize)>,
}

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        let patterns = BRANDS.iter().enumerate().flat_map(|(k, b)| {
            b.aliases.iter().map(move |&text| Pattern {
                text,
                payload: k as u32,
                shadows: true,
            })
        });
        let compact = BRANDS
            .iter()
            .enumerate()
            .flat_map(|(k, b)| {
                b.aliases
                    .iter()
                    .filter(|a| a.is_ascii() && a.len() >= 5)
                    .map(move |a| (a.replace(' ', ""), k))
            })
            .collect();
        Detector {
            index: PhraseIndex::new(patterns, 3),
            compact,
        }
    })
}

/// The brand a merchant's text mentions (the first one, if several), tolerant of
/// case, full-width letters, spaces, traditional characters and homophone typos.
pub fn detect(text: &str) -> Option<&'static Brand> {
    let d = detector();
    let norm = normalize(text);
    let mut scratch = Scratch::default();
    d.index.find(&norm, &mut scratch);
    if let Some(hit) = scratch.hits.iter().min_by_key(|h| h.start) {
        return Some(&BRANDS[hit.payload as usize]);
    }
    let letters: String = norm.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    d.compact
        .iter()
        .filter_map(|(alias, k)| letters.find(alias.as_str()).map(|at| (at, *k)))
        .min()
        .map(|(_, k)| &BRANDS[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Option<&'static str> {
        detect(text).map(|b| b.id)
    }

    #[test]
    fn table_is_well_formed() {
        assert_eq!(all().last().map(|b| b.id), Some("other"));
        let mut ids: Vec<_> = all().iter().map(|b| b.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
        assert_eq!(find("lakala").and_then(|b| b.hotline), Some("95017"));
        assert_eq!(
            find("lakala").map(|b| b.message_id()),
            Some("brand-lakala".to_string())
        );
        assert!(find("other").is_some_and(|b| b.is_other()));
        assert!(find("nope").is_none());
    }

    #[test]
    fn detects_names_apps_and_products() {
        assert_eq!(id("拉卡拉pos机怎么解绑"), Some("lakala"));
        assert_eq!(id("我用的是收款宝"), Some("lakala"));
        assert_eq!(id("汇拓客里怎么注销"), Some("lakala"));
        assert_eq!(id("立刷的机器不用了"), Some("lishua"));
        assert_eq!(id("盛付通怎么退押金"), Some("shengfutong"));
        assert_eq!(id("瑞银信"), Some("ruiyinxin"));
    }

    #[test]
    fn tolerant_of_case_spaces_and_typos() {
        assert_eq!(id("LAKALA terminal"), Some("lakala"));
        assert_eq!(id("Ｌａｋａｌａ"), Some("lakala"));
        assert_eq!(id("la kala pos"), Some("lakala"));
        assert_eq!(id("my lakla pos"), Some("lakala"));
        assert_eq!(id("lakalapos"), Some("lakala"));
        assert_eq!(id("啦卡拉的机器"), Some("lakala"));
        assert_eq!(id("拉 卡 拉"), Some("lakala"));
        assert_eq!(id("拉卡啦"), Some("lakala"));
        assert_eq!(id("利刷坏了"), Some("lishua"));
        assert_eq!(id("Li Shua"), Some("lishua"));
        assert_eq!(id("胜付通"), Some("shengfutong"));
        assert_eq!(id("瑞银心的机子"), Some("ruiyinxin"));
        assert_eq!(id("盛付通和拉卡拉"), Some("shengfutong"));
    }

    #[test]
    fn no_false_brands() {
        assert_eq!(id("在哪里刷卡"), None);
        assert_eq!(id("pos机怎么解绑"), None);
        assert_eq!(id("how do I unbind"), None);
        assert_eq!(id("拉卡"), None);
    }
}
