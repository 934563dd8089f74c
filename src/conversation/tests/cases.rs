//! After submitting: a reviewer's question and its answer, notices about a case,
//! withdrawing.

use super::*;

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
        crate::conversation::CaseNote::Question("请补拍营业执照".into()),
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
        crate::conversation::CaseNotice::InReview {
            case_ref: "CD-ABCDEF".into(),
        },
        crate::conversation::CaseNotice::Approved {
            case_ref: "CD-ABCDEF".into(),
            next: "card".into(),
        },
        crate::conversation::CaseNotice::Rejected {
            case_ref: "CD-ABCDEF".into(),
            reason: "other".into(),
            text: Some("卡号不符".into()),
        },
    ] {
        let fx = c.send(Event::CaseNotice(notice));
        assert_eq!(replies(&fx).len(), 1);
        assert_eq!(c.dialogue, before);
    }
    let fx = c.send(Event::CaseNotice(
        crate::conversation::CaseNotice::Rejected {
            case_ref: "CD-ABCDEF".into(),
            reason: "missing-materials".into(),
            text: None,
        },
    ));
    let r = last(&fx);
    assert!(r.has(m::CASE_REJECTED) && !r.has(m::REJECT_NOTE));
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
