//! Reviewers' presses, typed inputs and commands. Each is authorised on the server, then
//! applied in one transaction: the case's change, its audit event, the merchant's
//! notification (a step of their conversation) and the staff group's update.

use super::{Inbound, Service, ServiceError};
use crate::conversation::{CaseNotice, Event, Incoming};
use crate::domain::{CaseRecord, CaseRef};
use crate::i18n::Msg;
use crate::review::{
    ask, parse_staff_callback, parse_staff_command, plan, reject, PendingInput, Plan, Refusal,
    RejectReason, StaffAction, StaffCommand,
};
use crate::store::{CaseEvent, CaseFilter, ClaimOutcome, NewOutbox, QueueStats, StoreError, Tx};
use chrono::{DateTime, Duration, Utc};

/// How long a reviewer has to type the text a button asked for.
const PENDING_TTL_MINUTES: i64 = 30;

/// What changed on a case, for the staff group.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Claimed,
    Approved,
    Rejected { reason: String },
    Asked { question: String },
    Released,
    LeaseExpired,
    Withdrawn,
    Noted { text: String },
}

/// Something the staff group should see.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffEvent {
    /// A new case: its card, files and a Claim button.
    Created(CaseRecord),
    /// A case changed: its card is updated and the group told.
    Changed {
        case: CaseRecord,
        /// The reviewer who did it (`None`: the merchant or the system).
        by: Option<i64>,
        what: Change,
    },
    /// The merchant answered a reviewer's question.
    Answered {
        case: CaseRecord,
        text: Option<String>,
        files: Vec<serde_json::Value>,
    },
    /// A merchant says a device serial that an open case uses is theirs (a terminal passed
    /// on or disputed): their note, its reference, and the open case (`None` when it was
    /// decided meanwhile).
    SerialNote {
        case: Option<CaseRecord>,
        serial: String,
        note_ref: String,
        text: String,
    },
    /// Show the reject reasons on a case's card, or its normal buttons again.
    Buttons { case: CaseRecord, reject_menu: bool },
    /// A reviewer is asked to type a question, a reason or a note.
    AwaitText {
        case_ref: CaseRef,
        user: i64,
        input: PendingInput,
    },
    /// A refusal said in the group (for typed input and commands; presses get a toast).
    Refused { user: i64, refusal: Refusal },
    /// A reply to a staff command.
    Listing(StaffListing),
    /// The daily list of overdue cases.
    Digest {
        overdue: Vec<CaseRecord>,
        now: DateTime<Utc>,
    },
}

/// Replies to staff commands.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffListing {
    Queue {
        cases: Vec<CaseRecord>,
        now: DateTime<Utc>,
    },
    Mine {
        cases: Vec<CaseRecord>,
        now: DateTime<Utc>,
    },
    Stats(QueueStats),
    Card(Box<CaseRecord>),
    NoCase(CaseRef),
    Help,
}

impl Service {
    /// The outbox rows that show `event` in the staff group (none without a staff group).
    pub(crate) fn staff_rows(&self, event: &StaffEvent, now: DateTime<Utc>) -> Vec<NewOutbox> {
        match (&self.outbox, &self.staff) {
            (Some(renderer), Some(_)) => renderer.staff(event, now),
            _ => Vec::new(),
        }
    }

    async fn enqueue_staff(
        &self,
        tx: &mut dyn Tx,
        event: &StaffEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for row in self.staff_rows(event, now) {
            tx.enqueue(&row).await?;
        }
        Ok(())
    }

    /// Tell the merchant, as a step of their conversation in this transaction.
    async fn notify_merchant(
        &self,
        tx: &mut dyn Tx,
        case: &CaseRecord,
        notice: CaseNotice,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if case.chat_id == 0 {
            return Ok(()); // the merchant's data was erased
        }
        let inbound = Inbound {
            chat_id: case.chat_id,
            update_id: None,
            locale_hint: Some(case.locale),
            incoming: Incoming::new(Event::CaseNotice(notice)),
            now,
        };
        self.step_chat(tx, &inbound).await.map(|_| ())
    }

    /// A reviewer pressed a button in the staff group. Returns the short answer for the
    /// press (a toast), in the staff language.
    pub async fn staff_press(
        &self,
        update_id: Option<i64>,
        chat_id: i64,
        user: i64,
        data: &str,
        now: DateTime<Utc>,
    ) -> Result<Msg, ServiceError> {
        let Some(cfg) = self.staff.clone() else {
            return Ok(Msg::new(Refusal::NotReviewer.message_id()));
        };
        if let Err(refusal) = cfg.authorize(chat_id, user) {
            tracing::warn!(
                user,
                chat = chat_id,
                "staff press by someone who is not a reviewer refused"
            );
            return Ok(Msg::new(refusal.message_id()));
        }
        let Some((action, case_ref)) = parse_staff_callback(data) else {
            return Ok(Msg::new("staff-bad-button"));
        };
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if let Some(id) = update_id {
                if tx.is_processed(id).await? {
                    return Ok(Msg::new("staff-done"));
                }
            }
            let toast = self
                .apply_press(tx.as_mut(), &cfg, user, action, &case_ref, now)
                .await?;
            if let Some(id) = update_id {
                tx.mark_processed(id, chat_id, now).await?;
            }
            tx.commit().await?;
            Ok(toast)
        })
        .await
    }

    async fn apply_press(
        &self,
        tx: &mut dyn Tx,
        cfg: &crate::review::StaffConfig,
        user: i64,
        action: StaffAction,
        case_ref: &CaseRef,
        now: DateTime<Utc>,
    ) -> Result<Msg, StoreError> {
        let Some(case) = tx.case(case_ref).await? else {
            return Ok(Msg::new(Refusal::NoSuchCase.message_id()));
        };
        let planned = match plan(action, &case, user, now) {
            Ok(p) => p,
            Err(refusal) => return Ok(refusal_msg(&refusal)),
        };
        match planned {
            Plan::Claim => match tx.claim_case(case_ref, user, now, now + cfg.lease).await? {
                ClaimOutcome::Claimed(case) => {
                    let notice = CaseNotice::InReview {
                        case_ref: case.case_ref.to_string(),
                    };
                    self.notify_merchant(tx, &case, notice, now).await?;
                    let event = StaffEvent::Changed {
                        case,
                        by: Some(user),
                        what: Change::Claimed,
                    };
                    self.enqueue_staff(tx, &event, now).await?;
                    Ok(Msg::new("staff-claimed"))
                }
                ClaimOutcome::AlreadyYours(_) => Ok(Msg::new("staff-already-yours")),
                ClaimOutcome::HeldBy(holder) => Ok(refusal_msg(&Refusal::HeldBy(holder))),
                ClaimOutcome::NotClaimable(status) => {
                    Ok(refusal_msg(&Refusal::WrongStatus(status)))
                }
                ClaimOutcome::NotFound => Ok(Msg::new(Refusal::NoSuchCase.message_id())),
            },
            Plan::Apply(transition) => {
                let what = match action {
                    StaffAction::Approve => Change::Approved,
                    StaffAction::Reject(r) => Change::Rejected {
                        reason: r.code().to_string(),
                    },
                    _ => Change::Released,
                };
                self.apply_transition(tx, *transition, user, what, now)
                    .await
            }
            Plan::AwaitText(input) => {
                tx.set_pending_input(user, case_ref, input.code(), now)
                    .await?;
                let event = StaffEvent::AwaitText {
                    case_ref: case.case_ref.clone(),
                    user,
                    input,
                };
                self.enqueue_staff(tx, &event, now).await?;
                // The toast says the same as the group message: with whom and which case.
                Ok(Msg::new(input.prompt_id())
                    .with("ref", case.case_ref.to_string())
                    .with("who", format!("#{user}")))
            }
            Plan::ShowButtons { reject_menu } => {
                self.enqueue_staff(tx, &StaffEvent::Buttons { case, reject_menu }, now)
                    .await?;
                Ok(Msg::new("staff-choose"))
            }
        }
    }

    /// Apply a planned change; the store refuses it if the case moved meanwhile.
    async fn apply_transition(
        &self,
        tx: &mut dyn Tx,
        transition: crate::review::Transition,
        user: i64,
        what: Change,
        now: DateTime<Utc>,
    ) -> Result<Msg, StoreError> {
        let Some(case) = tx.set_status(&transition.change).await? else {
            return Ok(Msg::new("staff-changed-meanwhile"));
        };
        if let Some(notice) = transition.notice {
            self.notify_merchant(tx, &case, notice, now).await?;
        }
        let event = StaffEvent::Changed {
            case,
            by: Some(user),
            what,
        };
        self.enqueue_staff(tx, &event, now).await?;
        Ok(Msg::new("staff-done"))
    }

    /// A message in the staff group: a command, or the text a button asked for. Chatter
    /// from anyone else, or without a pending input, is left alone.
    pub async fn staff_message(
        &self,
        update_id: i64,
        chat_id: i64,
        user: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let Some(cfg) = self.staff.clone() else {
            return Ok(());
        };
        let command = parse_staff_command(text);
        if let Err(refusal) = cfg.authorize(chat_id, user) {
            if command.is_some() && chat_id == cfg.chat_id {
                let rows = self.staff_rows(&StaffEvent::Refused { user, refusal }, now);
                self.acknowledge(update_id, chat_id, &rows, now).await?;
            }
            return Ok(());
        }
        if let Some(command) = command {
            let listing = self.listing(command, user, now).await?;
            let rows = self.staff_rows(&StaffEvent::Listing(listing), now);
            self.acknowledge(update_id, chat_id, &rows, now).await?;
            return Ok(());
        }
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if tx.is_processed(update_id).await? {
                return Ok(());
            }
            if let Some((case_ref, input, at)) = tx.take_pending_input(user).await? {
                let fresh = now - at <= Duration::minutes(PENDING_TTL_MINUTES);
                if let (true, Some(input)) = (fresh, PendingInput::parse(&input)) {
                    self.apply_text(tx.as_mut(), user, &case_ref, input, text, now)
                        .await?;
                }
            }
            tx.mark_processed(update_id, chat_id, now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn apply_text(
        &self,
        tx: &mut dyn Tx,
        user: i64,
        case_ref: &CaseRef,
        input: PendingInput,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = crate::conversation::strip_controls(text.trim())
            .chars()
            .take(1000)
            .collect::<String>();
        let Some(case) = tx.case(case_ref).await? else {
            return Ok(());
        };
        let refused = |refusal| StaffEvent::Refused { user, refusal };
        match input {
            PendingInput::Note => {
                tx.record_event(&CaseEvent {
                    case_ref: case.case_ref.clone(),
                    at: now,
                    actor: format!("staff:{user}"),
                    action: "note".into(),
                    detail: serde_json::json!({ "text": text }),
                })
                .await?;
                let event = StaffEvent::Changed {
                    case,
                    by: Some(user),
                    what: Change::Noted { text },
                };
                self.enqueue_staff(tx, &event, now).await
            }
            PendingInput::Question | PendingInput::RejectOther => {
                // The case may have moved since the button was pressed: plan again.
                let action = if input == PendingInput::Question {
                    StaffAction::AskMore
                } else {
                    StaffAction::Reject(RejectReason::Other)
                };
                if let Err(refusal) = plan(action, &case, user, now) {
                    return self.enqueue_staff(tx, &refused(refusal), now).await;
                }
                let (transition, what) = if input == PendingInput::Question {
                    let request_id = format!("{:08x}", rand::random::<u32>());
                    (
                        ask(&case, user, now, text.clone(), request_id),
                        Change::Asked { question: text },
                    )
                } else {
                    (
                        reject(&case, user, now, RejectReason::Other, Some(text)),
                        Change::Rejected {
                            reason: RejectReason::Other.code().to_string(),
                        },
                    )
                };
                self.apply_transition(tx, transition, user, what, now)
                    .await
                    .map(|_| ())
            }
        }
    }

    /// Answer a staff command from the database.
    async fn listing(
        &self,
        command: StaffCommand,
        user: i64,
        now: DateTime<Utc>,
    ) -> Result<StaffListing, ServiceError> {
        Ok(match command {
            StaffCommand::Queue => StaffListing::Queue {
                cases: self.store.queue(50).await?,
                now,
            },
            StaffCommand::Mine => StaffListing::Mine {
                cases: self.store.cases_claimed_by(user).await?,
                now,
            },
            StaffCommand::Stats => {
                let today = crate::calendar::china_date(now)
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(crate::calendar::china()).single())
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(now);
                StaffListing::Stats(self.store.stats(today).await?)
            }
            StaffCommand::Case(case_ref) => match self.store.get_case(&case_ref).await? {
                Some(case) => StaffListing::Card(Box::new(case)),
                None => StaffListing::NoCase(case_ref),
            },
            StaffCommand::Help => StaffListing::Help,
        })
    }

    /// The open cases past their due date (for the digest and `posdesk cases list --overdue`).
    pub async fn overdue(&self, now: DateTime<Utc>) -> Result<Vec<CaseRecord>, ServiceError> {
        let mut cases = self
            .store
            .list_cases(&CaseFilter {
                overdue_at: Some(now),
                ..CaseFilter::default()
            })
            .await?;
        cases.sort_by_key(|c| c.due_at);
        Ok(cases)
    }
}

fn refusal_msg(refusal: &Refusal) -> Msg {
    let msg = Msg::new(refusal.message_id());
    match refusal {
        Refusal::HeldBy(holder) => msg.with("holder", holder.to_string()),
        Refusal::Decided(status) | Refusal::WrongStatus(status) => {
            msg.with("status", status.as_str())
        }
        _ => msg,
    }
}
