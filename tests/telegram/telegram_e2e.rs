//! The real bot (dispatcher, store, outbox, flood limiter) driven over HTTP through a fake
//! Telegram Bot API on 127.0.0.1.

use crate::support::bot::{open_store, spawn_bot_process, Merchant, RunningBot, WAIT};
use crate::support::db::TestDb;
use crate::support::fake_telegram::{Failure, FakeTelegram};
use posdesk::config::{Secret, WebhookSettings};
use posdesk::store::CaseFilter;
use posdesk::testkit::luhn_card;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The conversation of the first test, up to the photos.
async fn fill_unbind_until_photos(m: &mut Merchant) {
    m.say("/start", "您好").await;
    m.tap("机器解绑", "哪个品牌").await;
    m.tap("拉卡拉", "95017").await;
    m.tap("帮我提交申请", "序列号").await;
    m.say("LKL-8C21-04567", "激活").await;
    m.tap("否", "商户编号").await;
    m.tap("跳过", "商户名称").await;
    m.say("张记<便利店>&", "联系人").await;
    m.say("张伟", "手机号").await;
}

backends!(multi_thread a_chinese_merchant_goes_from_start_to_a_queued_case);
async fn a_chinese_merchant_goes_from_start_to_a_queued_case(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &db.url, None).await;
    let mut m = Merchant::new(&fake, 5001, "zh-hans");

    fill_unbind_until_photos(&mut m).await;
    // The phone prompt offers Telegram's "share my phone number" button.
    let last = m.sent().last().cloned().unwrap();
    assert_eq!(
        last["reply_markup"]["keyboard"][0][0]["request_contact"], true,
        "{last}"
    );
    m.send(
        FakeTelegram::contact(5001, "zh-hans", "+8613812345678"),
        "原因",
    )
    .await;
    let ack = m.sent().iter().rev().nth(1).cloned().unwrap();
    assert_eq!(
        ack["reply_markup"]["remove_keyboard"], true,
        "contact keyboard removed: {ack}"
    );
    m.tap("长期不用了", "人像面").await;

    // An album of two photos: one answer that names both.
    let before = m.sent().len();
    fake.push_update(FakeTelegram::photo(
        5001,
        "zh-hans",
        "ph-front",
        Some("alb-1"),
        None,
    ));
    fake.push_update(FakeTelegram::photo(
        5001,
        "zh-hans",
        "ph-back",
        Some("alb-1"),
        None,
    ));
    let out = m.expect("营业执照").await;
    assert!(
        out.contains("身份证人像面") && out.contains("身份证国徽面"),
        "{out}"
    );
    assert_eq!(
        m.sent().len(),
        before + 1,
        "one answer for the album: {out}"
    );
    assert!(
        !fake.calls_to("sendChatAction").is_empty(),
        "typing shown while the album arrives"
    );

    let out = m.tap("跳过", "请核对").await;
    assert!(
        out.contains("张记&lt;便利店&gt;&amp;"),
        "merchant text is HTML-escaped: {out}"
    );
    assert!(out.contains("<b>"), "our own markup is kept: {out}");
    let out = m.tap("提交", "申请编号").await;

    // Every press was answered, and its buttons taken off.
    let presses = fake.calls_to("answerCallbackQuery").len();
    assert!(presses >= 6, "{presses}");
    let clears = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "editMessageReplyMarkup")
        .count();
    assert!(clears >= 6, "{clears}");
    // The command menu was registered in both languages.
    let langs: Vec<String> = fake
        .calls_to("setMyCommands")
        .iter()
        .filter_map(|c| c.body["language_code"].as_str().map(String::from))
        .collect();
    assert!(
        langs.contains(&"zh".to_string()) && langs.contains(&"en".to_string()),
        "{langs:?}"
    );
    bot.stop().await;

    let store = open_store(&db.url).await;
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert!(out.contains(case.case_ref.as_str()), "{out}");
    assert_eq!(case.kind, posdesk::domain::CaseKind::Unbind);
    assert_eq!(case.serial.as_deref(), Some("LKL8C2104567"));
    assert_eq!(case.fields["phone"], "13812345678");
    assert_eq!(case.fields["merchant_name"], "张记<便利店>&");
    let files: Vec<&str> = case
        .attachments
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file_id"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["ph-front", "ph-back"]);
    assert_eq!(case.locale, posdesk::i18n::Locale::ZhCn);
}

backends!(multi_thread redelivered_updates_and_resent_presses_make_one_case);
async fn redelivered_updates_and_resent_presses_make_one_case(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &db.url, None).await;
    let mut m = Merchant::new(&fake, 5002, "en");
    m.say("/start", "Hello").await;
    m.tap("Change settlement card", "Which brand").await;
    m.tap("Lakala", "final word").await;
    m.tap("Apply for me", "merchant number").await;

    // The same update delivered twice (same update id).
    let update = FakeTelegram::text(5002, "en", "822100012345678");
    let id = fake.push_update(update.clone());
    m.expect("merchant's name").await;
    let mut again = update.clone();
    again["update_id"] = serde_json::json!(id);
    fake.push_raw(again);
    fake.wait_for("the redelivery to be confirmed", WAIT, move |f| {
        f.confirmed_offset() > id && f.pending_updates() == 0
    })
    .await;

    m.say("Joe's Noodles", "mobile number").await;
    m.say("13812345678", "Which bank").await;
    m.say("ICBC", "last 4 digits").await;
    m.say("1234", "merchant's own name").await;
    m.tap("Yes", "portrait").await;
    m.send(
        FakeTelegram::photo(5002, "en", "id-front", None, None),
        "Please check",
    )
    .await;

    // Submit pressed, then the client re-sends the press with a new update id.
    let submit = m.button("Submit");
    m.send(
        FakeTelegram::callback(5002, "en", 1, &submit),
        "Your reference",
    )
    .await;
    let answers_before = fake.calls_to("answerCallbackQuery").len();
    fake.push_update(FakeTelegram::callback(5002, "en", 1, &submit));
    fake.wait_for("the re-sent press to be answered", WAIT, move |f| {
        f.calls_to("answerCallbackQuery").len() > answers_before
    })
    .await;
    let stale = fake
        .calls_to("answerCallbackQuery")
        .last()
        .unwrap()
        .body
        .clone();
    assert!(
        stale["text"].as_str().unwrap_or("").contains("expired"),
        "{stale}"
    );
    bot.stop().await;

    let store = open_store(&db.url).await;
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1, "exactly one case");
    assert_eq!(cases[0].fields["merchant_no"], "822100012345678");
    assert_eq!(
        cases[0].fields["merchant_name"], "Joe's Noodles",
        "the redelivered text was not applied again"
    );
}

backends!(multi_thread a_429_is_waited_out_and_no_reply_is_dropped);
async fn a_429_is_waited_out_and_no_reply_is_dropped(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &db.url, None).await;
    let mut m = Merchant::new(&fake, 5003, "zh-hans");
    fake.fail_next("sendMessage", Failure::RetryAfter(1));
    let started = std::time::Instant::now();
    m.say("/start", "您好").await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "retry_after honoured"
    );
    let refused: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "sendMessage" && !c.ok)
        .collect();
    assert_eq!(refused.len(), 1);
    // Two replies in a row with a 429 between them: both arrive, in order.
    fake.fail_next("sendMessage", Failure::RetryAfter(1));
    let out = m.say("押金能退吗", "押金").await;
    assert!(!out.is_empty());
    m.tap("帮我提交申请", "品牌").await;
    bot.stop().await;
}

backends!(multi_thread webhook_mode_refuses_requests_without_the_secret);
async fn webhook_mode_refuses_requests_without_the_secret(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/telegram/hook");
    let hook = WebhookSettings {
        url: url::Url::parse(&url).unwrap(),
        secret: Secret::new("s3cret-token_1"),
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
    };
    let bot = RunningBot::start(&fake, &db.url, Some(hook)).await;
    fake.wait_for("setWebhook", WAIT, |f| !f.calls_to("setWebhook").is_empty())
        .await;
    let registered = fake.calls_to("setWebhook")[0].body.clone();
    assert_eq!(registered["secret_token"], "s3cret-token_1");

    let mut update = FakeTelegram::text(5004, "en", "/start");
    update["update_id"] = serde_json::json!(77);
    let mut status = 0;
    for _ in 0..50 {
        status = FakeTelegram::post_webhook(&url, None, &update).await;
        if status != 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "no secret");
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some("wrong"), &update).await,
        401
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fake.sent_texts(5004).is_empty(), "nothing happened");
    {
        let store = open_store(&db.url).await;
        let mut tx = store.begin().await.unwrap();
        assert!(!tx.is_processed(77).await.unwrap());
        drop(tx);
        store.close().await;
    }
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some("s3cret-token_1"), &update).await,
        200
    );
    let mut m = Merchant::new(&fake, 5004, "en");
    m.expect("Hello").await;
    // Telegram retrying the same update: accepted, not applied again.
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some("s3cret-token_1"), &update).await,
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.sent_texts(5004).len(), 1);
    bot.stop().await;
}

backends!(multi_thread a_full_card_number_is_deleted_and_never_reaches_the_database);
async fn a_full_card_number_is_deleted_and_never_reaches_the_database(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &db.url, None).await;
    let mut m = Merchant::new(&fake, 5005, "zh-hans");
    m.say("/start card_lakala", "人工审核").await;
    m.tap("帮我提交申请", "商户编号").await;
    m.say("822100012345678", "商户名称").await;
    m.say("陈氏理发", "手机号").await;
    m.say("13612345678", "银行").await;
    m.say("建设银行", "后 4 位").await;
    let card = &luhn_card("621700012345678901");
    assert!(posdesk::domain::luhn_valid(card));
    let update = FakeTelegram::text(5005, "zh-hans", &format!("卡号 {card}"));
    let message_id = update["message"]["message_id"].as_i64().unwrap();
    let out = m.send(update, "完整").await;
    assert!(out.contains("后四位") || out.contains("后 4 位"), "{out}");
    let deleted = fake.calls_to("deleteMessage");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].body["message_id"].as_i64(), Some(message_id));
    // A card number in a photo caption is refused the same way.
    let update = FakeTelegram::photo(5005, "zh-hans", "ph", None, Some(card));
    m.send(update, "完整").await;
    assert_eq!(fake.calls_to("deleteMessage").len(), 2);
    bot.stop().await;
    assert!(
        !db.contains_text(card).await,
        "the card number is in the database"
    );
}

backends!(multi_thread every_message_kind_gets_a_clear_reply);
async fn every_message_kind_gets_a_clear_reply(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = RunningBot::start(&fake, &db.url, None).await;
    let mut m = Merchant::new(&fake, 5006, "en");
    m.say("/start", "Hello").await;
    m.send(FakeTelegram::sticker(5006, "en"), "stickers").await;
    m.send(FakeTelegram::voice(5006, "en"), "voice").await;
    m.send(FakeTelegram::location(5006, "en"), "locations")
        .await;
    m.send(FakeTelegram::edited_text(5006, "en", 3, "hello"), "edited")
        .await;
    m.send(
        FakeTelegram::document(5006, "en", "doc", "application/pdf", 1000),
        "can't use it yet",
    )
    .await;
    m.say("/whatever", "don't know that command").await;
    m.say("What is the best POS brand?", "menu").await;
    // In a form: a too-large document and a wrong file type.
    m.say("/start broken_lishua", "final word").await;
    m.tap("Apply for me", "serial").await;
    m.say("LS9988776655", "wrong").await;
    m.tap("Won't power on", "merchant number").await;
    m.tap("Skip", "merchant's name").await;
    m.say("Li Hardware", "contact").await;
    m.say("Li Lei", "mobile").await;
    m.say("+86 139 1234 5678", "receipt").await;
    m.send(
        FakeTelegram::document(5006, "en", "big", "application/pdf", 30 * 1024 * 1024),
        "too large",
    )
    .await;
    m.send(
        FakeTelegram::document(5006, "en", "zip", "application/zip", 100),
        "can't open",
    )
    .await;
    m.send(
        FakeTelegram::document(5006, "en", "inv", "application/pdf", 1000),
        "portrait",
    )
    .await;
    // A message in a group: the merchant is asked to write in private.
    fake.push_update(FakeTelegram::group_text(-100777, 5006, "en", "/start"));
    fake.wait_for("a reply in the group", WAIT, |f| {
        !f.sent_texts(-100777).is_empty()
    })
    .await;
    assert!(fake.sent_texts(-100777)[0].contains("private"));
    bot.stop().await;
}

backends!(multi_thread a_killed_bot_loses_no_update_and_applies_none_twice);
async fn a_killed_bot_loses_no_update_and_applies_none_twice(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let mut bot = spawn_bot_process(&fake, &db.url);
    let mut m = Merchant::new(&fake, 5007, "zh-hans");
    let mut pushed = Vec::new();

    // (what the merchant does, the reply to wait for); kills happen after some pushes.
    enum Act {
        Say(&'static str),
        Tap(&'static str),
        Contact(&'static str),
    }
    let script: &[(Act, &str, Option<u64>)] = &[
        (Act::Say("/start"), "您好", None),
        (Act::Tap("注销商户"), "哪个品牌", Some(0)),
        (Act::Tap("拉卡拉"), "人工审核", None),
        (Act::Tap("帮我提交申请"), "商户编号", Some(3)),
        (Act::Say("822100012345678"), "商户名称", None),
        (Act::Say("小李烟酒店"), "用户名", Some(20)),
        (Act::Say("xiaoli2020"), "手机号", None),
        (Act::Contact("+8613712345678"), "余额", Some(1)),
        (Act::Tap("是"), "解绑", Some(60)),
        (Act::Say("是的"), "人像面", None),
    ];
    for (act, expect, kill_after_ms) in script {
        let update = match act {
            Act::Say(text) => FakeTelegram::text(5007, "zh-hans", text),
            Act::Tap(label) => FakeTelegram::callback(5007, "zh-hans", 1, &m.button(label)),
            Act::Contact(phone) => FakeTelegram::contact(5007, "zh-hans", phone),
        };
        pushed.push(fake.push_update(update));
        if let Some(ms) = kill_after_ms {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            bot.start_kill().unwrap();
            bot.wait().await.unwrap();
            bot = spawn_bot_process(&fake, &db.url);
        }
        m.expect(expect).await;
    }
    fake.push_update(FakeTelegram::photo(5007, "zh-hans", "f", Some("a1"), None));
    fake.push_update(FakeTelegram::photo(5007, "zh-hans", "b", Some("a1"), None));
    m.expect("委托书").await;
    bot.start_kill().unwrap();
    bot.wait().await.unwrap();
    bot = spawn_bot_process(&fake, &db.url);
    m.tap("跳过", "请核对").await;
    m.tap("提交", "申请编号").await;
    bot.start_kill().unwrap();
    bot.wait().await.unwrap();

    let store = open_store(&db.url).await;
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1, "one case");
    let f = &cases[0].fields;
    assert_eq!(f["merchant_no"], "822100012345678");
    assert_eq!(f["merchant_name"], "小李烟酒店");
    assert_eq!(f["login"], "xiaoli2020");
    assert_eq!(f["phone"], "13712345678");
    assert_eq!(f["balance_moved"], true);
    assert_eq!(f["unbound"], true);
    assert_eq!(cases[0].attachments.as_array().unwrap().len(), 2);
    // Every update the merchant sent was applied.
    let mut tx = store.begin().await.unwrap();
    for id in pushed {
        assert!(tx.is_processed(id).await.unwrap(), "update {id} lost");
    }
}

backends!(multi_thread logs_are_json_with_an_update_span_and_never_hold_the_token_or_a_phone);
async fn logs_are_json_with_an_update_span_and_never_hold_the_token_or_a_phone(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("bot.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut bot = tokio::process::Command::new(env!("CARGO_BIN_EXE_posdesk"))
        .arg("run")
        .env("TELOXIDE_TOKEN", fake.token())
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("DATABASE_URL", &db.url)
        .env("POSDESK_THROTTLE_CHAT_PER_SEC", "1000")
        .env("RUST_LOG", "debug")
        .env("POSDESK_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut m = Merchant::new(&fake, 5008, "zh-hans");
    m.say("/start card_lakala", "人工审核").await;
    m.tap("帮我提交申请", "商户编号").await;
    m.say("822100012345678", "商户名称").await;
    m.say("陈氏理发", "手机号").await;
    m.send(
        FakeTelegram::contact(5008, "zh-hans", "+8613612345678"),
        "银行",
    )
    .await;
    // A Telegram failure is logged too.
    fake.fail_next("sendMessage", Failure::Forbidden);
    fake.push_update(FakeTelegram::text(5008, "zh-hans", "/help"));
    fake.wait_for("the refused reply", WAIT, |f| {
        f.calls().iter().any(|c| c.method == "sendMessage" && !c.ok)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.start_kill().unwrap();
    bot.wait().await.unwrap();

    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(!text.is_empty());
    let secret_part = fake.token().split(':').nth(1).unwrap();
    assert!(!text.contains(secret_part), "the bot token is in the logs");
    assert!(
        !text.contains("13612345678"),
        "a phone number is in the logs"
    );
    let mut spans = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        if v["span"]["name"] == "update" {
            spans += 1;
            assert!(
                v["span"]["id"].is_number() && v["span"]["kind"].is_string(),
                "{line}"
            );
            assert!(
                !v["span"]["chat"].as_str().unwrap().contains("5008"),
                "{line}"
            );
        }
    }
    assert!(spans > 0, "no update spans in:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_one_update_is_contained() {
    use posdesk::conversation::Event;
    use posdesk::telegram::{edge::Edge, schema, TgBot};
    use teloxide::dispatching::UpdateFilterExt;
    use teloxide::types::{Message, Update};

    let fake = FakeTelegram::start().await;
    let db = TestDb::sqlite();
    let store = open_store(&db.url).await;
    let raw =
        teloxide::Bot::new(fake.token()).set_api_url(url::Url::parse(&fake.api_url()).unwrap());
    let bot: TgBot = raw;
    let service =
        posdesk::service::Service::new(store.clone(), posdesk::i18n::Locale::ZhCn, vec![])
            .with_outbox(Arc::new(
                posdesk::telegram::outgoing::TelegramRenderer::new(None),
            ));
    // The real schema, behind a branch that panics on one message.
    let panicking = dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|m: Message| m.text() == Some("boom"))
                .endpoint(|_: Message| async move {
                    panic!("a bug in a handler");
                    #[allow(unreachable_code)]
                    schema::Routed::Ignored
                }),
        )
        .branch(schema::schema());
    let edge = Arc::new(Edge {
        service,
        bot: bot.clone(),
        wake: Arc::new(tokio::sync::Notify::new()),
        schema: panicking,
        me: schema::Me {
            id: FakeTelegram::BOT_ID as u64,
            username: "posdesk_test_bot".into(),
        },
        busy: Default::default(),
        answers: Default::default(),
    });
    let parse = |v: Value, id: u32| -> Update {
        let mut v = v;
        v["update_id"] = serde_json::json!(id);
        serde_json::from_str(&v.to_string()).unwrap()
    };
    edge.process(parse(FakeTelegram::text(6001, "zh-hans", "boom"), 1))
        .await
        .expect("contained");
    edge.process(parse(FakeTelegram::text(6001, "zh-hans", "/start"), 2))
        .await
        .unwrap();
    edge.process(parse(FakeTelegram::text(6002, "zh-hans", "/start"), 3))
        .await
        .unwrap();
    // The same in a polling batch: the group commit panics, so the batch is applied one
    // update at a time, and only the panicking update is skipped.
    let batch = vec![
        parse(FakeTelegram::text(6003, "zh-hans", "boom"), 4),
        parse(FakeTelegram::text(6003, "zh-hans", "/start"), 5),
        parse(FakeTelegram::text(6004, "zh-hans", "/start"), 6),
    ];
    posdesk::telegram::polling::process_batch(&edge, batch)
        .await
        .expect("contained");
    let mut tx = store.begin().await.unwrap();
    for id in 1..=6 {
        assert!(tx.is_processed(id).await.unwrap(), "update {id}");
    }
    drop(tx);
    // The merchant was told, and both chats go on.
    let sender = tokio::spawn(posdesk::telegram::sender::run(
        store.clone(),
        bot,
        Arc::new(posdesk::telegram::limiter::Limiter::new(&Default::default())),
        edge.wake.clone(),
        watch::channel(true).1,
    ));
    tokio::time::timeout(WAIT, sender).await.unwrap().unwrap();
    for (panicked, other) in [(6001, 6002), (6003, 6004)] {
        let texts = fake.sent_texts(panicked);
        assert!(texts[0].contains("出了点问题"), "{texts:?}");
        assert!(texts[1].contains("您好"));
        assert!(fake.sent_texts(other)[0].contains("您好"));
    }
    let _ = Event::Text(String::new());
}

backends!(multi_thread sigterm_stops_the_bot_cleanly_after_sending_what_is_due);
async fn sigterm_stops_the_bot_cleanly_after_sending_what_is_due(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let mut bot = spawn_bot_process(&fake, &db.url);
    let mut m = Merchant::new(&fake, 5009, "en");
    m.say("/start", "Hello").await;
    let pid = bot.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(WAIT, bot.wait())
        .await
        .expect("exits in time")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    // A missing token is a clear error, not a panic.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_posdesk"))
        .arg("run")
        .env_remove("TELOXIDE_TOKEN")
        .env("DATABASE_URL", &db.url)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("@BotFather"));
}
