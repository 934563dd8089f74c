//! The command line (clap): `chat`, `ask`, `cases`, `migrate`.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "posdesk",
    version,
    about = "Support bot for POS merchants: unbind, return, close, change card"
)]
/// The command line: settings shared by every subcommand, and the subcommand.
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub common: Common,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand shares.
#[derive(Debug, Args)]
pub struct Common {
    /// Database URL; a SQLite file is created and migrated on start.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://posdesk.db"
    )]
    pub database_url: String,
    /// Language for merchants whose language we cannot tell.
    #[arg(
        long,
        global = true,
        env = "POSDESK_DEFAULT_LOCALE",
        default_value = "zh-CN"
    )]
    pub default_locale: String,
    /// Public holidays skipped by due dates (YYYY-MM-DD, comma-separated).
    #[arg(long, global = true, env = "POSDESK_HOLIDAYS")]
    pub holidays: Option<String>,
    /// Log as JSON lines.
    #[arg(
        long,
        global = true,
        env = "POSDESK_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

/// How log lines are written to standard error: `text` (human-readable lines) or `json`
/// (one JSON object per line).
// clap shows a value's doc comment in `--help` and then switches the whole help to its long
// layout, so the values are documented here on the enum instead.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Telegram bot (long polling; webhook mode when POSDESK_WEBHOOK_URL is set).
    /// The token is read from TELOXIDE_TOKEN, never from a flag.
    Run(RunArgs),
    /// Talk to posdesk in the terminal as one merchant (reads standard input line by line).
    Chat(ChatArgs),
    /// Ask the knowledge base a question and print its answer.
    Ask(AskArgs),
    /// Look at the case queue.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Create or upgrade the database schema, then exit.
    Migrate,
}

/// Flags of `posdesk run` (the token and webhook settings come from the environment only).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Messages per second to one chat.
    #[arg(long, env = "POSDESK_THROTTLE_CHAT_PER_SEC", default_value_t = 1)]
    pub throttle_chat_per_sec: u32,
    /// Messages per minute to one chat.
    #[arg(long, env = "POSDESK_THROTTLE_CHAT_PER_MIN", default_value_t = 20)]
    pub throttle_chat_per_min: u32,
    /// Messages per second overall.
    #[arg(long, env = "POSDESK_THROTTLE_PER_SEC", default_value_t = 30)]
    pub throttle_per_sec: u32,
    /// The staff group's chat id (cases are posted there); no staff side without it.
    #[arg(long, env = "POSDESK_STAFF_CHAT_ID", allow_hyphen_values = true)]
    pub staff_chat_id: Option<i64>,
    /// User ids allowed to act on cases, comma-separated.
    #[arg(long, env = "POSDESK_REVIEWERS", default_value = "")]
    pub reviewers: String,
    /// Language of staff-facing text (zh-CN or en).
    #[arg(long, env = "POSDESK_STAFF_LOCALE", default_value = "zh-CN")]
    pub staff_locale: String,
    /// Hours a claim lasts before the case returns to the queue.
    #[arg(long, env = "POSDESK_LEASE_HOURS", default_value_t = 4)]
    pub lease_hours: u32,
    /// Hours after which a merchant with an unfinished draft gets one reminder.
    #[arg(long, env = "POSDESK_REMINDER_HOURS", default_value_t = 24)]
    pub reminder_hours: u32,
    /// Days after a decision that a case's personal data is kept.
    #[arg(long, env = "POSDESK_RETENTION_DAYS", default_value_t = 90)]
    pub retention_days: u32,
    /// Hour (China time) of the daily overdue digest.
    #[arg(long, env = "POSDESK_DIGEST_HOUR", default_value_t = 9)]
    pub digest_hour: u32,
}

/// Flags of `posdesk chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The chat id to act as (each id is a separate merchant).
    #[arg(long, default_value_t = 1)]
    pub chat_id: i64,
    /// The language your "client" reports (zh-CN or en); `/lang` changes it in the chat.
    #[arg(long)]
    pub lang: Option<String>,
}

/// Flags of `posdesk ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Print one JSON line: {"intent":"…","score":…}.
    #[arg(long)]
    pub json: bool,
    /// Language of the answer (zh-CN or en).
    #[arg(long)]
    pub lang: Option<String>,
    /// The question.
    #[arg(required = true, num_args = 1..)]
    pub question: Vec<String>,
}

/// `posdesk cases …`: the case queue for operators.
#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// List cases, newest first.
    List {
        /// Only cases in this status (queued, in_review, waiting_merchant, approved, rejected, withdrawn).
        #[arg(long)]
        status: Option<String>,
        /// Only open cases past their due date.
        #[arg(long)]
        overdue: bool,
        /// At most this many.
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Show one case with its audit trail.
    Show {
        /// The case reference, e.g. UB-7K3QF9.
        case_ref: String,
    },
    /// Export cases as CSV to standard output.
    Export {
        /// Output format.
        #[arg(long, default_value = "csv")]
        format: ExportFormat,
        /// Only cases in this status (as for `list`).
        #[arg(long)]
        status: Option<String>,
    },
}

/// Export formats of `posdesk cases export`: `csv` (comma-separated values with a header
/// line).
// Values undocumented on purpose: see `LogFormat`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
}
