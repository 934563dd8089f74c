//! Input that must change nothing or be refused: stale and forged presses, secrets the
//! privacy guard catches, control characters.

use super::*;

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
    assert_eq!(
        crate::conversation::strip_controls("a\nb\tc\u{0}\u{1b}"),
        "a\nb\tc"
    );
}
