//! Applies events to chats and cases atomically (`docs/ARCHITECTURE.md`, principle 4).
//!
//! For a merchant's update, in a single database transaction: skip it if it was already
//! applied, load the dialogue, read the facts the core asks for, run the pure step, carry
//! out its database effects (queue a case, attach an answer, withdraw), save the dialogue,
//! write the replies and staff notifications to the outbox, and record the update id.
//! A polling batch of such updates can share one transaction (`batch.rs`, group commit).
//! Staff actions (`staff.rs`) and periodic jobs (`jobs.rs`) reuse the same step for the
//! merchant's side, inside their own transaction, so a decision and the merchant's
//! notification are committed together or not at all.

mod batch;
pub use batch::BatchStart;
mod jobs;
mod staff;

pub use jobs::{JobReport, JobSettings};
pub use staff::{Change, StaffEvent, StaffListing, StaffTarget};

use crate::conversation::{
    self, needs, reset_notice, CaseLine, CaseNote, Ctx, Dialogue, Effect, Facts, Incoming, Need,
    OpenSerial, Resubmit, Submission, SCHEMA_VERSION,
};
use crate::domain::{CaseRef, CaseStatus, ClaimUpdate, StatusChange};
use crate::i18n::Locale;
use crate::review::{StaffChat, StaffConfig};
use crate::store::{
    CaseEvent, InsertOutcome, MerchantTx, NewCase, NewDialogue, NewOutbox, Store, StoreError,
    StoredDialogue,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::future::Future;
use std::sync::Arc;

/// How often a transaction that lost a race (concurrent update of the same chat, a serial
/// taken by another chat meanwhile) is retried before giving up. An unavailable database is
/// not retried here (see [`Service::retrying`]).
const MAX_ATTEMPTS: u32 = 6;

/// One event for one chat, as an adapter delivers it.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub chat_id: i64,
    /// Telegram's update id, for exactly-once processing; `None` for the terminal and for
    /// events the system itself generates.
    pub update_id: Option<i64>,
    /// The language the merchant's client reports, used until they choose with `/lang`.
    pub locale_hint: Option<Locale>,
    pub incoming: Incoming,
    pub now: DateTime<Utc>,
}

/// What to do after the commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    /// The language to render the effects in.
    pub locale: Locale,
    /// The update had been applied before: nothing was changed and nothing is to be sent.
    pub duplicate: bool,
}

/// Turns effects and staff events into outbox rows, written in the step's transaction (the
/// Telegram adapter renders them as Bot API requests). Without one, effects are only
/// returned.
pub trait OutboxRenderer: Send + Sync {
    /// Rows for the merchant's chat.
    fn render(
        &self,
        chat_id: i64,
        locale: Locale,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox>;

    /// Rows for the staff group, sent to `to`.
    fn staff(&self, _event: &StaffEvent, _to: StaffTarget, _now: DateTime<Utc>) -> Vec<NewOutbox> {
        Vec::new()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The database is unavailable (see [`StoreError::is_unavailable`]): nothing was
    /// applied, and the same event can be applied once it is back.
    pub fn is_unavailable(&self) -> bool {
        match self {
            ServiceError::Store(e) => e.is_unavailable(),
        }
    }
}

/// The conversation and the review queue, bound to a store.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    default_locale: Locale,
    holidays: Arc<Vec<NaiveDate>>,
    outbox: Option<Arc<dyn OutboxRenderer>>,
    staff: Option<Arc<StaffConfig>>,
    /// The staff group's id as it is now (shared by clones, and with the outbox sender).
    staff_chat: Option<StaffChat>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, default_locale: Locale, holidays: Vec<NaiveDate>) -> Self {
        Service {
            store,
            default_locale,
            holidays: Arc::new(holidays),
            outbox: None,
            staff: None,
            staff_chat: None,
        }
    }

    /// Write each step's effects to the outbox, rendered by `renderer`.
    pub fn with_outbox(mut self, renderer: Arc<dyn OutboxRenderer>) -> Self {
        self.outbox = Some(renderer);
        self
    }

    /// Enable the staff side: cases are posted to this group, these reviewers may act.
    pub fn with_staff(mut self, staff: StaffConfig) -> Self {
        self.staff_chat = Some(StaffChat::new(staff.chat_id));
        self.staff = Some(Arc::new(staff));
        self
    }

    /// The staff group's chat id as it is now (see [`StaffChat`]), shared with whatever
    /// else sends to it.
    pub fn staff_chat(&self) -> Option<&StaffChat> {
        self.staff_chat.as_ref()
    }

    /// The staff group's chat id now (`None` without a staff side).
    pub fn staff_chat_id(&self) -> Option<i64> {
        self.staff_chat.as_ref().map(StaffChat::current)
    }

    /// Whether `chat_id` is the staff group: the configured id, or the supergroup it was
    /// upgraded to.
    pub fn is_staff_chat(&self, chat_id: i64) -> bool {
        self.staff_chat.as_ref().is_some_and(|s| s.is(chat_id))
    }

    /// Telegram upgraded group `from` to supergroup `to`: remembered in the database (so
    /// that a restart, and another instance, follow it too), the rows still waiting for
    /// `from` go to `to`, and the staff group, if it was that one, is followed.
    pub async fn follow_migration(
        &self,
        from: i64,
        to: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            tx.follow_chat_migration(from, to, now).await?;
            tx.commit().await
        })
        .await?;
        if let Some(staff) = &self.staff_chat {
            staff.follow(from, to);
        }
        Ok(())
    }

    /// At start: follow the staff group's upgrade to a supergroup, if one was recorded.
    pub async fn resume_staff_chat(&self) -> Result<(), ServiceError> {
        if let Some(staff) = &self.staff_chat {
            let from = staff.current();
            if let Some(to) = self.store.chat_migrated_to(from).await? {
                staff.follow(from, to);
            }
        }
        Ok(())
    }

    /// Whether `chat_id`, not known as the staff group here, is what the staff group was
    /// upgraded to (learnt by another instance, or before a restart): then it is followed
    /// from now on. Reads the database only for a group that is not the staff group.
    pub async fn staff_upgraded_to(&self, chat_id: i64) -> Result<bool, ServiceError> {
        let Some(staff) = &self.staff_chat else {
            return Ok(false);
        };
        if staff.is(chat_id) {
            return Ok(true);
        }
        let current = staff.current();
        match self.store.chat_migrated_to(current).await? {
            Some(to) if to == chat_id => Ok(staff.follow(current, to)),
            _ => Ok(false),
        }
    }

    pub fn default_locale(&self) -> Locale {
        self.default_locale
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn staff_config(&self) -> Option<&StaffConfig> {
        self.staff.as_deref()
    }

    /// Run `attempt` as one transaction, again when it lost a race. An unavailable database
    /// is handed back at once: each attempt already waited (busy or acquire timeout), and
    /// the callers have a slower retry of their own (the ingress leaves the update
    /// unconfirmed, the sender and the jobs try again later) that lets the merchant be told
    /// meanwhile.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, ServiceError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(e) if retryable(&e) && !e.is_unavailable() && tries < MAX_ATTEMPTS => {
                    tracing::debug!(tries, error = %e, "retrying transaction");
                    tokio::time::sleep(std::time::Duration::from_millis(5 << tries)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Record an update that is not part of a conversation (a message in a group, a kind
    /// of update we do not use, one whose handling panicked) as processed, queueing
    /// `outbox` with it. Returns false when it had been processed before.
    pub async fn acknowledge(
        &self,
        update_id: i64,
        chat_id: i64,
        outbox: &[NewOutbox],
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if tx.is_processed(update_id).await? {
                return Ok(false);
            }
            for item in outbox {
                tx.enqueue(item).await?;
            }
            tx.mark_processed(update_id, chat_id, now).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Apply one merchant event.
    pub async fn handle(&self, inbound: Inbound) -> Result<Outcome, ServiceError> {
        self.retrying(|| async {
            let hint = inbound.locale_hint.unwrap_or(self.default_locale);
            // Read before the transaction, which then only writes: a changed dialogue
            // fails the save with a conflict and this attempt starts over.
            let peek = self
                .store
                .peek_chat(inbound.chat_id, inbound.update_id)
                .await?;
            if peek.processed {
                return Ok(Outcome {
                    effects: Vec::new(),
                    locale: hint,
                    duplicate: true,
                });
            }
            let mut tx = self.store.begin().await?;
            tx.lock_chat(inbound.chat_id).await?;
            let outcome = self
                .step_loaded(tx.as_mut(), &inbound, peek.dialogue)
                .await?;
            if let Some(update_id) = inbound.update_id {
                tx.mark_processed(update_id, inbound.chat_id, inbound.now)
                    .await?;
            }
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    /// One step of a chat inside the caller's transaction: dialogue loaded and saved,
    /// database effects carried out, replies and staff notifications queued.
    pub(crate) async fn step_chat<T: MerchantTx + ?Sized>(
        &self,
        tx: &mut T,
        inbound: &Inbound,
    ) -> Result<Outcome, StoreError> {
        let stored = tx.load_dialogue(inbound.chat_id).await?;
        self.step_loaded(tx, inbound, stored).await
    }

    /// [`Service::step_chat`] from a dialogue already read; it is saved only if its row
    /// version is still the one read.
    async fn step_loaded<T: MerchantTx + ?Sized>(
        &self,
        tx: &mut T,
        inbound: &Inbound,
        stored: Option<StoredDialogue>,
    ) -> Result<Outcome, StoreError> {
        let chat_id = inbound.chat_id;
        let now = inbound.now;
        let expected_version = stored.as_ref().map(|s| s.row_version);
        let (dialogue, was_reset) = match &stored {
            None => (Dialogue::default(), false),
            Some(s) => match conversation::state::decode(&s.state, s.schema_version) {
                Some(d) => (d, false),
                None => {
                    tracing::warn!(chat = %crate::telemetry::chat_tag(chat_id), "stored dialogue unreadable; reset");
                    (Dialogue::default(), true)
                }
            },
        };

        let facts = read_facts(tx, chat_id, &needs(&dialogue, &inbound.incoming)).await?;
        // Events the system sends on its own carry no client language: use the one the
        // merchant's client last reported.
        let system_event = matches!(
            inbound.incoming.event,
            conversation::Event::CaseNotice(_) | conversation::Event::Reminder
        );
        let hint = if system_event {
            dialogue.client_locale.or(inbound.locale_hint)
        } else {
            inbound.locale_hint
        };
        let ctx = Ctx {
            now,
            locale_hint: hint.unwrap_or(self.default_locale),
            entropy: rand::random(),
            holidays: &self.holidays,
            facts: &facts,
        };
        let (next, mut effects) = conversation::step(dialogue, inbound.incoming.clone(), &ctx);
        if was_reset {
            effects.insert(0, reset_notice());
        }

        let mut staff_events = Vec::new();
        for effect in &effects {
            self.apply_effect(tx, chat_id, effect, now, &mut staff_events)
                .await?;
        }
        let locale = ctx.locale(&next);
        if let Some(renderer) = &self.outbox {
            for item in renderer.render(chat_id, locale, &effects, now) {
                tx.enqueue(&item).await?;
            }
            for event in &staff_events {
                for item in self.staff_rows(event, None, now) {
                    tx.enqueue(&item).await?;
                }
            }
        }
        let forgot = effects.iter().any(|e| matches!(e, Effect::Forget));
        let record = NewDialogue {
            state: conversation::state::encode(&next),
            schema_version: SCHEMA_VERSION,
            updated_at: now,
            draft_since: next.pending_since(),
            reminded: next.reminded,
        };
        // `forget_chat` removed the row, so the fresh dialogue is inserted anew.
        let expected = if forgot { None } else { expected_version };
        tx.save_dialogue(chat_id, &record, expected).await?;
        Ok(Outcome {
            effects,
            locale,
            duplicate: false,
        })
    }

    /// The database side of one effect.
    async fn apply_effect<T: MerchantTx + ?Sized>(
        &self,
        tx: &mut T,
        chat_id: i64,
        effect: &Effect,
        now: DateTime<Utc>,
        staff_events: &mut Vec<StaffEvent>,
    ) -> Result<(), StoreError> {
        let merchant = format!("merchant:{chat_id}");
        match effect {
            Effect::Submit(submission) => {
                let case = new_case(submission, chat_id)?;
                if tx.insert_case(&case).await? == InsertOutcome::Inserted {
                    if let Some(case) = tx.case(&case.case_ref).await? {
                        staff_events.push(StaffEvent::Created(case));
                    }
                }
            }
            Effect::Forget => tx.forget_chat(chat_id, now).await?,
            Effect::AnswerCase {
                case_ref,
                text,
                files,
            } => {
                let case_ref = core_ref(case_ref)?;
                let files: Vec<serde_json::Value> = files
                    .iter()
                    .map(|a| serde_json::json!({ "field": "answer", "file_id": a.file_id, "kind": a.kind }))
                    .collect();
                tx.add_answer(&case_ref, text.as_deref(), &files, now)
                    .await?;
                let requeued = tx
                    .set_status(&StatusChange {
                        case_ref: case_ref.clone(),
                        from: vec![CaseStatus::WaitingMerchant],
                        require_claimed_by: None,
                        require_chat_id: Some(chat_id),
                        to: CaseStatus::Queued,
                        claim: ClaimUpdate::KeepReviewerClearLease,
                        at: now,
                        actor: merchant,
                        action: "answered".into(),
                        detail: serde_json::json!({}),
                    })
                    .await?;
                let case = match requeued {
                    Some(case) => Some(case),
                    None => tx.case(&case_ref).await?,
                };
                if let Some(case) = case.filter(|c| c.chat_id == chat_id) {
                    staff_events.push(StaffEvent::Answered {
                        case,
                        text: text.clone(),
                        files,
                    });
                }
            }
            Effect::Withdraw { case_ref } => {
                let withdrawn = tx
                    .set_status(&StatusChange {
                        case_ref: core_ref(case_ref)?,
                        from: vec![
                            CaseStatus::Queued,
                            CaseStatus::InReview,
                            CaseStatus::WaitingMerchant,
                        ],
                        require_claimed_by: None,
                        require_chat_id: Some(chat_id),
                        to: CaseStatus::Withdrawn,
                        claim: ClaimUpdate::Clear,
                        at: now,
                        actor: merchant,
                        action: "withdrawn".into(),
                        detail: serde_json::json!({}),
                    })
                    .await?;
                if let Some(case) = withdrawn {
                    staff_events.push(StaffEvent::Changed {
                        case,
                        by: None,
                        what: staff::Change::Withdrawn,
                    });
                }
            }
            Effect::SerialNote {
                serial,
                note_ref,
                text,
            } => {
                // The audit trail of the open case keeps only that a note came, and its
                // reference: the note's text is this merchant's, and goes to the staff group
                // only (the outbox row is deleted once sent).
                let case = match tx.open_case_for_serial(serial).await? {
                    Some(case_ref) => tx.case(&case_ref).await?,
                    None => None,
                };
                if let Some(case) = &case {
                    tx.record_event(&CaseEvent {
                        case_ref: case.case_ref.clone(),
                        at: now,
                        actor: "merchant".into(),
                        action: "serial_note".into(),
                        detail: serde_json::json!({ "note": note_ref }),
                    })
                    .await?;
                }
                staff_events.push(StaffEvent::SerialNote {
                    case,
                    serial: serial.clone(),
                    note_ref: note_ref.clone(),
                    text: text.clone(),
                });
            }
            // The reply that goes with it shows the handover text; a live conversation with
            // staff is not wired yet.
            Effect::HumanRequested => {}
            Effect::Reply(_) | Effect::Notice(_) | Effect::DeleteMessage(_) => {}
        }
        Ok(())
    }
}

fn retryable(e: &StoreError) -> bool {
    // Another chat opened a case for the same serial between our read and our insert: on
    // retry the core sees that case and tells the merchant.
    matches!(e, StoreError::SerialTaken(_)) || e.is_retryable()
}

/// Read what the core asked for.
async fn read_facts<T: MerchantTx + ?Sized>(
    tx: &mut T,
    chat_id: i64,
    needs: &[Need],
) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();
    for need in needs {
        match need {
            Need::OpenCaseForSerial(serial) => {
                if let Some(case_ref) = tx.open_case_for_serial(serial).await? {
                    // Another merchant's reference never reaches the core, so no reply
                    // can show it.
                    let own = tx
                        .case(&case_ref)
                        .await?
                        .is_some_and(|c| c.chat_id == chat_id);
                    facts.open_case_for_serial = Some(OpenSerial {
                        serial: serial.clone(),
                        own_case: own.then_some(case_ref.into()),
                    });
                }
            }
            Need::OwnCases => {
                let cases = tx.cases_of_chat(chat_id).await?;
                // What the review said, for the cases `/status` shows: one read per case
                // waiting for the merchant or rejected (few merchants have any).
                for c in cases.iter().take(10) {
                    if let Some(note) = case_note(tx, &c.case_ref, c.status).await? {
                        facts.case_notes.insert(c.case_ref.to_string(), note);
                    }
                }
                facts.own_cases = cases
                    .into_iter()
                    .map(|c| CaseLine {
                        kind: c.kind,
                        status: c.status,
                        due: crate::calendar::china_date(c.due_at),
                        case_ref: c.case_ref.into(),
                    })
                    .collect();
            }
            Need::CaseToResubmit(case_ref) => {
                let Ok(case_ref) = CaseRef::parse(case_ref) else {
                    continue;
                };
                // Only the merchant's own rejected case: anyone's reference can be forged
                // into a button.
                facts.resubmit = tx
                    .case(&case_ref)
                    .await?
                    .filter(|c| c.chat_id == chat_id && c.status == CaseStatus::Rejected)
                    .map(|c| Resubmit {
                        case_ref: c.case_ref.to_string(),
                        kind: c.kind,
                        brand: c.brand,
                        fields: c.fields,
                        attachments: c.attachments,
                    });
            }
        }
    }
    Ok(facts)
}

/// The question waiting for the merchant, or why the case was rejected, from its audit
/// trail (`None` for other statuses, or once retention erased the words).
async fn case_note(
    tx: &mut (impl MerchantTx + ?Sized),
    case_ref: &CaseRef,
    status: CaseStatus,
) -> Result<Option<CaseNote>, StoreError> {
    let text_of = |detail: &serde_json::Value| {
        detail
            .get("text")
            .and_then(|t| t.as_str())
            .map(String::from)
    };
    Ok(match status {
        CaseStatus::WaitingMerchant => tx
            .last_event(case_ref, "asked")
            .await?
            .and_then(|e| text_of(&e.detail))
            .map(CaseNote::Question),
        CaseStatus::Rejected => tx.last_event(case_ref, "rejected").await?.and_then(|e| {
            let reason = e.detail.get("reason")?.as_str()?.to_string();
            Some(CaseNote::Rejected {
                reason,
                text: text_of(&e.detail),
            })
        }),
        _ => None,
    })
}

/// A case reference the core handed back in an effect. The core holds only references that
/// came from [`CaseRef::parse`] or [`CaseRef::generate`], so a malformed one can only come
/// from a damaged stored dialogue: [`StoreError::Corrupt`], and nothing is written.
fn core_ref(text: &str) -> Result<CaseRef, StoreError> {
    CaseRef::from_canonical(text.to_string()).ok_or_else(|| {
        StoreError::Corrupt("the conversation holds a malformed case reference".into())
    })
}

fn new_case(s: &Submission, chat_id: i64) -> Result<NewCase, StoreError> {
    let attachments = s
        .attachments
        .iter()
        .map(|(field, att)| {
            serde_json::json!({ "field": field, "file_id": att.file_id, "kind": att.kind })
        })
        .collect();
    Ok(NewCase {
        case_ref: core_ref(&s.case_ref)?,
        draft_id: s.draft_id.clone(),
        kind: s.kind,
        brand: s.brand.clone(),
        serial: s.serial.clone(),
        fields: serde_json::Value::Object(s.fields.clone()),
        attachments: serde_json::Value::Array(attachments),
        chat_id,
        locale: s.locale,
        created_at: s.created_at,
        due_at: s.due_at,
    })
}
