//! The intake forms, declared once as data (`docs/ARCHITECTURE.md`, principle 3).
//!
//! Asking, validating, re-asking, the summary, editing from the summary and the staff's case
//! card all read this table. To add a field: add a row here and its `field-<id>-label` and
//! `field-<id>-prompt` messages to `locales/*/forms.ftl`. To add a case kind: add it to
//! `CaseKind` and give it a form here.

use crate::domain::CaseKind;

/// What kind of value a field takes, and so how it is asked, parsed and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One of the brands of `knowledge::brands` (buttons).
    Brand,
    /// Device serial number or IMEI.
    Serial,
    /// Merchant number (商户编号).
    MerchantNo,
    /// The merchant's registered name.
    MerchantName,
    /// A person's name.
    PersonName,
    /// A mainland mobile number; Telegram's "share my phone number" fills it.
    Phone,
    /// A user name or a phone number (how the merchant logs in).
    Login,
    /// Free text, with common answers offered as buttons (`choice-<id>` messages).
    Text {
        /// Ids of the offered answers (`choice-<id>` messages).
        choices: &'static [&'static str],
    },
    /// Yes or no (buttons, or words).
    YesNo,
    /// A calendar date, as merchants write it.
    Date,
    /// A bank's name.
    BankName,
    /// Last four digits of a bank card (never the full number).
    CardLast4,
    /// A photo or a scanned document (JPG, PNG, PDF).
    Photo,
}

/// Asked only when an earlier yes/no field has this answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// The id of the earlier yes/no field.
    pub field: &'static str,
    /// The answer that makes this field apply.
    pub equals: bool,
}

/// Advice given right after an answer that, as the guides say, means the application will
/// most likely not pass (it does not block: the merchant may still go on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// When a yes/no field is answered "no": this message.
    IfNo(&'static str),
    /// When a date lies more than this many months back (even at its latest possible day,
    /// for a month or an approximate date): this message.
    OlderThanMonths(u32, &'static str),
}

/// One field of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Stable id: JSON key in the case, callback data, and the Fluent ids
    /// `field-<id>-label` / `field-<id>-prompt`. Keep it short (callback data ≤ 64 bytes).
    pub id: &'static str,
    /// What kind of value, and so how it is asked, parsed and shown.
    pub kind: FieldKind,
    /// Whether the merchant must answer (an optional field can be skipped).
    pub required: bool,
    /// Asked only when this condition on an earlier answer holds.
    pub when: Option<Condition>,
    pub advice: Option<Advice>,
}

impl Field {
    /// The Fluent id of the field's label (`field-<id>-label`), in the summary and the case card.
    pub fn label_id(&self) -> String {
        format!("field-{}-label", self.id)
    }

    /// The Fluent id of the question that asks for the field (`field-<id>-prompt`).
    pub fn prompt_id(&self) -> String {
        format!("field-{}-prompt", self.id)
    }

    /// What the field is for and where to find the answer, for a merchant who asks.
    pub fn help_id(&self) -> String {
        format!("field-{}-help", self.id)
    }
}

const fn req(id: &'static str, kind: FieldKind) -> Field {
    Field {
        id,
        kind,
        required: true,
        when: None,
        advice: None,
    }
}

const fn opt(id: &'static str, kind: FieldKind) -> Field {
    Field {
        id,
        kind,
        required: false,
        when: None,
        advice: None,
    }
}

const fn req_if(id: &'static str, kind: FieldKind, field: &'static str, equals: bool) -> Field {
    Field {
        id,
        kind,
        required: true,
        when: Some(Condition { field, equals }),
        advice: None,
    }
}

impl Field {
    /// The same field, with advice after answers that mean certain rejection.
    const fn advise(mut self, advice: Advice) -> Field {
        self.advice = Some(advice);
        self
    }
}

const UNBIND_REASONS: &[&str] = &[
    "reason-unused",
    "reason-switch",
    "reason-closed",
    "reason-details",
];
const CANCEL_REASONS: &[&str] = &["reason-unwanted", "reason-unused", "reason-closed"];
const FAULTS: &[&str] = &[
    "fault-power",
    "fault-error",
    "fault-no-response",
    "fault-screen",
];

use FieldKind::*;

/// Unbind a terminal no longer used (`docs/knowledge.md`, intake forms).
const UNBIND: &[Field] = &[
    req("brand", Brand),
    req("serial", Serial),
    req("activated", YesNo),
    opt("merchant_no", MerchantNo),
    req("merchant_name", MerchantName),
    req("contact_name", PersonName),
    req("phone", Phone),
    req(
        "reason",
        Text {
            choices: UNBIND_REASONS,
        },
    ),
    req("id_front", Photo),
    req("id_back", Photo),
    opt("licence", Photo),
];

/// A broken terminal.
const BROKEN: &[Field] = &[
    req("brand", Brand),
    req("serial", Serial),
    req("fault", Text { choices: FAULTS }),
    opt("merchant_no", MerchantNo),
    req("merchant_name", MerchantName),
    req("contact_name", PersonName),
    req("phone", Phone),
    opt("invoice", Photo),
    req("id_front", Photo),
    req("id_back", Photo),
];

/// Cancel / return a terminal, perhaps with a deposit refund.
const CANCEL: &[Field] = &[
    req("brand", Brand),
    req("serial", Serial),
    req("received_on", Date).advise(Advice::OlderThanMonths(3, "advice-received-long-ago")),
    req("merchant_name", MerchantName),
    req("contact_name", PersonName),
    req("phone", Phone),
    req(
        "reason",
        Text {
            choices: CANCEL_REASONS,
        },
    ),
    req("wants_refund", YesNo),
    req_if("refund_bank", BankName, "wants_refund", true),
    req_if("refund_last4", CardLast4, "wants_refund", true),
    opt("application", Photo),
];

/// Close the merchant account.
const CLOSE: &[Field] = &[
    req("brand", Brand),
    req("merchant_no", MerchantNo),
    req("merchant_name", MerchantName),
    req("login", Login),
    req("phone", Phone),
    req("balance_moved", YesNo).advise(Advice::IfNo("advice-balance-not-moved")),
    req("unbound", YesNo).advise(Advice::IfNo("advice-not-unbound")),
    req("id_front", Photo),
    req("id_back", Photo),
    opt("authorisation", Photo),
];

/// Change the settlement bank card.
const CARD: &[Field] = &[
    req("brand", Brand),
    req("merchant_no", MerchantNo),
    req("merchant_name", MerchantName),
    req("phone", Phone),
    req("new_bank", BankName),
    req("new_last4", CardLast4),
    req("holder_is_merchant", YesNo).advise(Advice::IfNo("advice-holder-not-merchant")),
    req("id_front", Photo),
];

/// The form of a case kind, in the order its fields are asked.
pub fn form(kind: CaseKind) -> &'static [Field] {
    match kind {
        CaseKind::Unbind => UNBIND,
        CaseKind::Broken => BROKEN,
        CaseKind::Cancel => CANCEL,
        CaseKind::Close => CLOSE,
        CaseKind::Card => CARD,
    }
}

/// A field of a kind's form by id.
pub fn field(kind: CaseKind, id: &str) -> Option<&'static Field> {
    form(kind).iter().find(|f| f.id == id)
}

/// Every distinct field id of every form (for the locale tests).
pub fn all_fields() -> Vec<&'static Field> {
    let mut seen: Vec<&'static Field> = Vec::new();
    for kind in CaseKind::ALL {
        for f in form(kind) {
            if !seen.iter().any(|s| s.id == f.id) {
                seen.push(f);
            }
        }
    }
    seen
}

/// Every advice message id of any field.
pub fn all_advice_ids() -> Vec<&'static str> {
    let mut ids = Vec::new();
    for kind in CaseKind::ALL {
        for f in form(kind) {
            let id = match f.advice {
                Some(Advice::IfNo(id) | Advice::OlderThanMonths(_, id)) => id,
                None => continue,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Every `choice-…` / `reason-…` / `fault-…` message id offered by any field.
pub fn all_choice_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    for f in all_fields() {
        if let Text { choices } = f.kind {
            for c in choices {
                if !ids.contains(c) {
                    ids.push(c);
                }
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_starts_with_the_brand_and_has_unique_short_ids() {
        for kind in CaseKind::ALL {
            let f = form(kind);
            assert_eq!(f[0].id, "brand", "{kind:?}");
            for (i, a) in f.iter().enumerate() {
                assert!(a.id.len() <= 20, "{} too long for callback data", a.id);
                assert!(
                    f[i + 1..].iter().all(|b| b.id != a.id),
                    "{kind:?}: {}",
                    a.id
                );
            }
        }
    }

    #[test]
    fn conditions_refer_to_earlier_yes_no_fields() {
        for kind in CaseKind::ALL {
            let f = form(kind);
            for (i, field) in f.iter().enumerate() {
                if let Some(cond) = field.when {
                    let target = f[..i].iter().find(|g| g.id == cond.field);
                    assert!(
                        matches!(target, Some(Field { kind: YesNo, .. })),
                        "{kind:?}.{} depends on {}",
                        field.id,
                        cond.field
                    );
                }
            }
        }
    }

    #[test]
    fn same_id_means_same_kind_of_value_across_forms() {
        for a in all_fields() {
            for kind in CaseKind::ALL {
                if let Some(b) = field(kind, a.id) {
                    // Choices may differ per form (unbind vs cancel reasons); the kind may not.
                    assert_eq!(
                        std::mem::discriminant(&a.kind),
                        std::mem::discriminant(&b.kind),
                        "{} differs in {kind:?}",
                        a.id
                    );
                }
            }
        }
    }

    #[test]
    fn the_fields_knowledge_md_requires_are_there() {
        let ids = |k| form(k).iter().map(|f| f.id).collect::<Vec<_>>();
        assert!(ids(CaseKind::Unbind).contains(&"activated"));
        assert!(ids(CaseKind::Cancel).contains(&"refund_last4"));
        assert!(ids(CaseKind::Close).contains(&"balance_moved"));
        assert!(ids(CaseKind::Card).contains(&"holder_is_merchant"));
        assert!(!field(CaseKind::Unbind, "merchant_no").unwrap().required);
        assert!(field(CaseKind::Close, "merchant_no").unwrap().required);
    }
}
