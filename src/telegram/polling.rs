//! Long polling that never loses an update: the offset that confirms a batch to Telegram is
//! sent only after every update of the batch was committed. Updates of one chat are handled
//! in order; different chats in parallel.

use super::edge::Edge;
use super::{ingress, lean};
use std::collections::BTreeMap;
use std::sync::Arc;
use teloxide::payloads::{GetUpdates, GetUpdatesSetters};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Update};
use tokio::sync::watch;

/// Seconds Telegram may hold a `getUpdates` call open (below teloxide's 17 s HTTP timeout).
const POLL_TIMEOUT: u32 = 10;

/// The update kinds posdesk subscribes to.
pub fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
    ]
}

/// Poll until `shutdown` turns true. The batch in hand is finished first.
pub async fn run(edge: Arc<Edge>, bot: Bot, mut shutdown: watch::Receiver<bool>) {
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %e, "could not remove a webhook; polling may fail");
    }
    let mut offset: i32 = 0;
    let mut failures: u32 = 0;
    tracing::info!("polling for updates");
    loop {
        if *shutdown.borrow() {
            break;
        }
        // Read as JSON first: an update teloxide cannot read is repaired from it
        // (`ingress`).
        let request = GetUpdates::new()
            .offset(offset)
            .timeout(POLL_TIMEOUT)
            .allowed_updates(allowed_updates());
        let batch = tokio::select! {
            r = lean::send::<_, Vec<serde_json::Value>>(&bot, request) => r,
            _ = shutdown.changed() => break,
        };
        let updates = match batch {
            Ok(raw) => raw
                .into_iter()
                .filter_map(ingress::read_update)
                .collect::<Vec<_>>(),
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, "getUpdates failed");
                backoff(failures, &mut shutdown).await;
                continue;
            }
        };
        let Some(last) = updates.iter().map(|u| u.id.0).max() else {
            failures = 0;
            continue;
        };
        match process_batch(&edge, updates).await {
            Ok(()) => {
                failures = 0;
                offset = i32::try_from(last).unwrap_or(i32::MAX).saturating_add(1);
            }
            Err(()) => {
                // Not confirmed: Telegram sends the batch again; what was committed is
                // skipped as already processed.
                failures += 1;
                backoff(failures, &mut shutdown).await;
            }
        }
    }
    tracing::info!("polling stopped");
}

/// Handle a batch: the merchants' updates in one transaction ([`Edge::process_grouped`]),
/// the rest one by one, each chat's updates in order and chats concurrently. `Err` if any
/// update could not be committed (the database is unavailable).
pub async fn process_batch(edge: &Arc<Edge>, updates: Vec<Update>) -> Result<(), ()> {
    let updates = match edge.process_grouped(updates).await {
        Ok(rest) => rest,
        Err(e) => {
            tracing::warn!(error = %e, "batch not committed; will be retried");
            return Err(());
        }
    };
    let mut by_chat: BTreeMap<i64, Vec<Update>> = BTreeMap::new();
    for update in updates {
        let key = update.chat().map(|c| c.id.0).unwrap_or(i64::MIN);
        by_chat.entry(key).or_default().push(update);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (_, mut chat_updates) in by_chat {
        chat_updates.sort_by_key(|u| u.id.0);
        let edge = edge.clone();
        tasks.spawn(async move {
            for update in chat_updates {
                if let Err(e) = edge.process(update).await {
                    tracing::warn!(error = %e, "update not committed; will be retried");
                    return Err(());
                }
            }
            Ok(())
        });
    }
    let mut result = Ok(());
    while let Some(joined) = tasks.join_next().await {
        if !matches!(joined, Ok(Ok(()))) {
            result = Err(());
        }
    }
    result
}

async fn backoff(failures: u32, shutdown: &mut watch::Receiver<bool>) {
    let secs = 1u64 << failures.min(5);
    tokio::select! {
        _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
        _ = shutdown.changed() => {}
    }
}
