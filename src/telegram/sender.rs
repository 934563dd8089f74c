//! Delivers the outbox: sends due rows within Telegram's flood limits, in order per chat,
//! and deletes each row once Telegram accepted it. Rows left by a crash are sent on restart.
//! A row sent while the database refuses the deletion is remembered and not sent again.
//!
//! What Telegram refuses for good is not dropped silently: it is logged as an error; a card
//! whose edit is refused is posted anew; a job's message that is refused undoes the job's
//! run (it runs again). A group upgraded to a supergroup (`migrate_to_chat_id`) is followed:
//! its waiting rows go to the new id, and the staff group with them.

use super::lean::{self, SentMessage};
use super::limiter::Limiter;
use super::outgoing::{JobRun, Markup, Outgoing};
use super::TgBot;
use crate::domain::CaseRef;
use crate::review::StaffChat;
use crate::store::{OutboxItem, Store};
use chrono::{Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use teloxide::payloads::{SendMessage, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMedia,
    InputMediaPhoto, KeyboardButton, KeyboardMarkup, KeyboardRemove, MessageId, ParseMode,
    ReplyMarkup, ThreadId,
};
use teloxide::{ApiError, RequestError};
use tokio::sync::{watch, Notify};

/// Give up on a row after this many failed attempts (about an hour of back-off).
const MAX_ATTEMPTS: i64 = 12;
/// Rows fetched per round.
const BATCH: i64 = 200;
/// How often an idle sender looks for rows it was not woken for (rows committed by another
/// instance on the same database, rows whose time came).
const IDLE_POLL: std::time::Duration = std::time::Duration::from_millis(200);
/// How often the limiter forgets chats that have been quiet.
const FORGET_IDLE: std::time::Duration = std::time::Duration::from_secs(60);
/// How often a standby instance checks whether the sender lock became free.
const STANDBY_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// What happened to one row.
enum Sent {
    Done,
    /// Try again later (network trouble, Telegram busy).
    Later(Duration),
    /// The chat became another (a group upgraded to a supergroup): the row, and the
    /// chat's others, now wait for the new id.
    Moved,
}

/// Run until `shutdown` turns true and nothing due is left.
pub async fn run(
    store: Arc<dyn Store>,
    bot: TgBot,
    limiter: Arc<Limiter>,
    wake: Arc<Notify>,
    shutdown: watch::Receiver<bool>,
) {
    run_with(store, bot, limiter, wake, None, shutdown).await
}

/// [`run`], following the staff group `staff` when Telegram upgrades it.
pub async fn run_with(
    store: Arc<dyn Store>,
    bot: TgBot,
    limiter: Arc<Limiter>,
    wake: Arc<Notify>,
    staff: Option<StaffChat>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut forgot = std::time::Instant::now();
    // Rows Telegram accepted whose deletion failed (the database is unavailable for
    // writes, e.g. SQLite locked, while reads still work): deleted as soon as possible and
    // meanwhile never sent again. Only rows that existed when the outage began can get
    // here, so the set stays small.
    let mut sent_undeleted = BTreeSet::new();
    loop {
        if forgot.elapsed() >= FORGET_IDLE {
            limiter.forget_idle();
            forgot = std::time::Instant::now();
        }
        // With several instances on one database, one sends; the others stand by and take
        // over if it goes away.
        match store.acquire_sender_lock().await {
            Ok(true) => {}
            Ok(false) => {
                if *shutdown.borrow() {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep(STANDBY_POLL) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox sender lock unavailable; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        }
        if !sent_undeleted.is_empty() {
            let ids: Vec<i64> = sent_undeleted.iter().copied().collect();
            if store.outbox_done(&ids).await.is_ok() {
                sent_undeleted.clear();
            }
        }
        let due = match store.due_outbox(Utc::now(), BATCH).await {
            Ok(due) => due
                .into_iter()
                .filter(|item| !sent_undeleted.contains(&item.id))
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::warn!(error = %e, "outbox unavailable; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if due.is_empty() {
            if *shutdown.borrow() {
                return;
            }
            let wait = match store.next_outbox_due().await {
                Ok(Some(at)) if sent_undeleted.is_empty() => {
                    (at - Utc::now()).to_std().unwrap_or_default()
                }
                _ => IDLE_POLL,
            }
            .min(IDLE_POLL);
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        sent_undeleted.extend(send_round(&store, &bot, &limiter, staff.as_ref(), due).await);
    }
}

/// Send one round: chats in parallel, each chat's rows in order; a row that must wait
/// holds back the rows after it in the same chat. The rows sent are deleted together at the
/// end of the round (one write instead of one per message; a crash before it resends them,
/// as a crash between a send and its delete always could). Returns the rows that were sent
/// (or given up on) but could not be deleted.
async fn send_round(
    store: &Arc<dyn Store>,
    bot: &TgBot,
    limiter: &Arc<Limiter>,
    staff: Option<&StaffChat>,
    due: Vec<OutboxItem>,
) -> Vec<i64> {
    let mut by_chat: BTreeMap<i64, Vec<OutboxItem>> = BTreeMap::new();
    for item in due {
        by_chat.entry(item.chat_id).or_default().push(item);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (_, items) in by_chat {
        let store = store.clone();
        let bot = bot.clone();
        let limiter = limiter.clone();
        let staff = staff.cloned();
        tasks.spawn(async move {
            let mut done = Vec::new();
            for item in items {
                match send(&bot, &limiter, &store, staff.as_ref(), &item).await {
                    Sent::Done => done.push(item.id),
                    // Picked up again for the new chat in the next round.
                    Sent::Moved => break,
                    Sent::Later(_) if item.attempts + 1 >= MAX_ATTEMPTS => {
                        tracing::error!(row = item.id, "giving up on an outbox row");
                        done.push(item.id);
                    }
                    Sent::Later(delay) => {
                        if let Err(e) = store.outbox_retry(item.id, Utc::now() + delay).await {
                            tracing::warn!(error = %e, "could not update the outbox");
                        }
                        break;
                    }
                }
            }
            done
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(ids) => done.extend(ids),
            Err(e) => tracing::error!(error = %e, "outbox task failed"),
        }
    }
    match store.outbox_done(&done).await {
        Ok(()) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, rows = done.len(), "could not clear sent outbox rows; retrying");
            done
        }
    }
}

async fn send(
    bot: &TgBot,
    limiter: &Limiter,
    store: &Arc<dyn Store>,
    staff: Option<&StaffChat>,
    item: &OutboxItem,
) -> Sent {
    let request: Outgoing = match serde_json::from_value(item.payload.clone()) {
        Ok(r) => r,
        Err(_) => {
            tracing::error!(row = item.id, "unreadable outbox row dropped");
            return Sent::Done;
        }
    };
    let chat = ChatId(item.chat_id);
    // Deleting a message is not a message: only sends and edits count against the limits.
    if !matches!(request, Outgoing::Delete { .. }) {
        limiter.until_ready(item.chat_id).await;
    }
    let job = match &request {
        Outgoing::Send { job, .. } => job.clone(),
        _ => None,
    };
    let result = match request {
        Outgoing::Send {
            text,
            markup,
            card,
            topic,
            job: _,
        } => send_text(bot, store, chat, text, markup, card, topic).await,
        Outgoing::Delete { message_id } => bot
            .delete_message(chat, MessageId(message_id))
            .await
            .map(|_| ()),
        Outgoing::EditCard {
            case_ref,
            text,
            markup,
        } => edit_card(bot, store, chat, case_ref, text, markup).await,
        Outgoing::Media {
            file_ids,
            photos,
            caption,
        } => send_media(bot, chat, file_ids, photos, caption).await,
    };
    match result {
        Ok(()) => Sent::Done,
        Err(RequestError::MigrateToChatId(to)) => {
            follow_migration(store, staff, item.chat_id, to.0).await;
            Sent::Moved
        }
        Err(e) => {
            let sent = classify_error(item, &e);
            if let (Sent::Done, Some(run)) = (&sent, job) {
                undo_job(store, &run).await;
            }
            sent
        }
    }
}

/// Telegram answered that group `from` is now supergroup `to`: remember it, move the rows
/// waiting for `from` to `to`, and follow the staff group if it was that one.
async fn follow_migration(store: &Arc<dyn Store>, staff: Option<&StaffChat>, from: i64, to: i64) {
    let result = async {
        let mut tx = store.begin().await?;
        tx.follow_chat_migration(from, to, Utc::now()).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => {
            let staff = staff.is_some_and(|s| s.follow(from, to));
            if !staff {
                tracing::warn!(
                    old = from,
                    new = to,
                    "a group was upgraded to a supergroup; its messages follow it"
                );
            }
        }
        // The row stays for the old id; the next send learns the new one again.
        Err(e) => tracing::warn!(error = %e, "could not record a group's upgrade; retrying"),
    }
}

/// A job's message was refused: the job's run is undone, so it is done again.
async fn undo_job(store: &Arc<dyn Store>, run: &JobRun) {
    match store.release_job(&run.job, &run.period).await {
        Ok(()) => tracing::error!(
            job = %run.job,
            period = %run.period,
            "Telegram refused a job's message; the job runs again"
        ),
        Err(e) => tracing::warn!(error = %e, job = %run.job, "could not undo a job's run"),
    }
}

async fn send_text(
    bot: &TgBot,
    store: &Arc<dyn Store>,
    chat: ChatId,
    text: String,
    markup: Markup,
    card: Option<CaseRef>,
    topic: Option<i32>,
) -> Result<(), RequestError> {
    let mut payload = SendMessage::new(chat, text).parse_mode(ParseMode::Html);
    if let Some(topic) = topic {
        payload = payload.message_thread_id(ThreadId(MessageId(topic)));
    }
    if let Some(markup) = reply_markup(markup) {
        payload = payload.reply_markup(markup);
    }
    let sent: SentMessage = lean::send(bot, payload).await?;
    if let Some(case_ref) = card {
        remember_card(store, &case_ref, chat.0, sent.message_id).await;
    }
    Ok(())
}

/// Edit a case's card in place; post it anew when there is none, or when Telegram refuses
/// the edit for good (gone, too old, refused content): a stale card with buttons that no
/// longer apply is worse than a second card.
async fn edit_card(
    bot: &TgBot,
    store: &Arc<dyn Store>,
    chat: ChatId,
    case_ref: CaseRef,
    text: String,
    markup: Markup,
) -> Result<(), RequestError> {
    let card = match store.begin().await {
        Ok(mut tx) => tx.staff_card(&case_ref).await.ok().flatten(),
        Err(_) => None,
    };
    if let Some((card_chat, message_id)) = card.filter(|(c, _)| *c == chat.0) {
        let mut req = bot
            .edit_message_text(ChatId(card_chat), MessageId(message_id), text.clone())
            .parse_mode(ParseMode::Html);
        if let Markup::Inline { rows } = markup.clone() {
            req = req.reply_markup(inline(rows));
        }
        match req.await {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => return Ok(()),
            Err(RequestError::Api(e)) => {
                tracing::warn!(error = %e, "a case card could not be edited; posting it anew");
            }
            Err(e) => return Err(e),
        }
    }
    send_text(bot, store, chat, text, markup, Some(case_ref), None).await
}

async fn remember_card(store: &Arc<dyn Store>, case_ref: &CaseRef, chat_id: i64, message_id: i32) {
    let result = async {
        let mut tx = store.begin().await?;
        tx.set_staff_card(case_ref, chat_id, message_id).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not remember a case card; it will be posted anew");
    }
}

async fn send_media(
    bot: &TgBot,
    chat: ChatId,
    file_ids: Vec<String>,
    photos: bool,
    caption: String,
) -> Result<(), RequestError> {
    let file = |id: &str| InputFile::file_id(FileId(id.to_string()));
    match (photos, file_ids.as_slice()) {
        (_, []) => Ok(()),
        (true, [one]) => bot
            .send_photo(chat, file(one))
            .caption(caption)
            .parse_mode(ParseMode::Html)
            .await
            .map(|_| ()),
        (true, many) => {
            let media = many.iter().enumerate().map(|(i, id)| {
                let mut photo = InputMediaPhoto::new(file(id));
                if i == 0 {
                    photo = photo.caption(caption.clone()).parse_mode(ParseMode::Html);
                }
                InputMedia::Photo(photo)
            });
            bot.send_media_group(chat, media).await.map(|_| ())
        }
        (false, docs) => {
            for id in docs {
                bot.send_document(chat, file(id))
                    .caption(caption.clone())
                    .parse_mode(ParseMode::Html)
                    .await?;
            }
            Ok(())
        }
    }
}

/// Whether a failed request is worth retrying.
fn classify_error(item: &OutboxItem, e: &RequestError) -> Sent {
    match e {
        RequestError::RetryAfter(after) => {
            tracing::warn!(
                row = item.id,
                seconds = after.seconds(),
                "Telegram asked us to slow down"
            );
            Sent::Later(Duration::seconds(i64::from(after.seconds())))
        }
        // The merchant blocked the bot, left, or the message to delete is gone: nothing to
        // retry.
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::MessageToDeleteNotFound
            | ApiError::MessageCantBeDeleted
            | ApiError::BotKicked,
        ) => {
            tracing::info!(row = item.id, error = %e, "request dropped");
            Sent::Done
        }
        RequestError::Api(other) => {
            tracing::error!(row = item.id, error = %other, "Telegram refused a request; dropped");
            Sent::Done
        }
        _ => {
            let backoff = Duration::seconds(1i64 << item.attempts.clamp(0, 10));
            tracing::warn!(row = item.id, error = %e, attempt = item.attempts + 1, "send failed; will retry");
            Sent::Later(backoff)
        }
    }
}

fn inline(rows: Vec<Vec<(String, String)>>) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(rows.into_iter().map(|row| {
        row.into_iter()
            .map(|(label, data)| InlineKeyboardButton::callback(label, data))
            .collect::<Vec<_>>()
    }))
}

fn reply_markup(markup: Markup) -> Option<ReplyMarkup> {
    match markup {
        Markup::None => None,
        Markup::Inline { rows } => Some(ReplyMarkup::InlineKeyboard(inline(rows))),
        Markup::ShareContact { label } => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new(vec![vec![
                KeyboardButton::new(label).request(ButtonRequest::Contact)
            ]])
            .resize_keyboard()
            .one_time_keyboard(),
        )),
        Markup::Remove => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
    }
}
