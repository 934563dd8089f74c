//! The five kinds of case a merchant can open. Each kind's intake form lives in
//! `conversation::forms`; this file only names the kinds and their stable facts.

use serde::{Deserialize, Serialize};

/// What the merchant wants the review team to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseKind {
    /// Unbind a terminal the merchant no longer uses.
    Unbind,
    /// A broken terminal: unbind, repair or replace.
    Broken,
    /// Cancel / return a terminal the merchant was given, possibly with a deposit refund.
    Cancel,
    /// Close (注销) the merchant account.
    Close,
    /// Change or unbind the settlement bank card.
    Card,
}

impl CaseKind {
    /// Every kind, in the order of the menu.
    pub const ALL: [CaseKind; 5] = [
        CaseKind::Unbind,
        CaseKind::Broken,
        CaseKind::Cancel,
        CaseKind::Close,
        CaseKind::Card,
    ];

    /// Stable id used in the database, callback data and deep links.
    pub fn id(self) -> &'static str {
        match self {
            CaseKind::Unbind => "unbind",
            CaseKind::Broken => "broken",
            CaseKind::Cancel => "cancel",
            CaseKind::Close => "close",
            CaseKind::Card => "card",
        }
    }

    /// The kind whose [`CaseKind::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Two-letter prefix of the public case reference (`UB-7K3QF9`).
    pub fn ref_prefix(self) -> &'static str {
        match self {
            CaseKind::Unbind => "UB",
            CaseKind::Broken => "BR",
            CaseKind::Cancel => "CX",
            CaseKind::Close => "CL",
            CaseKind::Card => "CD",
        }
    }

    /// Business days the review team aims for (`docs/knowledge.md`, review times: unbind
    /// and broken 1–3, cancel 2–5, close about 15; the sources give no time for a card
    /// change, so its target is the team's own, like unbinding).
    pub fn review_business_days(self) -> u32 {
        match self {
            CaseKind::Unbind | CaseKind::Broken | CaseKind::Card => 3,
            CaseKind::Cancel => 5,
            CaseKind::Close => 15,
        }
    }

    /// Fluent message id of the kind's display name.
    pub fn message_id(self) -> &'static str {
        match self {
            CaseKind::Unbind => "kind-unbind",
            CaseKind::Broken => "kind-broken",
            CaseKind::Cancel => "kind-cancel",
            CaseKind::Close => "kind-close",
            CaseKind::Card => "kind-card",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_prefixes_are_distinct() {
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::from_id(k.id()), Some(k));
        }
        let mut prefixes: Vec<_> = CaseKind::ALL.iter().map(|k| k.ref_prefix()).collect();
        prefixes.sort();
        prefixes.dedup();
        assert_eq!(prefixes.len(), CaseKind::ALL.len());
        assert_eq!(CaseKind::from_id("nope"), None);
    }
}
