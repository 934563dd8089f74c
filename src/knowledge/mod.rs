//! What the bot knows: the intents of merchants' questions, the brands, the answer
//! catalogue (Fluent message ids; texts in `locales/*/answers.ftl`) and the
//! free-text intent matcher.
//!
//! ```
//! use posdesk::knowledge::{self, Intent};
//! let m = knowledge::matcher().classify("拉卡拉pos机怎么解绑银行卡");
//! assert_eq!(m.intent, Some(Intent::ChangeCard));
//! let brand = knowledge::brands::detect("拉卡拉pos机怎么解绑银行卡").map(|b| b.id);
//! assert_eq!(knowledge::answer_message(Intent::ChangeCard, brand), "answer-change-card-lakala");
//! ```

pub mod brands;

mod answers;
mod lexicon;
mod matcher;
mod normalize;
mod phrases;

use serde::{Deserialize, Serialize};

use crate::domain::CaseKind;

pub use answers::{answer_message, ANSWER_FOOTER, ANSWER_NONE};
pub use matcher::{matcher, Match, Matcher};
pub use normalize::normalize;

/// The topic of a merchant's question. The ids are the stable names of
/// `docs/knowledge.md` (Intents), used by `posdesk ask --json`, the tests and the evaluation sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Intent {
    UnbindDevice,
    BrokenDevice,
    CancelPos,
    Deposit,
    CloseAccount,
    ChangeCard,
    ReviewTime,
    Materials,
    SmsCode,
    UnbindTrouble,
    AfterUnbind,
    Records,
    LendDevice,
    Privacy,
    CaseStatus,
    Human,
}

impl Intent {
    pub const ALL: [Intent; 16] = [
        Intent::UnbindDevice,
        Intent::BrokenDevice,
        Intent::CancelPos,
        Intent::Deposit,
        Intent::CloseAccount,
        Intent::ChangeCard,
        Intent::ReviewTime,
        Intent::Materials,
        Intent::SmsCode,
        Intent::UnbindTrouble,
        Intent::AfterUnbind,
        Intent::Records,
        Intent::LendDevice,
        Intent::Privacy,
        Intent::CaseStatus,
        Intent::Human,
    ];

    /// The intent id of `docs/knowledge.md` (`"unbind-device"`, …).
    pub fn id(self) -> &'static str {
        match self {
            Intent::UnbindDevice => "unbind-device",
            Intent::BrokenDevice => "broken-device",
            Intent::CancelPos => "cancel-pos",
            Intent::Deposit => "deposit",
            Intent::CloseAccount => "close-account",
            Intent::ChangeCard => "change-card",
            Intent::ReviewTime => "review-time",
            Intent::Materials => "materials",
            Intent::SmsCode => "sms-code",
            Intent::UnbindTrouble => "unbind-trouble",
            Intent::AfterUnbind => "after-unbind",
            Intent::Records => "records",
            Intent::LendDevice => "lend-device",
            Intent::Privacy => "privacy",
            Intent::CaseStatus => "case-status",
            Intent::Human => "human",
        }
    }

    pub fn from_id(id: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.id() == id)
    }

    /// The kind of case this topic leads to, if any (`docs/knowledge.md`: a deposit
    /// refund goes through cancellation).
    pub fn case_kind(self) -> Option<CaseKind> {
        match self {
            Intent::UnbindDevice => Some(CaseKind::Unbind),
            Intent::BrokenDevice => Some(CaseKind::Broken),
            Intent::CancelPos | Intent::Deposit => Some(CaseKind::Cancel),
            Intent::CloseAccount => Some(CaseKind::Close),
            Intent::ChangeCard => Some(CaseKind::Card),
            _ => None,
        }
    }

    /// Position in [`Intent::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for (k, i) in Intent::ALL.into_iter().enumerate() {
            assert_eq!(i.index(), k);
            assert_eq!(Intent::from_id(i.id()), Some(i));
            assert_eq!(
                serde_json::to_string(&i).unwrap(),
                format!("\"{}\"", i.id())
            );
        }
        assert_eq!(Intent::from_id("none"), None);
    }

    #[test]
    fn case_kinds_follow_knowledge() {
        assert_eq!(Intent::Deposit.case_kind(), Some(CaseKind::Cancel));
        assert_eq!(Intent::ChangeCard.case_kind(), Some(CaseKind::Card));
        assert_eq!(Intent::Human.case_kind(), None);
        let kinds: Vec<_> = Intent::ALL.iter().filter_map(|i| i.case_kind()).collect();
        for k in CaseKind::ALL {
            assert!(kinds.contains(&k), "no intent leads to {k:?}");
        }
    }
}
