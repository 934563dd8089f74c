//! Settings, in one typed place. Read from the environment (and command-line flags that
//! override it); nothing else in the crate reads environment variables.

use crate::i18n::Locale;
use chrono::NaiveDate;
use std::fmt;

/// Settings shared by every subcommand.
#[derive(Clone)]
pub struct Settings {
    /// `sqlite://FILE` (created on start).
    pub database_url: String,
    /// The language for merchants whose client reports none we speak.
    pub default_locale: Locale,
    /// Public holidays skipped by due dates.
    pub holidays: Vec<NaiveDate>,
}

/// Problems in the configuration, reported before anything starts.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("POSDESK_DEFAULT_LOCALE: unknown language {0:?} (use zh-CN or en)")]
    Locale(String),
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
    fn debug_never_prints_a_database_password() {
        let s = Settings::from_raw("postgres://u:secret@h/db".into(), "zh-CN", None).unwrap();
        assert!(!format!("{s:?}").contains("secret"));
    }
}
