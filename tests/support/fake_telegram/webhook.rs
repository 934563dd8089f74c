//! The fake as Telegram delivering to a webhook: one update POSTed to the bot.

use super::body::find;
use super::FakeTelegram;
use serde_json::Value;
use std::fmt::Write as _;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

impl FakeTelegram {
    /// POSTs `update` as JSON to the bot's webhook `url` (http:// only), with header
    /// `X-Telegram-Bot-Api-Secret-Token` when `secret` is given; returns the HTTP status.
    pub async fn post_webhook(url: &str, secret: Option<&str>, update: &Value) -> u16 {
        let rest = url
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("post_webhook: only http:// URLs are supported, got {url}"));
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
        let connect_to = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let body = serde_json::to_vec(update).expect("post_webhook: serialize update");
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        if let Some(secret) = secret {
            let _ = write!(request, "X-Telegram-Bot-Api-Secret-Token: {secret}\r\n");
        }
        request.push_str("\r\n");

        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(&connect_to).await?;
            stream.write_all(request.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.flush().await?;
            let mut response = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read until the headers are complete (or the server closes).
            while find(&response, b"\r\n\r\n").is_none() {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                response.extend_from_slice(&chunk[..n]);
            }
            Ok::<_, std::io::Error>(response)
        };
        let response = tokio::time::timeout(Duration::from_secs(30), exchange)
            .await
            .unwrap_or_else(|_| panic!("post_webhook: no answer from {url} within 30 s"))
            .unwrap_or_else(|e| panic!("post_webhook: {url}: {e}"));
        let head = String::from_utf8_lossy(&response);
        let status_line = head.lines().next().unwrap_or_default();
        status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("post_webhook: {url}: bad status line {status_line:?}"))
    }
}
