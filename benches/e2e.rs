//! End to end under load (issue #6): the fake Bot API of the tests, grown into a load driver,
//! feeds the real `posdesk run` thousands of simulated merchants, each going through a
//! complete case (menu, brand, guide, every field, photos, summary, submit), and times every
//! reply from the moment its update left in a `getUpdates` answer to the moment the bot's
//! `sendMessage` for that chat arrived. The same driver, in the same run, feeds a bare
//! teloxide echo bot (this file again, started with `POSDESK_BENCH_ROLE=echo`): the floor the
//! framework itself sets on this machine.
//!
//! ```text
//! cargo bench --bench e2e                                  # SQLite, echo floor, memory, start-up
//! POSDESK_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench e2e
//! ```
//! Sizes: `POSDESK_BENCH_MERCHANTS` (closed-loop runs, default 1,000), `POSDESK_BENCH_STORED`
//! and `POSDESK_BENCH_ACTIVE` (memory run: stored dialogues, default 100,000, and merchants
//! active at once, default 10,000), `POSDESK_BENCH_RATE` (paced run, default 500 updates/s),
//! `POSDESK_BENCH_ONLY` (a comma-separated subset of `echo,sqlite,postgres,paced,memory`);
//! `POSDESK_BENCH_BIN` runs another build of posdesk (a before/after comparison).
//!
//! Each merchant has one update outstanding at a time and sends the next as soon as the
//! reply it needs arrived ("closed loop"); the paced run instead releases updates at a fixed
//! rate, to read latency at a given load. Telegram's flood limits are lifted for the bot
//! (the fake has none), as they would otherwise cap every run at 30 messages a second.

#[path = "../tests/support/db.rs"]
mod db;
#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;

use db::TestDb;
use fake_telegram::{FakeTelegram, Observed};
use serde_json::Value;
use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const LANG: &str = "zh-hans";
/// Chat ids of simulated merchants start here (stored dialogues of the memory run elsewhere).
const FIRST_CHAT: i64 = 7_000_000_000;
/// A run with no reply for this long has stalled: it is reported and abandoned.
const STALL: Duration = Duration::from_secs(30);

/// What a merchant does at one step of the script.
#[derive(Clone, Copy, Debug)]
enum Act {
    Say(&'static str),
    /// Press the newest button whose label contains this.
    Tap(&'static str),
    MerchantNo,
    Login,
    Contact,
    Photo,
}

/// A complete "close my merchant account" case with Lakala, in Chinese: 14 updates.
const SCRIPT: &[Act] = &[
    Act::Say("/start"),
    Act::Tap("注销商户"),
    Act::Tap("拉卡拉"),
    Act::Tap("帮我提交申请"),
    Act::MerchantNo,
    Act::Say("小李烟酒店"),
    Act::Login,
    Act::Contact,
    Act::Tap("是"),
    Act::Say("是的"),
    Act::Photo,
    Act::Photo,
    Act::Tap("跳过"),
    Act::Tap("提交"),
];
/// What the reply to the last step must say for the case to count as submitted.
const SUBMITTED: &str = "申请编号";

/// Which bot a run drives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Posdesk,
    Echo,
}

/// How updates are released.
#[derive(Clone, Copy, Debug)]
enum Pace {
    /// Each merchant sends its next update as soon as it has its reply.
    Closed,
    /// Updates go out at this many per second (merchants wait their turn).
    Rate(u32),
}

#[derive(Default)]
struct MerchantState {
    /// Index in SCRIPT of the update outstanding (or the next to send when idle).
    step: usize,
    update_id: Option<i64>,
    delivered_at: Option<Instant>,
    replied: bool,
    /// Buttons (label, data) and texts received since the outstanding update was sent.
    buttons: Vec<(String, String)>,
    texts: Vec<String>,
    done: bool,
}

#[derive(Default)]
struct Driver {
    target: Option<Target>,
    merchants: Vec<MerchantState>,
    by_update: HashMap<i64, usize>,
    latencies: Vec<Duration>,
    sent: u64,
    replies: u64,
    done: usize,
    submitted: usize,
    first_push: Option<Instant>,
    last_reply: Option<Instant>,
    /// Merchants ready to send, for the paced run.
    ready: std::collections::VecDeque<usize>,
    paced: bool,
    first_get_updates: Option<Instant>,
}

impl Driver {
    fn chat(i: usize) -> i64 {
        FIRST_CHAT + i as i64
    }

    /// The update merchant `i` sends at its current step, or `None` when the button it
    /// needs has not arrived.
    fn next_update(&self, i: usize) -> Option<Value> {
        let m = &self.merchants[i];
        let chat = Self::chat(i);
        let n = i as u64;
        Some(match SCRIPT[m.step] {
            Act::Say(text) => FakeTelegram::text(chat, LANG, text),
            Act::MerchantNo => FakeTelegram::text(chat, LANG, &format!("8221{n:011}")),
            Act::Login => FakeTelegram::text(chat, LANG, &format!("shop{n}")),
            Act::Contact => {
                FakeTelegram::contact(chat, LANG, &format!("+86137{:08}", n % 100_000_000))
            }
            Act::Photo => FakeTelegram::photo(chat, LANG, &format!("ph{n}-{}", m.step), None, None),
            Act::Tap(label) => {
                let data = if self.target == Some(Target::Echo) {
                    "echo".to_string()
                } else {
                    m.buttons
                        .iter()
                        .rev()
                        .find(|(l, _)| l.contains(label))
                        .map(|(_, d)| d.clone())?
                };
                FakeTelegram::callback(chat, LANG, 1, &data)
            }
        })
    }

    /// Whether merchant `i` got what its next step needs.
    fn ready_for_next(&self, i: usize) -> bool {
        let m = &self.merchants[i];
        m.replied && (m.step + 1 >= SCRIPT.len() || self.next_update_at(i, m.step + 1))
    }

    fn next_update_at(&self, i: usize, step: usize) -> bool {
        match SCRIPT[step] {
            Act::Tap(label) if self.target == Some(Target::Posdesk) => self.merchants[i]
                .buttons
                .iter()
                .any(|(l, _)| l.contains(label)),
            _ => true,
        }
    }

    /// Send merchant `i`'s current step.
    fn push(&mut self, fake: &FakeTelegram, i: usize) {
        let Some(update) = self.next_update(i) else {
            return;
        };
        let id = fake.push_update(update);
        let now = Instant::now();
        self.first_push.get_or_insert(now);
        self.sent += 1;
        self.by_update.insert(id, i);
        let m = &mut self.merchants[i];
        m.update_id = Some(id);
        m.delivered_at = None;
        m.replied = false;
        m.buttons.clear();
        m.texts.clear();
    }

    /// A reply to merchant `i` arrived.
    fn on_reply(&mut self, fake: &FakeTelegram, i: usize, body: &Value, at: Instant) {
        self.replies += 1;
        self.last_reply = Some(at);
        let m = &mut self.merchants[i];
        if m.done || m.update_id.is_none() {
            return;
        }
        if !m.replied {
            if let Some(delivered) = m.delivered_at {
                self.latencies.push(at.saturating_duration_since(delivered));
            }
            m.replied = true;
        }
        if let Some(text) = body["text"].as_str() {
            m.texts.push(text.to_string());
        }
        for row in body["reply_markup"]["inline_keyboard"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for b in row.as_array().into_iter().flatten() {
                if let (Some(l), Some(d)) = (b["text"].as_str(), b["callback_data"].as_str()) {
                    m.buttons.push((l.to_string(), d.to_string()));
                }
            }
        }
        if !self.ready_for_next(i) {
            return;
        }
        let m = &mut self.merchants[i];
        if let Some(id) = m.update_id.take() {
            self.by_update.remove(&id);
        }
        if m.step + 1 >= SCRIPT.len() {
            m.done = true;
            self.done += 1;
            if self.target == Some(Target::Echo) || m.texts.iter().any(|t| t.contains(SUBMITTED)) {
                self.submitted += 1;
            }
            return;
        }
        m.step += 1;
        if self.paced {
            self.ready.push_back(i);
        } else {
            self.push(fake, i);
        }
    }
}

/// What one run measured.
struct Report {
    name: String,
    merchants: usize,
    updates: u64,
    submitted: usize,
    secs: f64,
    latencies: Vec<Duration>,
    peak_rss_kb: Option<u64>,
    stalled: bool,
}

impl Report {
    fn per_sec(&self) -> f64 {
        self.updates as f64 / self.secs
    }

    fn print(&self) {
        let mut l = self.latencies.clone();
        l.sort();
        let q = |p: f64| -> f64 {
            if l.is_empty() {
                return f64::NAN;
            }
            let idx = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
            l[idx].as_secs_f64() * 1000.0
        };
        println!(
            "{:<34} merchants {:>6}  updates {:>7}  cases {:>6}  {:>7.2} s  {:>8.0} updates/s  p50 {:>6.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  peak RSS {}{}",
            self.name,
            self.merchants,
            self.updates,
            self.submitted,
            self.secs,
            self.per_sec(),
            q(0.50),
            q(0.99),
            l.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(f64::NAN),
            self.peak_rss_kb
                .map(|kb| format!("{:.1} MB", kb as f64 / 1024.0))
                .unwrap_or_else(|| "-".into()),
            if self.stalled { "  (STALLED)" } else { "" },
        );
    }
}

/// Starts the bot under test against `fake`.
fn spawn(target: Target, fake: &FakeTelegram, db_url: &str, log: &std::path::Path) -> Child {
    let mut cmd = match target {
        Target::Posdesk => {
            // POSDESK_BENCH_BIN: another build of posdesk, to compare before and after.
            let bin = std::env::var("POSDESK_BENCH_BIN")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_posdesk").to_string());
            let mut c = Command::new(bin);
            c.arg("run");
            c
        }
        Target::Echo => {
            let mut c = Command::new(std::env::current_exe().expect("own path"));
            c.env("POSDESK_BENCH_ROLE", "echo");
            c
        }
    };
    let log = std::fs::File::create(log).expect("bot log file");
    cmd.env("TELOXIDE_TOKEN", fake.token())
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("DATABASE_URL", db_url)
        .env("POSDESK_THROTTLE_CHAT_PER_SEC", "1000")
        .env("POSDESK_THROTTLE_CHAT_PER_MIN", "100000")
        .env("POSDESK_THROTTLE_PER_SEC", "100000")
        .env("RUST_LOG", "warn")
        .env_remove("POSDESK_WEBHOOK_URL")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start the bot under test")
}

/// The bot's peak resident set so far (Linux `VmHWM`), in kB.
fn peak_rss_kb(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()?)).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn stop(mut child: Child) {
    if let Some(pid) = child.id() {
        // SIGTERM: posdesk finishes its batch and drains its outbox.
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    if tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// A fake Bot API whose observer drives `merchants` merchants through the script.
async fn driven_fake(
    target: Target,
    merchants: usize,
    pace: Pace,
) -> (FakeTelegram, Arc<Mutex<Driver>>) {
    let fake = FakeTelegram::start().await;
    fake.stop_recording();
    // Update ids never repeat across the runs of one bench, as on Telegram: the memory run
    // reuses a database that earlier fakes filled.
    static RUNS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    fake.start_update_ids_at(1 + run * 10_000_000);
    let driver = Arc::new(Mutex::new(Driver {
        target: Some(target),
        merchants: (0..merchants).map(|_| MerchantState::default()).collect(),
        paced: matches!(pace, Pace::Rate(_)),
        ..Driver::default()
    }));
    let (d, f) = (driver.clone(), fake.clone());
    fake.observe(move |seen| {
        let mut d = d.lock().unwrap();
        match seen {
            Observed::Delivered { ids, at } => {
                for id in ids {
                    if let Some(&i) = d.by_update.get(id) {
                        d.merchants[i].delivered_at.get_or_insert(at);
                    }
                }
            }
            Observed::Request { method, body, at } => match method {
                "getUpdates" => {
                    d.first_get_updates.get_or_insert(at);
                }
                "sendMessage" | "editMessageText" => {
                    let chat = body["chat_id"].as_i64().unwrap_or_default();
                    let i = chat - FIRST_CHAT;
                    if (0..d.merchants.len() as i64).contains(&i) {
                        d.on_reply(&f, i as usize, body, at);
                    }
                }
                _ => {}
            },
        }
    });
    (fake, driver)
}

/// Runs `merchants` merchants through the script against a fresh bot; `db` is the database
/// (an existing one for the memory run).
async fn run(name: &str, target: Target, db: &TestDb, merchants: usize, pace: Pace) -> Report {
    let (fake, driver) = driven_fake(target, merchants, pace).await;
    let log = std::env::temp_dir().join(format!("posdesk-bench-{}.log", std::process::id()));
    let child = spawn(target, &fake, &db.url, &log);
    // Wait for the bot's first getUpdates: then it is ready.
    let started = Instant::now();
    while driver.lock().unwrap().first_get_updates.is_none() {
        if started.elapsed() > STALL {
            panic!("{name}: the bot never polled; its log: {}", log.display());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    {
        let mut d = driver.lock().unwrap();
        for i in 0..merchants {
            if d.paced {
                d.ready.push_back(i);
            } else {
                d.push(&fake, i);
            }
        }
    }
    let pacer = match pace {
        Pace::Closed => None,
        Pace::Rate(rate) => {
            let (d, f) = (driver.clone(), fake.clone());
            Some(tokio::spawn(async move {
                let mut tick =
                    tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                loop {
                    tick.tick().await;
                    let mut d = d.lock().unwrap();
                    if d.done == d.merchants.len() {
                        return;
                    }
                    if let Some(i) = d.ready.pop_front() {
                        d.push(&f, i);
                    }
                }
            }))
        }
    };
    let mut last = (0u64, Instant::now());
    let mut stalled = false;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let d = driver.lock().unwrap();
        if d.done == merchants {
            break;
        }
        if d.replies != last.0 {
            last = (d.replies, Instant::now());
        } else if last.1.elapsed() > STALL {
            stalled = true;
            if let Some((i, m)) = d.merchants.iter().enumerate().find(|(_, m)| !m.done) {
                eprintln!(
                    "{name}: stalled; merchant {i} at step {} ({:?}), replies since: {:?}; bot log: {}",
                    m.step,
                    SCRIPT[m.step],
                    m.texts,
                    log.display()
                );
            }
            break;
        }
    }
    if let Some(p) = pacer {
        p.abort();
    }
    let peak = peak_rss_kb(&child);
    stop(child).await;
    let d = driver.lock().unwrap();
    let secs = match (d.first_push, d.last_reply) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => f64::NAN,
    };
    Report {
        name: name.to_string(),
        merchants,
        updates: d.sent,
        submitted: d.submitted,
        secs,
        latencies: d.latencies.clone(),
        peak_rss_kb: peak,
        stalled,
    }
}

/// Adds `count` stored dialogues (copies of chat `template`'s, at chat ids far from the
/// merchants') straight into the SQLite database of the memory run, as months of past
/// merchants would leave, and removes the template.
async fn seed_dialogues(db: &TestDb, template: i64, count: usize) {
    assert_eq!(
        db.backend,
        db::Backend::Sqlite,
        "the memory run is on SQLite"
    );
    let first = 1_000_000_000i64;
    let pool = sqlx::SqlitePool::connect(&db.url)
        .await
        .expect("open the bench database");
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1) \
         INSERT INTO dialogues (chat_id, state, schema_version, row_version, updated_at, draft_since, reminded) \
         SELECT ?2 + n.i, d.state, d.schema_version, 1, d.updated_at, d.draft_since, d.reminded \
         FROM n, dialogues d WHERE d.chat_id = ?3",
    )
    .bind(count as i64)
    .bind(first)
    .bind(template)
    .execute(&pool)
    .await
    .expect("seed dialogues");
    sqlx::query("DELETE FROM dialogues WHERE chat_id = ?1")
        .bind(template)
        .execute(&pool)
        .await
        .expect("drop the template");
    pool.close().await;
}

/// Start-up: launch to the first `getUpdates`, on an existing database, `rounds` times.
async fn startup(db: &TestDb, rounds: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..rounds {
        let (fake, driver) = driven_fake(Target::Posdesk, 0, Pace::Closed).await;
        let log = std::env::temp_dir().join(format!("posdesk-bench-{}.log", std::process::id()));
        let launched = Instant::now();
        let child = spawn(Target::Posdesk, &fake, &db.url, &log);
        let first = loop {
            if let Some(at) = driver.lock().unwrap().first_get_updates {
                break at;
            }
            assert!(
                launched.elapsed() < STALL,
                "the bot never polled; its log: {}",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        times.push(first.duration_since(launched));
        stop(child).await;
    }
    times.sort();
    times
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn wanted(part: &str) -> bool {
    match std::env::var("POSDESK_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|p| p.trim() == part),
        _ => true,
    }
}

async fn bench() {
    let merchants = env_usize("POSDESK_BENCH_MERCHANTS", 1_000);
    let rate = env_usize("POSDESK_BENCH_RATE", 500) as u32;
    let stored = env_usize("POSDESK_BENCH_STORED", 100_000);
    let active = env_usize("POSDESK_BENCH_ACTIVE", 10_000);
    println!(
        "end to end: {} updates per case; fake Bot API and driver in this process, the bot in its own",
        SCRIPT.len()
    );

    let mut echo_rate = None;
    if wanted("echo") {
        let db = TestDb::sqlite();
        let r = run(
            "echo bot (teloxide floor)",
            Target::Echo,
            &db,
            merchants,
            Pace::Closed,
        )
        .await;
        r.print();
        echo_rate = Some(r.per_sec());
    }
    let ratio = |r: &Report| {
        if let Some(echo) = echo_rate {
            println!("{:<34} {:.2} of the echo floor", "", r.per_sec() / echo);
        }
    };
    let mut closed_loop = Vec::new();
    if wanted("sqlite") {
        closed_loop.push(("posdesk, SQLite", TestDb::sqlite()));
    }
    if wanted("postgres") {
        if let Some(db) = TestDb::postgres().await {
            closed_loop.push(("posdesk, PostgreSQL", db));
        }
    }
    for (name, db) in &closed_loop {
        let r = run(name, Target::Posdesk, db, merchants, Pace::Closed).await;
        r.print();
        ratio(&r);
    }
    if wanted("paced") {
        let paced_merchants = (rate as usize).max(100);
        let db = TestDb::sqlite();
        let name = format!("posdesk, SQLite, {rate} updates/s");
        run(
            &name,
            Target::Posdesk,
            &db,
            paced_merchants,
            Pace::Rate(rate),
        )
        .await
        .print();
        if let Some(db) = TestDb::postgres().await {
            let name = format!("posdesk, PostgreSQL, {rate} updates/s");
            run(
                &name,
                Target::Posdesk,
                &db,
                paced_merchants,
                Pace::Rate(rate),
            )
            .await
            .print();
        }
    }
    if wanted("memory") {
        let db = TestDb::sqlite();
        // One merchant stops half-way through the form: its draft is the template.
        let (fake, driver) = driven_fake(Target::Posdesk, 1, Pace::Closed).await;
        let log = std::env::temp_dir().join(format!("posdesk-bench-{}.log", std::process::id()));
        let child = spawn(Target::Posdesk, &fake, &db.url, &log);
        while driver.lock().unwrap().first_get_updates.is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        driver.lock().unwrap().push(&fake, 0);
        while driver.lock().unwrap().merchants[0].step < 7 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop(child).await;
        seed_dialogues(&db, Driver::chat(0), stored).await;
        let times = startup(&db, 5).await;
        println!(
            "{:<34} launch to first getUpdates, {stored} stored dialogues: median {:.0} ms (min {:.0}, max {:.0}) over {} starts",
            "start-up, SQLite",
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0,
            times.len(),
        );
        let name = format!("memory: {stored} stored, {active} active");
        run(&name, Target::Posdesk, &db, active, Pace::Closed)
            .await
            .print();
    }
}

/// The framework's floor: a teloxide bot that answers every message and press with one
/// `sendMessage`, through the stock `Dispatcher` and long polling.
async fn echo_bot() {
    use teloxide::prelude::*;
    let token = std::env::var("TELOXIDE_TOKEN").expect("TELOXIDE_TOKEN");
    let api = std::env::var("TELOXIDE_API_URL").expect("TELOXIDE_API_URL");
    let bot = Bot::new(token).set_api_url(api.parse().expect("api url"));
    let handler = dptree::entry()
        .branch(
            Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
                let text = msg.text().unwrap_or("ok").to_string();
                bot.send_message(msg.chat.id, text).await?;
                respond(())
            }),
        )
        .branch(Update::filter_callback_query().endpoint(
            |bot: Bot, q: CallbackQuery| async move {
                if let Some(chat) = q.message.as_ref().map(|m| m.chat().id) {
                    bot.send_message(chat, q.data.unwrap_or_default()).await?;
                }
                respond(())
            },
        ));
    Dispatcher::builder(bot, handler).build().dispatch().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if std::env::var("POSDESK_BENCH_ROLE").as_deref() == Ok("echo") {
        runtime.block_on(echo_bot());
    } else {
        runtime.block_on(bench());
    }
}
