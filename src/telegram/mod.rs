//! The Telegram edge: turns updates into conversation events and effects into Bot API
//! calls. The handler tree is in [`schema`]; ingress is [`polling`] or [`webhook`]; replies
//! leave through the transactional outbox ([`outgoing`], [`sender`]).

pub mod bounds;
pub mod commands;
pub mod edge;
pub mod ingress;
pub mod lean;
pub mod limiter;
pub mod outgoing;
pub mod polling;
pub mod schema;
pub mod sender;
pub mod staff_view;
pub mod webhook;

use crate::config::{BotSettings, Settings};
use crate::review::StaffConfig;
use crate::service::JobSettings;
use crate::service::Service;
use crate::store::{self, StoreError};
use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};
use tokio::sync::{watch, Notify};

/// The bot that sends. Outbox messages wait for Telegram's flood limits in
/// [`limiter::Limiter`]; the edge's own calls (press answers, chat actions) are not limited.
pub type TgBot = Bot;

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Telegram refused the bot token (TELOXIDE_TOKEN): check it with @BotFather")]
    Unauthorized,
    #[error("cannot reach the Telegram Bot API: {0}")]
    Unreachable(String),
    #[error("webhook server: {0}")]
    Webhook(#[from] std::io::Error),
}

/// How often the periodic jobs (lease expiry, reminders, digest, retention) look for work.
const JOB_TICK: std::time::Duration = std::time::Duration::from_secs(30);

/// Run the bot until SIGINT or SIGTERM.
pub async fn run(
    settings: Settings,
    bot_settings: BotSettings,
    staff: Option<StaffConfig>,
    jobs: JobSettings,
) -> Result<(), TelegramError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });
    run_until(settings, bot_settings, staff, jobs, stop_rx).await
}

/// Run the bot until `stop` turns true (tests drive this directly).
pub async fn run_until(
    settings: Settings,
    bot_settings: BotSettings,
    staff: Option<StaffConfig>,
    jobs: JobSettings,
    stop: watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let store = store::open(&settings.database_url).await?;
    let mut raw = Bot::new(bot_settings.token.expose());
    if let Some(url) = &bot_settings.api_url {
        raw = raw.set_api_url(url.clone());
    }
    let me = raw.get_me().await.map_err(|e| match e {
        RequestError::Api(ApiError::InvalidToken) => TelegramError::Unauthorized,
        other => TelegramError::Unreachable(other.to_string()),
    })?;
    tracing::info!(bot = %me.username(), "connected to Telegram");
    commands::register(&raw, settings.default_locale).await;

    let bot = raw.clone();
    let limiter = Arc::new(limiter::Limiter::new(&bot_settings.throttle));
    let mut service = Service::new(
        store.clone(),
        settings.default_locale,
        settings.holidays.clone(),
    )
    .with_outbox(Arc::new(outgoing::TelegramRenderer::new(staff.as_ref())));
    if let Some(staff) = staff {
        tracing::info!(reviewers = staff.reviewers.len(), "staff review enabled");
        service = service.with_staff(staff);
        // Upgraded to a supergroup before a restart: followed there still.
        service.resume_staff_chat().await.map_err(|e| match e {
            crate::service::ServiceError::Store(e) => TelegramError::Store(e),
        })?;
    }
    let wake = Arc::new(Notify::new());
    let sender = tokio::spawn(sender::run_with(
        store.clone(),
        bot.clone(),
        limiter,
        wake.clone(),
        service.staff_chat().cloned(),
        stop.clone(),
    ));
    let job_loop = tokio::spawn(run_jobs(service.clone(), jobs, wake.clone(), stop.clone()));
    let edge = Arc::new(edge::Edge {
        service,
        bot,
        wake: wake.clone(),
        schema: schema::schema(),
        me: schema::Me {
            id: me.id.0,
            username: me.username().to_string(),
        },
        busy: Default::default(),
        answers: Default::default(),
    });

    let ingress = match &bot_settings.webhook {
        Some(hook) => webhook::run(
            edge.clone(),
            raw,
            hook.url.clone(),
            hook.secret.expose(),
            hook.listen,
            stop.clone(),
        )
        .await
        .map_err(TelegramError::from),
        None => {
            polling::run(edge.clone(), raw, stop.clone()).await;
            Ok(())
        }
    };
    edge.answers.drain(std::time::Duration::from_secs(5)).await;
    let _ = job_loop.await;
    // Let the sender deliver what is due, then stop.
    wake.notify_one();
    if tokio::time::timeout(std::time::Duration::from_secs(10), sender)
        .await
        .is_err()
    {
        tracing::warn!("outbox not drained in time; the rest is sent on next start");
    }
    store.close().await;
    ingress
}

/// Run the periodic jobs every [`JOB_TICK`] until `stop`.
async fn run_jobs(
    service: Service,
    jobs: JobSettings,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match service.run_jobs(&jobs, chrono::Utc::now()).await {
            Ok(report) => {
                if report != Default::default() {
                    tracing::info!(?report, "periodic jobs ran");
                    wake.notify_one();
                }
            }
            Err(e) => tracing::warn!(error = %e, "periodic jobs failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(JOB_TICK) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
