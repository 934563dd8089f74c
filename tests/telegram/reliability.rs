//! The reliability suite (issue #6): the real bot over HTTP against the fake Bot API, on
//! SQLite and PostgreSQL, with every random choice drawn from a fixed seed.
//!
//! - Redelivery: every update of eight whole conversations arrives two or three times
//!   (before and after it was confirmed) and presses are re-sent as new callback queries;
//!   the cases, dialogues and replies are exactly those of a run where each arrived once.
//! - Crash loop: `posdesk run` is SIGKILLed 50 times at random points while six merchants
//!   keep filling in applications; no update is lost, no case doubled or half-written.
//! - Database outage: the database goes away mid-form and comes back; the merchant is told
//!   once, nothing is lost, the bot recovers without a restart; in webhook mode Telegram
//!   is answered 503 until the update could be stored.

use crate::support::bot::{open_store, spawn_bot_process, Merchant, RunningBot, WAIT};
use crate::support::db::TestDb;
use crate::support::fake_telegram::FakeTelegram;
use crate::support::outage::DbOutage;
use crate::support::scripts::{script, Act, Script, Step};
use posdesk::conversation::{state, Dialogue, State};
use posdesk::domain::CaseRecord;
use posdesk::i18n::{Locale, Localizer, Msg};
use posdesk::store::{CaseFilter, Store};
use posdesk::telegram::edge::messages::ERROR_BUSY;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Print a line that `cargo test` shows even for passing tests (libtest captures
/// `println!`): what a reliability test did and how long it took.
fn report(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Play `steps` for `m` one at a time, each waiting for its reply; returns the update ids.
async fn play(fake: &FakeTelegram, m: &mut Merchant, steps: &[Step]) -> Vec<i64> {
    let mut ids = Vec::new();
    for step in steps {
        for update in step.act.updates(m) {
            ids.push(fake.push_update(update));
        }
        m.expect(step.expect).await;
    }
    ids
}

/// Whether every one of `ids` is recorded as processed.
async fn unprocessed(store: &dyn Store, ids: &[i64]) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let mut missing = Vec::new();
    for &id in ids {
        if !tx.is_processed(id).await.unwrap() {
            missing.push(id);
        }
    }
    missing
}

/// A chat's stored dialogue, without the time of its last activity (wall-clock time).
async fn dialogue(store: &dyn Store, chat: i64) -> Option<Dialogue> {
    let mut tx = store.begin().await.unwrap();
    let stored = tx.load_dialogue(chat).await.unwrap()?;
    let mut d = state::decode(&stored.state, stored.schema_version).expect("readable dialogue");
    d.last_active = None;
    Some(d)
}

fn cases_of(cases: &[CaseRecord], chat: i64) -> Vec<&CaseRecord> {
    cases.iter().filter(|c| c.chat_id == chat).collect()
}

// --- 1. Redelivery ---

/// Eight merchants, one conversation each, the three templates in turn.
const REDELIVERY_MERCHANTS: i64 = 8;
const REDELIVERY_SEED: u64 = 0x0006_5eed_0001;

/// What one run left behind, per chat.
#[derive(Debug)]
struct Run {
    /// The merchant's case, as comparable values (the reference and dates are the run's own).
    cases: BTreeMap<i64, Vec<Value>>,
    dialogues: BTreeMap<i64, Option<Dialogue>>,
    /// The texts sent to each chat, the case reference replaced by `<ref>`.
    texts: BTreeMap<i64, Vec<String>>,
    /// Updates pushed (first copies), copies pushed again, presses re-sent, restarts.
    pushed: usize,
    copies: usize,
    resent: usize,
    restarts: usize,
}

/// The parts of a case that do not depend on when or under which reference it was made.
fn comparable(case: &CaseRecord) -> Value {
    json!({
        "kind": case.kind,
        "brand": case.brand,
        "serial": case.serial,
        "fields": case.fields,
        "attachments": case.attachments,
        "chat": case.chat_id,
        "locale": case.locale,
        "status": case.status.as_str(),
    })
}

/// Play `scripts` against a bot on `db`. Without a seed each update is delivered once and
/// every merchant moves each round. With one, each round a random subset of the merchants
/// moves; every update is delivered two or three times: copies pushed with it (one
/// getUpdates call sees them together, so they are handled before the update is
/// confirmed) or held back until the bot is next restarted (a fresh poller starts from
/// offset 0, so it is handed updates it had confirmed); and presses are re-sent as new
/// callback queries with the same data, as Telegram clients do.
async fn converse(db: &TestDb, scripts: &[Script], seed: Option<u64>) -> Run {
    let fake = FakeTelegram::start().await;
    let mut bot = RunningBot::start(&fake, &db.url, None).await;
    let mut merchants: Vec<Merchant> = scripts
        .iter()
        .map(|s| Merchant::new(&fake, s.chat, s.lang))
        .collect();
    let mut next = vec![0usize; scripts.len()];
    let mut rng = seed.map(StdRng::seed_from_u64);
    let mut late: Vec<Value> = Vec::new();
    let mut ids = Vec::new();
    // How many times each update id was pushed.
    let mut pushes: BTreeMap<i64, usize> = BTreeMap::new();
    let (mut copies, mut resent, mut restarts) = (0, 0, 0);
    loop {
        let active: Vec<usize> = (0..scripts.len())
            .filter(|&i| next[i] < scripts[i].steps.len())
            .collect();
        if active.is_empty() {
            break;
        }
        let movers: Vec<usize> = match rng.as_mut() {
            None => active.clone(),
            Some(rng) => {
                let mut movers: Vec<usize> = active
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(0.7))
                    .collect();
                if movers.is_empty() {
                    movers.push(*active.choose(rng).unwrap());
                }
                movers
            }
        };
        let mut batch = Vec::new();
        for &i in &movers {
            let step = &scripts[i].steps[next[i]];
            for mut update in step.act.updates(&merchants[i]) {
                let id = fake.reserve_update_id();
                update["update_id"] = json!(id);
                ids.push(id);
                batch.push(update.clone());
                let Some(rng) = rng.as_mut() else { continue };
                for _ in 0..rng.random_range(1..=2) {
                    copies += 1;
                    if rng.random_bool(0.5) {
                        batch.push(update.clone());
                    } else {
                        late.push(update.clone());
                    }
                }
                if matches!(step.act, Act::Tap(_)) && rng.random_bool(0.6) {
                    let mut again = update.clone();
                    let id = fake.reserve_update_id();
                    again["update_id"] = json!(id);
                    again["callback_query"]["id"] = json!(format!("again-{id}"));
                    ids.push(id);
                    resent += 1;
                    if rng.random_bool(0.5) {
                        batch.push(again);
                    } else {
                        late.push(again);
                    }
                }
            }
        }
        if let Some(rng) = rng.as_mut() {
            batch.shuffle(rng);
        }
        for update in &batch {
            *pushes
                .entry(update["update_id"].as_i64().unwrap())
                .or_default() += 1;
        }
        fake.push_raw_all(batch);
        for &i in &movers {
            merchants[i].expect(scripts[i].steps[next[i]].expect).await;
            next[i] += 1;
        }
        // Now and then, and after the last round whatever is still held back.
        let finished = (0..scripts.len()).all(|i| next[i] == scripts[i].steps.len());
        let restart = match rng.as_mut() {
            Some(rng) => !late.is_empty() && (rng.random_bool(0.2) || finished),
            None => false,
        };
        if restart {
            bot = restart_with(
                bot,
                &fake,
                &db.url,
                &mut late,
                &mut pushes,
                rng.as_mut().unwrap(),
            )
            .await;
            restarts += 1;
        }
    }
    fake.wait_for("every update confirmed", WAIT, |f| f.pending_updates() == 0)
        .await;
    // Stopping drains the outbox: a reply wrongly queued for a copy would be sent.
    bot.stop().await;
    // Every copy reached the bot (none was dropped by the fake as already confirmed).
    let deliveries = fake.deliveries();
    for (id, pushed) in &pushes {
        let delivered = deliveries.get(id).copied().unwrap_or(0);
        assert!(
            delivered >= *pushed,
            "update {id}: pushed {pushed}×, delivered {delivered}×"
        );
    }

    let store = open_store(&db.url).await;
    assert_eq!(
        unprocessed(store.as_ref(), &ids).await,
        Vec::<i64>::new(),
        "updates never applied"
    );
    let all = store.list_cases(&CaseFilter::default()).await.unwrap();
    let mut run = Run {
        cases: BTreeMap::new(),
        dialogues: BTreeMap::new(),
        texts: BTreeMap::new(),
        pushed: ids.len() - resent,
        copies,
        resent,
        restarts,
    };
    for s in scripts {
        let cases = cases_of(&all, s.chat);
        let mut texts = fake.sent_texts(s.chat);
        for case in &cases {
            for t in &mut texts {
                *t = t.replace(case.case_ref.as_str(), "<ref>");
            }
        }
        run.cases
            .insert(s.chat, cases.iter().map(|c| comparable(c)).collect());
        run.dialogues
            .insert(s.chat, dialogue(store.as_ref(), s.chat).await);
        run.texts.insert(s.chat, texts);
    }
    store.close().await;
    run
}

/// Stop the bot, push the held-back copies while it is down, start it again.
async fn restart_with(
    bot: RunningBot,
    fake: &FakeTelegram,
    db: &str,
    late: &mut Vec<Value>,
    pushes: &mut BTreeMap<i64, usize>,
    rng: &mut StdRng,
) -> RunningBot {
    bot.stop().await;
    late.shuffle(rng);
    for update in late.iter() {
        *pushes
            .entry(update["update_id"].as_i64().unwrap())
            .or_default() += 1;
    }
    fake.push_raw_all(std::mem::take(late));
    RunningBot::start(fake, db, None).await
}

backends!(multi_thread every_update_delivered_two_or_three_times_is_applied_once);
async fn every_update_delivered_two_or_three_times_is_applied_once(db: &TestDb) {
    let started = Instant::now();
    let scripts: Vec<Script> = (0..REDELIVERY_MERCHANTS)
        .map(|i| script(i as usize, 7101 + i, 0))
        .collect();
    let reference_db = db.another().await;
    let reference = converse(&reference_db, &scripts, None).await;
    let reference_took = started.elapsed();
    let run = converse(db, &scripts, Some(REDELIVERY_SEED)).await;

    assert!(run.copies >= run.pushed, "every update came at least twice");
    for s in &scripts {
        let chat = s.chat;
        // Exactly one case, as the merchant entered it and as in the reference run.
        assert_eq!(run.cases[&chat].len(), 1, "chat {chat}: cases");
        assert_eq!(run.cases[&chat], reference.cases[&chat], "chat {chat}");
        let store_case = &run.cases[&chat][0];
        assert_eq!(store_case["fields"], s.case.fields, "chat {chat}: fields");
        assert_eq!(store_case["kind"], s.case.kind, "chat {chat}: kind");
        // The same dialogue, and the same replies in the same order: none sent twice.
        assert_eq!(
            run.dialogues[&chat], reference.dialogues[&chat],
            "chat {chat}"
        );
        assert_eq!(
            run.texts[&chat], reference.texts[&chat],
            "chat {chat}: replies differ from the run where each update came once"
        );
        let confirmations = run.texts[&chat]
            .iter()
            .filter(|t| t.contains(s.confirmation))
            .count();
        assert_eq!(confirmations, 1, "chat {chat}: confirmations");
    }
    report(format!(
        "redelivery ({:?}): {} merchants, {} updates, {} copies, {} re-sent presses, {} \
         restarts; cases and replies as delivered once; {:.1} s (reference run {:.1} s)",
        db.backend,
        scripts.len(),
        run.pushed,
        run.copies,
        run.resent,
        run.restarts,
        started.elapsed().as_secs_f64(),
        reference_took.as_secs_f64()
    ));
}

// --- 2. Crash loop ---

const KILLS: usize = 50;
const CRASH_MERCHANTS: i64 = 6;
const CRASH_SEED: u64 = 0x0006_5eed_0002;
/// A merchant waits this long at most for a reply (a hang guard: with the bot killed every
/// few hundred milliseconds a reply can take several restarts).
const CRASH_WAIT: Duration = Duration::from_secs(60);

/// One finished conversation of the crash loop.
struct Finished {
    script: Script,
    ids: Vec<i64>,
}

/// A merchant filling in one application after another until `stop`, then finishing the
/// one in hand. Waits a random moment (seeded) before each step.
async fn keep_applying(
    fake: FakeTelegram,
    chat: i64,
    template: usize,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> Vec<Finished> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut finished = Vec::new();
    for n in 0.. {
        let script = script(template, chat, n);
        let mut m = Merchant::new(&fake, chat, script.lang);
        m.seen = fake.sent_texts(chat).len();
        let mut ids = Vec::new();
        for step in &script.steps {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..40))).await;
            for update in step.act.updates(&m) {
                ids.push(fake.push_update(update));
            }
            m.expect_within(step.expect, CRASH_WAIT).await;
        }
        finished.push(Finished { script, ids });
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    finished
}

backends!(multi_thread fifty_sigkills_lose_no_update_and_apply_none_twice);
async fn fifty_sigkills_lose_no_update_and_apply_none_twice(db: &TestDb) {
    let started = Instant::now();
    let fake = FakeTelegram::start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut merchants = tokio::task::JoinSet::new();
    for k in 0..CRASH_MERCHANTS {
        merchants.spawn(keep_applying(
            fake.clone(),
            7201 + k,
            k as usize,
            CRASH_SEED + k as u64,
            stop.clone(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(CRASH_SEED);
    let mut bot = spawn_bot_process(&fake, &db.url);
    let (mut by_time, mut in_hand) = (0, 0);
    for _ in 0..KILLS {
        if rng.random_bool(0.5) {
            by_time += 1;
            let ms = rng.random_range(0..400);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        } else {
            let want = fake.call_count() + rng.random_range(1..=40);
            fake.wait_for("requests from the bot", CRASH_WAIT, move |f| {
                f.call_count() >= want
            })
            .await;
        }
        if fake.pending_updates() > 0 {
            in_hand += 1;
        }
        bot.start_kill().unwrap();
        bot.wait().await.unwrap();
        bot = spawn_bot_process(&fake, &db.url);
    }
    stop.store(true, Ordering::SeqCst);
    let mut finished = Vec::new();
    while let Some(done) = merchants.join_next().await {
        finished.extend(done.unwrap());
    }
    fake.wait_for("every update confirmed", WAIT, |f| f.pending_updates() == 0)
        .await;
    bot.start_kill().unwrap();
    bot.wait().await.unwrap();

    let store = open_store(&db.url).await;
    let all_ids: Vec<i64> = finished.iter().flat_map(|f| f.ids.clone()).collect();
    assert_eq!(
        unprocessed(store.as_ref(), &all_ids).await,
        Vec::<i64>::new(),
        "lost updates"
    );
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(
        cases.len(),
        finished.len(),
        "one case per finished application, no other"
    );
    for f in &finished {
        let s = &f.script;
        let name = &s.case.fields["merchant_name"];
        let mine: Vec<&CaseRecord> = cases
            .iter()
            .filter(|c| c.chat_id == s.chat && &c.fields["merchant_name"] == name)
            .collect();
        assert_eq!(mine.len(), 1, "chat {}: cases for {name}", s.chat);
        s.case.check(mine[0]);
        let confirmed = fake
            .sent_texts(s.chat)
            .iter()
            .any(|t| t.contains(s.confirmation) && t.contains(mine[0].case_ref.as_str()));
        assert!(
            confirmed,
            "chat {}: no confirmation of {}",
            s.chat, mine[0].case_ref
        );
    }
    for k in 0..CRASH_MERCHANTS {
        let d = dialogue(store.as_ref(), 7201 + k).await.unwrap();
        assert_eq!(
            d.state,
            State::Menu,
            "chat {}: nothing left half-done",
            7201 + k
        );
    }
    store.close().await;
    // Replies are sent at least once: one sent and not yet deleted from the outbox when
    // the bot was killed goes out again after the restart.
    let resent: usize = (0..CRASH_MERCHANTS)
        .map(|k| {
            let texts = fake.sent_texts(7201 + k);
            texts.windows(2).filter(|w| w[0] == w[1]).count()
        })
        .sum();
    report(format!(
        "crash loop ({:?}): {KILLS} SIGKILLs ({by_time} after a random time, the rest after \
         a random number of requests; {in_hand} with unconfirmed updates), {} applications \
         by {CRASH_MERCHANTS} merchants, {} updates; none lost, none doubled; {resent} \
         replies sent again; {:.1} s",
        db.backend,
        finished.len(),
        all_ids.len(),
        started.elapsed().as_secs_f64()
    ));
}

// --- 3. Database outage ---

/// The notice a merchant gets while the database is unavailable.
fn busy_notice(locale: Locale) -> String {
    Localizer::global().render(locale, &Msg::new(ERROR_BUSY))
}

backends!(multi_thread a_database_outage_is_announced_once_and_loses_nothing);
async fn a_database_outage_is_announced_once_and_loses_nothing(db: &TestDb) {
    let started = Instant::now();
    let mut outage = DbOutage::new(db).await;
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &outage.bot_url, None).await;
    // A (Chinese) is asked for the contact's name; B (English) for the ID photo.
    let (a_script, b_script) = (script(0, 7301, 0), script(1, 7302, 0));
    let mut a = Merchant::new(&fake, 7301, a_script.lang);
    let mut b = Merchant::new(&fake, 7302, b_script.lang);
    let name_step = 8;
    assert!(matches!(&a_script.steps[name_step].act, Act::Say(t) if t == "张伟"));
    let photo_step = 10;
    assert!(matches!(&b_script.steps[photo_step].act, Act::Photos(_)));
    let mut ids = play(&fake, &mut a, &a_script.steps[..name_step]).await;
    ids.extend(play(&fake, &mut b, &b_script.steps[..photo_step]).await);

    // B sends the photo as an album part: the answer waits in the outbox for further
    // parts, so it was committed before the outage and is sent during or after it.
    let photo = FakeTelegram::photo(7302, "en", "id-7302-0", Some("album-b"), None);
    let photo_id = fake.push_update(photo);
    ids.push(photo_id);
    fake.wait_for("B's photo confirmed", WAIT, move |f| {
        f.confirmed_offset() > photo_id
    })
    .await;

    outage.begin().await;
    let name_id = fake.push_update(FakeTelegram::text(7301, "zh-hans", "张伟"));
    ids.push(name_id);
    let busy = busy_notice(Locale::ZhCn);
    a.expect(&busy).await;
    // The update is tried again, and fails again, while the outage lasts: the second poll
    // after the notice comes only after a retry failed.
    let polls = fake.calls_to("getUpdates").len();
    fake.wait_for("two more polls during the outage", WAIT, move |f| {
        f.calls_to("getUpdates").len() >= polls + 2
    })
    .await;
    assert!(
        fake.confirmed_offset() <= name_id,
        "the update was confirmed while the database was unavailable"
    );
    outage.end().await;

    // Without a restart: the name is applied, the next question comes, and B's answer.
    let phone_prompt = Localizer::global().render(Locale::ZhCn, &Msg::new("field-phone-prompt"));
    a.expect(&phone_prompt).await;
    b.expect(b_script.steps[photo_step].expect).await;
    ids.extend(play(&fake, &mut a, &a_script.steps[name_step + 1..]).await);
    ids.extend(play(&fake, &mut b, &b_script.steps[photo_step + 1..]).await);
    bot.stop().await;

    let a_texts = fake.sent_texts(7301);
    let b_texts = fake.sent_texts(7302);
    let count = |texts: &[String], what: &str| texts.iter().filter(|t| t.contains(what)).count();
    assert_eq!(count(&a_texts, &busy), 1, "told once: {a_texts:#?}");
    assert_eq!(count(&a_texts, &phone_prompt), 1, "the name applied once");
    assert_eq!(count(&a_texts, a_script.confirmation), 1);
    assert_eq!(count(&b_texts, &busy_notice(Locale::En)), 0);
    assert_eq!(
        count(&b_texts, b_script.steps[photo_step].expect),
        1,
        "B's answer from before the outage sent once: {b_texts:#?}"
    );
    assert_eq!(count(&b_texts, b_script.confirmation), 1);

    let store = open_store(&db.url).await;
    assert_eq!(unprocessed(store.as_ref(), &ids).await, Vec::<i64>::new());
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 2, "no duplicate");
    a_script.case.check(cases_of(&cases, 7301)[0]);
    b_script.case.check(cases_of(&cases, 7302)[0]);
    store.close().await;
    report(format!(
        "database outage ({:?}): notice once, field applied after recovery, no restart; \
         {:.1} s",
        db.backend,
        started.elapsed().as_secs_f64()
    ));
}

backends!(multi_thread a_webhook_answers_503_during_an_outage_so_telegram_retries);
async fn a_webhook_answers_503_during_an_outage_so_telegram_retries(db: &TestDb) {
    use posdesk::config::{Secret, WebhookSettings};
    let started = Instant::now();
    let mut outage = DbOutage::new(db).await;
    let fake = FakeTelegram::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/telegram/hook");
    let secret = "outage-s3cret";
    let hook = WebhookSettings {
        url: url::Url::parse(&url).unwrap(),
        secret: Secret::new(secret),
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
    };
    let bot = RunningBot::start(&fake, &outage.bot_url, Some(hook)).await;
    fake.wait_for("setWebhook", WAIT, |f| !f.calls_to("setWebhook").is_empty())
        .await;
    let update = |id: i64, text: &str| {
        let mut u = FakeTelegram::text(7401, "en", text);
        u["update_id"] = json!(id);
        u
    };
    let mut m = Merchant::new(&fake, 7401, "en");
    let mut status = 0;
    for _ in 0..100 {
        status = FakeTelegram::post_webhook(&url, Some(secret), &update(1, "/start")).await;
        if status != 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200);
    m.expect("Hello").await;

    outage.begin().await;
    let help = update(2, "/help");
    // Telegram delivers the update, gets 503, and tries again later.
    for attempt in 1..=2 {
        let status = FakeTelegram::post_webhook(&url, Some(secret), &help).await;
        assert_eq!(status, 503, "attempt {attempt} during the outage");
    }
    outage.end().await;
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some(secret), &help).await,
        200
    );
    m.expect("How this works").await;
    // A last redelivery after the 200: accepted and not applied again.
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some(secret), &help).await,
        200
    );
    bot.stop().await;

    let texts = fake.sent_texts(7401);
    let count = |what: &str| texts.iter().filter(|t| t.contains(what)).count();
    assert_eq!(count(&busy_notice(Locale::En)), 1, "told once: {texts:#?}");
    assert_eq!(count("How this works"), 1, "applied once: {texts:#?}");
    report(format!(
        "webhook outage ({:?}): 503 twice, one notice, then 200 and applied once; {:.1} s",
        db.backend,
        started.elapsed().as_secs_f64()
    ));
}
