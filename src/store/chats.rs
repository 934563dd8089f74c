//! The chats role: each chat's dialogue and the Telegram updates already applied.
//!
//! Every method here is written by each backend itself (`sqlite/chats.rs`,
//! `postgres/chats.rs`): this is where the two concurrency models differ most. SQLite has one
//! writer, so a transaction's reads stay true until it commits; PostgreSQL serialises each
//! chat's transactions with an advisory lock and reports another instance's lost race as
//! [`StoreError::Conflict`]. The statements the two write alike are here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::statement::{Cells, Kind, Run, Statement};
use super::{
    BatchPeek, ChatPeek, DialogueWrite, NewDialogue, ProcessedMark, StoreError, StoredDialogue,
};

/// Whether an update was applied; bind: update id. One row when it was.
pub(crate) const IS_PROCESSED: &str = "SELECT 1 FROM processed_updates WHERE update_id = $1";

/// Record an applied update, keeping the first record; binds: update id, chat id, at.
pub(crate) const MARK_PROCESSED: &str =
    "INSERT INTO processed_updates (update_id, chat_id, processed_at) VALUES ($1, $2, $3) \
     ON CONFLICT (update_id) DO NOTHING";

/// A chat's dialogue, as [`DIALOGUE_SHAPE`]; bind: chat id. (The state is PostgreSQL `json`,
/// read as the text the core wrote; the cast changes nothing on SQLite.)
pub(crate) const LOAD_DIALOGUE: &str = "SELECT CAST(state AS TEXT), schema_version, row_version, \
     updated_at FROM dialogues WHERE chat_id = $1";

/// How to read a dialogue: state, schema version, row version, updated at.
pub(crate) const DIALOGUE_SHAPE: &[Kind] = &[Kind::Text, Kind::Int32, Kind::Int, Kind::At];

/// Whether an update was applied, and the chat's dialogue, in one statement outside any
/// transaction ([`Store::peek_chat`](super::Store::peek_chat)); binds: update id, chat id.
/// The dialogue's columns are all NULL when the chat has none.
pub(crate) const PEEK_CHAT: &str =
    "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = $1), \
     CAST(d.state AS TEXT), d.schema_version, d.row_version, d.updated_at \
     FROM (SELECT 1) AS one LEFT JOIN dialogues d ON d.chat_id = $2";

/// How to read [`PEEK_CHAT`].
pub(crate) const PEEK_SHAPE: &[Kind] = &[Kind::Bool, Kind::Text, Kind::Int32, Kind::Int, Kind::At];

/// A dialogue read as [`DIALOGUE_SHAPE`] says; `None` when its columns are NULL.
pub(crate) fn stored_dialogue(c: &mut Cells) -> Result<Option<StoredDialogue>, StoreError> {
    let (state, schema_version, row_version, updated_at) =
        (c.opt_text()?, c.opt_int()?, c.opt_int()?, c.opt_at()?);
    let (Some(state), Some(schema_version), Some(row_version), Some(updated_at)) =
        (state, schema_version, row_version, updated_at)
    else {
        return Ok(None);
    };
    let schema_version = i32::try_from(schema_version)
        .map_err(|_| StoreError::Corrupt("dialogue schema_version is out of range".into()))?;
    Ok(Some(StoredDialogue {
        state,
        schema_version,
        row_version,
        updated_at,
    }))
}

/// [`ChatTx::save_dialogue`] with a backend's two statements (they differ in how the state
/// is cast): `insert` for a new row, `update` for the row of the expected version; binds:
/// chat, state, schema version, updated at, draft since, reminded (and the expected version).
pub(crate) async fn save_dialogue(
    tx: &mut impl Run,
    [insert, update]: [&'static str; 2],
    chat_id: i64,
    dialogue: &NewDialogue,
    expected_row_version: Option<i64>,
) -> Result<(), StoreError> {
    let mut st = Statement::new(if expected_row_version.is_none() {
        insert
    } else {
        update
    })
    .bind(chat_id)
    .bind(&dialogue.state)
    .bind(dialogue.schema_version)
    .bind(dialogue.updated_at)
    .bind(dialogue.draft_since)
    .bind(dialogue.reminded);
    if let Some(expected) = expected_row_version {
        st = st.bind(expected);
    }
    match tx.execute(st).await? {
        1 => Ok(()),
        _ => Err(StoreError::Conflict),
    }
}

/// [`PEEK_CHAT`]'s answer.
pub(crate) fn chat_peek(rows: Vec<Cells>) -> Result<ChatPeek, StoreError> {
    let Some(mut row) = rows.into_iter().next() else {
        return Err(StoreError::Corrupt("the chat peek returned no row".into()));
    };
    Ok(ChatPeek {
        processed: row.bool()?,
        dialogue: stored_dialogue(&mut row)?,
    })
}

/// A chat's dialogue and whether its updates were applied, in one transaction.
#[async_trait]
pub trait ChatTx: Send {
    /// Whether this Telegram update id was already applied.
    async fn is_processed(&mut self, update_id: i64) -> Result<bool, StoreError>;

    /// Serialise this chat's transactions until this one ends (PostgreSQL: an advisory
    /// lock, so instances apply one chat's updates one at a time; SQLite has one writer
    /// anyway). [`ChatTx::load_dialogue`] takes it too.
    async fn lock_chat(&mut self, _chat_id: i64) -> Result<(), StoreError> {
        Ok(())
    }

    /// Record that this update id was applied (same transaction as its effects). Marking an
    /// id this transaction marked or saw applied again is harmless; on PostgreSQL an id
    /// another transaction recorded meanwhile is [`StoreError::Conflict`] (a lost race: the
    /// retry sees the update applied).
    async fn mark_processed(
        &mut self,
        update_id: i64,
        chat_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The stored dialogue of a chat, if any.
    async fn load_dialogue(&mut self, chat_id: i64) -> Result<Option<StoredDialogue>, StoreError>;

    /// Insert or replace the dialogue of a chat. `expected_row_version` is the version that
    /// was loaded (`None` when there was no row); a mismatch is [`StoreError::Conflict`].
    /// The stored row version becomes `expected + 1` (or 1 for a new row).
    async fn save_dialogue(
        &mut self,
        chat_id: i64,
        dialogue: &NewDialogue,
        expected_row_version: Option<i64>,
    ) -> Result<(), StoreError>;

    // A polling batch is applied in one transaction (`service::batch`): these read and
    // write for many chats in a statement or two, where the single forms would take a
    // round trip each.

    /// Before applying a batch: which of `update_ids` were applied, and the dialogues of
    /// `chat_ids` (PostgreSQL takes each chat's lock first, in one fixed order, so that
    /// two batches cannot deadlock). SQLite also reads the chats' case lists, in the same
    /// statement ([`BatchPeek::cases`]).
    async fn peek_batch(
        &mut self,
        chat_ids: &[i64],
        update_ids: &[i64],
    ) -> Result<BatchPeek, StoreError>;

    /// [`ChatTx::save_dialogue`] for several chats (each at most once).
    /// [`StoreError::Conflict`] when any row version differs from the one expected.
    async fn save_dialogues(&mut self, writes: &[DialogueWrite]) -> Result<(), StoreError>;

    /// [`ChatTx::mark_processed`] of each update.
    async fn mark_all_processed(&mut self, marks: &[ProcessedMark]) -> Result<(), StoreError>;
}
