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

/// The reference of the newest case of a merchant's.
async fn newest_case(app: &App, m: &Merchant) -> posdesk::domain::CaseRef {
    let cases = app.store.list_cases(&CaseFilter::default()).await.unwrap();
    let case = cases
        .iter()
        .find(|c| c.chat_id == m.chat_id)
        .expect("a case");
    case.case_ref.clone()
}

/// A card change for Lakala, submitted.
async fn submit_card_change(app: &App, m: &mut Merchant) -> String {
    m.say(app, "/start card_lakala").await;
    m.tap(app, "帮我提交申请").await;
    for answer in ["822100012345678", "陈氏理发", "13612345678", "建行", "4321"] {
        m.say(app, answer).await;
    }
    m.tap(app, "是").await;
    m.photos(app, &["f"]).await;
    m.tap(app, "提交").await
}

// Item 4: after the decision, what happens next per kind; a rejection's reason in /status,
// and "resubmit" starts a new draft pre-filled from the rejected case.
backends!(after_the_decision_the_merchant_knows_what_next);
async fn after_the_decision_the_merchant_knows_what_next(db: &TestDb) {
    use posdesk::review::{RejectReason, StaffAction};
    let app = App::with_staff(&db.url).await;
    let mut m = Merchant::new(15_401, None);
    unbind_up_to_merchant_name(&app, &mut m, "LKL15401001").await;
    m.say(&app, "张记便利店").await;
    finish_unbind_from_contact(&app, &mut m, "张伟").await;
    let unbind = newest_case(&app, &m).await;
    app.staff_press(StaffAction::Claim, &unbind).await;
    app.sent_to(m.chat_id).await;
    app.staff_press(StaffAction::Approve, &unbind).await;
    let (out, _) = app.sent_to(m.chat_id).await;
    assert!(out.contains("已审核通过") && out.contains("撤机"), "{out}");

    submit_card_change(&app, &mut m).await;
    let card = newest_case(&app, &m).await;
    app.staff_press(StaffAction::Claim, &card).await;
    app.staff_press(StaffAction::Reject(RejectReason::MissingMaterials), &card)
        .await;
    let (out, buttons) = app.sent_to(m.chat_id).await;
    assert!(
        out.contains("未通过审核") && out.contains("材料不全"),
        "{out}"
    );
    assert!(
        buttons.iter().any(|(l, _)| l.contains("重新提交")),
        "{buttons:?}"
    );
    let out = m.say(&app, "/status").await;
    assert!(out.contains("未通过的原因：材料不全"), "{out}");
    let out = m.tap(&app, "重新提交").await;
    assert!(out.contains("预先填好") && out.contains("请核对"), "{out}");
    assert!(out.contains("陈氏理发") && out.contains("4321"), "{out}");
    let out = m.tap(&app, "提交").await;
    assert!(out.contains("CD-"), "{out}");
    let again = newest_case(&app, &m).await;
    assert_ne!(again, card);
    let again = app.store.get_case(&again).await.unwrap().unwrap();
    assert_eq!(again.fields["merchant_name"], "陈氏理发");
    assert_eq!(again.attachments.as_array().unwrap().len(), 1);

    // Closing: the account stops within 15 business days (not "a 15-day review").
    let mut c = Merchant::new(15_402, None);
    c.say(&app, "/start close_lakala").await;
    c.tap(&app, "帮我提交申请").await;
    for answer in ["822100012345679", "小李烟酒店", "xiaoli2020", "13712345678"] {
        c.say(&app, answer).await;
    }
    c.tap(&app, "是").await;
    c.tap(&app, "是").await;
    c.photos(&app, &["f", "b"]).await;
    c.tap(&app, "跳过").await;
    c.tap(&app, "提交").await;
    let close = newest_case(&app, &c).await;
    app.staff_press(StaffAction::Claim, &close).await;
    app.sent_to(c.chat_id).await;
    app.staff_press(StaffAction::Approve, &close).await;
    let (out, _) = app.sent_to(c.chat_id).await;
    assert!(out.contains("15 个工作日内停止使用"), "{out}");
}

// Item 5: answering a reviewer: the question is shown, several messages and photos go
// together when the merchant says they are done (or after a while).
backends!(answering_a_reviewer_takes_several_messages);
async fn answering_a_reviewer_takes_several_messages(db: &TestDb) {
    use posdesk::domain::CaseStatus;
    use posdesk::review::StaffAction;
    let app = App::with_staff(&db.url).await;
    let mut m = Merchant::new(15_501, None);
    unbind_up_to_merchant_name(&app, &mut m, "LKL15501001").await;
    m.say(&app, "张记便利店").await;
    finish_unbind_from_contact(&app, &mut m, "张伟").await;
    let case = newest_case(&app, &m).await;
    app.staff_press(StaffAction::Claim, &case).await;
    app.staff_press(StaffAction::AskMore, &case).await;
    app.sent_to(m.chat_id).await;
    app.staff_types(1, "请补拍营业执照").await;
    let (out, _) = app.sent_to(m.chat_id).await;
    assert!(
        out.contains("请补拍营业执照") && out.contains("发完了"),
        "{out}"
    );
    // Later, from /status: the question is shown again.
    m.say(&app, "/cancel").await;
    let out = m.say(&app, "/status").await;
    assert!(out.contains("审核人员的问题：请补拍营业执照"), "{out}");
    let out = m.tap(&app, "回复审核员").await;
    assert!(out.contains("请补拍营业执照"), "{out}");
    let out = m.say(&app, "营业执照我明天拍给你").await;
    assert!(out.contains("已记下 1 条"), "{out}");
    let status = app.store.get_case(&case).await.unwrap().unwrap().status;
    assert_eq!(
        status,
        CaseStatus::WaitingMerchant,
        "one message does not close it"
    );
    m.now += chrono::Duration::hours(20);
    let out = m.photos(&app, &["licence"]).await;
    assert!(!out.contains("用不上"), "{out}");
    assert!(out.contains("已记下 2 条"), "{out}");
    app.sent_to(STAFF_CHAT).await;
    let out = m.tap(&app, "发完了").await;
    assert!(
        out.contains("2 条补充") && out.contains("重新进入审核队列"),
        "{out}"
    );
    let stored = app.store.get_case(&case).await.unwrap().unwrap();
    assert_eq!(stored.status, CaseStatus::Queued);
    assert_eq!(stored.fields["answers"][0]["text"], "营业执照我明天拍给你");
    let (staff, _) = app.sent_to(STAFF_CHAT).await;
    assert!(staff.contains("营业执照我明天拍给你"), "{staff}");

    // Never pressing "done": the reminder job sends it after a while.
    app.staff_press(StaffAction::Claim, &case).await;
    app.staff_press(StaffAction::AskMore, &case).await;
    app.staff_types(2, "身份证背面也拍一下").await;
    m.photos(&app, &["id-back"]).await;
    let settings = posdesk::service::JobSettings::default();
    app.service
        .run_jobs(&settings, m.now + chrono::Duration::hours(25))
        .await
        .unwrap();
    let stored = app.store.get_case(&case).await.unwrap().unwrap();
    assert_eq!(stored.status, CaseStatus::Queued);
}

// Item 6: answers that mean certain rejection get advice at that step (not a block).
backends!(answers_that_mean_rejection_get_advice);
async fn answers_that_mean_rejection_get_advice(db: &TestDb) {
    let app = App::open(&db.url).await;
    let mut m = Merchant::new(15_601, None);
    m.say(&app, "/start close_lakala").await;
    m.tap(&app, "帮我提交申请").await;
    for answer in ["822100012345679", "小李烟酒店", "xiaoli2020", "13712345678"] {
        m.say(&app, answer).await;
    }
    let out = m.say(&app, "还没有").await;
    assert!(out.contains("余额转出到您自己的账户"), "{out}");

    let mut c = Merchant::new(15_602, None);
    c.say(&app, "/start card_lakala").await;
    c.tap(&app, "帮我提交申请").await;
    for answer in ["822100012345678", "陈氏理发", "13612345678", "建行", "4321"] {
        c.say(&app, answer).await;
    }
    let out = c.say(&app, "不是，是我老婆的卡").await;
    assert!(out.contains("本人") && out.contains("提醒"), "{out}");
    assert!(out.contains("身份证"), "it does not block: {out}");

    let mut r = Merchant::new(15_603, None);
    r.say(&app, "/start cancel_lakala").await;
    r.tap(&app, "帮我提交申请").await;
    r.say(&app, "LKL15603001").await;
    let out = r.say(&app, "2026年5月2日").await;
    assert!(out.contains("三个月"), "{out}");

    let mut en = Merchant::new(15_604, Some(Locale::En));
    en.say(&app, "/start close_lakala").await;
    en.tap(&app, "Apply for me").await;
    for answer in ["822100012345670", "Joe's Noodles", "joe2020", "13712345678"] {
        en.say(&app, answer).await;
    }
    let out = en.say(&app, "Not yet").await;
    assert!(out.contains("first step of closing"), "{out}");
}
