//! Logging set-up and the helpers that keep personal data out of logs.

use std::hash::{Hash, Hasher};

/// A short, stable tag for a chat id, so logs can follow one chat without naming it.
pub fn chat_tag(chat_id: i64) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("posdesk-chat", chat_id).hash(&mut h);
    format!("{:08x}", h.finish() as u32)
}

/// Install the tracing subscriber: `RUST_LOG` filters (default `info`), and
/// `POSDESK_LOG_FORMAT=json` switches to JSON lines. Logs go to standard error.
pub fn init(json: bool) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // Already initialised (tests): keep the first subscriber.
    let _ = result;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_tags_are_stable_and_do_not_contain_the_id() {
        assert_eq!(chat_tag(123456789), chat_tag(123456789));
        assert_ne!(chat_tag(1), chat_tag(2));
        assert!(!chat_tag(123456789).contains("123456789"));
    }
}
