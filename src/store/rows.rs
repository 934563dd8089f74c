//! Typed values from stored text, for both backends: a column that does not hold what posdesk
//! writes is [`StoreError::Corrupt`], naming the case but never quoting the stored value
//! (which may be personal data).

use super::StoreError;
use crate::domain::{CaseKind, CaseRef, CaseStatus};
use crate::i18n::Locale;

/// A stored case reference (always written canonical: see [`CaseRef::from_canonical`]).
pub(crate) fn case_ref(text: String) -> Result<CaseRef, StoreError> {
    CaseRef::from_canonical(text)
        .ok_or_else(|| StoreError::Corrupt("a stored case reference is malformed".into()))
}

/// A stored case kind ([`CaseKind::id`]).
pub(crate) fn case_kind(id: &str, case_ref: &CaseRef) -> Result<CaseKind, StoreError> {
    CaseKind::from_id(id)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown kind")))
}

/// A stored case status ([`CaseStatus::as_str`]).
pub(crate) fn case_status(status: &str, case_ref: &CaseRef) -> Result<CaseStatus, StoreError> {
    CaseStatus::parse(status)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown status")))
}

/// A stored language ([`Locale::tag`]).
pub(crate) fn locale(tag: &str, case_ref: &CaseRef) -> Result<Locale, StoreError> {
    Locale::ALL
        .into_iter()
        .find(|l| l.tag() == tag)
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_ref}: unknown language")))
}
