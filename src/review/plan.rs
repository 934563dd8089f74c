//! What a reviewer's action does to a case: pure rules, checked on the server for every
//! press. The store then applies the change only if the case is still in the state the
//! plan was made for, so two reviewers racing cannot both win.

use super::action::{RejectReason, StaffAction};
use crate::conversation::CaseNotice;
use crate::domain::{CaseRecord, CaseRef, CaseStatus, ClaimUpdate, StatusChange};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};

/// Why an action is refused; each has a staff message (`staff-refused-<code>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The press came from someone who is not a configured reviewer, or from another chat.
    NotReviewer,
    /// Another reviewer holds the case.
    HeldBy(i64),
    /// The action needs the case claimed first.
    NotClaimed,
    /// The case is already decided (approved, rejected, withdrawn).
    Decided(CaseStatus),
    /// The action does not apply to the case's current status.
    WrongStatus(CaseStatus),
    NoSuchCase,
}

impl Refusal {
    pub fn message_id(&self) -> &'static str {
        match self {
            Refusal::NotReviewer => "staff-refused-not-reviewer",
            Refusal::HeldBy(_) => "staff-refused-held",
            Refusal::NotClaimed => "staff-refused-not-claimed",
            Refusal::Decided(_) => "staff-refused-decided",
            Refusal::WrongStatus(_) => "staff-refused-status",
            Refusal::NoSuchCase => "staff-refused-no-case",
        }
    }

    /// The refusal as the staff message says it, with the holder or status it names.
    pub fn message(&self) -> Msg {
        let msg = Msg::new(self.message_id());
        match self {
            Refusal::HeldBy(holder) => msg.with("holder", holder.to_string()),
            Refusal::Decided(status) | Refusal::WrongStatus(status) => {
                msg.with("status", status.as_str())
            }
            _ => msg,
        }
    }
}

/// A status change and what the merchant is told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub change: StatusChange,
    pub notice: Option<CaseNotice>,
}

/// What an action leads to, before any text a reviewer still has to type.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Claim it (atomic in the store).
    Claim,
    /// Apply this transition now.
    Apply(Box<Transition>),
    /// Ask the reviewer to type something (the question, the reason, the note) first.
    AwaitText(PendingInput),
    /// Show the reject reasons (or the normal buttons again).
    ShowButtons { reject_menu: bool },
}

/// Text a reviewer is asked to type next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingInput {
    Question,
    RejectOther,
    Note,
}

impl PendingInput {
    pub fn code(self) -> &'static str {
        match self {
            PendingInput::Question => "question",
            PendingInput::RejectOther => "reject-other",
            PendingInput::Note => "note",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            PendingInput::Question,
            PendingInput::RejectOther,
            PendingInput::Note,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }

    /// The prompt for `user` to type the text for `case_ref`.
    pub fn prompt(self, case_ref: &CaseRef, user: i64) -> Msg {
        Msg::new(self.prompt_id())
            .with("ref", case_ref.as_str())
            .with("who", super::reviewer_tag(Some(user)))
    }

    /// The prompt shown to the reviewer.
    pub fn prompt_id(self) -> &'static str {
        match self {
            PendingInput::Question => "staff-type-question",
            PendingInput::RejectOther => "staff-type-reason",
            PendingInput::Note => "staff-type-note",
        }
    }
}

/// Whether `staff` holds `case` (claimed and in review).
fn holds(case: &CaseRecord, staff: i64) -> Result<(), Refusal> {
    if case.status.is_decided() {
        return Err(Refusal::Decided(case.status));
    }
    if case.status != CaseStatus::InReview {
        return Err(Refusal::NotClaimed);
    }
    match case.claimed_by {
        Some(holder) if holder == staff => Ok(()),
        Some(holder) => Err(Refusal::HeldBy(holder)),
        None => Err(Refusal::NotClaimed),
    }
}

/// Plan a button press on a case.
pub fn plan(
    action: StaffAction,
    case: &CaseRecord,
    staff: i64,
    now: DateTime<Utc>,
) -> Result<Plan, Refusal> {
    let change = |to: CaseStatus, claim: ClaimUpdate, action: &str, detail: serde_json::Value| {
        StatusChange {
            case_ref: case.case_ref.clone(),
            from: vec![CaseStatus::InReview],
            require_claimed_by: Some(staff),
            require_chat_id: None,
            to,
            claim,
            at: now,
            actor: format!("staff:{staff}"),
            action: action.to_string(),
            detail,
        }
    };
    match action {
        StaffAction::Claim => {
            if case.status.is_decided() {
                Err(Refusal::Decided(case.status))
            } else {
                Ok(Plan::Claim)
            }
        }
        StaffAction::Approve => {
            holds(case, staff)?;
            Ok(Plan::Apply(Box::new(Transition {
                change: change(
                    CaseStatus::Approved,
                    ClaimUpdate::Keep,
                    "approved",
                    serde_json::json!({}),
                ),
                notice: Some(CaseNotice::Approved {
                    case_ref: case.case_ref.to_string(),
                    next: crate::conversation::next_steps(case.kind, &case.fields).to_string(),
                }),
            })))
        }
        StaffAction::RejectMenu | StaffAction::Back => {
            holds(case, staff)?;
            Ok(Plan::ShowButtons {
                reject_menu: action == StaffAction::RejectMenu,
            })
        }
        StaffAction::Reject(RejectReason::Other) => {
            holds(case, staff)?;
            Ok(Plan::AwaitText(PendingInput::RejectOther))
        }
        StaffAction::Reject(reason) => {
            holds(case, staff)?;
            Ok(Plan::Apply(Box::new(reject(
                case, staff, now, reason, None,
            ))))
        }
        StaffAction::AskMore => {
            holds(case, staff)?;
            Ok(Plan::AwaitText(PendingInput::Question))
        }
        StaffAction::Note => Ok(Plan::AwaitText(PendingInput::Note)),
        StaffAction::Release => {
            holds(case, staff)?;
            Ok(Plan::Apply(Box::new(Transition {
                change: change(
                    CaseStatus::Queued,
                    ClaimUpdate::Clear,
                    "released",
                    serde_json::json!({}),
                ),
                notice: None,
            })))
        }
    }
}

/// Reject, with the reviewer's words for "other".
pub fn reject(
    case: &CaseRecord,
    staff: i64,
    now: DateTime<Utc>,
    reason: RejectReason,
    text: Option<String>,
) -> Transition {
    Transition {
        change: StatusChange {
            case_ref: case.case_ref.clone(),
            from: vec![CaseStatus::InReview],
            require_claimed_by: Some(staff),
            require_chat_id: None,
            to: CaseStatus::Rejected,
            claim: ClaimUpdate::Keep,
            at: now,
            actor: format!("staff:{staff}"),
            action: "rejected".into(),
            detail: serde_json::json!({ "reason": reason.code(), "text": text }),
        },
        notice: Some(CaseNotice::Rejected {
            case_ref: case.case_ref.to_string(),
            reason: reason.code().to_string(),
            text,
        }),
    }
}

/// Ask the merchant a question: the case waits for them; the reviewer is remembered (to be
/// told when the answer comes) but holds no lease meanwhile.
pub fn ask(
    case: &CaseRecord,
    staff: i64,
    now: DateTime<Utc>,
    question: String,
    request_id: String,
) -> Transition {
    Transition {
        change: StatusChange {
            case_ref: case.case_ref.clone(),
            from: vec![CaseStatus::InReview],
            require_claimed_by: Some(staff),
            require_chat_id: None,
            to: CaseStatus::WaitingMerchant,
            claim: ClaimUpdate::KeepReviewerClearLease,
            at: now,
            actor: format!("staff:{staff}"),
            action: "asked".into(),
            detail: serde_json::json!({ "request": request_id, "text": question }),
        },
        notice: Some(CaseNotice::Question {
            case_ref: case.case_ref.to_string(),
            request_id,
            question,
        }),
    }
}
