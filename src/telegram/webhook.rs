//! Webhook mode: Telegram POSTs each update to us. The secret token header is checked on
//! every request, and 200 is answered only after the update was committed, so Telegram
//! redelivers anything we could not store.

use super::edge::Edge;
use super::polling::allowed_updates;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use teloxide::prelude::*;
use tokio::sync::watch;

/// The header Telegram sends the secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

#[derive(Clone)]
struct Hook {
    edge: Arc<Edge>,
    secret: Arc<str>,
}

/// The webhook's routes: `POST path`.
pub fn router(edge: Arc<Edge>, path: &str, secret: &str) -> Router {
    Router::new().route(path, post(receive)).with_state(Hook {
        edge,
        secret: Arc::from(secret),
    })
}

/// Register the webhook with Telegram, then serve until `shutdown` turns true.
pub async fn run(
    edge: Arc<Edge>,
    bot: Bot,
    url: url::Url,
    secret: &str,
    listen: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let path = match url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, %path, "webhook listening");
    if let Err(e) = bot
        .set_webhook(url)
        .secret_token(secret.to_string())
        .allowed_updates(allowed_updates())
        .await
    {
        tracing::error!(error = %e, "setWebhook failed; Telegram will not deliver updates");
    }
    let app = router(edge, &path, secret);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, hook.secret.as_bytes()) {
        tracing::warn!("webhook request without the right secret refused");
        return StatusCode::UNAUTHORIZED;
    }
    let update = match serde_json::from_slice(&body).map(super::ingress::read_update) {
        Ok(Some(u)) => u,
        Ok(None) => {
            tracing::warn!("webhook body is not an update");
            return StatusCode::BAD_REQUEST;
        }
        Err(e) => {
            tracing::warn!(error = %e, "webhook body is not JSON");
            return StatusCode::BAD_REQUEST;
        }
    };
    match hook.edge.process(update).await {
        Ok(()) => StatusCode::OK,
        // Not stored: Telegram will deliver it again.
        Err(e) => {
            tracing::warn!(error = %e, "update not committed; asking Telegram to retry");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Compare secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn secrets_compare_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
