//! The chats role on PostgreSQL. READ COMMITTED transactions do not hold a database-wide
//! lock, so each chat's transactions are serialised by an advisory lock (`locks.rs`), taken
//! before the dialogue is read; another instance applying the same update meanwhile shows
//! up as a processed id this transaction did not see: [`StoreError::Conflict`].

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rows::ms;
use super::PgTx;
use crate::store::chats::{self, DIALOGUE_SHAPE};
use crate::store::statement::Query;
use crate::store::statement::{Kind, Run, Statement};
use crate::store::{
    BatchPeek, ChatTx, DialogueWrite, NewDialogue, ProcessedMark, StoreError, StoredDialogue,
};
use sqlx::Postgres;

/// Save a dialogue ([`chats::save_dialogue`]): insert a new one, or replace the one of the
/// expected row version (the state is `json`, kept as the exact text the core wrote).
const SAVE_DIALOGUE: [&str; 2] = [
    "INSERT INTO dialogues (chat_id, state, schema_version, \
     row_version, updated_at, draft_since, reminded) \
     VALUES ($1, $2::json, $3, 1, $4, $5, $6) ON CONFLICT (chat_id) DO NOTHING",
    "UPDATE dialogues SET state = $2::json, schema_version = $3, \
     row_version = row_version + 1, updated_at = $4, draft_since = $5, reminded = $6 \
     WHERE chat_id = $1 AND row_version = $7",
];

#[async_trait]
impl ChatTx for PgTx {
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError> {
        let st = Statement::new(chats::IS_PROCESSED).bind(update_id);
        let found = self.fetch_optional(st, &[Kind::Int32]).await?.is_some();
        if found {
            self.known_processed.insert(update_id);
        }
        Ok(found)
    }

    async fn lock_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        self.lock_one_chat(chat_id).await
    }

    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.known_processed.contains(&update_id) {
            // Marking twice is harmless: the first record stays.
            return Ok(());
        }
        // The insert waits for a concurrent transaction holding the same id. Its row, once
        // committed, is the unique violation of another instance applying this update too:
        // reported as a conflict (the transaction stays usable, and the caller's retry sees
        // the update processed).
        let st = Statement::new(chats::MARK_PROCESSED)
            .bind(update_id)
            .bind(chat_id)
            .bind(at);
        if self.execute(st).await? == 0 {
            return Err(StoreError::Conflict);
        }
        self.known_processed.insert(update_id);
        Ok(())
    }

    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError> {
        // A statement of its own: READ COMMITTED takes a statement's snapshot when it
        // starts, so the read below must start after the lock is granted to see what the
        // previous holder committed.
        self.lock_one_chat(chat_id).await?;
        let st = Statement::new(chats::LOAD_DIALOGUE).bind(chat_id);
        match self.fetch_optional(st, DIALOGUE_SHAPE).await? {
            Some(mut row) => chats::stored_dialogue(&mut row),
            None => Ok(None),
        }
    }

    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError> {
        // The row version check stays even under the chat lock: it also guards writers that
        // saved without loading, and it is the whole guard on the SQLite backend.
        chats::save_dialogue(self, SAVE_DIALOGUE, chat_id, dialogue, expected_row_version).await
    }

    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError> {
        self.lock_chats(chat_ids).await?;
        // Statements of their own, after the locks (see `load_dialogue`). The chats' case
        // lists are read when first needed (`BatchPeek::cases` is `None`).
        let processed: Vec<i64> =
            sqlx::query_scalar("SELECT update_id FROM processed_updates WHERE update_id = ANY($1)")
                .bind(update_ids)
                .fetch_all(&mut *self.tx)
                .await?;
        self.known_processed.extend(&processed);
        let rows: Vec<(i64, String, i32, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT chat_id, state::text, schema_version, row_version, updated_at \
             FROM dialogues WHERE chat_id = ANY($1)",
        )
        .bind(chat_ids)
        .fetch_all(&mut *self.tx)
        .await?;
        let dialogues = rows
            .into_iter()
            .map(
                |(chat_id, state, schema_version, row_version, updated_at)| {
                    let dialogue = StoredDialogue {
                        state,
                        schema_version,
                        row_version,
                        updated_at,
                    };
                    (chat_id, dialogue)
                },
            )
            .collect();
        Ok(BatchPeek {
            processed: processed.into_iter().collect(),
            dialogues,
            cases: None,
        })
    }

    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError> {
        let (new, existing): (Vec<&DialogueWrite>, Vec<&DialogueWrite>) = writes
            .iter()
            .partition(|w| w.expected_row_version.is_none());
        let mut written = 0;
        if !new.is_empty() {
            let c = DialogueColumns::of(&new);
            let insert = sqlx::query(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) \
                 SELECT chat_id, state::json, schema_version, 1, updated_at, draft_since, reminded \
                 FROM unnest($1::int8[], $2::text[], $3::int4[], $4::timestamptz[], \
                 $5::timestamptz[], $6::bool[]) \
                 AS v (chat_id, state, schema_version, updated_at, draft_since, reminded) \
                 ON CONFLICT (chat_id) DO NOTHING",
            );
            written += c
                .bind_to(insert)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        }
        if !existing.is_empty() {
            let c = DialogueColumns::of(&existing);
            let expected: Vec<Option<i64>> =
                existing.iter().map(|w| w.expected_row_version).collect();
            let update = sqlx::query(
                "UPDATE dialogues AS d SET state = v.state::json, \
                 schema_version = v.schema_version, row_version = d.row_version + 1, \
                 updated_at = v.updated_at, draft_since = v.draft_since, reminded = v.reminded \
                 FROM unnest($1::int8[], $2::text[], $3::int4[], $4::timestamptz[], \
                 $5::timestamptz[], $6::bool[], $7::int8[]) \
                 AS v (chat_id, state, schema_version, updated_at, draft_since, reminded, expected) \
                 WHERE d.chat_id = v.chat_id AND d.row_version = v.expected",
            );
            written += c
                .bind_to(update)
                .bind(&expected)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        }
        if written == writes.len() as u64 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError> {
        // As `mark_processed`: ids this transaction knows are skipped; any other found
        // recorded was applied by another transaction meanwhile, a lost race.
        let mut seen = HashSet::new();
        let fresh: Vec<&ProcessedMark> = marks
            .iter()
            .filter(|m| !self.known_processed.contains(&m.update_id) && seen.insert(m.update_id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let update_id: Vec<i64> = fresh.iter().map(|m| m.update_id).collect();
        let chat_id: Vec<i64> = fresh.iter().map(|m| m.chat_id).collect();
        let at: Vec<DateTime<Utc>> = fresh.iter().map(|m| ms(m.at)).collect();
        let inserted = sqlx::query(
            "INSERT INTO processed_updates (update_id, chat_id, processed_at) \
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::timestamptz[]) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(&update_id)
        .bind(&chat_id)
        .bind(&at)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if inserted != update_id.len() as u64 {
            return Err(StoreError::Conflict);
        }
        self.known_processed.extend(update_id);
        Ok(())
    }
}

/// The columns of dialogues to write, as arrays for `unnest`.
struct DialogueColumns {
    chat_id: Vec<i64>,
    state: Vec<String>,
    schema_version: Vec<i32>,
    updated_at: Vec<DateTime<Utc>>,
    draft_since: Vec<Option<DateTime<Utc>>>,
    reminded: Vec<bool>,
}

impl DialogueColumns {
    fn of(writes: &[&DialogueWrite]) -> Self {
        DialogueColumns {
            chat_id: writes.iter().map(|w| w.chat_id).collect(),
            state: writes.iter().map(|w| w.dialogue.state.clone()).collect(),
            schema_version: writes.iter().map(|w| w.dialogue.schema_version).collect(),
            updated_at: writes.iter().map(|w| ms(w.dialogue.updated_at)).collect(),
            draft_since: writes
                .iter()
                .map(|w| w.dialogue.draft_since.map(ms))
                .collect(),
            reminded: writes.iter().map(|w| w.dialogue.reminded).collect(),
        }
    }

    /// Bind the columns as `$1` … `$6`, in the order of the struct.
    fn bind_to<'q>(&'q self, query: Query<'q, Postgres>) -> Query<'q, Postgres> {
        query
            .bind(&self.chat_id)
            .bind(&self.state)
            .bind(&self.schema_version)
            .bind(&self.updated_at)
            .bind(&self.draft_since)
            .bind(&self.reminded)
    }
}
