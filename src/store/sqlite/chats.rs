//! The chats role on SQLite. The transaction holds the only write lock (`BEGIN IMMEDIATE`),
//! so what it reads stays true until it commits: no chat locks, and the row version check
//! is the whole guard against a dialogue changed since the caller's peek.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use super::rows::{push_ids, to_millis, ROWS_PER_STATEMENT};
use super::SqliteTx;
use crate::store::chats::{self, DIALOGUE_SHAPE};
use crate::store::rows::case_summary;
use crate::store::statement::{Cells, Driver, Kind, Run, Statement};
use crate::store::{
    BatchPeek, ChatTx, DialogueWrite, NewDialogue, ProcessedMark, StoreError, StoredDialogue,
};

/// Save a dialogue ([`chats::save_dialogue`]): insert a new one, or replace the one of the
/// expected row version.
const SAVE_DIALOGUE: [&str; 2] = [
    "INSERT INTO dialogues (chat_id, state, schema_version, \
     row_version, updated_at, draft_since, reminded) VALUES ($1, $2, $3, 1, $4, $5, $6) \
     ON CONFLICT (chat_id) DO NOTHING",
    "UPDATE dialogues SET state = $2, schema_version = $3, \
     row_version = row_version + 1, updated_at = $4, draft_since = $5, reminded = $6 \
     WHERE chat_id = $1 AND row_version = $7",
];

/// The columns of one row of the batch peek, by `part` (the first): 0 a processed update
/// id; 1 a dialogue (chat id, state, –, –, updated at, –, schema version, row version);
/// 2 a case (chat id, reference, kind, status, created at, due at, row id, –).
const PEEK_BATCH_SHAPE: &[Kind] = &[
    Kind::Int,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::At,
    Kind::At,
    Kind::Int,
    Kind::Int,
];

#[async_trait]
impl ChatTx for SqliteTx {
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError> {
        let st = Statement::new(chats::IS_PROCESSED).bind(update_id);
        Ok(self.fetch_optional(st, &[Kind::Int]).await?.is_some())
    }

    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Marking twice is harmless: the first record stays.
        let st = Statement::new(chats::MARK_PROCESSED)
            .bind(update_id)
            .bind(chat_id)
            .bind(at);
        self.execute(st).await?;
        Ok(())
    }

    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError> {
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
        chats::save_dialogue(self, SAVE_DIALOGUE, chat_id, dialogue, expected_row_version).await
    }

    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError> {
        // The write lock is held (BEGIN IMMEDIATE): what is read here stays true until commit.
        // All three reads in one compound statement (a round trip is what a batch waits on;
        // the reads themselves are index lookups). Its `part` column says what a row is
        // (see PEEK_BATCH_SHAPE).
        let mut peek = BatchPeek {
            cases: Some(chat_ids.iter().map(|c| (*c, Vec::new())).collect()),
            ..BatchPeek::default()
        };
        let update_chunks: Vec<&[i64]> = update_ids.chunks(ROWS_PER_STATEMENT).collect();
        let chat_chunks: Vec<&[i64]> = chat_ids.chunks(ROWS_PER_STATEMENT).collect();
        for i in 0..update_chunks.len().max(chat_chunks.len()) {
            let mut query = QueryBuilder::<Sqlite>::new("");
            if let Some(chunk) = update_chunks.get(i) {
                query.push(
                    "SELECT 0, update_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
                     FROM processed_updates WHERE update_id IN (",
                );
                push_ids(&mut query, chunk);
            }
            if let Some(chunk) = chat_chunks.get(i) {
                if update_chunks.get(i).is_some() {
                    query.push(" UNION ALL ");
                }
                query.push(
                    "SELECT 1, chat_id, state, NULL, NULL, updated_at, NULL, schema_version, \
                     row_version FROM dialogues WHERE chat_id IN (",
                );
                push_ids(&mut query, chunk);
                query.push(
                    " UNION ALL SELECT 2, chat_id, case_ref, kind, status, created_at, due_at, \
                     id, NULL FROM cases WHERE chat_id IN (",
                );
                push_ids(&mut query, chunk);
            }
            // Each chat's cases newest first (created_at, then id), as `cases_of_chat`.
            query.push(" ORDER BY 1, 2, 6 DESC, 8 DESC");
            let rows = query.build().fetch_all(&mut *self.tx).await?;
            for row in &rows {
                peek_row(&mut peek, Sqlite::cells(row, PEEK_BATCH_SHAPE)?)?;
            }
        }
        Ok(peek)
    }

    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError> {
        let (new, existing): (Vec<&DialogueWrite>, Vec<&DialogueWrite>) = writes
            .iter()
            .partition(|w| w.expected_row_version.is_none());
        let mut written = 0;
        for chunk in new.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, \
                 draft_since, reminded) ",
            );
            query.push_values(chunk, |mut row, w| {
                row.push_bind(w.chat_id)
                    .push_bind(&w.dialogue.state)
                    .push_bind(w.dialogue.schema_version)
                    .push_bind(1_i64)
                    .push_bind(to_millis(w.dialogue.updated_at))
                    .push_bind(w.dialogue.draft_since.map(to_millis))
                    .push_bind(w.dialogue.reminded);
            });
            query.push(" ON CONFLICT (chat_id) DO NOTHING");
            written += query.build().execute(&mut *self.tx).await?.rows_affected();
        }
        for chunk in existing.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "WITH v (chat_id, state, schema_version, updated_at, draft_since, reminded, \
                 expected) AS (",
            );
            query.push_values(chunk, |mut row, w| {
                row.push_bind(w.chat_id)
                    .push_bind(&w.dialogue.state)
                    .push_bind(w.dialogue.schema_version)
                    .push_bind(to_millis(w.dialogue.updated_at))
                    .push_bind(w.dialogue.draft_since.map(to_millis))
                    .push_bind(w.dialogue.reminded)
                    .push_bind(w.expected_row_version);
            });
            query.push(
                ") UPDATE dialogues SET state = v.state, schema_version = v.schema_version, \
                 row_version = dialogues.row_version + 1, updated_at = v.updated_at, \
                 draft_since = v.draft_since, reminded = v.reminded \
                 FROM v WHERE dialogues.chat_id = v.chat_id AND dialogues.row_version = v.expected",
            );
            written += query.build().execute(&mut *self.tx).await?.rows_affected();
        }
        if written == writes.len() as u64 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError> {
        for chunk in marks.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO processed_updates (update_id, chat_id, processed_at) ",
            );
            query.push_values(chunk, |mut row, mark| {
                row.push_bind(mark.update_id)
                    .push_bind(mark.chat_id)
                    .push_bind(to_millis(mark.at));
            });
            // Marking twice is harmless: the first record stays.
            query.push(" ON CONFLICT (update_id) DO NOTHING");
            query.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

/// File one row of the batch peek (see `peek_batch`).
fn peek_row(peek: &mut BatchPeek, mut row: Cells) -> Result<(), StoreError> {
    let part = row.int()?;
    let id = row.int()?;
    match part {
        0 => {
            peek.processed.insert(id);
        }
        1 => {
            let state = row.text()?;
            let (_, _) = (row.opt_text()?, row.opt_text()?);
            let updated_at = row.at()?;
            let _ = row.opt_at()?;
            let schema_version = i32::try_from(row.int()?).map_err(|_| {
                StoreError::Corrupt("dialogue schema_version is out of range".into())
            })?;
            let dialogue = StoredDialogue {
                state,
                schema_version,
                row_version: row.int()?,
                updated_at,
            };
            peek.dialogues.insert(id, dialogue);
        }
        _ => {
            let summary = case_summary(&mut row)?;
            if let Some(cases) = &mut peek.cases {
                cases.entry(id).or_default().push(summary);
            }
        }
    }
    Ok(())
}
