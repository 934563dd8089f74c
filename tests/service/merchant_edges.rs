//! The merchant conversation just off the happy path (issue 15): each test is a transcript
//! of what a shop owner types and reads, in Chinese (and in English where the point is the
//! language), through the real service on a real database.

use crate::support::db::TestDb;
use crate::support::service::{App, Merchant, STAFF_CHAT};
use posdesk::i18n::Locale;
use posdesk::store::CaseFilter;

/// An unbind application filled up to the merchant-name field.
async fn unbind_up_to_merchant_name(app: &App, m: &mut Merchant, serial: &str) {
    m.say(app, "/start unbind_lakala").await;
    m.tap(app, "帮我提交申请").await;
    m.say(app, serial).await;
    m.tap(app, "是").await;
    m.tap(app, "跳过").await;
}

/// Finish an unbind application from the contact-name field on, and submit it.
async fn finish_unbind_from_contact(app: &App, m: &mut Merchant, name: &str) -> String {
    m.say(app, name).await;
    m.say(app, "13812345678").await;
    m.tap(app, "长期不用了").await;
    m.photos(app, &["f", "b"]).await;
    m.tap(app, "跳过").await;
    m.tap(app, "提交").await
}

// Item 1: a question or a request typed into a free-text field is answered or handed
// over, and the same field is asked again; nothing of it is stored.
backends!(questions_in_free_text_fields_are_answered_not_stored);
async fn questions_in_free_text_fields_are_answered_not_stored(db: &TestDb) {
    let app = App::open(&db.url).await;
    let mut m = Merchant::new(15_101, None);
    unbind_up_to_merchant_name(&app, &mut m, "LKL15101001").await;
    let out = m.say(&app, "商户名称是写营业执照上的名字吗？").await;
    assert!(out.contains("没有把它记作“商户名称”"), "{out}");
    assert!(out.contains("营业执照"), "the field is explained: {out}");
    assert!(out.contains("商户名称是什么"), "asked again: {out}");
    m.say(&app, "张记便利店").await;
    let out = m.say(&app, "转人工").await;
    assert!(out.contains("工作人员"), "handed over: {out}");
    assert!(
        out.contains("联系人"),
        "the contact name is asked again: {out}"
    );
    let out = finish_unbind_from_contact(&app, &mut m, "张伟").await;
    assert!(out.contains("UB-"), "{out}");
    let case = &app.store.list_cases(&CaseFilter::default()).await.unwrap()[0];
    assert_eq!(case.fields["merchant_name"], "张记便利店");
    assert_eq!(case.fields["contact_name"], "张伟");

    let mut en = Merchant::new(15_102, Some(Locale::En));
    en.say(&app, "/start unbind_lakala").await;
    en.tap(&app, "Apply for me").await;
    en.say(&app, "LKL15102001").await;
    en.tap(&app, "Yes").await;
    en.tap(&app, "Skip").await;
    let out = en
        .say(&app, "Is it the name on the business licence?")
        .await;
    assert!(
        out.contains("haven't saved it as \"Merchant name\""),
        "{out}"
    );
    let out = en.say(&app, "I want to talk to a person").await;
    assert!(out.contains("staff"), "{out}");
    assert!(out.contains("merchant's name"), "asked again: {out}");
}

// Item 2: a serial that another merchant's open case uses: nothing of that case is shown;
// the merchant can leave a note, which reaches staff with both references.
backends!(another_merchants_case_is_never_disclosed);
async fn another_merchants_case_is_never_disclosed(db: &TestDb) {
    let app = App::with_staff(&db.url).await;
    let mut a = Merchant::new(15_201, None);
    unbind_up_to_merchant_name(&app, &mut a, "LKL15201001").await;
    a.say(&app, "一号店").await;
    finish_unbind_from_contact(&app, &mut a, "赵六").await;
    let a_case = app.store.list_cases(&CaseFilter::default()).await.unwrap()[0]
        .case_ref
        .clone();
    let a_ref = a_case.to_string();
    app.sent_to(STAFF_CHAT).await;

    let mut b = Merchant::new(15_202, None);
    b.say(&app, "/start unbind_lakala").await;
    b.tap(&app, "帮我提交申请").await;
    let out = b.say(&app, "lkl 1520 1001").await;
    assert!(out.contains("不是从您这里提交的"), "{out}");
    assert!(out.contains("序列号"), "the serial is asked again: {out}");
    let out = b.say(&app, "/status").await;
    assert!(out.contains("还没有提交过"), "{out}");
    b.say(&app, "/start").await;
    b.tap(&app, "接着填").await;
    let out = b.say(&app, "LKL15201001").await;
    assert!(out.contains("留言"), "{out}");
    let out = b.tap(&app, "给工作人员留言").await;
    assert!(out.contains("怎么到您手上"), "{out}");
    let out = b.say(&app, "这台机器是前店主转给我的，我是新店主。").await;
    assert!(out.contains("NT-"), "the note's reference: {out}");
    assert!(out.contains("序列号"), "back at the serial: {out}");
    assert!(!b.transcript.contains(&a_ref), "{}", b.transcript);

    let (staff, _) = app.sent_to(STAFF_CHAT).await;
    assert!(staff.contains(&a_ref) && staff.contains("NT-"), "{staff}");
    assert!(
        staff.contains("这台机器是前店主转给我的，我是新店主。"),
        "{staff}"
    );
    let events = app.store.case_events(&a_case).await.unwrap();
    assert!(events.iter().any(|e| e.action == "serial_note"));
    assert_eq!(
        app.store
            .list_cases(&CaseFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

// Item 3: discarding a draft with answers asks first, says how many go, and can be undone.
backends!(discarding_a_draft_asks_first_and_can_be_undone);
async fn discarding_a_draft_asks_first_and_can_be_undone(db: &TestDb) {
    let app = App::open(&db.url).await;
    let mut m = Merchant::new(15_301, None);
    m.say(&app, "/start cancel_lakala").await;
    m.tap(&app, "帮我提交申请").await;
    for answer in [
        "LKL15301001",
        "11月3日",
        "老王水果店",
        "王强",
        "13912345678",
    ] {
        m.say(&app, answer).await;
    }
    let out = m.tap(&app, "没申请过").await;
    assert!(out.contains("押金"), "{out}");
    let out = m.say(&app, "算了").await;
    assert!(out.contains("要放弃") && out.contains("7 项"), "{out}");
    let out = m.tap(&app, "继续填写").await;
    assert!(out.contains("押金"), "{out}");
    let out = m.tap(&app, "取消申请").await;
    assert!(out.contains("要放弃"), "the button asks too: {out}");
    let out = m.tap(&app, "确定放弃").await;
    assert!(out.contains("恢复"), "{out}");
    let out = m.tap(&app, "恢复申请").await;
    assert!(out.contains("押金"), "back where it was: {out}");
    // Typed, after something else happened in between.
    m.say(&app, "/cancel").await;
    m.tap(&app, "确定放弃").await;
    m.say(&app, "/start").await;
    let out = m.say(&app, "恢复").await;
    assert!(out.contains("押金"), "{out}");
    m.tap(&app, "否").await;
    let out = m.tap(&app, "跳过").await;
    assert!(out.contains("老王水果店"), "all answers came back: {out}");
}

// Item 10: greetings and "where was I" resume the form, also after a restart.
backends!(a_returning_merchant_is_greeted_and_resumes);
async fn a_returning_merchant_is_greeted_and_resumes(db: &TestDb) {
    let mut m = Merchant::new(15_1001, None);
    let mut en = Merchant::new(15_1002, Some(Locale::En));
    {
        let app = App::open(&db.url).await;
        unbind_up_to_merchant_name(&app, &mut m, "LKL15100101").await;
        m.say(&app, "张记便利店").await;
        en.say(&app, "/start unbind_lakala").await;
        en.tap(&app, "Apply for me").await;
        app.close().await;
    }
    let app = App::open(&db.url).await;
    let out = m.say(&app, "你好，我刚才的申请还在吗").await;
    assert!(out.contains("申请还在"), "{out}");
    assert!(out.contains("联系人"), "the same field: {out}");
    assert!(!out.contains("姓名只能"), "not scolded: {out}");
    let out = m.say(&app, "在吗").await;
    assert!(out.contains("申请还在") && out.contains("联系人"), "{out}");
    let out = en.say(&app, "Hi, where was I?").await;
    assert!(
        out.contains("still here") && out.contains("serial"),
        "{out}"
    );
    // Without an application, a greeting is greeted back.
    let mut fresh = Merchant::new(15_1003, None);
    let out = fresh.say(&app, "你好").await;
    assert!(out.contains("您好"), "{out}");
}
