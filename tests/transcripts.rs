//! Whole conversations through the real service, on a real SQLite file, checking what the
//! merchant reads (rendered Fluent text) and what ends up in the queue.

mod support;

use posdesk::conversation::Event;
use posdesk::i18n::Locale;
use posdesk::store::{CaseFilter, CaseStatus};
use support::{luhn_card, App, Merchant};

async fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("posdesk.db")).await;
    (dir, app)
}

#[tokio::test]
async fn chinese_merchant_unbinds_a_lakala_terminal() {
    let (_dir, app) = app().await;
    let mut m = Merchant::new(1001, Some(Locale::ZhCn));
    let out = m.say(&app, "/start").await;
    assert!(out.contains("您好"), "{out}");
    m.tap(&app, "机器解绑").await;
    let out = m.tap(&app, "拉卡拉").await;
    assert!(
        out.contains("95017"),
        "the Lakala guide names the hotline: {out}"
    );
    m.tap(&app, "帮我提交申请").await;
    let out = m.say(&app, "LKL-8C21-04567").await;
    assert!(out.contains("激活"), "{out}");
    m.tap(&app, "否").await;
    m.tap(&app, "跳过").await;
    m.say(&app, "张记便利店").await;
    m.say(&app, "张伟").await;
    let out = m.contact(&app, "+8613812345678").await;
    assert!(out.contains("138****5678"), "{out}");
    m.tap(&app, "长期不用了").await;
    let out = m.photos(&app, &["front", "back"]).await;
    assert!(out.contains("营业执照"), "{out}");
    let out = m.tap(&app, "跳过").await;
    assert!(out.contains("请核对"), "{out}");
    assert!(
        out.contains("LKL8C2104567") && out.contains("张记便利店"),
        "{out}"
    );
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("申请编号") && out.contains("UB-"), "{out}");

    let cases = app.store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case.kind, "unbind");
    assert_eq!(case.status, CaseStatus::Queued);
    assert_eq!(case.serial.as_deref(), Some("LKL8C2104567"));
    assert_eq!(case.locale, "zh-CN");
    assert_eq!(case.fields["phone"], "13812345678");
    assert_eq!(case.attachments.as_array().unwrap().len(), 2);
    assert!(out.contains(&case.case_ref));
    let events = app.store.case_events(&case.case_ref).await.unwrap();
    assert_eq!(events[0].action, "created");

    let out = m.say(&app, "/status").await;
    assert!(
        out.contains(&case.case_ref) && out.contains("排队"),
        "{out}"
    );
}

#[tokio::test]
async fn english_merchant_returns_a_terminal_with_a_deposit_refund() {
    let (_dir, app) = app().await;
    let mut m = Merchant::new(2002, Some(Locale::En));
    let out = m.say(&app, "/start").await;
    assert!(out.contains("Hello"), "{out}");
    m.tap(&app, "Return").await;
    m.tap(&app, "Lishua").await;
    m.tap(&app, "Apply for me").await;
    m.say(&app, "SN 00012345678").await;
    let out = m.say(&app, "Nov 3").await;
    assert!(out.contains("merchant"), "{out}");
    m.say(&app, "Joe's Noodles").await;
    m.say(&app, "Joe Wang").await;
    m.say(&app, "138 1234 5678").await;
    m.say(&app, "I never asked for it").await;
    m.tap(&app, "Yes").await;
    m.say(&app, "China Merchants Bank").await;
    let out = m.say(&app, "5678").await;
    assert!(
        out.contains("Signed application") || out.contains("signed"),
        "{out}"
    );
    let out = m.tap(&app, "Skip").await;
    assert!(out.contains("Please check"), "{out}");
    assert!(out.contains("2026-11-03"), "{out}");
    let out = m.tap(&app, "Submit").await;
    assert!(
        out.contains("CX-") && out.contains("5 business days"),
        "{out}"
    );
    let cases = app.store.list_cases(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, "cancel");
    assert_eq!(cases[0].locale, "en");
    assert_eq!(cases[0].fields["refund_last4"], "5678");
    assert_eq!(cases[0].fields["wants_refund"], true);
}

/// The three remaining kinds, filled with typed answers where possible.
#[tokio::test]
async fn broken_close_and_card_cases_reach_the_queue() {
    let (_dir, app) = app().await;

    let mut m = Merchant::new(3003, None);
    m.say(&app, "/start broken").await;
    m.tap(&app, "拉卡拉").await;
    m.tap(&app, "帮我提交申请").await;
    m.say(&app, "LKL77770001").await;
    m.tap(&app, "开不了机").await;
    m.say(&app, "822100012345678").await;
    m.say(&app, "老王水果店").await;
    m.say(&app, "王强").await;
    m.say(&app, "13912345678").await;
    m.say(&app, "跳过").await;
    m.photos(&app, &["f"]).await;
    m.photos(&app, &["b"]).await;
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("BR-"), "{out}");

    let mut m = Merchant::new(3004, None);
    m.say(&app, "/start close_lakala").await;
    m.tap(&app, "帮我提交申请").await;
    m.say(&app, "822100012345679").await;
    m.say(&app, "小李烟酒店").await;
    m.say(&app, "xiaoli2020").await;
    m.say(&app, "13712345678").await;
    m.say(&app, "是的").await;
    m.say(&app, "已经解绑了").await;
    m.photos(&app, &["f", "b", "letter"]).await;
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("CL-") && out.contains("15"), "{out}");

    let mut m = Merchant::new(3005, None);
    m.say(&app, "/start card").await;
    m.tap(&app, "瑞银信").await;
    m.tap(&app, "帮我提交申请").await;
    m.say(&app, "RYX123456789").await;
    m.say(&app, "陈氏理发").await;
    m.say(&app, "13612345678").await;
    m.say(&app, "建行").await;
    m.say(&app, "卡号后四位是4321").await;
    m.tap(&app, "是").await;
    m.photos(&app, &["f"]).await;
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("CD-"), "{out}");

    let kinds: Vec<String> = app
        .store
        .list_cases(&CaseFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds.len(), 3);
    for k in ["broken", "close", "card"] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_question_mid_form_is_answered_and_the_draft_kept() {
    let (_dir, app) = app().await;
    let mut m = Merchant::new(4004, None);
    m.say(&app, "/start unbind_lishua").await;
    m.tap(&app, "帮我提交申请").await;
    m.say(&app, "LS20261103").await;
    let out = m.say(&app, "解绑审核一般要几天？").await;
    assert!(out.contains("工作日"), "{out}");
    assert!(out.contains("激活"), "the same field is asked again: {out}");
    m.tap(&app, "是").await;
    let out = m.tap(&app, "跳过").await;
    assert!(out.contains("商户名称"), "{out}");
}

#[tokio::test]
async fn a_full_card_number_is_deleted_and_never_stored() {
    let (dir, app) = app().await;
    let mut m = Merchant::new(5005, None);
    m.say(&app, "/start card_lakala").await;
    m.tap(&app, "帮我提交申请").await;
    m.say(&app, "822100012345678").await;
    m.say(&app, "陈氏理发").await;
    m.say(&app, "13612345678").await;
    m.say(&app, "建设银行").await;
    let card = luhn_card("621700012345678901");
    let (outcome, out) = m.send(&app, Event::Text(format!("我的卡号 {card}"))).await;
    assert!(outcome
        .effects
        .contains(&posdesk::conversation::Effect::DeleteMessage(m.message_id)));
    assert!(out.contains("后 4 位") || out.contains("后四位"), "{out}");
    let out = m.say(&app, "8901").await;
    assert!(out.contains("本人"), "{out}");
    app.close().await;
    // Nothing of the number anywhere in the database files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(&card), "card number found in the database");
    }
}

#[tokio::test]
async fn a_second_case_for_the_same_serial_points_to_the_first() {
    let (_dir, app) = app().await;
    let mut first = Merchant::new(6001, None);
    first.say(&app, "/start unbind_lakala").await;
    first.tap(&app, "帮我提交申请").await;
    first.say(&app, "LKL55550001").await;
    first.tap(&app, "否").await;
    first.tap(&app, "跳过").await;
    first.say(&app, "一号店").await;
    first.say(&app, "赵六").await;
    first.say(&app, "13812340001").await;
    first.tap(&app, "长期不用了").await;
    first.photos(&app, &["f", "b"]).await;
    first.tap(&app, "跳过").await;
    first.tap(&app, "提交").await;
    let case_ref = app.store.list_cases(&Default::default()).await.unwrap()[0]
        .case_ref
        .clone();

    let mut second = Merchant::new(6002, None);
    second.say(&app, "/start unbind_lakala").await;
    second.tap(&app, "帮我提交申请").await;
    let out = second.say(&app, "lkl 5555 0001").await;
    assert!(out.contains(&case_ref), "{out}");
    assert_eq!(
        app.store
            .list_cases(&Default::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_draft_survives_a_restart_and_the_merchant_is_offered_to_continue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posdesk.db");
    let mut m = Merchant::new(7007, None);
    {
        let app = App::open(&path).await;
        m.say(&app, "/start close_lakala").await;
        m.tap(&app, "帮我提交申请").await;
        m.say(&app, "822100012345678").await;
        app.close().await;
    }
    let app = App::open(&path).await;
    let out = m.say(&app, "/start").await;
    assert!(out.contains("没填完") && out.contains("商户注销"), "{out}");
    let out = m.tap(&app, "接着填").await;
    assert!(out.contains("商户名称"), "{out}");
    m.say(&app, "小李烟酒店").await;
    m.say(&app, "xiaoli2020").await;
    m.say(&app, "13712345678").await;
    m.say(&app, "是").await;
    m.say(&app, "是").await;
    m.photos(&app, &["f", "b"]).await;
    m.tap(&app, "跳过").await;
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("CL-"), "{out}");
}

#[tokio::test]
async fn forget_erases_the_dialogue_and_personal_data_of_closed_cases() {
    let (_dir, app) = app().await;
    let mut m = Merchant::new(8008, None);
    m.say(&app, "/start card_lakala").await;
    m.tap(&app, "帮我提交申请").await;
    for answer in [
        "822100012345678",
        "陈氏理发",
        "13612345678",
        "建设银行",
        "4321",
    ] {
        m.say(&app, answer).await;
    }
    m.tap(&app, "是").await;
    m.photos(&app, &["f"]).await;
    m.tap(&app, "提交").await;
    let out = m.say(&app, "/forget").await;
    assert!(
        out.contains("正在处理"),
        "open case blocks forgetting: {out}"
    );
    let case_ref = app.store.list_cases(&Default::default()).await.unwrap()[0]
        .case_ref
        .clone();
    // Decide the case by hand (staff review is a later feature) and try again.
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.path.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE cases SET status = 'approved'")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    m.say(&app, "/forget").await;
    let out = m.tap(&app, "确定删除").await;
    assert!(out.contains("已删除"), "{out}");
    let case = app.store.get_case(&case_ref).await.unwrap().unwrap();
    assert_eq!(case.fields, serde_json::json!({}));
    assert_eq!(case.attachments, serde_json::json!([]));
    let out = m.say(&app, "/status").await;
    assert!(!out.contains(&case_ref), "{out}");
}
