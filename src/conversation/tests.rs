//! Transition tests: each state with each kind of event, deterministic (fixed clock,
//! entropy and facts), no database, no network.

use super::action::Action;
use super::effect::{Effect, Keyboard, Reply};
use super::event::{Event, Unsupported, Upload};
use super::facts::{CaseLine, Facts};
use super::messages as m;
use super::state::{Attachment, FileKind, State, Value};
use crate::domain::{CaseKind, CaseStatus};
use crate::i18n::Locale;
use crate::testkit::{luhn_card, Chat};
use chrono::{NaiveDate, TimeZone, Utc};

fn replies(effects: &[Effect]) -> Vec<&Reply> {
    effects.iter().filter_map(Effect::as_reply).collect()
}

fn last(effects: &[Effect]) -> &Reply {
    replies(effects).last().copied().expect("a reply")
}

fn says(effects: &[Effect], id: &str) -> bool {
    replies(effects).iter().any(|r| r.has(id))
}

fn says_prefix(effects: &[Effect], prefix: &str) -> bool {
    replies(effects)
        .iter()
        .any(|r| r.parts.iter().any(|p| p.id.starts_with(prefix)))
}

fn notice(effects: &[Effect]) -> Option<&str> {
    effects.iter().find_map(|e| match e {
        Effect::Notice(msg) => Some(msg.id.as_str()),
        _ => None,
    })
}

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
fn open_case_prefills_the_brand_and_asks_the_next_field() {
    let mut c = Chat::default();
    let fx = {
        c.text("/start");
        c.press(Action::Topic(CaseKind::Unbind));
        c.press(Action::Brand("lakala".into()));
        c.press(Action::OpenCase(CaseKind::Unbind, Some("lakala".into())))
    };
    assert_eq!(c.field(), Some("serial"));
    assert_eq!(c.value("brand"), Some(&Value::Brand("lakala".into())));
    let r = last(&fx);
    assert!(r.has(m::FORM_START) && r.has(m::FORM_PROGRESS) && r.has("field-serial-prompt"));
    assert!(r.buttons().iter().any(|b| b.action == Action::CancelDraft));
}

#[test]
fn open_case_without_a_brand_asks_for_it_first() {
    let mut c = Chat::default();
    c.text("/start");
    c.text("押金能退吗");
    c.press(Action::OpenCase(CaseKind::Cancel, None));
    assert_eq!(c.field(), Some("brand"));
    let fx = c.text("盛付通");
    assert_eq!(c.value("brand"), Some(&Value::Brand("shengfutong".into())));
    assert!(says(&fx, "field-serial-prompt"));
}

#[test]
fn every_field_kind_refuses_bad_input_with_a_reason_and_asks_again() {
    // (kind, field, bad input, expected message id prefix)
    let cases: &[(CaseKind, &str, &str, &str)] = &[
        (CaseKind::Unbind, "serial", "12", "invalid-"),
        (CaseKind::Unbind, "activated", "蓝色", m::YES_NO_UNCLEAR),
        (CaseKind::Unbind, "merchant_no", "abc", "invalid-"),
        (CaseKind::Unbind, "merchant_name", "。", "invalid-"),
        (CaseKind::Unbind, "contact_name", "12345", "invalid-"),
        (CaseKind::Unbind, "phone", "12345", "invalid-"),
        (CaseKind::Unbind, "id_front", "好的", m::PHOTO_EXPECTED),
        (CaseKind::Cancel, "received_on", "2099-01-01", "invalid-"),
        (CaseKind::Cancel, "received_on", "2月30日", "invalid-"),
        (CaseKind::Cancel, "received_on", "某天", "invalid-"),
        (CaseKind::Cancel, "refund_bank", "123456", "invalid-"),
        (CaseKind::Cancel, "refund_last4", "12", "invalid-"),
        (CaseKind::Card, "new_last4", "123456", "invalid-"),
        (CaseKind::Unbind, "reason", "a", "invalid-"),
    ];
    for &(kind, field, bad, expected) in cases {
        let mut c = Chat::default();
        c.open(kind);
        let mut guard = 0;
        while c.field() != Some(field) {
            if kind == CaseKind::Cancel && c.field() == Some("wants_refund") {
                c.press(Action::Yes);
            } else {
                c.answer_current();
            }
            guard += 1;
            assert!(guard < 30, "never reached {field}");
        }
        let before = c.dialogue.state.clone();
        let fx = c.text(bad);
        assert!(
            says_prefix(&fx, expected),
            "{kind:?}.{field} with {bad:?}: {fx:?}"
        );
        assert_eq!(
            c.field(),
            Some(field),
            "{kind:?}.{field} must be asked again"
        );
        assert_eq!(c.dialogue.state, before, "nothing stored for a bad value");
        assert!(says(&fx, &format!("field-{field}-prompt")));
    }
}

#[test]
fn yes_no_accepts_words_and_buttons() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    c.text("LKL8C2104567");
    assert_eq!(c.field(), Some("activated"));
    c.text("没激活");
    assert_eq!(c.value("activated"), Some(&Value::Bool(false)));
    assert_eq!(c.field(), Some("merchant_no"));
}

#[test]
fn optional_fields_can_be_skipped_by_button_or_word_but_required_ones_cannot() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    c.text("LKL8C2104567");
    c.press(Action::No);
    assert_eq!(c.field(), Some("merchant_no"));
    c.press(Action::Skip);
    assert_eq!(c.value("merchant_no"), Some(&Value::Skipped));
    assert_eq!(c.field(), Some("merchant_name"));
    let fx = c.press(Action::Skip);
    assert_eq!(notice(&fx), Some(m::BAD_BUTTON));
    assert_eq!(c.field(), Some("merchant_name"));

    let mut c = Chat::default();
    c.open(CaseKind::Broken);
    while c.field() != Some("invoice") {
        c.answer_current();
    }
    c.text("没有");
    assert_eq!(c.value("invoice"), Some(&Value::Skipped));
}

#[test]
fn phone_field_offers_share_contact_and_closes_that_keyboard_after() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    let mut fx = Vec::new();
    while c.field() != Some("phone") {
        fx = c.answer_current();
    }
    assert!(matches!(last(&fx).keyboard, Keyboard::ShareContact(_)));
    let fx = c.send(Event::Contact {
        phone: "+86 138-1234-5678".into(),
    });
    assert_eq!(c.value("phone"), Some(&Value::Text("13812345678".into())));
    let first = replies(&fx)[0];
    assert_eq!(first.keyboard, Keyboard::RemoveShareContact);
    assert!(first.has(m::PHONE_RECEIVED));
    assert_eq!(c.field(), Some("reason"));
}

#[test]
fn cancelling_at_the_phone_field_also_closes_the_contact_keyboard() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    while c.field() != Some("phone") {
        c.answer_current();
    }
    let fx = c.text("/cancel");
    assert!(says(&fx, m::DISCARD_CONFIRM));
    assert_eq!(c.field(), Some("phone"));
    let fx = c.press(Action::DiscardConfirm);
    assert_eq!(replies(&fx)[0].keyboard, Keyboard::RemoveShareContact);
    assert_eq!(c.dialogue.state, State::Menu);
}

#[test]
fn a_contact_outside_the_phone_field_is_not_used() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::Contact {
        phone: "13812345678".into(),
    });
    assert!(says(&fx, m::CONTACT_NOT_NEEDED));
    assert_eq!(c.field(), Some("serial"));
}

#[test]
fn an_album_fills_consecutive_photo_fields() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let fx = c.send(Event::Files(vec![
        Upload::photo("front"),
        Upload::photo("back"),
        Upload::photo("licence"),
        Upload::photo("extra"),
    ]));
    let file = |id: &str| {
        Value::File(super::Attachment {
            file_id: id.into(),
            kind: FileKind::Photo,
        })
    };
    assert_eq!(c.value("id_front"), Some(&file("front")));
    assert_eq!(c.value("id_back"), Some(&file("back")));
    assert_eq!(c.value("licence"), Some(&file("licence")));
    assert!(says(&fx, m::ALBUM_EXTRA));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
}

#[test]
fn documents_are_checked_for_type_and_size() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let doc = |mime: &str, size: u64| Upload {
        file_id: "d".into(),
        kind: FileKind::Document,
        mime: Some(mime.into()),
        size: Some(size),
    };
    let fx = c.send(Event::Files(vec![doc("application/zip", 10)]));
    assert!(says(&fx, m::FILE_TYPE_REFUSED));
    assert_eq!(c.field(), Some("id_front"));
    let fx = c.send(Event::Files(vec![doc("application/pdf", 50 * 1024 * 1024)]));
    assert!(says(&fx, m::FILE_TOO_LARGE));
    assert_eq!(c.field(), Some("id_front"));
    c.send(Event::Files(vec![doc("application/pdf", 200_000)]));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
}

#[test]
fn files_outside_a_photo_field_are_explained() {
    let mut c = Chat::default();
    c.text("/start");
    let fx = c.send(Event::Files(vec![Upload::photo("x")]));
    assert!(says(&fx, m::FILE_NOT_NOW));
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::Files(vec![Upload::photo("x")]));
    assert!(says(&fx, m::TEXT_EXPECTED));
    assert_eq!(c.field(), Some("serial"));
}

#[test]
fn conditional_fields_follow_their_yes_no_answer_and_edits() {
    let mut c = Chat::default();
    c.open(CaseKind::Cancel);
    while c.field() != Some("wants_refund") {
        c.answer_current();
    }
    c.press(Action::No);
    assert_eq!(c.field(), Some("application"), "refund card fields skipped");
    c.press(Action::Skip);
    assert!(matches!(c.dialogue.state, State::Review { .. }));

    // Change the answer from the summary: the refund card is now asked for.
    c.press(Action::EditMenu);
    c.press(Action::EditField("wants_refund".into()));
    c.press(Action::Yes);
    assert_eq!(c.field(), Some("refund_bank"));
    c.text("招商银行");
    assert_eq!(c.field(), Some("refund_last4"));
    c.text("5678");
    assert!(matches!(c.dialogue.state, State::Review { .. }));

    // And back to "no": the card answers are dropped, not kept.
    c.press(Action::EditMenu);
    c.press(Action::EditField("wants_refund".into()));
    c.press(Action::No);
    assert!(matches!(c.dialogue.state, State::Review { .. }));
    assert_eq!(c.value("refund_last4"), None);
    assert_eq!(c.value("refund_bank"), None);
}

#[test]
fn review_edit_and_back() {
    let mut c = Chat::default();
    c.open(CaseKind::Close);
    c.fill_form();
    let State::Review { .. } = &c.dialogue.state else {
        panic!()
    };
    let fx = c.press(Action::EditMenu);
    assert!(last(&fx).has(m::EDIT_CHOOSE));
    assert!(last(&fx)
        .buttons()
        .iter()
        .any(|b| b.action == Action::EditField("merchant_no".into())));
    c.press(Action::EditField("merchant_name".into()));
    assert_eq!(c.field(), Some("merchant_name"));
    let fx = c.text("李记五金店");
    assert!(matches!(c.dialogue.state, State::Review { .. }));
    assert_eq!(
        c.value("merchant_name"),
        Some(&Value::Text("李记五金店".into()))
    );
    assert!(last(&fx).has(m::REVIEW_HEADER));
    // Back from the edit menu without changing anything.
    c.press(Action::EditMenu);
    c.press(Action::Resume);
    assert!(matches!(c.dialogue.state, State::Review { .. }));
    // Editing a field that is not in this form is refused.
    c.press(Action::EditMenu);
    let fx = c.press(Action::EditField("refund_last4".into()));
    assert_eq!(notice(&fx), Some(m::BAD_BUTTON));
}

#[test]
fn submit_queues_the_case_and_returns_to_the_menu() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    c.fill_form();
    let draft_id = c.dialogue.state.draft().unwrap().id.clone();
    let fx = c.press(Action::Submit);
    let sub = fx
        .iter()
        .find_map(|e| match e {
            Effect::Submit(s) => Some(s),
            _ => None,
        })
        .expect("submitted");
    assert_eq!(sub.kind, CaseKind::Unbind);
    assert_eq!(sub.draft_id, draft_id);
    assert!(sub.case_ref.starts_with("UB-"));
    assert_eq!(sub.brand, "lakala");
    assert_eq!(sub.serial.as_deref(), Some("LKL8C2104567"));
    assert_eq!(sub.fields["phone"], "13812345678");
    assert_eq!(sub.fields["activated"], true);
    assert_eq!(sub.fields["reason"]["choice"], "reason-unused");
    assert_eq!(sub.attachments.len(), 3);
    // Friday + 3 business days = Wednesday, 18:00 China time.
    assert_eq!(
        sub.due_at,
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    );
    assert_eq!(c.dialogue.state, State::Menu);
    let r = replies(&fx)
        .into_iter()
        .find(|r| r.has(m::SUBMITTED))
        .unwrap();
    assert!(r.parts[0]
        .args
        .iter()
        .any(|(k, v)| k == "ref" && *v == crate::i18n::Arg::Str(sub.case_ref.clone())));
}

#[test]
fn a_serial_with_an_open_case_is_refused_when_typed_and_at_submit() {
    let own = |r: Option<&str>| {
        Some(crate::conversation::OpenSerial {
            serial: "LKL8C2104567".into(),
            own_case: r.map(String::from),
        })
    };
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    c.facts.open_case_for_serial = own(Some("UB-ABCDEF"));
    let fx = c.text("lkl8c2104567");
    assert!(says(&fx, m::SERIAL_HAS_OPEN_CASE));
    assert_eq!(c.field(), Some("serial"));

    // The other case appears only between filling in and submitting.
    c.facts = Facts::default();
    c.fill_form();
    c.facts.open_case_for_serial = own(Some("UB-ABCDEF"));
    let fx = c.press(Action::Submit);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))));
    assert!(says(&fx, m::SERIAL_HAS_OPEN_CASE));
    assert_eq!(c.field(), Some("serial"));

    // Another merchant's case: its reference is not even known to the core; the merchant
    // may leave a note for staff, and the form stays at the serial.
    c.facts.open_case_for_serial = own(None);
    let fx = c.text("LKL8C2104567");
    assert!(says(&fx, m::SERIAL_TAKEN) && !says(&fx, m::SERIAL_HAS_OPEN_CASE));
    let note = Action::NoteToStaff("LKL8C2104567".into());
    assert!(last(&fx).buttons().iter().any(|b| b.action == note));
    c.press(note);
    assert!(matches!(c.dialogue.state, State::NoteToStaff { .. }));
    let fx = c.text("这台机器是朋友转给我的");
    let sent = fx.iter().find_map(|e| match e {
        Effect::SerialNote { serial, text, .. } => Some((serial.clone(), text.clone())),
        _ => None,
    });
    assert_eq!(
        sent,
        Some(("LKL8C2104567".into(), "这台机器是朋友转给我的".into()))
    );
    assert!(says(&fx, m::NOTE_SENT));
    assert_eq!(c.field(), Some("serial"));
}

#[test]
fn stale_and_forged_presses_change_nothing() {
    let mut c = Chat::default();
    c.text("/start");
    let old = Action::Topic(CaseKind::Unbind).encode(c.dialogue.step);
    c.press(Action::Topic(CaseKind::Close));
    let before = c.dialogue.clone();
    let fx = c.send(Event::Press(old.clone()));
    assert_eq!(notice(&fx), Some(m::STALE_BUTTON));
    assert_eq!(c.dialogue, before);
    // The same press re-sent (a client retry) is just as stale.
    let fx = c.send(Event::Press(old));
    assert_eq!(notice(&fx), Some(m::STALE_BUTTON));
    for forged in ["", "garbage", "1:t.nope", &"9".repeat(100), "0:sb"] {
        let fx = c.send(Event::Press(forged.into()));
        assert!(
            matches!(notice(&fx), Some(m::BAD_BUTTON | m::STALE_BUTTON)),
            "{forged:?}"
        );
        assert_eq!(c.dialogue, before);
    }
    // A well-formed press that does not fit the state.
    let fx = c.press(Action::Submit);
    assert_eq!(notice(&fx), Some(m::BAD_BUTTON));
    assert!(matches!(c.dialogue.state, State::ChooseBrand { .. }));
}

#[test]
fn privacy_guard_deletes_and_stores_nothing() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    while c.field() != Some("new_last4") {
        c.answer_current();
    }
    let before = c.dialogue.state.clone();
    let card = luhn_card("622202123456789");
    let fx = c.text(&format!("卡号是 {card}"));
    assert!(fx.contains(&Effect::DeleteMessage(c.message_id)));
    assert!(says(&fx, "privacy-refused-card"));
    assert_eq!(c.dialogue.state, before);
    assert!(!format!("{:?}", c.dialogue).contains(&card));
    for secret in ["我的密码是abc12345", "验证码是 482913"] {
        let fx = c.text(secret);
        assert!(
            fx.contains(&Effect::DeleteMessage(c.message_id)),
            "{secret}"
        );
        assert_eq!(c.dialogue.state, before);
    }
    // An edited message is guarded too.
    let fx = c.send(Event::Edited(Some(card.clone())));
    assert!(fx.contains(&Effect::DeleteMessage(c.message_id)));
    // Questions about passwords and codes are not secrets.
    let fx = c.text("收不到验证码怎么办？");
    assert!(!fx.iter().any(|e| matches!(e, Effect::DeleteMessage(_))));
}

#[test]
fn a_question_in_the_middle_of_a_form_is_answered_then_the_field_asked_again() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    let before = c.dialogue.state.clone();
    let fx = c.text("审核要多久？");
    let rs = replies(&fx);
    assert_eq!(rs.len(), 2);
    assert_eq!(
        rs[0].parts[0].id,
        crate::knowledge::answer_message(crate::knowledge::Intent::ReviewTime, Some("lakala"))
    );
    assert!(rs[1].has(m::DIGRESSION_CONTINUE) && rs[1].has("field-serial-prompt"));
    assert_eq!(c.dialogue.state, before);
    // In a free-text field, a plain answer that mentions a topic is still the answer.
    while c.field() != Some("reason") {
        c.answer_current();
    }
    c.text("机器坏了");
    assert_eq!(c.value("reason"), Some(&Value::Text("机器坏了".into())));
}

#[test]
fn cancel_and_resume() {
    let mut c = Chat::default();
    let fx = c.text("/cancel");
    assert!(says(&fx, m::NOTHING_TO_CANCEL));
    c.open(CaseKind::Unbind);
    c.text("LKL8C2104567");
    // Coming back with /start offers to continue.
    let fx = c.text("/start");
    assert!(last(&fx).has(m::RESUME_OFFER));
    assert_eq!(c.field(), Some("activated"));
    let fx = c.press(Action::Resume);
    assert!(last(&fx).has("field-activated-prompt"));
    c.text("/start");
    let fx = c.press(Action::Discard);
    assert!(says(&fx, m::DISCARD_CONFIRM));
    c.press(Action::DiscardConfirm);
    assert_eq!(c.dialogue.state, State::Menu);
    // Typed cancel words work too.
    c.open(CaseKind::Broken);
    let fx = c.text("取消");
    assert!(says(&fx, m::DISCARD_CONFIRM));
    assert_eq!(c.field(), Some("serial"));
    let fx = c.press(Action::DiscardConfirm);
    assert!(says(&fx, m::DRAFT_DISCARDED));
    assert_eq!(c.dialogue.state, State::Menu);
    let fx = c.press(Action::Undo);
    assert!(says(&fx, m::DRAFT_RESTORED));
    assert_eq!(c.field(), Some("serial"));
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
fn every_kind_can_be_filled_and_submitted() {
    for kind in CaseKind::ALL {
        let mut c = Chat::default();
        c.open(kind);
        c.fill_form();
        let fx = c.press(Action::Submit);
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Submit(s) if s.kind == kind)),
            "{kind:?}"
        );
    }
}

#[test]
fn album_parts_fill_photo_fields_and_answer_once() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let part = |id: &str| Event::AlbumPart {
        album_id: "g1".into(),
        upload: Upload::photo(id),
    };
    let first = c.send(part("front"));
    let second = c.send(part("back"));
    let third = c.send(part("licence"));
    let fourth = c.send(part("extra"));
    for fx in [&first, &second, &third, &fourth] {
        assert!(replies(fx)
            .iter()
            .all(|r| r.coalesce.as_deref() == Some("album:g1")));
    }
    // The last answer lists everything the album did.
    let r = last(&fourth);
    assert_eq!(
        r.parts.iter().filter(|p| p.id == m::FILE_RECEIVED).count(),
        3
    );
    assert!(r.has(m::ALBUM_EXTRA) && r.has(m::REVIEW_HEADER));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
    // Anything else ends the album.
    c.text("/status");
    assert_eq!(c.dialogue.album, None);
}

#[test]
fn an_album_where_no_photo_is_expected_is_answered_like_a_file() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::AlbumPart {
        album_id: "g2".into(),
        upload: Upload::photo("x"),
    });
    assert!(says(&fx, m::TEXT_EXPECTED));
    assert_eq!(c.field(), Some("serial"));
}

fn question(case_ref: &str) -> Event {
    Event::CaseNotice(super::CaseNotice::Question {
        case_ref: case_ref.into(),
        request_id: "q1".into(),
        question: "请补拍营业执照".into(),
    })
}

fn answers(effects: &[Effect]) -> Vec<&Effect> {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::AnswerCase { .. }))
        .collect()
}

#[test]
fn a_reviewer_question_collects_messages_until_done_and_the_form_resumes() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    c.text("LKL8C2104567");
    let form_state = c.dialogue.state.clone();
    let step = c.dialogue.step;
    let fx = c.send(question("UB-ABCDEF"));
    assert!(says(&fx, m::CASE_QUESTION));
    assert!(last(&fx)
        .buttons()
        .iter()
        .any(|b| b.action == Action::AnswerDone));
    assert!(
        c.dialogue.step > step,
        "the form's buttons are stale while the question is open"
    );
    assert!(matches!(c.dialogue.state, State::AnswerStaff { .. }));
    // The draft is still there underneath.
    assert!(c.dialogue.state.draft().is_some());
    // Several messages: nothing goes to the case until "done".
    let fx = c.text("营业执照我明天拍给你");
    assert!(answers(&fx).is_empty());
    assert!(says(&fx, m::ANSWER_COLLECTED));
    let fx = c.send(Event::Files(vec![Upload::photo("lic")]));
    assert!(answers(&fx).is_empty());
    let fx = c.press(Action::AnswerDone);
    assert_eq!(
        answers(&fx),
        vec![&Effect::AnswerCase {
            case_ref: "UB-ABCDEF".into(),
            text: Some("营业执照我明天拍给你".into()),
            files: vec![Attachment {
                file_id: "lic".into(),
                kind: FileKind::Photo,
            }],
        }]
    );
    assert_eq!(c.dialogue.state, form_state);
    assert!(last(&fx).has(m::ANSWER_RECEIVED) && last(&fx).has("field-activated-prompt"));
}

#[test]
fn an_album_answers_in_one_reply_and_an_idle_answer_is_sent_by_the_reminder() {
    let mut c = Chat::default();
    c.text("/start");
    c.send(question("UB-ABCDEF"));
    let part = |id: &str| Event::AlbumPart {
        album_id: "g9".into(),
        upload: Upload::photo(id),
    };
    c.send(part("p1"));
    let b = c.send(part("p2"));
    assert!(replies(&b)
        .iter()
        .all(|r| r.coalesce.as_deref() == Some("album:g9")));
    match &c.dialogue.state {
        State::AnswerStaff { files, .. } => assert_eq!(files.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(
        c.dialogue.pending_since().is_some(),
        "the reminder job finds it"
    );
    // The merchant never presses "done": the reminder job's timeout sends it.
    let fx = c.send(Event::Reminder);
    assert_eq!(answers(&fx).len(), 1);
    assert!(says(&fx, m::ANSWER_SENT_AFTER_WAIT));
    assert_eq!(c.dialogue.state, State::Menu);
    // "Done" with nothing sent yet explains instead.
    c.send(question("UB-ABCDEF"));
    let fx = c.press(Action::AnswerDone);
    assert!(answers(&fx).is_empty() && says(&fx, m::ANSWER_EMPTY));
}

#[test]
fn cancel_leaves_a_question_for_later_and_status_shows_it_and_offers_to_answer() {
    let mut c = Chat::default();
    c.text("/start");
    c.send(question("UB-ABCDEF"));
    let fx = c.text("/cancel");
    assert!(says(&fx, m::ANSWER_LATER));
    assert_eq!(c.dialogue.state, State::Menu);
    c.facts.own_cases = vec![CaseLine {
        case_ref: "UB-ABCDEF".into(),
        kind: CaseKind::Unbind,
        status: CaseStatus::WaitingMerchant,
        due: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    }];
    c.facts.case_notes.insert(
        "UB-ABCDEF".into(),
        super::CaseNote::Question("请补拍营业执照".into()),
    );
    let fx = c.text("/status");
    let status = replies(&fx)
        .into_iter()
        .find(|r| r.has(m::STATUS_LINE))
        .unwrap();
    assert!(status.has(m::STATUS_QUESTION));
    assert!(status
        .buttons()
        .iter()
        .any(|b| b.action == Action::AnswerCase("UB-ABCDEF".into())));
    let fx = c.press(Action::AnswerCase("UB-ABCDEF".into()));
    assert!(
        last(&fx).has(m::CASE_QUESTION),
        "the question is shown again"
    );
    c.text("补充说明");
    // Leaving sends what was collected: nothing the merchant sent is dropped.
    let fx = c.text("/cancel");
    assert_eq!(answers(&fx).len(), 1);
    // A photo while no photo is asked, with a reviewer waiting: it is for the reviewer.
    let fx = c.send(Event::Files(vec![Upload::photo("lic")]));
    assert!(answers(&fx).is_empty() && !says(&fx, m::FILE_NOT_NOW));
    assert!(matches!(c.dialogue.state, State::AnswerStaff { .. }));
    let fx = c.press(Action::AnswerDone);
    assert_eq!(answers(&fx).len(), 1);
}

#[test]
fn notices_change_neither_the_state_nor_the_buttons() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    let before = c.dialogue.clone();
    for notice in [
        super::CaseNotice::InReview {
            case_ref: "CD-ABCDEF".into(),
        },
        super::CaseNotice::Approved {
            case_ref: "CD-ABCDEF".into(),
            next: "card".into(),
        },
        super::CaseNotice::Rejected {
            case_ref: "CD-ABCDEF".into(),
            reason: "other".into(),
            text: Some("卡号不符".into()),
        },
    ] {
        let fx = c.send(Event::CaseNotice(notice));
        assert_eq!(replies(&fx).len(), 1);
        assert_eq!(c.dialogue, before);
    }
    let fx = c.send(Event::CaseNotice(super::CaseNotice::Rejected {
        case_ref: "CD-ABCDEF".into(),
        reason: "missing-materials".into(),
        text: None,
    }));
    let r = last(&fx);
    assert!(r.has(m::CASE_REJECTED) && !r.has(m::REJECT_NOTE));
}

#[test]
fn one_reminder_per_idle_draft() {
    let mut c = Chat::default();
    let fx = c.send(Event::Reminder);
    assert!(fx.is_empty(), "no draft, no reminder");
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::Reminder);
    assert!(last(&fx).has(m::REMINDER));
    assert!(c.dialogue.reminded);
    assert!(c.send(Event::Reminder).is_empty(), "only once");
    let fx = c.press(Action::Resume);
    assert!(last(&fx).has("field-serial-prompt"));
    assert!(!c.dialogue.reminded, "activity re-arms the reminder");
}

#[test]
fn withdraw_needs_an_open_case_of_ones_own_and_a_confirmation() {
    let mut c = Chat::default();
    c.text("/start");
    let line = |status: CaseStatus| CaseLine {
        case_ref: "UB-ABCDEF".into(),
        kind: CaseKind::Unbind,
        status,
        due: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    };
    c.facts.own_cases = vec![line(CaseStatus::Queued)];
    let fx = c.text("/status");
    assert!(replies(&fx).iter().any(|r| r
        .buttons()
        .iter()
        .any(|b| b.action == Action::Withdraw("UB-ABCDEF".into()))));
    let fx = c.press(Action::Withdraw("UB-ABCDEF".into()));
    assert!(last(&fx).has(m::WITHDRAW_CONFIRM));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Withdraw { .. })));
    let fx = c.press(Action::WithdrawConfirm("UB-ABCDEF".into()));
    assert!(fx.contains(&Effect::Withdraw {
        case_ref: "UB-ABCDEF".into()
    }));
    // Someone else's case, or a decided one: refused.
    c.facts.own_cases = vec![line(CaseStatus::Approved)];
    c.text("/status");
    let fx = c.press(Action::WithdrawConfirm("UB-ABCDEF".into()));
    assert!(says(&fx, m::CANNOT_WITHDRAW));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Withdraw { .. })));
    c.facts.own_cases.clear();
    c.text("/status");
    let fx = c.press(Action::WithdrawConfirm("CL-ZZZZZZ".into()));
    assert!(says(&fx, m::CANNOT_WITHDRAW));
}

#[test]
fn the_privacy_guard_also_protects_answers() {
    let mut c = Chat::default();
    c.text("/start");
    c.send(question("UB-ABCDEF"));
    let fx = c.text(&format!("卡号 {}", luhn_card("622202123456789")));
    assert!(fx.contains(&Effect::DeleteMessage(c.message_id)));
    assert!(answers(&fx).is_empty());
    assert!(matches!(c.dialogue.state, State::AnswerStaff { .. }));
}

#[test]
fn control_characters_are_dropped_from_what_merchants_type() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    while c.field() != Some("merchant_name") {
        c.answer_current();
    }
    c.text("陈氏\u{0}理发\u{7}");
    assert_eq!(
        c.value("merchant_name"),
        Some(&Value::Text("陈氏理发".into()))
    );
    assert_eq!(super::strip_controls("a\nb\tc\u{0}\u{1b}"), "a\nb\tc");
}
