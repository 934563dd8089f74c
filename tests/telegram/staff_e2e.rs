//! The staff half, end to end: the real bot with a staff group and reviewers, driven
//! through the fake Bot API; jobs run with a controllable clock.

use crate::support::bot::{open_store, Merchant, RunningBot, WAIT};
use crate::support::db::TestDb;
use crate::support::fake_telegram::FakeTelegram;
use crate::support::staff::*;
use chrono::{Duration, TimeZone, Utc};
use posdesk::config::{Secret, WebhookSettings};
use posdesk::domain::{CaseKind, CaseRef, CaseStatus};
use posdesk::i18n::Locale;
use posdesk::service::{JobSettings, Service};
use posdesk::store::CaseFilter;
use serde_json::json;
use std::sync::Arc;

backends!(multi_thread a_case_is_claimed_questioned_answered_with_a_photo_and_approved);
async fn a_case_is_claimed_questioned_answered_with_a_photo_and_approved(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8001, "en").await;

    // The card reaches the group, phone masked, with the photo.
    let card = staff_sees(&fake, &case_ref).await;
    assert!(
        card.contains("136****5678") && !card.contains("13612345678"),
        "{card}"
    );
    fake.wait_for("the case's photo in the group", WAIT, |f| {
        f.calls_to("sendPhoto")
            .iter()
            .any(|c| c.body["chat_id"].to_string().contains(&STAFF.to_string()))
    })
    .await;

    let alice = Reviewer::new(&fake, ALICE);
    let bob = Reviewer::new(&fake, BOB);
    let mallory = Reviewer::new(&fake, MALLORY);
    let claim = alice.find_button("认领");
    assert_eq!(alice.press_data(&claim).await, "已认领");
    m.expect("A reviewer has started").await;
    // Bob is told who has it; Mallory is not a reviewer.
    assert!(bob.press_data(&claim).await.contains(&format!("#{ALICE}")));
    let approve = alice.wait_button("通过").await;
    assert_eq!(mallory.press_data(&approve).await, "只有审核人员可以操作");
    assert_eq!(
        bob.press_data(&approve).await,
        format!("已被 #{ALICE} 认领")
    );

    // Ask for more: the question goes to the merchant in English.
    alice.press("要求补充").await;
    staff_sees(&fake, "请直接发送要商户补充的内容").await;
    alice.say("请补拍营业执照").await;
    let out = m.expect("the reviewer asks").await;
    assert!(out.contains("请补拍营业执照"), "{out}");
    staff_sees(&fake, "请商户补充").await;
    // The merchant may send several messages; "done" sends them to the reviewer.
    m.send(
        FakeTelegram::photo(8001, "en", "licence-photo", None, None),
        "1 so far",
    )
    .await;
    m.tap("Done, send to the reviewer", "back in the review queue")
        .await;
    staff_sees(&fake, "商户回复了").await;

    let store = open_store(&db.url).await;
    let case = store.get_case(&r(&case_ref)).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Queued);
    assert!(case.attachments.to_string().contains("licence-photo"));

    // Claim again and approve.
    alice.press("认领").await;
    assert_eq!(alice.press("通过").await, "已处理");
    m.expect("approved").await;
    let case = store.get_case(&r(&case_ref)).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Approved);
    let actions: Vec<String> = store
        .case_events(&r(&case_ref))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["created", "claimed", "asked", "answered", "approved"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // Nothing changed by the refused presses.
    assert!(!actions.iter().any(|x| x == "rejected"));
    bot.stop().await;
}

backends!(multi_thread a_rejection_reaches_the_merchant_in_their_language_with_the_reason);
async fn a_rejection_reaches_the_merchant_in_their_language_with_the_reason(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut en, en_ref) = submit_card_case(&fake, 8002, "en").await;
    let (mut zh, zh_ref) = submit_card_case(&fake, 8003, "zh-hans").await;
    staff_sees(&fake, &en_ref).await;
    staff_sees(&fake, &zh_ref).await;
    let alice = Reviewer::new(&fake, ALICE);

    alice
        .press_data(&posdesk::review::StaffAction::Claim.encode(&r(&en_ref)))
        .await;
    alice
        .press_data(&posdesk::review::StaffAction::RejectMenu.encode(&r(&en_ref)))
        .await;
    alice.press("有未结清交易").await;
    let out = en.expect("was not approved").await;
    assert!(out.contains("unsettled transactions"), "{out}");

    alice
        .press_data(&posdesk::review::StaffAction::Claim.encode(&r(&zh_ref)))
        .await;
    alice
        .press_data(
            &posdesk::review::StaffAction::Reject(posdesk::review::RejectReason::Other)
                .encode(&r(&zh_ref)),
        )
        .await;
    alice.say("身份证照片看不清，请重新提交").await;
    let out = zh.expect("未通过审核").await;
    assert!(
        out.contains("其他原因") && out.contains("身份证照片看不清"),
        "{out}"
    );
    bot.stop().await;
}

backends!(multi_thread the_merchant_can_withdraw_and_staff_commands_answer);
async fn the_merchant_can_withdraw_and_staff_commands_answer(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8004, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;
    let alice = Reviewer::new(&fake, ALICE);
    alice.say("/queue").await;
    let queue = staff_sees(&fake, "待处理案件").await;
    assert!(queue.contains(&case_ref));
    alice
        .say(&format!("/case {}", case_ref.to_lowercase()))
        .await;
    staff_sees(&fake, "待认领").await;
    alice.say("/stats").await;
    let stats = staff_sees(&fake, "队列统计").await;
    assert!(stats.contains("待认领：1"), "{stats}");
    alice.say("/mine").await;
    staff_sees(&fake, "你手上没有案件").await;
    // A non-reviewer's command is refused.
    Reviewer::new(&fake, MALLORY).say("/queue").await;
    staff_sees(&fake, "只有审核人员可以操作").await;

    m.say("/status", "排队").await;
    m.tap("撤回", "确定要撤回").await;
    m.tap("确定撤回", "已撤回").await;
    staff_sees(&fake, "商户撤回了").await;
    let store = open_store(&db.url).await;
    assert_eq!(
        store.get_case(&r(&case_ref)).await.unwrap().unwrap().status,
        CaseStatus::Withdrawn
    );
    bot.stop().await;
}

backends!(multi_thread two_reviewers_racing_to_claim_one_case_one_wins_every_time);
async fn two_reviewers_racing_to_claim_one_case_one_wins_every_time(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let hook = WebhookSettings {
        url: url::Url::parse(&url).unwrap(),
        secret: Secret::new("race-secret"),
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
    };
    let store = open_store(&db.url).await;
    let refs: Vec<CaseRef> = (0..50u64)
        .map(|n| CaseRef::generate(CaseKind::Unbind, 100_000 + n))
        .collect();
    for (n, case_ref) in refs.iter().enumerate() {
        let mut case = known_case(n as u32, 0);
        case.case_ref = case_ref.clone();
        case.serial = Some(format!("RACE{n:04}"));
        insert(&store, &case).await;
    }
    let bot = RunningBot::start_with(
        &fake,
        &db.url,
        Some(hook),
        Some(staff_config()),
        JobSettings::default(),
    )
    .await;
    fake.wait_for("setWebhook", WAIT, |f| !f.calls_to("setWebhook").is_empty())
        .await;
    let mut next_id = 10_000;
    for case_ref in &refs {
        let data = posdesk::review::StaffAction::Claim.encode(case_ref);
        let press = |user: i64, id: i64| {
            let mut u = FakeTelegram::callback(STAFF, "zh-hans", 1, &data);
            u["callback_query"]["from"]["id"] = json!(user);
            u["update_id"] = json!(id);
            u
        };
        let (a, b) = (press(ALICE, next_id), press(BOB, next_id + 1));
        next_id += 2;
        let (sa, sb) = tokio::join!(
            FakeTelegram::post_webhook(&url, Some("race-secret"), &a),
            FakeTelegram::post_webhook(&url, Some("race-secret"), &b)
        );
        assert_eq!((sa, sb), (200, 200));
        let case = store.get_case(case_ref).await.unwrap().unwrap();
        assert_eq!(case.status, CaseStatus::InReview);
        let winner = case.claimed_by.unwrap();
        assert!(winner == ALICE || winner == BOB);
        let claims = store
            .case_events(case_ref)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "claimed")
            .count();
        assert_eq!(claims, 1, "{case_ref}: exactly one claim");
    }
    let answers: Vec<String> = fake
        .calls_to("answerCallbackQuery")
        .into_iter()
        .filter_map(|c| c.body["text"].as_str().map(String::from))
        .collect();
    assert_eq!(answers.iter().filter(|t| *t == "已认领").count(), 50);
    assert_eq!(
        answers.iter().filter(|t| t.starts_with("已被 #")).count(),
        50,
        "the loser is told who has it"
    );
    bot.stop().await;
}

backends!(multi_thread leases_digest_reminders_and_retention_follow_the_clock);
async fn leases_digest_reminders_and_retention_follow_the_clock(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let store = open_store(&db.url).await;
    let service = Service::new(store.clone(), Locale::ZhCn, vec![])
        .with_outbox(Arc::new(
            posdesk::telegram::outgoing::TelegramRenderer::new(Some(&staff_config())),
        ))
        .with_staff(staff_config());
    for n in 0..3 {
        insert(&store, &known_case(n, 0)).await;
    }
    let [a, b, c]: [CaseRef; 3] = store
        .list_cases(&CaseFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.case_ref)
        .rev()
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 10, 2, 0, 0).unwrap();
    // Alice claims `a` at t0; four hours later the lease is gone.
    let toast = service
        .staff_press(
            None,
            STAFF,
            ALICE,
            &posdesk::review::StaffAction::Claim.encode(&a),
            None,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(toast.id, "staff-claimed");
    assert_eq!(
        service
            .expire_leases(t0 + Duration::hours(3))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        service
            .expire_leases(t0 + Duration::hours(4) + Duration::minutes(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.get_case(&a).await.unwrap().unwrap().status,
        CaseStatus::Queued
    );

    // The digest: once per day, from 09:00 China time, listing the overdue cases.
    let morning = Utc.with_ymd_and_hms(2026, 11, 20, 0, 30, 0).unwrap(); // 08:30 in China
    assert!(!service.overdue_digest(morning, 9).await.unwrap());
    let nine = morning + Duration::hours(1);
    assert!(service.overdue_digest(nine, 9).await.unwrap());
    assert!(
        !service
            .overdue_digest(nine + Duration::hours(2), 9)
            .await
            .unwrap(),
        "once a day"
    );

    // Decide `b`, then retention after 90 days erases its personal data but keeps the trail.
    service
        .staff_press(
            None,
            STAFF,
            BOB,
            &posdesk::review::StaffAction::Claim.encode(&b),
            None,
            t0,
        )
        .await
        .unwrap();
    service
        .staff_press(
            None,
            STAFF,
            BOB,
            &posdesk::review::StaffAction::Approve.encode(&b),
            None,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(
        service
            .apply_retention(t0 + Duration::days(89), Duration::days(90))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        service
            .apply_retention(t0 + Duration::days(91), Duration::days(90))
            .await
            .unwrap(),
        1
    );
    let erased = store.get_case(&b).await.unwrap().unwrap();
    assert_eq!(erased.fields, json!({}));
    assert_eq!(erased.attachments, json!([]));
    let trail = store.case_events(&b).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action == "approved" && e.actor == format!("staff:{BOB}")));
    assert!(!format!("{trail:?}").contains("1381234"));
    let untouched = store.get_case(&c).await.unwrap().unwrap();
    assert_ne!(untouched.fields, json!({}));

    // The outbox now holds the group's lines; deliver them through the fake API.
    let raw =
        teloxide::Bot::new(fake.token()).set_api_url(url::Url::parse(&fake.api_url()).unwrap());
    let limiter = posdesk::telegram::limiter::Limiter::new(&Default::default());
    let (_stop, stopped) = tokio::sync::watch::channel(true);
    tokio::time::timeout(
        WAIT,
        posdesk::telegram::sender::run(
            store.clone(),
            raw,
            Arc::new(limiter),
            Arc::new(tokio::sync::Notify::new()),
            stopped,
        ),
    )
    .await
    .unwrap();
    let texts = staff_texts(&fake);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("认领已超时") && t.contains(a.as_str())),
        "{texts:?}"
    );
    let digest = texts
        .iter()
        .find(|t| t.contains("今日超时案件"))
        .expect("digest sent");
    for r in [&a, &c] {
        assert!(digest.contains(r.as_str()), "{digest}");
    }
}

backends!(multi_thread an_idle_draft_gets_one_reminder);
async fn an_idle_draft_gets_one_reminder(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let mut m = Merchant::new(&fake, 8005, "zh-hans");
    m.say("/start close_lakala", "人工审核").await;
    m.tap("帮我提交申请", "商户编号").await;
    bot.stop().await;

    let store = open_store(&db.url).await;
    let service = Service::new(store.clone(), Locale::ZhCn, vec![]);
    let now = Utc::now();
    assert_eq!(
        service
            .send_reminders(now + Duration::hours(23), Duration::hours(24))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        service
            .send_reminders(now + Duration::hours(25), Duration::hours(24))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        service
            .send_reminders(now + Duration::hours(26), Duration::hours(24))
            .await
            .unwrap(),
        0,
        "only one"
    );
}

backends!(multi_thread the_csv_export_of_a_known_set_of_cases);
async fn the_csv_export_of_a_known_set_of_cases(db: &TestDb) {
    let store = open_store(&db.url).await;
    for n in 0..2 {
        insert(&store, &known_case(n, 0)).await;
    }
    let mut out = Vec::new();
    posdesk::ops::export_csv(store.as_ref(), None, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    let (first, second) = (&cases[1], &cases[0]);
    let expected = format!(
        "ref,kind,brand,status,serial,created_at,due_at,decided_at,claimed_by,locale,attachments,fields\n\
         {},unbind,lakala,queued,LKL00000,2026-11-02T02:00:00+00:00,2026-11-05T02:00:00+00:00,,,zh-CN,1,\"{{\"\"merchant_name\"\":\"\"店0\"\",\"\"phone\"\":\"\"138****0000\"\"}}\"\n\
         {},unbind,lakala,queued,LKL00001,2026-11-03T02:00:00+00:00,2026-11-06T02:00:00+00:00,,,zh-CN,1,\"{{\"\"merchant_name\"\":\"\"店1\"\",\"\"phone\"\":\"\"138****0001\"\"}}\"\n",
        first.case_ref, second.case_ref
    );
    assert_eq!(text, expected);
}
