//! Applies one incoming event to one chat, atomically (DESIGN.md, principle 4).
//!
//! In a single database transaction: skip the update if it was already applied, load the
//! dialogue, read the facts the core asks for, run the pure step, insert a submitted case,
//! save the new dialogue and record the update id. Only after the commit are the effects
//! handed back to the adapter to send. A crash before the commit leaves nothing half
//! written and the update is processed again; after it, nothing is redone.

use crate::conversation::{
    self, needs, reset_notice, CaseLine, Ctx, Dialogue, Effect, Facts, Incoming, Need, Submission,
    SCHEMA_VERSION,
};
use crate::domain::CaseKind;
use crate::i18n::Locale;
use crate::store::{NewCase, NewDialogue, NewOutbox, Store, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// How often a transaction that lost a race (busy database, concurrent update of the same
/// chat, a serial taken by another chat meanwhile) is retried before giving up.
const MAX_ATTEMPTS: u32 = 6;

/// One event for one chat, as an adapter delivers it.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub chat_id: i64,
    /// Telegram's update id, for exactly-once processing; `None` for the terminal.
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

/// Turns a step's effects into outbox rows, written in the step's transaction (the Telegram
/// adapter renders them as Bot API requests). Without one, effects are only returned.
pub trait OutboxRenderer: Send + Sync {
    fn render(
        &self,
        chat_id: i64,
        locale: Locale,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox>;
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The conversation, bound to a store.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    default_locale: Locale,
    holidays: Arc<Vec<NaiveDate>>,
    outbox: Option<Arc<dyn OutboxRenderer>>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, default_locale: Locale, holidays: Vec<NaiveDate>) -> Self {
        Service {
            store,
            default_locale,
            holidays: Arc::new(holidays),
            outbox: None,
        }
    }

    /// Write each step's effects to the outbox, rendered by `renderer`.
    pub fn with_outbox(mut self, renderer: Arc<dyn OutboxRenderer>) -> Self {
        self.outbox = Some(renderer);
        self
    }

    pub fn default_locale(&self) -> Locale {
        self.default_locale
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
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = async {
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
            }
            .await;
            match result {
                Err(e) if retryable(&e) && attempt < MAX_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                other => return other.map_err(ServiceError::from),
            }
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Apply one event, retrying transactions that lost a race.
    pub async fn handle(&self, inbound: Inbound) -> Result<Outcome, ServiceError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_handle(&inbound).await {
                Ok(outcome) => return Ok(outcome),
                Err(e) if retryable(&e) && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "retrying update");
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn try_handle(&self, inbound: &Inbound) -> Result<Outcome, StoreError> {
        let chat_id = inbound.chat_id;
        let hint = inbound.locale_hint.unwrap_or(self.default_locale);
        let mut tx = self.store.begin().await?;
        if let Some(update_id) = inbound.update_id {
            if tx.is_processed(update_id).await? {
                return Ok(Outcome {
                    effects: Vec::new(),
                    locale: hint,
                    duplicate: true,
                });
            }
        }
        let stored = tx.load_dialogue(chat_id).await?;
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

        let facts = read_facts(tx.as_mut(), chat_id, &needs(&dialogue, &inbound.incoming)).await?;
        let ctx = Ctx {
            now: inbound.now,
            locale_hint: hint,
            entropy: rand::random(),
            holidays: &self.holidays,
            facts: &facts,
        };
        let (next, mut effects) = conversation::step(dialogue, inbound.incoming.clone(), &ctx);
        if was_reset {
            effects.insert(0, reset_notice());
        }

        for effect in &effects {
            match effect {
                Effect::Submit(submission) => {
                    tx.insert_case(&new_case(submission, chat_id)).await?;
                }
                Effect::Forget => tx.forget_chat(chat_id, inbound.now).await?,
                _ => {}
            }
        }
        let locale = ctx.locale(&next);
        if let Some(renderer) = &self.outbox {
            for item in renderer.render(chat_id, locale, &effects, inbound.now) {
                tx.enqueue(&item).await?;
            }
        }
        let forgot = effects.iter().any(|e| matches!(e, Effect::Forget));
        let record = NewDialogue {
            state: conversation::state::encode(&next),
            schema_version: SCHEMA_VERSION,
            updated_at: inbound.now,
        };
        // `forget_chat` removed the row, so the fresh dialogue is inserted anew.
        let expected = if forgot { None } else { expected_version };
        tx.save_dialogue(chat_id, &record, expected).await?;
        if let Some(update_id) = inbound.update_id {
            tx.mark_processed(update_id, chat_id, inbound.now).await?;
        }
        tx.commit().await?;
        Ok(Outcome {
            effects,
            locale,
            duplicate: false,
        })
    }
}

fn retryable(e: &StoreError) -> bool {
    // Another chat opened a case for the same serial between our read and our insert: on
    // retry the core sees that case and tells the merchant.
    matches!(e, StoreError::SerialTaken(_)) || e.is_retryable()
}

/// Read what the core asked for.
async fn read_facts(tx: &mut dyn Tx, chat_id: i64, needs: &[Need]) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();
    for need in needs {
        match need {
            Need::OpenCaseForSerial(serial) => {
                if let Some(case_ref) = tx.open_case_for_serial(serial).await? {
                    facts.open_case_for_serial = Some((serial.clone(), case_ref));
                }
            }
            Need::OwnCases => {
                facts.own_cases = tx
                    .cases_of_chat(chat_id)
                    .await?
                    .into_iter()
                    .filter_map(|c| {
                        Some(CaseLine {
                            kind: CaseKind::from_id(&c.kind)?,
                            open: c.status.is_open(),
                            status: c.status.as_str().to_string(),
                            due: crate::calendar::china_date(c.due_at),
                            case_ref: c.case_ref,
                        })
                    })
                    .collect();
            }
        }
    }
    Ok(facts)
}

fn new_case(s: &Submission, chat_id: i64) -> NewCase {
    let attachments = s
        .attachments
        .iter()
        .map(|(field, att)| {
            serde_json::json!({ "field": field, "file_id": att.file_id, "kind": att.kind })
        })
        .collect();
    NewCase {
        case_ref: s.case_ref.clone(),
        draft_id: s.draft_id.clone(),
        kind: s.kind.id().to_string(),
        brand: s.brand.clone(),
        serial: s.serial.clone(),
        fields: serde_json::Value::Object(s.fields.clone()),
        attachments: serde_json::Value::Array(attachments),
        chat_id,
        locale: s.locale.tag().to_string(),
        created_at: s.created_at,
        due_at: s.due_at,
    }
}
