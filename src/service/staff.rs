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
    /// Show the reject reasons on a case's card, or its normal buttons again. `fresh`: on
    /// a card posted anew (the reviewer acted by command, the old card may be out of sight).
    Buttons {
        case: CaseRecord,
        reject_menu: bool,
        fresh: bool,
    },
    /// A reviewer is asked to type a question, a reason or a note.
    AwaitText {
        case_ref: CaseRef,
        user: i64,
        input: PendingInput,
    },
    /// A refusal said in the group (for typed input and commands; presses get a toast).
    Refused { user: i64, refusal: Refusal },
    /// A short answer to a reviewer's command, said in the group (what a press gets as its
    /// toast), or a word about input that could not be taken (an anonymous admin's).
    Reply(Msg),
    /// A reply to a staff command.
    Listing(StaffListing),
    /// The daily list of overdue cases, the work of run `period` of `job`.
    Digest {
        overdue: Vec<CaseRecord>,
        now: DateTime<Utc>,
        job: &'static str,
        period: String,
    },
}

/// Where the rows of a staff event go: the staff group as it is now (its id changes when
/// Telegram upgrades it to a supergroup) and, for what answers a reviewer's own message or
/// press, the forum topic they wrote in (`None`: the group's General topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffTarget {
    pub chat_id: i64,
    pub topic: Option<i32>,
}

/// How a reviewer asked for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// A button on a card: answered with a toast; menus replace the card's buttons.
    Press,
    /// A command naming the case (`/claim REF`): answered in the group; menus come on a
    /// card posted anew.
    Command,
}

/// What an action did: the answer for the reviewer, and whether the group already saw
/// a message about it (then a command needs no reply of its own).
struct Acted {
    answer: Msg,
    shown: bool,
}

impl Acted {
    fn quiet(answer: Msg) -> Self {
        Acted {
            answer,
            shown: false,
        }
    }

    fn shown(answer: Msg) -> Self {
        Acted {
            answer,
            shown: true,
        }
    }
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
    /// The outbox rows that show `event` in the staff group (none without a staff group),
    /// in forum topic `topic` when it answers a reviewer who wrote there.
    pub(crate) fn staff_rows(
        &self,
        event: &StaffEvent,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox> {
        match (&self.outbox, self.staff_chat_id()) {
            (Some(renderer), Some(chat_id)) => {
                renderer.staff(event, StaffTarget { chat_id, topic }, now)
            }
            _ => Vec::new(),
        }
    }

    async fn enqueue_staff(
        &self,
        tx: &mut dyn Tx,
        event: &StaffEvent,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for row in self.staff_rows(event, topic, now) {
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

    /// A reviewer pressed a button in the staff group (on a message in forum topic
    /// `topic`). Returns the short answer for the press (a toast), in the staff language.
    pub async fn staff_press(
        &self,
        update_id: Option<i64>,
        chat_id: i64,
        user: i64,
        data: &str,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<Msg, ServiceError> {
        let Some(cfg) = self.staff.clone() else {
            return Ok(Msg::new(Refusal::NotReviewer.message_id()));
        };
        if let Err(refusal) = cfg.authorize(self.staff_chat_id(), chat_id, user) {
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
            let acted = self
                .apply_action(
                    tx.as_mut(),
                    &cfg,
                    user,
                    action,
                    &case_ref,
                    Via::Press,
                    topic,
                    now,
                )
                .await?;
            if let Some(id) = update_id {
                tx.mark_processed(id, chat_id, now).await?;
            }
            tx.commit().await?;
            Ok(acted.answer)
        })
        .await
    }

    /// A button's action on a case, from a press or a command: planned against the case as
    /// it is in this transaction, then applied.
    #[allow(clippy::too_many_arguments)]
    async fn apply_action(
        &self,
        tx: &mut dyn Tx,
        cfg: &crate::review::StaffConfig,
        user: i64,
        action: StaffAction,
        case_ref: &CaseRef,
        via: Via,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<Acted, StoreError> {
        let Some(case) = tx.case(case_ref).await? else {
            return Ok(Acted::quiet(Refusal::NoSuchCase.message()));
        };
        let planned = match plan(action, &case, user, now) {
            Ok(p) => p,
            Err(refusal) => return Ok(Acted::quiet(refusal.message())),
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
                    self.enqueue_staff(tx, &event, topic, now).await?;
                    Ok(Acted::shown(Msg::new("staff-claimed")))
                }
                ClaimOutcome::AlreadyYours(_) => Ok(Acted::quiet(Msg::new("staff-already-yours"))),
                ClaimOutcome::HeldBy(holder) => Ok(Acted::quiet(Refusal::HeldBy(holder).message())),
                ClaimOutcome::NotClaimable(status) => {
                    Ok(Acted::quiet(Refusal::WrongStatus(status).message()))
                }
                ClaimOutcome::NotFound => Ok(Acted::quiet(Refusal::NoSuchCase.message())),
            },
            Plan::Apply(transition) => {
                let what = match action {
                    StaffAction::Approve => Change::Approved,
                    StaffAction::Reject(r) => Change::Rejected {
                        reason: r.code().to_string(),
                    },
                    _ => Change::Released,
                };
                self.apply_transition(tx, *transition, user, what, topic, now)
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
                self.enqueue_staff(tx, &event, topic, now).await?;
                Ok(Acted::shown(input.prompt(&case.case_ref, user)))
            }
            Plan::ShowButtons { reject_menu } => {
                let fresh = via == Via::Command;
                let event = StaffEvent::Buttons {
                    case,
                    reject_menu,
                    fresh,
                };
                self.enqueue_staff(tx, &event, topic, now).await?;
                Ok(Acted {
                    answer: Msg::new("staff-choose"),
                    shown: fresh,
                })
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
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<Acted, StoreError> {
        let Some(case) = tx.set_status(&transition.change).await? else {
            return Ok(Acted::quiet(Msg::new("staff-changed-meanwhile")));
        };
        if let Some(notice) = transition.notice {
            self.notify_merchant(tx, &case, notice, now).await?;
        }
        let event = StaffEvent::Changed {
            case,
            by: Some(user),
            what,
        };
        self.enqueue_staff(tx, &event, topic, now).await?;
        Ok(Acted::shown(Msg::new("staff-done")))
    }

    /// A message in the staff group (in forum topic `topic`): a command, or the text a
    /// button asked for. Chatter from anyone else, or without a pending input, is left
    /// alone.
    pub async fn staff_message(
        &self,
        update_id: i64,
        chat_id: i64,
        user: i64,
        text: &str,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let Some(cfg) = self.staff.clone() else {
            return Ok(());
        };
        let command = parse_staff_command(text);
        if let Err(refusal) = cfg.authorize(self.staff_chat_id(), chat_id, user) {
            if command.is_some() && self.is_staff_chat(chat_id) {
                let rows = self.staff_rows(&StaffEvent::Refused { user, refusal }, topic, now);
                self.acknowledge(update_id, chat_id, &rows, now).await?;
            }
            return Ok(());
        }
        match command {
            Some(StaffCommand::Act(action, case_ref)) => {
                return self
                    .staff_command(update_id, chat_id, user, action, &case_ref, topic, now)
                    .await;
            }
            Some(command) => {
                let listing = self.listing(command, user, now).await?;
                let rows = self.staff_rows(&StaffEvent::Listing(listing), topic, now);
                self.acknowledge(update_id, chat_id, &rows, now).await?;
                return Ok(());
            }
            None => {}
        }
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if tx.is_processed(update_id).await? {
                return Ok(());
            }
            if let Some((case_ref, input, at)) = tx.take_pending_input(user).await? {
                let fresh = now - at <= Duration::minutes(PENDING_TTL_MINUTES);
                if let (true, Some(input)) = (fresh, PendingInput::parse(&input)) {
                    self.apply_text(tx.as_mut(), user, &case_ref, input, text, topic, now)
                        .await?;
                }
            }
            tx.mark_processed(update_id, chat_id, now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// A command naming a case (`/claim REF`): the button's action, answered in the group
    /// when nothing else there says what happened (a refusal, "already yours").
    #[allow(clippy::too_many_arguments)]
    async fn staff_command(
        &self,
        update_id: i64,
        chat_id: i64,
        user: i64,
        action: StaffAction,
        case_ref: &CaseRef,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let Some(cfg) = self.staff.clone() else {
            return Ok(());
        };
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if tx.is_processed(update_id).await? {
                return Ok(());
            }
            let acted = self
                .apply_action(
                    tx.as_mut(),
                    &cfg,
                    user,
                    action,
                    case_ref,
                    Via::Command,
                    topic,
                    now,
                )
                .await?;
            if !acted.shown {
                let reply = StaffEvent::Reply(acted.answer.with("ref", case_ref.as_str()));
                self.enqueue_staff(tx.as_mut(), &reply, topic, now).await?;
            }
            tx.mark_processed(update_id, chat_id, now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Input from someone the bot cannot tell apart: an admin posting as the group
    /// ("Remain Anonymous"). It changes nothing. When it was meant as input (`addressed`
    /// to the bot, or a reviewer was just asked to type something) the group is told how
    /// to act as a reviewer; chatter is left alone.
    pub async fn staff_anonymous(
        &self,
        update_id: i64,
        chat_id: i64,
        addressed: bool,
        topic: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let expected = addressed
            || self
                .store
                .awaiting_staff_text(now - Duration::minutes(PENDING_TTL_MINUTES))
                .await?;
        let rows = if expected {
            tracing::info!("input in the staff group from an anonymous admin; the group is told");
            self.staff_rows(&StaffEvent::Reply(Msg::new("staff-anonymous")), topic, now)
        } else {
            Vec::new()
        };
        self.acknowledge(update_id, chat_id, &rows, now).await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_text(
        &self,
        tx: &mut dyn Tx,
        user: i64,
        case_ref: &CaseRef,
        input: PendingInput,
        text: &str,
        topic: Option<i32>,
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
                self.enqueue_staff(tx, &event, topic, now).await
            }
            PendingInput::Question | PendingInput::RejectOther => {
                // The case may have moved since the button was pressed: plan again.
                let action = if input == PendingInput::Question {
                    StaffAction::AskMore
                } else {
                    StaffAction::Reject(RejectReason::Other)
                };
                if let Err(refusal) = plan(action, &case, user, now) {
                    return self.enqueue_staff(tx, &refused(refusal), topic, now).await;
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
                self.apply_transition(tx, transition, user, what, topic, now)
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
            // Answered by `staff_command`, never listed.
            StaffCommand::Help | StaffCommand::Act(..) => StaffListing::Help,
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
