//! The `posdesk` binary: parse the command line, set up logging, run a subcommand.

use anyhow::Context;
use clap::Parser;
use posdesk::cli::{CasesCommand, Cli, Command, LogFormat};
use posdesk::config::{staff_config, BotSettings, RawBotSettings, Settings, ThrottleSettings};
use posdesk::i18n::Locale;
use posdesk::service::JobSettings;
use posdesk::{console, ops, store, telemetry};

/// jemalloc instead of the system allocator: the bot allocates and frees small buffers for
/// every update and every Bot API call, and glibc's malloc was a fifth of its CPU under load
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings: one arena (the bot's hot path is one task at a time; jemalloc's
/// default of four per core cost resident memory, not speed), and freed pages returned to
/// the system within half a second, so that the resident size follows the load down.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8] = b"narenas:1,dirty_decay_ms:500,muzzy_decay_ms:0\0";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.common.log_format == LogFormat::Json);
    let settings = Settings::from_raw(
        cli.common.database_url.clone(),
        &cli.common.default_locale,
        cli.common.holidays.as_deref(),
    )?;
    // Fail fast on a broken build's locales rather than at a merchant's first message.
    posdesk::i18n::Localizer::new().context("loading locales")?;

    match cli.command {
        Command::Run(args) => {
            let throttle = ThrottleSettings {
                per_chat_per_sec: args.throttle_chat_per_sec,
                per_chat_per_min: args.throttle_chat_per_min,
                overall_per_sec: args.throttle_per_sec,
            };
            let bot = BotSettings::parse(RawBotSettings::from_env(throttle))?;
            let staff = staff_config(
                args.staff_chat_id,
                &args.reviewers,
                &args.staff_locale,
                args.lease_hours,
            )?;
            let jobs = JobSettings {
                reminder_after: chrono::Duration::hours(i64::from(args.reminder_hours)),
                retention: chrono::Duration::days(i64::from(args.retention_days)),
                digest_hour: args.digest_hour.min(23),
            };
            posdesk::telegram::run(settings, bot, staff, jobs).await?;
        }
        Command::Ask(args) => {
            let locale = parse_lang(args.lang.as_deref())?.unwrap_or(settings.default_locale);
            let question = args.question.join(" ");
            ops::ask(&question, args.json, locale, &mut std::io::stdout().lock())?;
        }
        Command::Migrate => {
            let db = open(&settings).await?;
            db.close().await;
            eprintln!("database is up to date");
        }
        Command::Chat(args) => {
            let db = open(&settings).await?;
            let hint = parse_lang(args.lang.as_deref())?;
            let service = console::service(
                db.clone(),
                settings.default_locale,
                settings.holidays.clone(),
            );
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            console::run(&service, args.chat_id, hint, stdin, tokio::io::stdout()).await?;
            db.close().await;
        }
        Command::Cases(cmd) => {
            let db = open(&settings).await?;
            let mut out = std::io::stdout().lock();
            let result = match cmd {
                CasesCommand::List {
                    status,
                    overdue,
                    limit,
                } => {
                    ops::list(
                        db.as_ref(),
                        status.as_deref(),
                        overdue,
                        limit,
                        chrono::Utc::now(),
                        &mut out,
                    )
                    .await
                }
                CasesCommand::Show { case_ref } => {
                    ops::show(db.as_ref(), &case_ref, &mut out).await
                }
                CasesCommand::Export { format: _, status } => {
                    ops::export_csv(db.as_ref(), status.as_deref(), &mut out).await
                }
            };
            db.close().await;
            result?;
        }
    }
    Ok(())
}

async fn open(settings: &Settings) -> anyhow::Result<std::sync::Arc<dyn store::Store>> {
    store::open(&settings.database_url).await.with_context(|| {
        format!(
            "opening database {}",
            store::redact_url(&settings.database_url)
        )
    })
}

fn parse_lang(lang: Option<&str>) -> anyhow::Result<Option<Locale>> {
    lang.map(|l| {
        Locale::parse(l).with_context(|| format!("unknown language {l:?} (use zh-CN or en)"))
    })
    .transpose()
}
