//! Outside a form: the menu, topics and brands, deep links, the language, free text,
//! commands, `/status` and `/forget`.

use super::*;

#[test]
fn start_shows_the_welcome_and_the_menu() {
    let mut c = Chat::default();
    let fx = c.text("/start");
    assert_eq!(c.dialogue.state, State::Menu);
    assert!(last(&fx).has(m::WELCOME));
    let buttons = last(&fx).buttons();
    assert!(buttons
        .iter()
        .any(|b| b.action == Action::Topic(CaseKind::Unbind)));
    assert!(buttons.iter().all(|b| b.step == c.dialogue.step));
    assert_eq!(c.dialogue.last_active, Some(c.now));
}

#[test]
fn topic_then_brand_shows_the_brand_guide_and_done_returns_to_menu() {
    let mut c = Chat::default();
    c.text("/start");
    let fx = c.press(Action::Topic(CaseKind::Unbind));
    assert_eq!(
        c.dialogue.state,
        State::ChooseBrand {
            topic: CaseKind::Unbind
        }
    );
    assert!(last(&fx).has(m::BRAND_PROMPT));
    let fx = c.press(Action::Brand("lakala".into()));
    assert_eq!(
        c.dialogue.state,
        State::Guide {
            topic: CaseKind::Unbind,
            brand: "lakala".into()
        }
    );
    let guide = last(&fx);
    assert_eq!(
        guide.parts[0].id,
        crate::knowledge::answer_message(crate::knowledge::Intent::UnbindDevice, Some("lakala"))
    );
    assert!(guide.has(crate::knowledge::ANSWER_FOOTER));
    let fx = c.press(Action::GuideDone);
    assert_eq!(c.dialogue.state, State::Menu);
    assert!(last(&fx).has(m::GUIDE_DONE));
}

#[test]
fn a_brand_can_be_typed_and_an_unknown_one_is_explained() {
    let mut c = Chat::default();
    c.text("/start");
    c.press(Action::Topic(CaseKind::Card));
    let fx = c.text("阿巴阿巴");
    assert!(says(&fx, m::BRAND_UNKNOWN));
    assert!(matches!(c.dialogue.state, State::ChooseBrand { .. }));
    c.text("立刷");
    assert_eq!(
        c.dialogue.state,
        State::Guide {
            topic: CaseKind::Card,
            brand: "lishua".into()
        }
    );
}

#[test]
fn deep_links_open_a_topic() {
    let mut c = Chat::default();
    c.text("/start unbind_lakala");
    assert_eq!(
        c.dialogue.state,
        State::Guide {
            topic: CaseKind::Unbind,
            brand: "lakala".into()
        }
    );
    let mut c = Chat::default();
    c.text("/start close");
    assert_eq!(
        c.dialogue.state,
        State::ChooseBrand {
            topic: CaseKind::Close
        }
    );
    let mut c = Chat::default();
    c.text("/start@posdesk_bot <script>");
    assert_eq!(c.dialogue.state, State::Menu);
}

#[test]
fn lang_switches_and_is_remembered() {
    let mut c = Chat::default();
    let fx = c.text("/lang");
    assert!(last(&fx)
        .buttons()
        .iter()
        .any(|b| b.action == Action::Lang(Locale::En)));
    let fx = c.press(Action::Lang(Locale::En));
    assert_eq!(c.dialogue.locale, Some(Locale::En));
    assert!(says(&fx, m::LANG_SET));
}

#[test]
fn free_text_outside_a_form_is_answered_or_politely_declined() {
    let mut c = Chat::default();
    let fx = c.text("押金能退吗");
    let r = last(&fx);
    assert_eq!(
        r.parts[0].id,
        crate::knowledge::answer_message(crate::knowledge::Intent::Deposit, None)
    );
    assert!(r
        .buttons()
        .iter()
        .any(|b| b.action == Action::OpenCase(CaseKind::Cancel, None)));
    let fx = c.text("拉卡拉的机器不用了怎么解绑");
    assert_eq!(
        c.dialogue.state,
        State::Guide {
            topic: CaseKind::Unbind,
            brand: "lakala".into()
        }
    );
    assert!(last(&fx)
        .buttons()
        .iter()
        .any(|b| b.action == Action::OpenCase(CaseKind::Unbind, Some("lakala".into()))));
    let fx = c.text("今天天气怎么样");
    assert!(says(&fx, crate::knowledge::ANSWER_NONE));
    assert_eq!(c.dialogue.state, State::Menu);
}

#[test]
fn unsupported_edited_and_unknown_commands_get_a_clear_reply() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    for kind in [
        Unsupported::Sticker,
        Unsupported::Voice,
        Unsupported::Location,
        Unsupported::Video,
        Unsupported::Other,
    ] {
        let fx = c.send(Event::Unsupported(kind));
        assert!(says(&fx, m::UNSUPPORTED));
        assert_eq!(c.field(), Some("serial"));
    }
    let fx = c.send(Event::Edited(Some("LKL000111".into())));
    assert!(says(&fx, m::EDITED_IGNORED));
    assert_eq!(c.value("serial"), None);
    let fx = c.text("/frobnicate");
    assert!(says(&fx, m::UNKNOWN_COMMAND));
    let fx = c.text("   ");
    assert!(says(&fx, m::USE_BUTTONS));
    assert_eq!(c.field(), Some("serial"));
}

#[test]
fn status_lists_own_cases() {
    let mut c = Chat::default();
    let fx = c.text("/status");
    assert!(says(&fx, m::STATUS_NONE));
    c.facts.own_cases = vec![CaseLine {
        case_ref: "UB-ABCDEF".into(),
        kind: CaseKind::Unbind,
        status: CaseStatus::Queued,
        due: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    }];
    let fx = c.text("/status");
    assert!(says(&fx, m::STATUS_HEADER) && says(&fx, m::STATUS_LINE));
    let fx = c.text("我的申请到哪一步了");
    assert!(says(&fx, m::STATUS_LINE));
}

#[test]
fn forget_is_refused_with_open_cases_and_confirmed_otherwise() {
    let mut c = Chat::default();
    c.facts.own_cases = vec![CaseLine {
        case_ref: "UB-ABCDEF".into(),
        kind: CaseKind::Unbind,
        status: CaseStatus::InReview,
        due: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    }];
    let fx = c.text("/forget");
    assert!(says(&fx, m::FORGET_BLOCKED));
    c.facts.own_cases[0].status = CaseStatus::Approved;
    c.open(CaseKind::Card);
    c.text("/lang");
    c.press(Action::Lang(Locale::En));
    let fx = c.text("/forget");
    assert!(last(&fx).has(m::FORGET_CONFIRM));
    let fx = c.press(Action::ForgetNo);
    assert!(says(&fx, m::FORGET_KEPT));
    c.text("/forget");
    let step_before = c.dialogue.step;
    let fx = c.press(Action::ForgetYes);
    assert!(fx.contains(&Effect::Forget));
    assert_eq!(c.dialogue.state, State::Menu);
    assert_eq!(c.dialogue.locale, None);
    assert!(c.dialogue.step > step_before);
}
