//! Group commit: a batch of merchant updates (one `getUpdates` answer) applied in one
//! transaction.
//!
//! Applying updates one transaction each costs a BEGIN, a COMMIT and a round trip per
//! statement for every update; on SQLite, with one writer, that serial path capped the bot at
//! about 1,400 updates/s (issue #6, BENCHMARKS.md). Here the batch's processed ids and
//! dialogues are read up front (on SQLite in one statement, with the chats' case lists; the
//! edge begins this while it classifies the updates, [`Service::begin_batch`]), each update
//! runs the same step as [`Service::handle`] against [`BatchTx`], and the writes every
//! update makes (its dialogue, its replies, its processed mark) are written together before
//! the commit. The result is
//! the one applying the updates one by one would give: each chat's updates are applied in
//! order, each on the dialogue the previous one left.
//!
//! The batch succeeds or fails as a whole. The caller falls back to one transaction per
//! update when it fails for any reason other than an unavailable database, so one bad
//! update (or a panic) costs the group commit, never another update.

use super::{Inbound, Outcome, Service, ServiceError};
use crate::domain::{CaseRecord, CaseRef, StatusChange};
#[cfg(doc)]
use crate::store::MerchantTx;
use crate::store::{
    BatchPeek, CaseEvent, CaseSummary, CaseTx, ChatTx, DialogueWrite, InsertOutcome, NewCase,
    NewDialogue, NewOutbox, OutboxTx, ProcessedMark, StoreError, StoredDialogue, Tx,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use tracing::Instrument;

/// A batch's transaction begun and the batch's chats read ([`Service::begin_batch`]) before
/// its updates are classified: the edge starts it first, so that the round trips to the
/// database and the classification overlap.
pub struct BatchStart {
    tx: BatchTx,
}

impl Service {
    /// Apply a batch of merchant events in one transaction; the outcomes are in the order
    /// of `batch`, as [`Service::handle`] would give them one by one.
    pub async fn handle_batch(&self, batch: &[Inbound]) -> Result<Vec<Outcome>, ServiceError> {
        let chat_ids: Vec<i64> = batch.iter().map(|i| i.chat_id).collect();
        let update_ids: Vec<i64> = batch.iter().filter_map(|i| i.update_id).collect();
        self.retrying(|| async {
            let start = self.start_batch(chat_ids.clone(), &update_ids).await?;
            self.apply_batch(start.tx, batch).await
        })
        .await
    }

    /// Begin a batch's transaction and read what the batch will need of these chats and
    /// update ids, for [`Service::handle_batch_from`]. Chats and ids the batch turns out not
    /// to have cost a little reading; those it has beyond them are read when met.
    pub async fn begin_batch(
        &self,
        chat_ids: Vec<i64>,
        update_ids: Vec<i64>,
    ) -> Result<BatchStart, ServiceError> {
        Ok(self.start_batch(chat_ids, &update_ids).await?)
    }

    /// [`Service::handle_batch`] on a transaction begun ahead. When it fails in a way a
    /// fresh attempt can get past (a conflict), the batch starts over as `handle_batch`.
    pub async fn handle_batch_from(
        &self,
        start: BatchStart,
        batch: &[Inbound],
    ) -> Result<Vec<Outcome>, ServiceError> {
        match self.apply_batch(start.tx, batch).await {
            Ok(outcomes) => Ok(outcomes),
            Err(e) if super::retryable(&e) && !e.is_unavailable() => {
                tracing::debug!(error = %e, "batch begun ahead failed; starting over");
                self.handle_batch(batch).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn start_batch(
        &self,
        mut chat_ids: Vec<i64>,
        update_ids: &[i64],
    ) -> Result<BatchStart, StoreError> {
        chat_ids.sort_unstable();
        chat_ids.dedup();
        let mut tx = self.store.begin().await?;
        let peek = tx.peek_batch(&chat_ids, update_ids).await?;
        Ok(BatchStart {
            tx: BatchTx::new(tx, peek, &chat_ids, update_ids),
        })
    }

    /// Apply each event in turn, then write and commit.
    async fn apply_batch(
        &self,
        mut tx: BatchTx,
        batch: &[Inbound],
    ) -> Result<Vec<Outcome>, StoreError> {
        let mut outcomes = Vec::with_capacity(batch.len());
        for inbound in batch {
            // The span a single update gets at the edge, so logs read the same.
            let span = tracing::info_span!(
                "update",
                id = inbound.update_id,
                kind = inbound.incoming.event.kind_name(),
                chat = %crate::telemetry::chat_tag(inbound.chat_id),
            );
            let outcome = self
                .apply_in_batch(&mut tx, inbound)
                .instrument(span)
                .await?;
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn apply_in_batch(
        &self,
        tx: &mut BatchTx,
        inbound: &Inbound,
    ) -> Result<Outcome, StoreError> {
        if let Some(update_id) = inbound.update_id {
            if tx.is_processed(update_id).await? {
                tracing::debug!("already processed");
                return Ok(Outcome {
                    effects: Vec::new(),
                    locale: inbound.locale_hint.unwrap_or(self.default_locale),
                    duplicate: true,
                });
            }
        }
        let stored = tx.load_dialogue(inbound.chat_id).await?;
        let outcome = self.step_loaded(tx, inbound, stored).await?;
        if let Some(update_id) = inbound.update_id {
            tx.mark_processed(update_id, inbound.chat_id, inbound.now)
                .await?;
        }
        tracing::debug!(effects = outcome.effects.len(), "applied in a batch");
        Ok(outcome)
    }
}

/// A chat of the batch as the batch has left it so far.
struct ChatView {
    /// What the steps see. Its row version stays the one read at the start of the batch
    /// (0 for a dialogue the batch created), so a step's save is checked against the
    /// dialogue it loaded whether or not earlier saves were written meanwhile.
    current: Option<StoredDialogue>,
    /// The row version in the database (`None`: no row).
    db_version: Option<i64>,
    /// Saved by a step, not yet written.
    pending: Option<NewDialogue>,
}

/// A batch's transaction: the roles a merchant's step uses ([`MerchantTx`]: chats, cases,
/// outbox), and no staff or job work, which never runs in a batch. The batch's chats are
/// read once up front, and the frequent writes (dialogues, outbox rows, processed marks) are
/// buffered and written with one statement per table. Everything else is passed to the
/// transaction: what reads or writes those three tables (`forget_chat`, another chat's
/// dialogue …) after the buffered writes, so that it sees what the steps before it wrote;
/// what touches only other tables (cases and their events) at once, since the buffered
/// writes cannot change what it reads or does. A merchant's `/start` reads their cases: a
/// flush there would cost the batch a round trip per table.
pub(super) struct BatchTx {
    inner: Box<dyn Tx>,
    chats: HashMap<i64, ChatView>,
    /// The batch's update ids: for these, `processed` is the whole truth.
    batch_ids: HashSet<i64>,
    processed: HashSet<i64>,
    outbox: Vec<NewOutbox>,
    marks: Vec<ProcessedMark>,
    /// The case lists of the batch's chats (every `/start` and `/status` shows the
    /// merchant's cases): read with the peek where the backend does, else (all in one
    /// statement) the first time a step asks for one. `None` until then, and again after a
    /// write that may change any chat's cases.
    cases: Option<HashMap<i64, Vec<CaseSummary>>>,
    /// Chats whose list in `cases` is out of date (a case was inserted since): their
    /// lists are read from the transaction.
    cases_changed: HashSet<i64>,
}

impl BatchTx {
    fn new(inner: Box<dyn Tx>, peek: BatchPeek, chat_ids: &[i64], update_ids: &[i64]) -> Self {
        let BatchPeek {
            processed,
            mut dialogues,
            cases,
        } = peek;
        let chats = chat_ids
            .iter()
            .map(|chat_id| {
                let current = dialogues.remove(chat_id);
                let view = ChatView {
                    db_version: current.as_ref().map(|c| c.row_version),
                    current,
                    pending: None,
                };
                (*chat_id, view)
            })
            .collect();
        BatchTx {
            inner,
            chats,
            batch_ids: update_ids.iter().copied().collect(),
            processed,
            outbox: Vec::new(),
            marks: Vec::new(),
            cases,
            cases_changed: HashSet::new(),
        }
    }

    /// Cases may have changed anywhere: the lists are read again when next needed.
    fn cases_changed_anywhere(&mut self) {
        self.cases = None;
        self.cases_changed.clear();
    }

    /// Write what is buffered.
    async fn flush(&mut self) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        for (chat_id, view) in &mut self.chats {
            if let Some(dialogue) = view.pending.take() {
                writes.push(DialogueWrite {
                    chat_id: *chat_id,
                    dialogue,
                    expected_row_version: view.db_version,
                });
                view.db_version = Some(view.db_version.map_or(1, |v| v + 1));
            }
        }
        if !writes.is_empty() {
            self.inner.save_dialogues(&writes).await?;
        }
        if !self.outbox.is_empty() {
            let outbox = std::mem::take(&mut self.outbox);
            self.inner.enqueue_all(&outbox).await?;
        }
        if !self.marks.is_empty() {
            let marks = std::mem::take(&mut self.marks);
            self.inner.mark_all_processed(&marks).await?;
        }
        Ok(())
    }

    /// Write what is buffered and commit.
    async fn commit(mut self) -> Result<(), StoreError> {
        self.flush().await?;
        self.inner.commit().await
    }

    /// The chat's dialogue is gone from the database (deleted by `forget_chat`, after a
    /// flush).
    fn dialogue_deleted(&mut self, chat_id: i64) {
        if let Some(view) = self.chats.get_mut(&chat_id) {
            *view = ChatView {
                current: None,
                db_version: None,
                pending: None,
            };
        }
    }
}

#[async_trait]
impl ChatTx for BatchTx {
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError> {
        if self.batch_ids.contains(&update_id) {
            return Ok(self.processed.contains(&update_id));
        }
        self.flush().await?;
        self.inner.is_processed(update_id).await
    }

    async fn lock_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        self.inner.lock_chat(chat_id).await
    }

    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Marking twice is harmless: the first record stays.
        if self.processed.insert(update_id) {
            self.batch_ids.insert(update_id);
            self.marks.push(ProcessedMark {
                update_id,
                chat_id,
                at,
            });
        }
        Ok(())
    }

    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError> {
        if let Some(view) = self.chats.get(&chat_id) {
            return Ok(view.current.clone());
        }
        self.flush().await?;
        self.inner.load_dialogue(chat_id).await
    }

    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError> {
        let Some(view) = self.chats.get_mut(&chat_id) else {
            self.flush().await?;
            return self
                .inner
                .save_dialogue(chat_id, dialogue, expected_row_version)
                .await;
        };
        let seen = view.current.as_ref().map(|c| c.row_version);
        if seen != expected_row_version {
            return Err(StoreError::Conflict);
        }
        view.current = Some(StoredDialogue {
            state: dialogue.state.clone(),
            schema_version: dialogue.schema_version,
            row_version: seen.unwrap_or(0),
            updated_at: dialogue.updated_at,
        });
        view.pending = Some(dialogue.clone());
        Ok(())
    }

    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError> {
        self.flush().await?;
        self.inner.peek_batch(chat_ids, update_ids).await
    }

    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError> {
        for w in writes {
            self.save_dialogue(w.chat_id, &w.dialogue, w.expected_row_version)
                .await?;
        }
        Ok(())
    }

    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError> {
        for m in marks {
            self.mark_processed(m.update_id, m.chat_id, m.at).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl CaseTx for BatchTx {
    async fn insert_case(&mut self, case: &NewCase) -> Result<InsertOutcome, StoreError> {
        self.cases_changed.insert(case.chat_id);
        self.inner.insert_case(case).await
    }

    async fn open_case_for_serial(&mut self, serial: &str) -> Result<Option<CaseRef>, StoreError> {
        self.inner.open_case_for_serial(serial).await
    }

    async fn cases_of_chat(&mut self, chat_id: i64) -> Result<Vec<CaseSummary>, StoreError> {
        if !self.chats.contains_key(&chat_id) || self.cases_changed.contains(&chat_id) {
            return self.inner.cases_of_chat(chat_id).await;
        }
        if self.cases.is_none() {
            let chat_ids: Vec<i64> = self.chats.keys().copied().collect();
            self.cases = Some(self.inner.cases_of_chats(&chat_ids).await?);
            self.cases_changed.clear();
        }
        let cached = self.cases.as_ref().and_then(|c| c.get(&chat_id));
        Ok(cached.cloned().unwrap_or_default())
    }

    async fn cases_of_chats(
        &mut self,
        chat_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CaseSummary>>, StoreError> {
        let mut cases = HashMap::with_capacity(chat_ids.len());
        for chat_id in chat_ids {
            cases.insert(*chat_id, self.cases_of_chat(*chat_id).await?);
        }
        Ok(cases)
    }

    async fn record_event(&mut self, event: &CaseEvent) -> Result<(), StoreError> {
        self.inner.record_event(event).await
    }

    async fn last_event(
        &mut self,
        case_ref: &CaseRef,
        action: &str,
    ) -> Result<Option<CaseEvent>, StoreError> {
        self.inner.last_event(case_ref, action).await
    }

    async fn case(&mut self, case_ref: &CaseRef) -> Result<Option<CaseRecord>, StoreError> {
        self.inner.case(case_ref).await
    }

    async fn set_status(
        &mut self,
        change: &StatusChange,
    ) -> Result<Option<CaseRecord>, StoreError> {
        self.cases_changed_anywhere();
        self.inner.set_status(change).await
    }

    async fn add_answer(
        &mut self,
        case_ref: &CaseRef,
        text: Option<&str>,
        files: &[serde_json::Value],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.cases_changed_anywhere();
        self.inner.add_answer(case_ref, text, files, at).await
    }

    async fn forget_chat(&mut self, chat_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.flush().await?;
        self.inner.forget_chat(chat_id, at).await?;
        self.dialogue_deleted(chat_id);
        self.cases_changed_anywhere();
        Ok(())
    }
}

#[async_trait]
impl OutboxTx for BatchTx {
    async fn enqueue(&mut self, item: &NewOutbox) -> Result<(), StoreError> {
        // `enqueue_all` applies a coalesce key in its place, so buffering keeps the meaning.
        self.outbox.push(item.clone());
        Ok(())
    }

    async fn enqueue_all(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        self.outbox.extend_from_slice(items);
        Ok(())
    }

    async fn enqueue_unkeyed(&mut self, items: &[NewOutbox]) -> Result<(), StoreError> {
        self.enqueue_all(items).await
    }
}
