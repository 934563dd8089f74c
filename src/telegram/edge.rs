//! One update, end to end: classify it, apply it to the conversation in one transaction
//! (replies go to the outbox in that same transaction), then acknowledge the press and
//! wake the sender. A panic is contained to the update that caused it. When the database
//! is unavailable the update is left for the ingress to retry, and the merchant is told
//! once, directly, that it will be handled.

use super::lean;
use super::outgoing::{outbox_row, TelegramRenderer};
use super::schema::{classify, Callback, Me, Routed, Schema};
use super::TgBot;
use crate::conversation::{Effect, Event, Incoming};
use crate::i18n::{Locale, Localizer, Msg};
use crate::service::{Inbound, Outcome, Service, ServiceError};
use crate::telemetry::chat_tag;
use chrono::Utc;
use serde::de::IgnoredAny;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use teloxide::payloads::EditMessageReplyMarkup;
use teloxide::prelude::*;
use teloxide::types::{CallbackQueryId, ChatAction, MessageId, Update, UpdateKind};
use tokio::sync::{Notify, Semaphore};
use tracing::Instrument;

/// The edge's own messages (in `conversation.ftl`).
pub mod messages {
    pub const GROUP_PRIVATE_ONLY: &str = "group-private-only";
    pub const ERROR_SORRY: &str = "error-sorry";
    /// The database is unavailable: the message was received and will be handled.
    pub const ERROR_BUSY: &str = "error-busy";
    pub const ALL: &[&str] = &[GROUP_PRIVATE_ONLY, ERROR_SORRY, ERROR_BUSY];
}

/// Everything needed to handle updates.
pub struct Edge {
    pub service: Service,
    pub bot: TgBot,
    pub wake: Arc<Notify>,
    pub schema: Schema,
    /// The bot itself (to tell the messages in a group that are meant for it).
    pub me: Me,
    /// The chats told that the database is unavailable.
    pub busy: BusyNotices,
    /// The press answers of group-committed batches still going out.
    pub answers: PressAnswers,
}

/// A staff group update, as [`Edge::handle_staff`] takes it.
struct StaffInput {
    update_id: i64,
    chat_id: i64,
    user_id: i64,
    text: Option<String>,
    callback: Option<(Callback, String)>,
    topic: Option<i32>,
    anonymous: bool,
    addressed: bool,
}

/// Press answers in flight. Those of a polling batch go out while the next batch is fetched
/// and applied: they change nothing stored (the spinner stops, the pressed message loses its
/// buttons), and waiting for them kept the bot from asking Telegram for more (BENCHMARKS.md).
/// At most [`PressAnswers::MAX`] are in flight, so a burst of presses cannot pile up
/// requests and memory; a batch past that waits for slots. Shutdown waits for them.
#[derive(Debug)]
pub struct PressAnswers {
    slots: Arc<Semaphore>,
}

impl Default for PressAnswers {
    fn default() -> Self {
        PressAnswers {
            slots: Arc::new(Semaphore::new(Self::MAX)),
        }
    }
}

impl PressAnswers {
    /// One full batch's worth: the answers of one batch go out while the next is applied.
    pub const MAX: usize = 100;

    /// Send `answer` in the background once a slot is free.
    pub async fn spawn(&self, answer: impl Future<Output = ()> + Send + 'static) {
        match self.slots.clone().acquire_owned().await {
            Ok(slot) => {
                tokio::spawn(async move {
                    answer.await;
                    drop(slot);
                });
            }
            // Never closed; if it were, the answer goes out in line.
            Err(_) => answer.await,
        }
    }

    /// Wait until every answer in flight went out, or `within` passed.
    pub async fn drain(&self, within: std::time::Duration) {
        let all = self.slots.acquire_many(Self::MAX as u32);
        if tokio::time::timeout(within, all).await.is_err() {
            tracing::debug!("press answers still in flight at shutdown");
        }
    }
}

/// The chats told that we are busy (the database is unavailable), so that the retries of
/// their update, and their further messages during the same outage, do not repeat it. A
/// chat is forgotten once one of its updates goes through, so a later outage tells it
/// again. In memory only: after a restart a chat may be told once more. At most
/// [`BusyNotices::MAX`] chats are remembered; the earliest told are forgotten first.
#[derive(Debug, Default)]
pub struct BusyNotices {
    inner: Mutex<BusyInner>,
}

#[derive(Debug, Default)]
struct BusyInner {
    /// Chat → when it was told (a sequence number).
    chats: HashMap<i64, u64>,
    /// Sequence number → chat, to forget the earliest first.
    order: BTreeMap<u64, i64>,
    next: u64,
}

impl BusyNotices {
    pub const MAX: usize = 10_000;

    /// Whether `chat_id` is to be told now; if so it counts as told from here on.
    pub fn claim(&self, chat_id: i64) -> bool {
        let mut b = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if b.chats.contains_key(&chat_id) {
            return false;
        }
        b.next += 1;
        let seq = b.next;
        b.chats.insert(chat_id, seq);
        b.order.insert(seq, chat_id);
        if b.chats.len() > Self::MAX {
            if let Some((_, oldest)) = b.order.pop_first() {
                b.chats.remove(&oldest);
            }
        }
        true
    }

    /// Forget `chat_id`: it was not told after all, or one of its updates went through.
    pub fn forget(&self, chat_id: i64) {
        let mut b = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(seq) = b.chats.remove(&chat_id) {
            b.order.remove(&seq);
        }
    }
}

impl Edge {
    /// Handle one update, isolating panics: a panicking update is logged, recorded as
    /// processed with an apology to the merchant, and everything else goes on.
    pub async fn process(self: &Arc<Self>, update: Update) -> Result<(), ServiceError> {
        let span = tracing::info_span!(
            "update",
            id = update.id.0,
            kind = kind_name(&update.kind),
            chat = %update.chat().map(|c| chat_tag(c.id.0)).unwrap_or_default(),
        );
        let this = self.clone();
        let task = tokio::spawn(
            {
                let update = update.clone();
                async move { this.handle(update).await }
            }
            .instrument(span.clone()),
        );
        match task.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => {
                let _enter = span.enter();
                tracing::error!("handling the update panicked; recorded and skipped");
                self.after_panic(&update).await
            }
            Err(_) => Ok(()),
        }
    }

    /// Apply the merchant updates of a polling batch in one transaction (group commit,
    /// [`Service::handle_batch`]) and return the updates left to handle one by one: those
    /// of chats with anything other than merchant updates in the batch, and, when the group
    /// commit failed for a reason other than an unavailable database (a conflict it could
    /// not get past, a panic), all of them: the per-update path then isolates the cause.
    /// `Err` when the database is unavailable (nothing was applied; the merchants were
    /// told, once, that their messages will be handled).
    pub async fn process_grouped(
        self: &Arc<Self>,
        updates: Vec<Update>,
    ) -> Result<Vec<Update>, ServiceError> {
        let span = tracing::info_span!("batch", updates = updates.len());
        let this = self.clone();
        let updates: Arc<[Update]> = updates.into();
        let all = updates.clone();
        // In a task of its own, so that a panic is contained to the group.
        let task =
            tokio::spawn(async move { this.apply_grouped(&all).await }.instrument(span.clone()));
        match task.await {
            Ok(Ok(rest)) => Ok(rest),
            Ok(Err(e)) if e.is_unavailable() => Err(e),
            Ok(Err(e)) => {
                tracing::warn!(parent: &span, error = %e, "group commit failed; applying the updates one by one");
                Ok(updates.to_vec())
            }
            Err(_) => {
                tracing::error!(parent: &span, "group commit panicked; applying the updates one by one");
                Ok(updates.to_vec())
            }
        }
    }

    /// [`Edge::process_grouped`] without the containment.
    async fn apply_grouped(
        self: &Arc<Self>,
        updates: &[Update],
    ) -> Result<Vec<Update>, ServiceError> {
        // The transaction begins, and the batch's chats are read, while the updates are
        // classified (when a merchant may be among them: only they are group-committed).
        let early = updates
            .iter()
            .any(|u| u.chat().is_some_and(|c| c.is_private()))
            .then(|| {
                let chat_ids = updates.iter().filter_map(|u| u.chat()).map(|c| c.id.0);
                let update_ids = updates.iter().map(|u| i64::from(u.id.0));
                let (chat_ids, update_ids) = (chat_ids.collect(), update_ids.collect());
                let service = self.service.clone();
                tokio::spawn(async move { service.begin_batch(chat_ids, update_ids).await })
            });
        let mut routes = Vec::with_capacity(updates.len());
        for update in updates {
            routes.push(classify(&self.schema, update.clone(), &self.me).await);
        }
        // A chat goes into the group only if all of its updates in the batch are a
        // merchant's, so that its updates stay in order.
        let mut other_chats = HashSet::new();
        for (update, routed) in updates.iter().zip(&routes) {
            if !matches!(routed, Routed::Merchant { .. }) {
                other_chats.insert(update.chat().map(|c| c.id.0));
            }
        }
        let mut inbounds = Vec::new();
        let mut presses = Vec::new();
        let mut rest = Vec::new();
        let now = Utc::now();
        for (update, routed) in updates.iter().zip(routes) {
            match routed {
                Routed::Merchant {
                    chat_id,
                    locale,
                    event,
                    message_id,
                    callback,
                } if !other_chats.contains(&Some(chat_id)) => {
                    if matches!(event, Event::AlbumPart { .. }) {
                        tokio::spawn(show_typing(self.bot.clone(), chat_id));
                    }
                    presses.push(callback);
                    inbounds.push(Inbound {
                        chat_id,
                        update_id: Some(i64::from(update.id.0)),
                        locale_hint: locale,
                        incoming: Incoming { message_id, event },
                        now,
                    });
                }
                _ => rest.push(update.clone()),
            }
        }
        if inbounds.is_empty() {
            if let Some(early) = early {
                // Rolled back as it is dropped.
                drop(early.await);
            }
            return Ok(rest);
        }
        let applied = match early {
            None => self.service.handle_batch(&inbounds).await,
            Some(early) => match early.await {
                Ok(Ok(start)) => self.service.handle_batch_from(start, &inbounds).await,
                Ok(Err(e)) if e.is_unavailable() => Err(e),
                // It could not begin (or panicked): the batch begins anew.
                Ok(Err(_)) | Err(_) => self.service.handle_batch(&inbounds).await,
            },
        };
        let outcomes = match applied {
            Ok(outcomes) => outcomes,
            Err(e) => {
                if e.is_unavailable() {
                    let mut told = tokio::task::JoinSet::new();
                    for inbound in &inbounds {
                        let (edge, chat_id, locale) =
                            (self.clone(), inbound.chat_id, inbound.locale_hint);
                        told.spawn(async move { edge.tell_busy(chat_id, locale).await });
                    }
                    told.join_all().await;
                }
                return Err(e);
            }
        };
        self.wake.notify_one();
        for ((inbound, outcome), callback) in inbounds.iter().zip(outcomes).zip(presses) {
            self.busy.forget(inbound.chat_id);
            if let Some(cb) = callback {
                let (edge, chat_id) = (self.clone(), inbound.chat_id);
                let answer = async move { edge.answer_press(chat_id, &cb, &outcome).await };
                self.answers.spawn(answer).await;
            }
        }
        Ok(rest)
    }

    async fn handle(&self, update: Update) -> Result<(), ServiceError> {
        let update_id = i64::from(update.id.0);
        match classify(&self.schema, update, &self.me).await {
            Routed::Merchant {
                chat_id,
                locale,
                event,
                message_id,
                callback,
            } => {
                if matches!(event, Event::AlbumPart { .. }) {
                    show_typing(self.bot.clone(), chat_id).await;
                }
                let inbound = Inbound {
                    chat_id,
                    update_id: Some(update_id),
                    locale_hint: locale,
                    incoming: Incoming { message_id, event },
                    now: Utc::now(),
                };
                let outcome = match self.service.handle(inbound).await {
                    Ok(outcome) => outcome,
                    Err(e) => {
                        if e.is_unavailable() {
                            self.tell_busy(chat_id, locale).await;
                        }
                        return Err(e);
                    }
                };
                self.busy.forget(chat_id);
                self.wake.notify_one();
                if outcome.duplicate {
                    tracing::debug!("already processed");
                }
                if let Some(cb) = callback {
                    self.answer_press(chat_id, &cb, &outcome).await;
                }
                Ok(())
            }
            Routed::Group {
                chat_id,
                user_id,
                locale,
                text,
                callback,
                topic,
                anonymous,
                addressed,
            } => {
                if self.service.is_staff_chat(chat_id)
                    || self.service.staff_upgraded_to(chat_id).await?
                {
                    let input = StaffInput {
                        update_id,
                        chat_id,
                        user_id,
                        text,
                        callback,
                        topic,
                        anonymous,
                        addressed,
                    };
                    return self.handle_staff(input).await;
                }
                // Group ids are not personal data; operators need this one to configure
                // POSDESK_STAFF_CHAT_ID.
                tracing::info!(
                    group = chat_id,
                    "message in a group that is not the staff group"
                );
                if !addressed {
                    return Ok(());
                }
                let locale = locale.unwrap_or(self.service.default_locale());
                let msg = Msg::new(messages::GROUP_PRIVATE_ONLY);
                if let Some((cb, _)) = callback {
                    let _ = self
                        .bot
                        .answer_callback_query(CallbackQueryId(cb.id))
                        .text(super::outgoing::toast(locale, &msg))
                        .await;
                    return Ok(());
                }
                let reply = TelegramRenderer::message(locale, &msg);
                let row = outbox_row(chat_id, &reply, None, Utc::now());
                self.service
                    .acknowledge(update_id, chat_id, &[row], Utc::now())
                    .await?;
                self.wake.notify_one();
                Ok(())
            }
            Routed::Migrated { from, to } => {
                self.service.follow_migration(from, to, Utc::now()).await?;
                self.wake.notify_one();
                Ok(())
            }
            Routed::Ignored => Ok(()),
        }
    }

    /// A press, command or typed input in the staff group. Every one is authorised by the
    /// service; an anonymous admin's messages cannot be, and the group is told so.
    async fn handle_staff(&self, input: StaffInput) -> Result<(), ServiceError> {
        let now = Utc::now();
        let StaffInput {
            update_id,
            chat_id,
            user_id,
            text,
            callback,
            topic,
            anonymous,
            addressed,
        } = input;
        let locale = self
            .service
            .staff_config()
            .map(|s| s.locale)
            .unwrap_or(self.service.default_locale());
        if let Some((cb, data)) = callback {
            let toast = self
                .service
                .staff_press(Some(update_id), chat_id, user_id, &data, topic, now)
                .await?;
            self.wake.notify_one();
            if let Err(e) = self
                .bot
                .answer_callback_query(CallbackQueryId(cb.id))
                .text(super::outgoing::toast(locale, &toast))
                .await
            {
                tracing::debug!(error = %e, "could not answer a staff press");
            }
        } else if anonymous {
            self.service
                .staff_anonymous(update_id, chat_id, addressed, topic, now)
                .await?;
            self.wake.notify_one();
        } else if let Some(text) = text {
            self.service
                .staff_message(update_id, chat_id, user_id, &text, topic, now)
                .await?;
            self.wake.notify_one();
        }
        Ok(())
    }

    /// The database is unavailable, so the update stays unconfirmed and is applied when it
    /// is back. Tell the merchant so, once (see [`BusyNotices`]), straight through the bot:
    /// the outbox is in that database. The language is the client's (the merchant's own
    /// choice is stored in the database too).
    async fn tell_busy(&self, chat_id: i64, locale: Option<Locale>) {
        if !self.busy.claim(chat_id) {
            return;
        }
        let locale = locale.unwrap_or(self.service.default_locale());
        let text = Localizer::global().render(locale, &Msg::new(messages::ERROR_BUSY));
        match self.bot.send_message(ChatId(chat_id), text).await {
            Ok(_) => tracing::info!("database unavailable; the merchant was told"),
            Err(e) => {
                tracing::debug!(error = %e, "could not tell the merchant that we are busy");
                self.busy.forget(chat_id);
            }
        }
    }

    /// Stop the client's spinner (with the notice, if any) and take the buttons off the
    /// message that was pressed: a fresh prompt with fresh buttons follows.
    async fn answer_press(&self, chat_id: i64, cb: &Callback, outcome: &Outcome) {
        let notice = outcome.effects.iter().find_map(|e| match e {
            Effect::Notice(msg) => Some(super::outgoing::toast(outcome.locale, msg)),
            _ => None,
        });
        let mut answer = self
            .bot
            .answer_callback_query(CallbackQueryId(cb.id.clone()));
        if let Some(text) = notice {
            answer = answer.text(text);
        }
        // Both at once: on the per-update path the chat's next update waits for them.
        let clear = async {
            match cb.message_id {
                Some(message_id) => {
                    let payload =
                        EditMessageReplyMarkup::new(ChatId(chat_id), MessageId(message_id));
                    lean::send::<_, IgnoredAny>(&self.bot, payload)
                        .await
                        .map(|_| ())
                }
                None => Ok(()),
            }
        };
        let (answered, cleared) = tokio::join!(answer.send(), clear);
        if let Err(e) = answered {
            tracing::debug!(error = %e, "could not answer a button press");
        }
        if let Err(e) = cleared {
            tracing::debug!(error = %e, "could not clear the pressed message's buttons");
        }
    }

    async fn after_panic(&self, update: &Update) -> Result<(), ServiceError> {
        let Some(chat) = update.chat() else {
            return Ok(());
        };
        let chat_id = chat.id.0;
        let locale = update
            .from()
            .and_then(|u| u.language_code.as_deref())
            .and_then(crate::i18n::Locale::parse)
            .unwrap_or(self.service.default_locale());
        let rows = if chat.is_private() {
            vec![outbox_row(
                chat_id,
                &TelegramRenderer::message(locale, &Msg::new(messages::ERROR_SORRY)),
                None,
                Utc::now(),
            )]
        } else {
            Vec::new()
        };
        self.service
            .acknowledge(i64::from(update.id.0), chat_id, &rows, Utc::now())
            .await?;
        self.wake.notify_one();
        Ok(())
    }
}

/// "Typing…" in a chat sending an album: the album's answer waits for its last part.
async fn show_typing(bot: TgBot, chat_id: i64) {
    let _ = bot
        .send_chat_action(ChatId(chat_id), ChatAction::Typing)
        .await;
}

fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::BusyNotices;

    #[test]
    fn a_chat_is_told_once_until_it_recovers_and_memory_is_bounded() {
        let busy = BusyNotices::default();
        assert!(busy.claim(1));
        assert!(!busy.claim(1), "told once");
        assert!(busy.claim(2));
        busy.forget(1);
        assert!(busy.claim(1), "a later outage tells it again");
        for chat in 10..(10 + BusyNotices::MAX as i64) {
            busy.claim(chat);
        }
        let remembered = |b: &BusyNotices| {
            let inner = b.inner.lock().unwrap();
            (inner.chats.len(), inner.order.len())
        };
        assert_eq!(remembered(&busy), (BusyNotices::MAX, BusyNotices::MAX));
        // The earliest told (chat 2, then chat 1) were forgotten first.
        assert!(busy.claim(2));
        assert!(!busy.claim(10 + BusyNotices::MAX as i64 - 1));
    }
}
