//! Button actions and their callback-data encoding.
//!
//! Callback data comes back from Telegram as untrusted input: anyone can forge a press with
//! any bytes. [`parse_callback`] accepts only the shapes [`Action::encode`] produces (up to
//! leading zeros in the step and the spelling of a case reference), and the machine still
//! checks that the action fits the current state.

use crate::domain::CaseKind;
use crate::i18n::Locale;

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A topic from the menu.
    Topic(CaseKind),
    /// "My applications".
    MyCases,
    /// "Talk to a person".
    Human,
    /// Back to the menu.
    Menu,
    /// A brand (while choosing one, or for the brand field).
    Brand(String),
    /// "That worked" under a guide.
    GuideDone,
    /// "Open a case for me", for a kind, with the brand if known.
    OpenCase(CaseKind, Option<String>),
    Yes,
    No,
    /// Skip an optional field.
    Skip,
    /// One of a text field's offered answers.
    Choice(String),
    Submit,
    /// Show the list of fields to edit.
    EditMenu,
    EditField(String),
    /// Throw the draft away: asks first when it has answers.
    CancelDraft,
    /// "Yes, discard it" to that question.
    DiscardConfirm,
    /// Bring back the draft just discarded.
    Undo,
    /// Leave staff a note about this serial, which another merchant's open case uses.
    NoteToStaff(String),
    /// Continue an unfinished draft.
    Resume,
    /// Discard an unfinished draft (from the resume offer).
    Discard,
    Lang(Locale),
    ForgetYes,
    ForgetNo,
    /// Ask to withdraw one of the merchant's cases (a confirmation follows).
    Withdraw(String),
    WithdrawConfirm(String),
    /// Answer a reviewer's question about a case.
    AnswerCase(String),
    /// "Done": send what was collected for the reviewer.
    AnswerDone,
    /// Answer the reviewer later.
    AnswerLater,
    /// Start a new application pre-filled from this rejected case.
    Resubmit(String),
    /// "No thanks" to a confirmation: nothing changes.
    Dismiss,
}

impl Action {
    /// `<step>:<code>`, always within [`MAX_CALLBACK_BYTES`] for the ids this crate uses.
    pub fn encode(&self, step: u32) -> String {
        let code = match self {
            Action::Topic(k) => format!("t.{}", k.id()),
            Action::MyCases => "st".into(),
            Action::Human => "hu".into(),
            Action::Menu => "mn".into(),
            Action::Brand(b) => format!("b.{b}"),
            Action::GuideDone => "gd".into(),
            Action::OpenCase(k, None) => format!("oc.{}", k.id()),
            Action::OpenCase(k, Some(b)) => format!("oc.{}.{b}", k.id()),
            Action::Yes => "y".into(),
            Action::No => "n".into(),
            Action::Skip => "sk".into(),
            Action::Choice(c) => format!("ch.{c}"),
            Action::Submit => "sb".into(),
            Action::EditMenu => "ed".into(),
            Action::EditField(f) => format!("ef.{f}"),
            Action::CancelDraft => "cx".into(),
            Action::DiscardConfirm => "dy".into(),
            Action::Undo => "ud".into(),
            Action::NoteToStaff(serial) => format!("ns.{serial}"),
            Action::Resume => "rc".into(),
            Action::Discard => "rd".into(),
            Action::Lang(l) => format!("l.{}", l.short()),
            Action::ForgetYes => "fy".into(),
            Action::ForgetNo => "fn".into(),
            Action::Withdraw(r) => format!("wd.{r}"),
            Action::WithdrawConfirm(r) => format!("wc.{r}"),
            Action::AnswerCase(r) => format!("an.{r}"),
            Action::AnswerDone => "ad".into(),
            Action::AnswerLater => "al".into(),
            Action::Resubmit(r) => format!("rs.{r}"),
            Action::Dismiss => "ds".into(),
        };
        format!("{step}:{code}")
    }
}

/// Parse callback data. Anything not produced by [`Action::encode`] is `None`, except that
/// the step may have leading zeros (`007:y`) and a case reference may be spelled as
/// [`CaseRef::parse`](crate::domain::CaseRef::parse) accepts it (`1:wd.ub7k3qf9`): both read
/// as what `encode` would have written, and `encode` of the result is that canonical form
/// (checked by `crate::fuzzing::callback_data`).
pub fn parse_callback(data: &str) -> Option<(u32, Action)> {
    if data.len() > MAX_CALLBACK_BYTES {
        return None;
    }
    let (step, code) = data.split_once(':')?;
    if step.is_empty() || step.len() > 10 || !step.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step: u32 = step.parse().ok()?;
    let (head, arg) = match code.split_once('.') {
        Some((h, a)) => (h, Some(a)),
        None => (code, None),
    };
    let action = match (head, arg) {
        ("t", Some(k)) => Action::Topic(CaseKind::from_id(k)?),
        ("st", None) => Action::MyCases,
        ("hu", None) => Action::Human,
        ("mn", None) => Action::Menu,
        ("b", Some(b)) if is_token(b, 20) => Action::Brand(b.to_string()),
        ("gd", None) => Action::GuideDone,
        ("oc", Some(rest)) => match rest.split_once('.') {
            Some((k, b)) if is_token(b, 20) => {
                Action::OpenCase(CaseKind::from_id(k)?, Some(b.to_string()))
            }
            Some(_) => return None,
            None => Action::OpenCase(CaseKind::from_id(rest)?, None),
        },
        ("y", None) => Action::Yes,
        ("n", None) => Action::No,
        ("sk", None) => Action::Skip,
        ("ch", Some(c)) if is_token(c, 30) => Action::Choice(c.to_string()),
        ("sb", None) => Action::Submit,
        ("ed", None) => Action::EditMenu,
        ("ef", Some(f)) if is_token(f, 20) => Action::EditField(f.to_string()),
        ("cx", None) => Action::CancelDraft,
        ("dy", None) => Action::DiscardConfirm,
        ("ud", None) => Action::Undo,
        ("ns", Some(s)) => Action::NoteToStaff(serial(s)?),
        ("rc", None) => Action::Resume,
        ("rd", None) => Action::Discard,
        ("l", Some(l)) => Action::Lang(Locale::ALL.into_iter().find(|x| x.short() == l)?),
        ("fy", None) => Action::ForgetYes,
        ("fn", None) => Action::ForgetNo,
        ("wd", Some(r)) => Action::Withdraw(case_ref(r)?),
        ("wc", Some(r)) => Action::WithdrawConfirm(case_ref(r)?),
        ("an", Some(r)) => Action::AnswerCase(case_ref(r)?),
        ("ad", None) => Action::AnswerDone,
        ("al", None) => Action::AnswerLater,
        ("rs", Some(r)) => Action::Resubmit(case_ref(r)?),
        ("ds", None) => Action::Dismiss,
        _ => return None,
    };
    Some((step, action))
}

/// A well-formed case reference, normalized.
fn case_ref(s: &str) -> Option<String> {
    crate::domain::CaseRef::parse(s)
        .ok()
        .map(|r| r.as_str().to_string())
}

/// A device serial in its canonical form (as the form stores it), else nothing.
fn serial(s: &str) -> Option<String> {
    crate::domain::DeviceSerial::parse(s)
        .ok()
        .filter(|v| v.as_str() == s)
        .map(|v| v.as_str().to_string())
}

/// Lower-case ASCII ids: letters, digits, `-` and `_`.
fn is_token(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Action> {
        let mut v = vec![
            Action::MyCases,
            Action::Human,
            Action::Menu,
            Action::Brand("lakala".into()),
            Action::GuideDone,
            Action::Yes,
            Action::No,
            Action::Skip,
            Action::Choice("reason-unused".into()),
            Action::Submit,
            Action::EditMenu,
            Action::EditField("holder_is_merchant".into()),
            Action::CancelDraft,
            Action::DiscardConfirm,
            Action::Undo,
            Action::NoteToStaff("N7NL00123456".into()),
            Action::NoteToStaff(format!("{}1", "A".repeat(31))),
            Action::Resume,
            Action::Discard,
            Action::ForgetYes,
            Action::ForgetNo,
            Action::Withdraw("UB-7K3QF9".into()),
            Action::WithdrawConfirm("CL-ABCDEF".into()),
            Action::AnswerCase("CX-2345XY".into()),
            Action::AnswerDone,
            Action::AnswerLater,
            Action::Resubmit("UB-7K3QF9".into()),
            Action::Dismiss,
        ];
        for k in CaseKind::ALL {
            v.push(Action::Topic(k));
            v.push(Action::OpenCase(k, None));
            v.push(Action::OpenCase(k, Some("shengfutong".into())));
        }
        for l in Locale::ALL {
            v.push(Action::Lang(l));
        }
        v
    }

    #[test]
    fn every_action_round_trips_within_64_bytes() {
        for a in every_action() {
            let data = a.encode(u32::MAX);
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            assert_eq!(parse_callback(&data), Some((u32::MAX, a)));
        }
    }

    #[test]
    fn forged_and_truncated_data_is_refused() {
        for bad in [
            "",
            ":",
            "1",
            "1:",
            "x:y",
            "-1:y",
            "1:zz",
            "1:t.nope",
            "1:t",
            "1:y.extra",
            "1:b.",
            "1:b.LAKALA",
            "1:b.la kala",
            "1:b.<script>",
            "1:ef.",
            "1:ef.a;drop table cases",
            "1:oc.unbind.",
            "1:oc.unbind.x.y",
            "1:l.fr",
            "99999999999:y",
            "1:ch.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "1:t.unbind\u{0}",
            "1:wd.",
            "1:wd.UB-7K3QF9;",
            "1:wc.XX",
            "1:ns.",
            "1:ns.abc123456",
            "1:ns.AB CD1234",
            "１:y",
        ] {
            assert_eq!(parse_callback(bad), None, "{bad:?}");
        }
        // The two spellings read as their canonical form.
        assert_eq!(parse_callback("007:y"), Some((7, Action::Yes)));
        assert_eq!(
            parse_callback("1:wd.ub7k3qf9"),
            Some((1, Action::Withdraw("UB-7K3QF9".into())))
        );
        let long = format!("1:b.{}", "a".repeat(70));
        assert_eq!(parse_callback(&long), None);
    }
}
