use super::*;
use crate::conversation::CaseNotice;
use crate::domain::{CaseKind, CaseRecord, CaseRef, CaseStatus, ClaimUpdate};
use crate::i18n::Locale;
use chrono::{TimeZone, Utc};

fn case(status: CaseStatus, claimed_by: Option<i64>) -> CaseRecord {
    let t = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap();
    CaseRecord {
        case_ref: CaseRef::parse("UB-7K3QF9").unwrap(),
        draft_id: "d".into(),
        kind: CaseKind::Unbind,
        brand: "lakala".into(),
        serial: Some("LKL1".into()),
        fields: serde_json::json!({}),
        attachments: serde_json::json!([]),
        chat_id: 42,
        locale: Locale::ZhCn,
        status,
        claimed_by,
        lease_until: None,
        created_at: t,
        updated_at: t,
        due_at: t,
        decided_at: None,
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 7, 0, 0).unwrap()
}

#[test]
fn only_the_holder_decides() {
    let held = case(CaseStatus::InReview, Some(7));
    match plan(StaffAction::Approve, &held, 7, now()).unwrap() {
        Plan::Apply(t) => {
            assert_eq!(t.change.to, CaseStatus::Approved);
            assert_eq!(t.change.require_claimed_by, Some(7));
            assert_eq!(t.change.from, vec![CaseStatus::InReview]);
            assert_eq!(
                t.notice,
                Some(CaseNotice::Approved {
                    case_ref: "UB-7K3QF9".into(),
                    next: "unbind".into(),
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        plan(StaffAction::Approve, &held, 8, now()),
        Err(Refusal::HeldBy(7))
    );
    let queued = case(CaseStatus::Queued, None);
    assert_eq!(
        plan(StaffAction::Approve, &queued, 7, now()),
        Err(Refusal::NotClaimed)
    );
    let done = case(CaseStatus::Approved, Some(7));
    assert_eq!(
        plan(StaffAction::Reject(RejectReason::TooLate), &done, 7, now()),
        Err(Refusal::Decided(CaseStatus::Approved))
    );
    assert_eq!(
        plan(StaffAction::Claim, &done, 7, now()),
        Err(Refusal::Decided(CaseStatus::Approved))
    );
    assert_eq!(plan(StaffAction::Claim, &queued, 7, now()), Ok(Plan::Claim));
}

#[test]
fn reject_with_a_reason_code_or_typed_words() {
    let held = case(CaseStatus::InReview, Some(7));
    match plan(
        StaffAction::Reject(RejectReason::Unsettled),
        &held,
        7,
        now(),
    )
    .unwrap()
    {
        Plan::Apply(t) => {
            assert_eq!(t.change.to, CaseStatus::Rejected);
            assert_eq!(t.change.detail["reason"], "unsettled");
            assert_eq!(
                t.notice,
                Some(CaseNotice::Rejected {
                    case_ref: "UB-7K3QF9".into(),
                    reason: "unsettled".into(),
                    text: None
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        plan(StaffAction::Reject(RejectReason::Other), &held, 7, now()),
        Ok(Plan::AwaitText(PendingInput::RejectOther))
    );
    let t = reject(
        &held,
        7,
        now(),
        RejectReason::Other,
        Some("照片看不清".into()),
    );
    assert_eq!(t.change.detail["text"], "照片看不清");
    assert_eq!(
        plan(StaffAction::RejectMenu, &held, 7, now()),
        Ok(Plan::ShowButtons { reject_menu: true })
    );
}

#[test]
fn asking_waits_for_the_merchant_and_keeps_the_reviewer() {
    let held = case(CaseStatus::InReview, Some(7));
    assert_eq!(
        plan(StaffAction::AskMore, &held, 7, now()),
        Ok(Plan::AwaitText(PendingInput::Question))
    );
    let t = ask(&held, 7, now(), "请补拍执照".into(), "r1".into());
    assert_eq!(t.change.to, CaseStatus::WaitingMerchant);
    assert_eq!(t.change.claim, ClaimUpdate::KeepReviewerClearLease);
    assert!(matches!(t.notice, Some(CaseNotice::Question { .. })));
}

#[test]
fn notes_are_open_to_any_reviewer_and_release_clears_the_claim() {
    let queued = case(CaseStatus::Queued, None);
    assert_eq!(
        plan(StaffAction::Note, &queued, 9, now()),
        Ok(Plan::AwaitText(PendingInput::Note))
    );
    let held = case(CaseStatus::InReview, Some(7));
    match plan(StaffAction::Release, &held, 7, now()).unwrap() {
        Plan::Apply(t) => {
            assert_eq!(t.change.to, CaseStatus::Queued);
            assert_eq!(t.change.claim, ClaimUpdate::Clear);
            assert_eq!(t.notice, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        plan(StaffAction::Release, &held, 8, now()),
        Err(Refusal::HeldBy(7))
    );
}

#[test]
fn authorisation_needs_the_staff_chat_and_a_reviewer() {
    let cfg = StaffConfig {
        chat_id: -100,
        reviewers: vec![7, 8],
        locale: crate::i18n::Locale::ZhCn,
        lease: chrono::Duration::hours(4),
    };
    assert!(cfg.authorize(Some(-100), -100, 7).is_ok());
    assert_eq!(
        cfg.authorize(Some(-100), -100, 9),
        Err(Refusal::NotReviewer)
    );
    assert_eq!(
        cfg.authorize(Some(-100), -200, 7),
        Err(Refusal::NotReviewer)
    );
    assert_eq!(cfg.authorize(Some(-100), 7, 7), Err(Refusal::NotReviewer));
    // Upgraded to a supergroup: the new id is the staff group too.
    assert!(cfg.authorize(Some(-1_000_100), -1_000_100, 7).is_ok());
    assert!(cfg.authorize(Some(-1_000_100), -100, 7).is_ok());
}

#[test]
fn pending_inputs_round_trip() {
    for p in [
        PendingInput::Question,
        PendingInput::RejectOther,
        PendingInput::Note,
    ] {
        assert_eq!(PendingInput::parse(p.code()), Some(p));
    }
    assert_eq!(PendingInput::parse("x"), None);
}
