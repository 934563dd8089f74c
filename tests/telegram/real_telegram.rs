//! The staff side and the Telegram edge under what real Telegram does (issue 13): texts
//! that grow with merchant data, staff actions without the original card, a staff group
//! upgraded to a supergroup, anonymous admins, content teloxide cannot read, toasts,
//! forum topics and other groups. Each end to end: the real bot on both backends, through
//! the fake Bot API, which refuses what Telegram refuses.

use crate::support::bot::{open_store, Merchant, RunningBot, WAIT};
use crate::support::db::TestDb;
use crate::support::fake_telegram::{Failure, FakeTelegram};
use crate::support::staff::*;
use chrono::{Duration, TimeZone, Utc};
use posdesk::domain::{CaseRef, CaseStatus};
use posdesk::i18n::Locale;
use posdesk::review::{StaffAction, StaffConfig};
use posdesk::service::{JobSettings, Service};
use posdesk::store::Store;
use posdesk::telegram::bounds::{visible_len, MAX_TEXT};
use serde_json::{json, Value};
use std::sync::Arc;

/// The requests to `chat` Telegram refused: (method, why).
fn refused_in(fake: &FakeTelegram, chat: i64) -> Vec<(String, String)> {
    fake.calls()
        .into_iter()
        .filter(|c| !c.ok && c.body["chat_id"].as_i64() == Some(chat))
        .map(|c| (c.method, c.error.unwrap_or_default()))
        .collect()
}

/// Claim `case_ref` and ask its merchant `question`; waits until the merchant has it.
async fn claim_and_ask(alice: &Reviewer, m: &mut Merchant, case_ref: &str, question: &str) {
    alice
        .press_data(&StaffAction::Claim.encode(&r(case_ref)))
        .await;
    alice
        .press_data(&StaffAction::AskMore.encode(&r(case_ref)))
        .await;
    alice.say(question).await;
    m.expect(question).await;
}

/// The merchant answers the reviewer's question with one message, then sends it ("done").
async fn answer(m: &mut Merchant, message: Value) {
    m.send(message, "已记下").await;
    m.tap("发完了", "重新进入审核队列").await;
}

/// The answers stored on a case, oldest first.
async fn stored_answers(store: &Arc<dyn Store>, case_ref: &str) -> Vec<Value> {
    let case = store.get_case(&r(case_ref)).await.unwrap().unwrap();
    case.fields["answers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Everything the staff group was sent, end to end, with the HTML escapes of the text
/// undone (what a reviewer reads across the messages a long text was split into).
fn staff_reads(fake: &FakeTelegram, chat: i64) -> String {
    texts_in(fake, chat)
        .concat()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

// --- 1. Texts that grow with merchant data ---

backends!(multi_thread long_answers_reach_the_staff_whole_and_the_case_stays_claimable);
async fn long_answers_reach_the_staff_whole_and_the_case_stays_claimable(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8101, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;
    let alice = Reviewer::new(&fake, ALICE);

    // A 4,096-character answer: the "merchant answered" notice alone is longer than a
    // message may be.
    claim_and_ask(&alice, &mut m, &case_ref, "请补充营业执照上的全部信息").await;
    let long = format!("{}尾", "营业执照".repeat(1023));
    assert_eq!(long.chars().count(), 4093);
    answer(&mut m, FakeTelegram::text(8101, "zh-hans", &long)).await;
    fake.wait_for("the whole answer in the staff group", WAIT, |f| {
        staff_reads(f, STAFF).contains(&long)
    })
    .await;
    // Three more rounds of 1,500 characters: the card would outgrow a message.
    for round in 0..3 {
        claim_and_ask(&alice, &mut m, &case_ref, &format!("第 {round} 个问题")).await;
        let reply = format!("{round}{}", "补".repeat(1499));
        answer(&mut m, FakeTelegram::text(8101, "zh-hans", &reply)).await;
        fake.wait_for("the answer in the staff group", WAIT, |f| {
            staff_reads(f, STAFF).contains(&reply)
        })
        .await;
    }
    // Nothing the group should have seen was refused, and the card offers the claim again.
    assert_eq!(refused_in(&fake, STAFF), vec![], "{}", fake.dump_calls(10));
    let card = sees_in(&fake, STAFF, "商户补充").await;
    assert!(visible_len(&card) <= MAX_TEXT);
    // Each answer shortened on the card (each is whole in its own message above).
    assert_eq!(card.matches("商户补充：").count(), 4, "{card}");
    assert_eq!(card.matches('…').count(), 4, "{card}");
    assert_eq!(alice.press("认领").await, "已认领");
    let store = open_store(&db.url).await;
    assert_eq!(stored_answers(&store, &case_ref).await.len(), 4);
    assert_eq!(
        store.get_case(&r(&case_ref)).await.unwrap().unwrap().status,
        CaseStatus::InReview
    );
    // `/case REF` shows the card too.
    let before = fake.calls_to("sendMessage").len();
    alice.say(&format!("/case {case_ref}")).await;
    fake.wait_for("the card posted anew", WAIT, |f| {
        f.calls_to("sendMessage")[before..].iter().any(|c| {
            c.body["chat_id"].as_i64() == Some(STAFF)
                && c.body["text"].as_str().unwrap_or("").contains(&case_ref)
        })
    })
    .await;
    assert_eq!(refused_in(&fake, STAFF), vec![]);
    bot.stop().await;
}

/// Cases past their due date, written straight to the store.
async fn overdue_cases(store: &Arc<dyn Store>, count: u32) -> Vec<CaseRef> {
    let mut refs = Vec::new();
    for n in 0..count {
        let mut case = known_case(n, 0);
        case.created_at =
            Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).unwrap() + Duration::minutes(i64::from(n));
        case.due_at = case.created_at + Duration::days(3);
        refs.push(case.case_ref.clone());
        insert(store, &case).await;
    }
    refs
}

/// Deliver the outbox once through the fake (the sender stops when nothing is due).
async fn deliver(fake: &FakeTelegram, store: &Arc<dyn Store>) {
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
}

backends!(multi_thread the_digest_is_split_and_sent_again_when_telegram_refuses_it);
async fn the_digest_is_split_and_sent_again_when_telegram_refuses_it(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let store = open_store(&db.url).await;
    let service = Service::new(store.clone(), Locale::ZhCn, vec![])
        .with_outbox(Arc::new(
            posdesk::telegram::outgoing::TelegramRenderer::new(Some(&staff_config())),
        ))
        .with_staff(staff_config());
    let refs = overdue_cases(&store, 120).await;
    let nine = Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap(); // 09:00 in China
    assert!(service.overdue_digest(nine, 9).await.unwrap());
    // Telegram refuses the first message: the day's digest is not done.
    fake.fail_next("sendMessage", Failure::BadRequest("chat not found"));
    deliver(&fake, &store).await;
    assert!(
        service
            .overdue_digest(nine + Duration::minutes(1), 9)
            .await
            .unwrap(),
        "the refused digest runs again"
    );
    deliver(&fake, &store).await;
    assert!(!service
        .overdue_digest(nine + Duration::minutes(2), 9)
        .await
        .unwrap());
    let pieces: Vec<String> = texts_in(&fake, STAFF);
    assert!(pieces.len() >= 2, "{pieces:?}");
    assert!(pieces.iter().all(|p| visible_len(p) <= MAX_TEXT));
    let all = pieces.join("\n");
    assert!(all.contains("今日超时案件（120）"));
    for r in &refs {
        assert!(all.contains(r.as_str()), "{r} missing");
    }
    assert_eq!(
        refused_in(&fake, STAFF).len(),
        1,
        "only the injected refusal"
    );
}

backends!(multi_thread mine_with_110_held_cases_is_split_across_messages);
async fn mine_with_110_held_cases_is_split_across_messages(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let store = open_store(&db.url).await;
    // (The 75 cases made 4,900 characters with longer kinds and brands.)
    let refs = overdue_cases(&store, 110).await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    for r in &refs {
        tx.claim_case(r, ALICE, now, now + Duration::hours(4))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let bot = start(&fake, &db.url).await;
    let alice = Reviewer::new(&fake, ALICE);
    alice.say("/mine").await;
    let last = refs.last().unwrap().to_string();
    fake.wait_for("every held case listed", WAIT, move |f| {
        texts_in(f, STAFF).join("\n").contains(&last)
    })
    .await;
    let pieces = texts_in(&fake, STAFF);
    assert!(
        pieces.len() >= 2 && pieces[0].contains("我认领的案件（110）"),
        "{pieces:?}"
    );
    let all = pieces.join("\n");
    assert!(refs.iter().all(|r| all.contains(r.as_str())));
    assert_eq!(refused_in(&fake, STAFF), vec![]);
    bot.stop().await;
}

// --- 2. Every action without the original card ---

backends!(multi_thread every_staff_action_is_reachable_by_reference);
async fn every_staff_action_is_reachable_by_reference(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8201, "en").await;
    staff_sees(&fake, &case_ref).await;
    let (alice, bob) = (Reviewer::new(&fake, ALICE), Reviewer::new(&fake, BOB));
    let store = open_store(&db.url).await;
    let status = || async { store.get_case(&r(&case_ref)).await.unwrap().unwrap().status };

    // `/case REF` posts the card anew, with its buttons.
    alice
        .say(&format!("/case {}", case_ref.to_lowercase()))
        .await;
    fake.wait_for("a card with a claim button", WAIT, |f| {
        f.calls_to("sendMessage").iter().rev().take(3).any(|c| {
            c.body["text"].as_str().unwrap_or("").contains(&case_ref)
                && c.body["reply_markup"].to_string().contains("认领")
        })
    })
    .await;
    // Commands that name the case do what the buttons do.
    alice.say(&format!("/claim {case_ref}")).await;
    staff_sees(&fake, &format!("#{ALICE} 认领了 {case_ref}")).await;
    m.expect("A reviewer has started").await;
    assert_eq!(status().await, CaseStatus::InReview);
    bob.say(&format!("/approve {case_ref}")).await;
    staff_sees(&fake, &format!("已被 #{ALICE} 认领")).await;
    alice.say(&format!("/release {case_ref}")).await;
    staff_sees(&fake, "已回到队列").await;
    assert_eq!(status().await, CaseStatus::Queued);
    alice.say(&format!("/claim {case_ref}")).await;
    alice.say(&format!("/note {case_ref}")).await;
    staff_sees(&fake, "请直接发送内部备注").await;
    alice.say("电话核实过了").await;
    staff_sees(&fake, "电话核实过了").await;
    alice.say(&format!("/reject {case_ref}")).await;
    fake.wait_for("the reject reasons on a fresh card", WAIT, |f| {
        f.calls_to("sendMessage")
            .iter()
            .rev()
            .take(3)
            .any(|c| c.body["reply_markup"].to_string().contains("信息不符"))
    })
    .await;
    alice.say(&format!("/approve {case_ref}")).await;
    m.expect("approved").await;
    assert_eq!(status().await, CaseStatus::Approved);
    alice.say(&format!("/claim {case_ref}")).await;
    staff_sees(&fake, "案件已处理完").await;
    assert_eq!(refused_in(&fake, STAFF), vec![]);
    bot.stop().await;
}

// --- 3. The staff group upgraded to a supergroup ---

const OLD_GROUP: i64 = -5005;
const NEW_GROUP: i64 = -1_005_005;

fn old_group_config() -> StaffConfig {
    StaffConfig {
        chat_id: OLD_GROUP,
        ..staff_config()
    }
}

async fn start_in_old_group(fake: &FakeTelegram, db: &str) -> RunningBot {
    RunningBot::start_with(
        fake,
        db,
        None,
        Some(old_group_config()),
        JobSettings::default(),
    )
    .await
}

/// A group that is the staff group never gets the merchants' "write to me in private".
fn private_only_said_in(fake: &FakeTelegram, chat: i64) -> bool {
    texts_in(fake, chat).iter().any(|t| t.contains("请私聊我"))
}

backends!(multi_thread a_staff_group_upgraded_to_a_supergroup_is_followed_across_a_restart);
async fn a_staff_group_upgraded_to_a_supergroup_is_followed_across_a_restart(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    // The group was upgraded; the bot learns it from Telegram's answer to its first send.
    fake.migrate_chat(OLD_GROUP, NEW_GROUP);
    let bot = start_in_old_group(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8301, "zh-hans").await;
    sees_in(&fake, NEW_GROUP, &case_ref).await;
    let refused = refused_in(&fake, OLD_GROUP);
    assert!(!refused.is_empty() && refused.len() <= 2, "{refused:?}");
    // Reviewers act in the new group: presses and commands are the staff group's.
    let alice = Reviewer::new(&fake, ALICE).in_chat(NEW_GROUP);
    assert_eq!(alice.press("认领").await, "已认领");
    m.expect("开始处理").await;
    alice.say("/queue").await;
    sees_in(&fake, NEW_GROUP, "待处理案件").await;
    assert!(!private_only_said_in(&fake, NEW_GROUP));
    bot.stop().await;

    // After a restart the new group is still the staff group: nothing goes to the old id.
    let old_calls = fake
        .calls()
        .iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(OLD_GROUP))
        .count();
    let bot = start_in_old_group(&fake, &db.url).await;
    let (_m2, second) = submit_card_case(&fake, 8302, "zh-hans").await;
    sees_in(&fake, NEW_GROUP, &second).await;
    alice.say("/mine").await;
    sees_in(&fake, NEW_GROUP, "我认领的案件（1）").await;
    let after = fake
        .calls()
        .iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(OLD_GROUP))
        .count();
    assert_eq!(after, old_calls, "{}", fake.dump_calls(10));
    assert!(!private_only_said_in(&fake, NEW_GROUP));
    bot.stop().await;
}

backends!(multi_thread the_upgrade_service_messages_move_the_staff_group);
async fn the_upgrade_service_messages_move_the_staff_group(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start_in_old_group(&fake, &db.url).await;
    fake.migrate_chat(OLD_GROUP, NEW_GROUP);
    for update in FakeTelegram::migration_updates(OLD_GROUP, NEW_GROUP, ALICE) {
        fake.push_update(update);
    }
    let alice = Reviewer::new(&fake, ALICE).in_chat(NEW_GROUP);
    alice.say("/stats").await;
    sees_in(&fake, NEW_GROUP, "队列统计").await;
    let (_m, case_ref) = submit_card_case(&fake, 8303, "zh-hans").await;
    sees_in(&fake, NEW_GROUP, &case_ref).await;
    assert_eq!(
        refused_in(&fake, OLD_GROUP),
        vec![],
        "nothing was sent to the old id"
    );
    assert!(!private_only_said_in(&fake, NEW_GROUP) && !private_only_said_in(&fake, OLD_GROUP));
    bot.stop().await;
}

// --- 5. Anonymous admins ---

backends!(multi_thread an_anonymous_admin_is_told_how_to_act_as_a_reviewer);
async fn an_anonymous_admin_is_told_how_to_act_as_a_reviewer(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8501, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;
    let alice = Reviewer::new(&fake, ALICE);
    alice
        .press_data(&StaffAction::Claim.encode(&r(&case_ref)))
        .await;
    // The press comes from Alice; her question, typed as the group, cannot be attributed.
    alice
        .press_data(&StaffAction::AskMore.encode(&r(&case_ref)))
        .await;
    fake.push_update(FakeTelegram::anonymous_group_text(STAFF, "请补拍营业执照"));
    staff_sees(&fake, "保持匿名").await;
    let store = open_store(&db.url).await;
    assert_eq!(
        store.get_case(&r(&case_ref)).await.unwrap().unwrap().status,
        CaseStatus::InReview
    );
    // Typed as herself, the question goes to the merchant; chatter as the group afterwards
    // is left alone.
    alice.say("请补拍营业执照").await;
    m.expect("请补拍营业执照").await;
    fake.push_update(FakeTelegram::anonymous_group_text(STAFF, "好的"));
    alice.say("/stats").await;
    staff_sees(&fake, "队列统计").await;
    let told = staff_texts(&fake)
        .iter()
        .filter(|t| t.contains("保持匿名"))
        .count();
    assert_eq!(told, 1);
    bot.stop().await;
}

// --- 6. Content lost on the way in ---

backends!(multi_thread captions_and_messages_teloxide_cannot_read_keep_their_text);
async fn captions_and_messages_teloxide_cannot_read_keep_their_text(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8601, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;
    let alice = Reviewer::new(&fake, ALICE);
    let store = open_store(&db.url).await;

    // A photo with a caption answers the question with the caption as its text.
    claim_and_ask(&alice, &mut m, &case_ref, "营业执照过期了吗").await;
    let photo = FakeTelegram::photo(8601, "zh-hans", "licence-2", None, Some("这是新的营业执照"));
    answer(&mut m, photo).await;
    staff_sees(&fake, "：这是新的营业执照").await;
    assert_eq!(
        stored_answers(&store, &case_ref).await[0]["text"],
        "这是新的营业执照"
    );

    // A quote of another chat (Bot API 7.0 external_reply, text origin) and a date_time
    // entity (Bot API 9.5): teloxide-core 0.13 reads both messages as empty.
    claim_and_ask(&alice, &mut m, &case_ref, "金额是多少").await;
    let mut quoted = FakeTelegram::text(8601, "zh-hans", "3200 元");
    quoted["message"]["external_reply"] =
        json!({"origin": {"type": "hidden_user", "date": 1, "sender_user_name": "某人"}});
    answer(&mut m, quoted).await;
    staff_sees(&fake, "：3200 元").await;

    let mut n = Merchant::new(&fake, 8602, "zh-hans");
    n.say("/start card_lakala", "人工审核").await;
    n.tap("帮我提交申请", "商户编号").await;
    n.say("822100012345678", "商户名称").await;
    let mut dated = FakeTelegram::text(8602, "zh-hans", "陈氏理发 2026年3月5日开业");
    dated["message"]["entities"] = json!([{"type": "date_time", "offset": 5, "length": 9,
        "unix_time": 1_772_668_800, "date_time_format": "D"}]);
    let out = n.send(dated, "手机号").await;
    assert!(!out.contains("看不懂"), "{out}");
    bot.stop().await;
}

// --- 8. Toasts ---

backends!(multi_thread toasts_name_the_case_and_the_reviewer);
async fn toasts_name_the_case_and_the_reviewer(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    let bot = start(&fake, &db.url).await;
    let (_m, case_ref) = submit_card_case(&fake, 8801, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;
    let alice = Reviewer::new(&fake, ALICE);
    alice
        .press_data(&StaffAction::Claim.encode(&r(&case_ref)))
        .await;
    for action in [
        StaffAction::AskMore,
        StaffAction::Note,
        StaffAction::Reject(posdesk::review::RejectReason::Other),
    ] {
        let toast = alice.press_data(&action.encode(&r(&case_ref))).await;
        assert!(
            toast.contains(&case_ref)
                && toast.contains(&format!("#{ALICE}"))
                && !toast.contains('{'),
            "{toast}"
        );
    }
    // (`stop` fails on any Fluent formatting problem met meanwhile.)
    bot.stop().await;
}

// --- 9. Forum topics, inaccessible messages, other groups ---

backends!(multi_thread topics_old_presses_and_other_groups);
async fn topics_old_presses_and_other_groups(db: &TestDb) {
    let fake = FakeTelegram::start().await;
    fake.make_forum(STAFF);
    let bot = start(&fake, &db.url).await;
    let (mut m, case_ref) = submit_card_case(&fake, 8901, "zh-hans").await;
    staff_sees(&fake, &case_ref).await;

    // A command typed in a topic is answered in that topic.
    fake.push_update(FakeTelegram::topic_text(
        STAFF, 7, ALICE, "zh-hans", "/queue",
    ));
    fake.wait_for("the queue in topic 7", WAIT, |f| {
        f.calls_to("sendMessage").iter().any(|c| {
            c.body["message_thread_id"] == json!(7)
                && c.body["text"].as_str().unwrap_or("").contains("待处理案件")
        })
    })
    .await;

    // A press on a message too old to be accessible is answered, and not edited.
    m.say("/status", "排队").await;
    let data = m.button("撤回");
    let before = fake.calls_to("answerCallbackQuery").len();
    fake.push_update(FakeTelegram::callback_on_inaccessible(
        8901, 8901, 4242, &data,
    ));
    fake.wait_for("the press answered", WAIT, |f| {
        f.calls_to("answerCallbackQuery").len() > before
    })
    .await;
    m.expect("确定要撤回").await;
    assert!(
        fake.calls()
            .iter()
            .all(|c| c.method != "editMessageReplyMarkup" || c.body["message_id"] != json!(4242)),
        "{}",
        fake.dump_calls(10)
    );

    // Another group: chatter is left alone; the bot answers only when addressed.
    const OTHER: i64 = -1_000_777;
    fake.push_update(FakeTelegram::group_text(OTHER, 31, "zh-hans", "大家好"));
    fake.push_update(FakeTelegram::group_text(
        OTHER,
        31,
        "zh-hans",
        "/start@other_bot",
    ));
    fake.push_update(FakeTelegram::group_text(
        OTHER,
        31,
        "zh-hans",
        "@posdesk_test_bot 怎么解绑",
    ));
    sees_in(&fake, OTHER, "请私聊我").await;
    fake.push_update(FakeTelegram::group_text(
        OTHER,
        31,
        "zh-hans",
        "/start@posdesk_test_bot",
    ));
    fake.wait_for("two answers in the other group", WAIT, |f| {
        texts_in(f, OTHER).len() == 2
    })
    .await;
    // Sync: a later staff command went through after all of the above.
    Reviewer::new(&fake, ALICE).say("/stats").await;
    staff_sees(&fake, "队列统计").await;
    assert_eq!(
        texts_in(&fake, OTHER).len(),
        2,
        "{:?}",
        texts_in(&fake, OTHER)
    );
    bot.stop().await;
}
