//! Settings, in one typed place. Read from the environment (and command-line flags that
//! override it); nothing else in the crate reads environment variables.

use crate::i18n::Locale;
use chrono::NaiveDate;
use std::fmt;

/// Settings shared by every subcommand.
#[derive(Clone)]
pub struct Settings {
    /// `sqlite://FILE` (created on start) or `postgres://…`.
    pub database_url: String,
    /// The language for merchants whose client reports none we speak.
    pub default_locale: Locale,
    /// Public holidays skipped by due dates.
    pub holidays: Vec<NaiveDate>,
}

/// The staff side, from `POSDESK_STAFF_CHAT_ID`, `POSDESK_REVIEWERS`, `POSDESK_STAFF_LOCALE`
/// and `POSDESK_LEASE_HOURS`. `None` without a staff chat.
pub fn staff_config(
    chat_id: Option<i64>,
    reviewers: &str,
    locale: &str,
    lease_hours: u32,
) -> Result<Option<crate::review::StaffConfig>, ConfigError> {
    let Some(chat_id) = chat_id else {
        return Ok(None);
    };
    let reviewers = reviewers
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| ConfigError::Reviewer(s.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if reviewers.is_empty() {
        return Err(ConfigError::NoReviewers);
    }
    if lease_hours == 0 {
        return Err(ConfigError::Lease);
    }
    Ok(Some(crate::review::StaffConfig {
        chat_id,
        reviewers,
        locale: Locale::parse(locale).ok_or_else(|| ConfigError::Locale(locale.to_string()))?,
        lease: chrono::Duration::hours(i64::from(lease_hours)),
    }))
}

/// A secret value (bot token, webhook secret): usable, but never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Settings of `posdesk run`.
#[derive(Debug, Clone)]
pub struct BotSettings {
    /// `TELOXIDE_TOKEN`, from @BotFather.
    pub token: Secret,
    /// `TELOXIDE_API_URL`: another Bot API server (a local one, or the tests' fake).
    pub api_url: Option<url::Url>,
    /// Webhook mode when set; long polling otherwise.
    pub webhook: Option<WebhookSettings>,
    /// Outgoing message limits.
    pub throttle: ThrottleSettings,
}

/// Webhook mode: where Telegram posts updates, and how they are authenticated.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `POSDESK_WEBHOOK_URL`: the public HTTPS URL Telegram posts to.
    pub url: url::Url,
    /// `POSDESK_WEBHOOK_SECRET`: sent back by Telegram in every request's header.
    pub secret: Secret,
    /// `POSDESK_WEBHOOK_LISTEN`: where the bot's HTTP server listens.
    pub listen: std::net::SocketAddr,
}

/// Outgoing message limits (Telegram's: about 1 message per second per chat, 20 per
/// minute per chat, 30 per second overall).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// `POSDESK_THROTTLE_CHAT_PER_SEC`: messages per second to one chat (after a short burst).
    pub per_chat_per_sec: u32,
    /// `POSDESK_THROTTLE_CHAT_PER_MIN`: messages per minute to one group.
    pub per_chat_per_min: u32,
    /// `POSDESK_THROTTLE_PER_SEC`: messages per second over all chats.
    pub overall_per_sec: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            per_chat_per_sec: 1,
            per_chat_per_min: 20,
            overall_per_sec: 30,
        }
    }
}

/// The raw values `posdesk run` reads (environment or flags).
#[derive(Debug, Default, Clone)]
pub struct RawBotSettings {
    /// `TELOXIDE_TOKEN`.
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`.
    pub api_url: Option<String>,
    /// `POSDESK_WEBHOOK_URL`.
    pub webhook_url: Option<String>,
    /// `POSDESK_WEBHOOK_SECRET`.
    pub webhook_secret: Option<String>,
    /// `POSDESK_WEBHOOK_LISTEN` (default `0.0.0.0:8080`).
    pub webhook_listen: Option<String>,
    /// The outgoing message limits (from flags or the environment).
    pub throttle: ThrottleSettings,
}

impl RawBotSettings {
    /// Read the secrets and URLs from the environment.
    pub fn from_env(throttle: ThrottleSettings) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        RawBotSettings {
            token: var("TELOXIDE_TOKEN"),
            api_url: var("TELOXIDE_API_URL"),
            webhook_url: var("POSDESK_WEBHOOK_URL"),
            webhook_secret: var("POSDESK_WEBHOOK_SECRET"),
            webhook_listen: var("POSDESK_WEBHOOK_LISTEN"),
            throttle,
        }
    }
}

impl BotSettings {
    /// Checks the raw values: a token of the form `<id>:<secret>`, valid URLs, a webhook secret of 1–256 of `A-Z a-z 0-9 _ -` whenever a webhook URL is set, a listen address.
    /// Errors: the [`ConfigError`] naming the variable to fix.
    pub fn parse(raw: RawBotSettings) -> Result<Self, ConfigError> {
        let token = raw.token.ok_or(ConfigError::MissingToken)?;
        if !token.contains(':') || token.contains(char::is_whitespace) {
            return Err(ConfigError::BadToken);
        }
        let api_url = raw
            .api_url
            .map(|u| url::Url::parse(&u).map_err(|_| ConfigError::BadUrl("TELOXIDE_API_URL")))
            .transpose()?;
        let webhook = match raw.webhook_url {
            None => None,
            Some(u) => {
                let url =
                    url::Url::parse(&u).map_err(|_| ConfigError::BadUrl("POSDESK_WEBHOOK_URL"))?;
                let secret = raw.webhook_secret.ok_or(ConfigError::WebhookSecret)?;
                let valid = (1..=256).contains(&secret.len())
                    && secret
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !valid {
                    return Err(ConfigError::WebhookSecret);
                }
                let listen = raw.webhook_listen.as_deref().unwrap_or("0.0.0.0:8080");
                let listen = listen
                    .parse()
                    .map_err(|_| ConfigError::Listen(listen.to_string()))?;
                Some(WebhookSettings {
                    url,
                    secret: Secret::new(secret),
                    listen,
                })
            }
        };
        Ok(BotSettings {
            token: Secret::new(token),
            api_url,
            webhook,
            throttle: raw.throttle,
        })
    }
}

/// Problems in the configuration, reported before anything starts.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// `TELOXIDE_TOKEN` is not set.
    #[error("TELOXIDE_TOKEN is not set: create a bot with @BotFather in Telegram and export TELOXIDE_TOKEN=<the token it gives you>")]
    MissingToken,
    /// `TELOXIDE_TOKEN` is not of the form `123456789:AA…`.
    #[error("TELOXIDE_TOKEN does not look like a bot token (it has the form 123456789:AA…)")]
    BadToken,
    /// The named variable is not a URL.
    #[error("{0} is not a valid URL")]
    BadUrl(&'static str),
    /// A webhook URL without a valid secret.
    #[error("POSDESK_WEBHOOK_SECRET must be set with POSDESK_WEBHOOK_URL: 1–256 characters of A–Z, a–z, 0–9, _ and -")]
    WebhookSecret,
    /// `POSDESK_WEBHOOK_LISTEN` is not a socket address.
    #[error("POSDESK_WEBHOOK_LISTEN: {0:?} is not an address such as 0.0.0.0:8080")]
    Listen(String),
    /// An entry of `POSDESK_REVIEWERS` is not a user id.
    #[error("POSDESK_REVIEWERS: {0:?} is not a Telegram user id")]
    Reviewer(String),
    /// A staff group without reviewers.
    #[error("POSDESK_REVIEWERS must list at least one user id when POSDESK_STAFF_CHAT_ID is set")]
    NoReviewers,
    /// A lease of zero hours.
    #[error("POSDESK_LEASE_HOURS must be at least 1")]
    Lease,
    /// An unknown language code.
    #[error("POSDESK_DEFAULT_LOCALE: unknown language {0:?} (use zh-CN or en)")]
    Locale(String),
    /// An entry of `POSDESK_HOLIDAYS` is not a `YYYY-MM-DD` date.
    #[error("POSDESK_HOLIDAYS: {0:?} is not a date (use YYYY-MM-DD, comma-separated)")]
    Holiday(String),
}

impl Settings {
    /// Build settings from raw values (as clap gathered them from flags and environment).
    pub fn from_raw(
        database_url: String,
        default_locale: &str,
        holidays: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let default_locale = Locale::parse(default_locale)
            .ok_or_else(|| ConfigError::Locale(default_locale.into()))?;
        let holidays = parse_holidays(holidays.unwrap_or(""))?;
        Ok(Settings {
            database_url,
            default_locale,
            holidays,
        })
    }
}

/// `2026-10-01,2026-10-02` → dates. Empty items are ignored.
pub fn parse_holidays(list: &str) -> Result<Vec<NaiveDate>, ConfigError> {
    list.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ConfigError::Holiday(s.into()))
        })
        .collect()
}

impl fmt::Debug for Settings {
    /// The database URL may carry a password: print it redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field(
                "database_url",
                &crate::store::redact_url(&self.database_url),
            )
            .field("default_locale", &self.default_locale)
            .field("holidays", &self.holidays.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let s = Settings::from_raw("sqlite://x.db".into(), "en", Some("2026-10-01, 2026-10-02"))
            .unwrap();
        assert_eq!(s.default_locale, Locale::En);
        assert_eq!(s.holidays.len(), 2);
        assert_eq!(
            Settings::from_raw("sqlite://x.db".into(), "fr", None).unwrap_err(),
            ConfigError::Locale("fr".into())
        );
        assert_eq!(
            parse_holidays("2026-13-01").unwrap_err(),
            ConfigError::Holiday("2026-13-01".into())
        );
    }

    #[test]
    fn bot_settings_are_validated_and_secrets_never_printed() {
        let raw = |token: Option<&str>| RawBotSettings {
            token: token.map(String::from),
            ..RawBotSettings::default()
        };
        assert_eq!(
            BotSettings::parse(raw(None)).unwrap_err(),
            ConfigError::MissingToken
        );
        assert_eq!(
            BotSettings::parse(raw(Some("nonsense"))).unwrap_err(),
            ConfigError::BadToken
        );
        let ok = BotSettings::parse(raw(Some("123:ABC-secret"))).unwrap();
        assert!(!format!("{ok:?}").contains("ABC-secret"));
        let mut hook = raw(Some("123:ABC"));
        hook.webhook_url = Some("https://bot.example.com/tg".into());
        assert_eq!(
            BotSettings::parse(hook.clone()).unwrap_err(),
            ConfigError::WebhookSecret
        );
        hook.webhook_secret = Some("has spaces".into());
        assert_eq!(
            BotSettings::parse(hook.clone()).unwrap_err(),
            ConfigError::WebhookSecret
        );
        hook.webhook_secret = Some("s3cret_-X".into());
        let parsed = BotSettings::parse(hook).unwrap();
        let webhook = parsed.webhook.unwrap();
        assert_eq!(webhook.listen.port(), 8080);
        assert!(!format!("{webhook:?}").contains("s3cret"));
    }

    #[test]
    fn staff_settings_are_validated() {
        assert!(staff_config(None, "", "zh-CN", 4).unwrap().is_none());
        let cfg = staff_config(Some(-1001), "7, 8", "en", 4).unwrap().unwrap();
        assert_eq!(cfg.reviewers, vec![7, 8]);
        assert_eq!(cfg.lease, chrono::Duration::hours(4));
        assert_eq!(
            staff_config(Some(-1), "", "zh-CN", 4).unwrap_err(),
            ConfigError::NoReviewers
        );
        assert_eq!(
            staff_config(Some(-1), "x", "zh-CN", 4).unwrap_err(),
            ConfigError::Reviewer("x".into())
        );
        assert_eq!(
            staff_config(Some(-1), "7", "zh-CN", 0).unwrap_err(),
            ConfigError::Lease
        );
    }

    #[test]
    fn debug_never_prints_a_database_password() {
        let s = Settings::from_raw("postgres://u:secret@h/db".into(), "zh-CN", None).unwrap();
        assert!(!format!("{s:?}").contains("secret"));
    }
}
