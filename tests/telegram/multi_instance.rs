//! Several posdesk instances on one PostgreSQL database (skipped without
//! `POSDESK_TEST_PG_URL`): the conversation of a chat stays consistent when its updates
//! reach different instances, and periodic jobs do their work once.

use crate::support::bot::{open_store, Merchant, WAIT};
use crate::support::db::TestDb;
use crate::support::fake_telegram::FakeTelegram;
use chrono::{Duration, Utc};
use posdesk::i18n::Locale;
use posdesk::review::StaffConfig;
use posdesk::service::Service;
use posdesk::store::CaseFilter;
use serde_json::{json, Value};
use std::sync::Arc;

const SECRET: &str = "multi-instance-secret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `posdesk run` in webhook mode on `port`.
fn spawn_webhook_instance(fake: &FakeTelegram, db: &str, port: u16) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_posdesk"))
        .arg("run")
        .env("TELOXIDE_TOKEN", fake.token())
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("DATABASE_URL", db)
        .env(
            "POSDESK_WEBHOOK_URL",
            format!("http://127.0.0.1:{port}/hook"),
        )
        .env("POSDESK_WEBHOOK_SECRET", SECRET)
        .env("POSDESK_WEBHOOK_LISTEN", format!("127.0.0.1:{port}"))
        .env("POSDESK_THROTTLE_CHAT_PER_SEC", "1000")
        .env("POSDESK_THROTTLE_CHAT_PER_MIN", "100000")
        .env("POSDESK_THROTTLE_PER_SEC", "10000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn posdesk run")
}

/// Wait until an instance's webhook server accepts connections.
async fn wait_listening(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("instance on port {port} did not start");
}

async fn post_until_up(url: &str, update: &Value) -> u16 {
    FakeTelegram::post_webhook(url, Some(SECRET), update).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_instances_share_one_conversation() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let fake = FakeTelegram::start().await;
    let (pa, pb) = (free_port(), free_port());
    let mut a = spawn_webhook_instance(&fake, &db.url, pa);
    let mut b = spawn_webhook_instance(&fake, &db.url, pb);
    wait_listening(pa).await;
    wait_listening(pb).await;
    let urls = [
        format!("http://127.0.0.1:{pa}/hook"),
        format!("http://127.0.0.1:{pb}/hook"),
    ];
    let mut m = Merchant::new(&fake, 9001, "zh-hans");
    let mut turn = 0usize;
    let mut next_id = 1;
    // Each update goes to the other instance than the previous one.
    let mut send = |update: Value| {
        let mut update = update;
        update["update_id"] = json!(next_id);
        next_id += 1;
        turn += 1;
        (urls[turn % 2].clone(), update)
    };
    let steps: Vec<(Value, &str)> = vec![(
        FakeTelegram::text(9001, "zh-hans", "/start card_lakala"),
        "人工审核",
    )];
    for (update, expect) in steps {
        let (url, update) = send(update);
        assert_eq!(post_until_up(&url, &update).await, 200);
        m.expect(expect).await;
    }
    let script: &[(&str, bool, &str)] = &[
        ("帮我提交申请", true, "商户编号"),
        ("822100012345678", false, "商户名称"),
        ("陈氏理发", false, "手机号"),
        ("13612345678", false, "银行"),
        ("建设银行", false, "后 4 位"),
        ("4321", false, "本人"),
        ("是", true, "人像面"),
    ];
    for (input, press, expect) in script {
        let update = if *press {
            FakeTelegram::callback(9001, "zh-hans", 1, &m.button(input))
        } else {
            FakeTelegram::text(9001, "zh-hans", input)
        };
        let (url, update) = send(update);
        assert_eq!(post_until_up(&url, &update).await, 200);
        m.expect(expect).await;
    }
    let (url, update) = send(FakeTelegram::photo(9001, "zh-hans", "id-9001", None, None));
    assert_eq!(post_until_up(&url, &update).await, 200);
    m.expect("请核对").await;
    // The same press delivered to both instances at once: applied once.
    let submit = FakeTelegram::callback(9001, "zh-hans", 1, &m.button("提交"));
    let (_, submit) = send(submit);
    let (sa, sb) = tokio::join!(
        FakeTelegram::post_webhook(&urls[0], Some(SECRET), &submit),
        FakeTelegram::post_webhook(&urls[1], Some(SECRET), &submit)
    );
    assert_eq!((sa, sb), (200, 200));
    m.expect("申请编号").await;
    a.start_kill().unwrap();
    b.start_kill().unwrap();
    let _ = (a.wait().await, b.wait().await);

    let store = open_store(&db.url).await;
    let cases = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1, "exactly one case");
    let f = &cases[0].fields;
    assert_eq!(f["merchant_no"], "822100012345678");
    assert_eq!(f["merchant_name"], "陈氏理发");
    assert_eq!(f["phone"], "13612345678");
    assert_eq!(f["new_bank"], "中国建设银行");
    assert_eq!(f["new_last4"], "4321");
    assert_eq!(f["holder_is_merchant"], true);
    // No reply was sent twice.
    let texts = fake.sent_texts(9001);
    let submitted = texts.iter().filter(|t| t.contains("申请编号")).count();
    assert_eq!(submitted, 1, "{texts:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_running_the_jobs_send_each_digest_and_reminder_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let fake = FakeTelegram::start().await;
    let staff = StaffConfig {
        chat_id: -100_600,
        reviewers: vec![1],
        locale: Locale::ZhCn,
        lease: Duration::hours(4),
    };
    let instance = |store| {
        Service::new(store, Locale::ZhCn, vec![])
            .with_outbox(Arc::new(
                posdesk::telegram::outgoing::TelegramRenderer::new(Some(&staff)),
            ))
            .with_staff(staff.clone())
    };
    let (one, two) = (
        instance(open_store(&db.url).await),
        instance(open_store(&db.url).await),
    );

    // An overdue case and a merchant with an idle draft.
    let now = Utc::now();
    let mut m = posdesk::service::Inbound {
        chat_id: 9101,
        update_id: None,
        locale_hint: Some(Locale::ZhCn),
        incoming: posdesk::conversation::Incoming::new(posdesk::conversation::Event::Text(
            "/start close_lakala".into(),
        )),
        now: now - Duration::hours(72),
    };
    one.handle(m.clone()).await.unwrap();
    m.incoming = posdesk::conversation::Incoming::new(posdesk::conversation::Event::Press(
        format!("{}:oc.close.lakala", 1),
    ));
    one.handle(m).await.unwrap();
    {
        let store = one.store();
        let mut tx = store.begin().await.unwrap();
        let created = now - Duration::days(30);
        tx.insert_case(&posdesk::store::NewCase {
            case_ref: posdesk::domain::CaseRef::parse("UB-QVERDU").unwrap(),
            draft_id: "overdue".into(),
            kind: posdesk::domain::CaseKind::Unbind,
            brand: "lakala".into(),
            serial: Some("OVERDUE1".into()),
            fields: json!({}),
            attachments: json!([]),
            chat_id: 9102,
            locale: posdesk::i18n::Locale::ZhCn,
            created_at: created,
            due_at: created + Duration::days(3),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // Both instances run the jobs at the same moment, twice.
    // Yesterday 10:00 China time: what the jobs queue is already due for the senders.
    let at = (now - Duration::days(1))
        .with_timezone(&posdesk::calendar::china())
        .date_naive()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_local_timezone(posdesk::calendar::china())
        .unwrap()
        .with_timezone(&Utc);
    let settings = posdesk::service::JobSettings::default();
    for _ in 0..2 {
        let (r1, r2) = tokio::join!(one.run_jobs(&settings, at), two.run_jobs(&settings, at));
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert!(!(r1.digest_sent && r2.digest_sent));
    }
    // Both instances deliver the outbox at once.
    let bot = |store| {
        let raw =
            teloxide::Bot::new(fake.token()).set_api_url(url::Url::parse(&fake.api_url()).unwrap());
        let limiter = Arc::new(posdesk::telegram::limiter::Limiter::new(&Default::default()));
        let (_stop, stopped) = tokio::sync::watch::channel(true);
        let wake = Arc::new(tokio::sync::Notify::new());
        posdesk::telegram::sender::run(store, raw, limiter, wake, stopped)
    };
    let (s1, s2) = (bot(one.store().clone()), bot(two.store().clone()));
    tokio::time::timeout(WAIT, async { tokio::join!(s1, s2) })
        .await
        .unwrap();
    let digests = fake
        .sent_texts(-100_600)
        .iter()
        .filter(|t| t.contains("今日超时案件"))
        .count();
    assert_eq!(digests, 1, "one digest");
    let reminders = fake
        .sent_texts(9101)
        .iter()
        .filter(|t| t.contains("还没填完"))
        .count();
    assert_eq!(reminders, 1, "one reminder");
}
