//! Filling a form: each field kind, optional and conditional fields, the summary and its
//! edits, submitting, cancelling and resuming, the reminder about an idle draft.

use super::*;

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
