//! What reviewers can do, and how it travels in callback data and commands. Callback data
//! is untrusted: only the exact shapes produced here are accepted, and every press is
//! authorised and checked against the case's current state on the server.

use crate::domain::CaseRef;

/// Why a case is rejected; each has a message for the merchant (`reject-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    MissingMaterials,
    DetailsMismatch,
    Unsettled,
    TooLate,
    /// With the reviewer's own words.
    Other,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        RejectReason::MissingMaterials,
        RejectReason::DetailsMismatch,
        RejectReason::Unsettled,
        RejectReason::TooLate,
        RejectReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectReason::MissingMaterials => "missing-materials",
            RejectReason::DetailsMismatch => "details-mismatch",
            RejectReason::Unsettled => "unsettled",
            RejectReason::TooLate => "too-late",
            RejectReason::Other => "other",
        }
    }

    fn short(self) -> &'static str {
        match self {
            RejectReason::MissingMaterials => "mm",
            RejectReason::DetailsMismatch => "dm",
            RejectReason::Unsettled => "us",
            RejectReason::TooLate => "tl",
            RejectReason::Other => "ot",
        }
    }

    /// The merchant-facing message id.
    pub fn message_id(self) -> String {
        format!("reject-{}", self.code())
    }
}

/// A reviewer's button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    Claim,
    Approve,
    /// Show the reject reasons.
    RejectMenu,
    Reject(RejectReason),
    /// Ask the merchant for more information (the reviewer types the question next).
    AskMore,
    /// An internal note (typed next); never shown to the merchant.
    Note,
    /// Give the case back to the queue.
    Release,
    /// Back from the reject reasons to the case's buttons.
    Back,
}

impl StaffAction {
    /// `r.<code>.<REF>`, at most 20 bytes.
    pub fn encode(self, case_ref: &CaseRef) -> String {
        let code = match self {
            StaffAction::Claim => "cl".to_string(),
            StaffAction::Approve => "ap".to_string(),
            StaffAction::RejectMenu => "rm".to_string(),
            StaffAction::Reject(r) => format!("rj{}", r.short()),
            StaffAction::AskMore => "ak".to_string(),
            StaffAction::Note => "nt".to_string(),
            StaffAction::Release => "rl".to_string(),
            StaffAction::Back => "bk".to_string(),
        };
        format!("r.{code}.{case_ref}")
    }
}

/// Parse a reviewer's callback data.
pub fn parse_staff_callback(data: &str) -> Option<(StaffAction, CaseRef)> {
    if data.len() > 64 {
        return None;
    }
    let rest = data.strip_prefix("r.")?;
    let (code, case_ref) = rest.split_once('.')?;
    let case_ref = CaseRef::parse(case_ref).ok()?;
    let action = match code {
        "cl" => StaffAction::Claim,
        "ap" => StaffAction::Approve,
        "rm" => StaffAction::RejectMenu,
        "ak" => StaffAction::AskMore,
        "nt" => StaffAction::Note,
        "rl" => StaffAction::Release,
        "bk" => StaffAction::Back,
        other => {
            let short = other.strip_prefix("rj")?;
            StaffAction::Reject(RejectReason::ALL.into_iter().find(|r| r.short() == short)?)
        }
    };
    Some((action, case_ref))
}

/// A reviewer's command in the staff group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffCommand {
    /// Open cases, oldest first, overdue marked.
    Queue,
    /// One case's card, posted anew with the buttons its status offers.
    Case(CaseRef),
    /// A button's action on a case named by its reference (`/claim UB-7K3QF9`), for when
    /// its card is out of reach: the same rules and the same checks as the press.
    Act(StaffAction, CaseRef),
    Stats,
    /// Cases I hold.
    Mine,
    Help,
}

/// Parse a command typed in the staff group (`/queue`, `/case UB-7K3QF9`, `/stats@bot` …).
/// Other text is not a command (`None`); a command we do not know is `Some(Help)`.
pub fn parse_staff_command(text: &str) -> Option<StaffCommand> {
    let rest = text.trim().strip_prefix('/')?;
    let mut words = rest.split_whitespace();
    let name = words.next()?.split('@').next()?.to_ascii_lowercase();
    Some(match name.as_str() {
        "queue" => StaffCommand::Queue,
        "case" | "claim" | "approve" | "reject" | "ask" | "note" | "release" => {
            let Some(case_ref) = words.next().and_then(|r| CaseRef::parse(r).ok()) else {
                return Some(StaffCommand::Help);
            };
            let action = match name.as_str() {
                "claim" => StaffAction::Claim,
                "approve" => StaffAction::Approve,
                "reject" => StaffAction::RejectMenu,
                "ask" => StaffAction::AskMore,
                "note" => StaffAction::Note,
                "release" => StaffAction::Release,
                _ => return Some(StaffCommand::Case(case_ref)),
            };
            StaffCommand::Act(action, case_ref)
        }
        "stats" => StaffCommand::Stats,
        "mine" => StaffCommand::Mine,
        _ => StaffCommand::Help,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips() {
        let mut all = vec![
            StaffAction::Claim,
            StaffAction::Approve,
            StaffAction::RejectMenu,
            StaffAction::AskMore,
            StaffAction::Note,
            StaffAction::Release,
            StaffAction::Back,
        ];
        all.extend(RejectReason::ALL.map(StaffAction::Reject));
        let r = CaseRef::parse("UB-7K3QF9").unwrap();
        for a in all {
            let data = a.encode(&r);
            assert!(data.len() <= 64);
            assert_eq!(parse_staff_callback(&data), Some((a, r.clone())));
        }
    }

    #[test]
    fn forged_staff_data_is_refused() {
        for bad in [
            "",
            "r.",
            "r.cl",
            "r.cl.",
            "r.cl.XX",
            "r.zz.UB-7K3QF9",
            "r.rjxx.UB-7K3QF9",
            "1:y",
            "r.cl.UB-7K3QF9.x",
        ] {
            assert_eq!(parse_staff_callback(bad), None, "{bad}");
        }
        // Lower case and a missing dash are normalized by CaseRef.
        assert_eq!(
            parse_staff_callback("r.ap.ub7k3qf9"),
            Some((StaffAction::Approve, CaseRef::parse("UB-7K3QF9").unwrap()))
        );
    }

    #[test]
    fn commands() {
        assert_eq!(parse_staff_command("/queue"), Some(StaffCommand::Queue));
        assert_eq!(
            parse_staff_command("/stats@posdesk_bot"),
            Some(StaffCommand::Stats)
        );
        assert_eq!(
            parse_staff_command("/case ub-7k3qf9"),
            Some(StaffCommand::Case(CaseRef::parse("UB-7K3QF9").unwrap()))
        );
        assert_eq!(parse_staff_command("/case"), Some(StaffCommand::Help));
        assert_eq!(
            parse_staff_command("/claim@posdesk_bot ub-7k3qf9"),
            Some(StaffCommand::Act(
                StaffAction::Claim,
                CaseRef::parse("UB-7K3QF9").unwrap()
            ))
        );
        assert_eq!(
            parse_staff_command("/reject UB-7K3QF9"),
            Some(StaffCommand::Act(
                StaffAction::RejectMenu,
                CaseRef::parse("UB-7K3QF9").unwrap()
            ))
        );
        assert_eq!(parse_staff_command("/approve"), Some(StaffCommand::Help));
        assert_eq!(parse_staff_command("/mine"), Some(StaffCommand::Mine));
        assert_eq!(parse_staff_command("/frob"), Some(StaffCommand::Help));
        assert_eq!(parse_staff_command("hello"), None);
    }
}
