//! The merchant's side of the review: news about their cases (and what happens next),
//! the `/status` list with what the review said, starting again from a rejected case,
//! withdrawing a case, and the reminder about unfinished work. Answering a reviewer's
//! question is in `answer.rs`.

use super::action::Action;
use super::effect::{Button, Effect, Keyboard};
use super::event::CaseNotice;
use super::facts::CaseNote;
use super::machine::{progress, Turn};
use super::messages as m;
use crate::domain::{CaseKind, CaseStatus};
use crate::i18n::Msg;

/// What happens after an approval, for the merchant's message (`case-approved-next`
/// selects on it): from the kind, and for a broken terminal what the merchant asked for
/// (repair or replacement go through the brand's support), for a return whether a deposit
/// refund was asked. `fields` are the case's, as submitted.
pub fn next_steps(kind: CaseKind, fields: &serde_json::Value) -> &'static str {
    let choice = |id: &str| {
        fields
            .get(id)
            .and_then(|v| v.get("choice"))
            .and_then(|c| c.as_str())
    };
    match kind {
        CaseKind::Unbind => "unbind",
        CaseKind::Broken => match choice("wants") {
            Some("want-repair" | "want-replace") => "repair",
            _ => "unbind",
        },
        CaseKind::Cancel if fields.get("wants_refund") == Some(&serde_json::Value::Bool(true)) => {
            "refund"
        }
        CaseKind::Cancel => "cancel",
        CaseKind::Close => "close",
        CaseKind::Card => "card",
    }
}

impl Turn<'_, '_> {
    /// News from the review team. It is not the merchant's doing, so their buttons stay
    /// valid — except for a question, which changes what their next message means.
    pub(super) fn on_case_notice(&mut self, notice: CaseNotice) {
        match notice {
            CaseNotice::InReview { case_ref } => {
                self.say(vec![Msg::new(m::CASE_IN_REVIEW).with("ref", case_ref)]);
            }
            CaseNotice::Approved { case_ref, next } => {
                self.say(vec![
                    Msg::new(m::CASE_APPROVED).with("ref", case_ref),
                    Msg::new(m::CASE_APPROVED_NEXT).with("next", next),
                ]);
            }
            CaseNotice::Rejected {
                case_ref,
                reason,
                text,
            } => {
                let mut parts = rejection_parts(&case_ref, &reason, text.as_deref());
                parts.push(Msg::new(m::RESUBMIT_OFFER));
                let kb = self.keyboard(vec![
                    vec![(m::BTN_RESUBMIT_NOW, Action::Resubmit(case_ref))],
                    vec![(m::TOPIC_MY_CASES, Action::MyCases)],
                ]);
                self.reply(parts, kb);
            }
            CaseNotice::Question {
                case_ref, question, ..
            } => self.on_question(case_ref, question),
        }
    }

    /// The reminder job found the merchant idle: an answer to a reviewer that was begun is
    /// sent (the timeout), and an unfinished application gets one reminder.
    pub(super) fn on_reminder(&mut self) {
        let sent = self.answer_timed_out();
        let Some(draft) = self.draft() else {
            return;
        };
        if self.d.reminded && !sent {
            return;
        }
        let (done, total) = progress(draft);
        let msg = Msg::new(m::REMINDER)
            .with_msg("kind", Msg::new(draft.kind.message_id()))
            .with_num("done", done as i64)
            .with_num("total", total as i64);
        self.d.step = self.d.step.wrapping_add(1);
        self.d.reminded = true;
        let kb = self.keyboard(vec![
            vec![(m::BTN_RESUME, Action::Resume)],
            vec![(m::BTN_DISCARD, Action::Discard)],
        ]);
        self.reply(vec![msg], kb);
    }

    /// Start a new application from a rejected case of the merchant's, pre-filled with its
    /// answers, at the summary (or at a field the form has gained since).
    pub(super) fn resubmit(&mut self, case_ref: String) {
        if self.draft().is_some() {
            return self.show(vec![Msg::new(m::RESUBMIT_DRAFT_OPEN)]);
        }
        let Some(case) = self
            .ctx
            .facts
            .resubmit
            .as_ref()
            .filter(|c| c.case_ref == case_ref)
        else {
            self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
            return self.show(Vec::new());
        };
        let id = format!("{:016x}", self.ctx.entropy);
        let draft = super::submission::draft_from_case(case, id, self.ctx.now);
        self.d.discarded = None;
        let mut prefix = vec![Msg::new(m::RESUBMIT_PREFILLED).with("ref", case_ref.clone())];
        if let Some(CaseNote::Rejected { reason, text }) = self.ctx.facts.case_notes.get(&case_ref)
        {
            prefix.push(reason_msg(reason));
            if let Some(text) = text {
                prefix.push(Msg::new(m::REJECT_NOTE).with("text", text.clone()));
            }
        }
        self.advance(draft, prefix);
    }

    /// Ask before withdrawing.
    pub(super) fn ask_withdraw(&mut self, case_ref: String) {
        if !self.owns_open_case(&case_ref) {
            return self.show(vec![Msg::new(m::CANNOT_WITHDRAW).with("ref", case_ref)]);
        }
        let kb = self.keyboard(vec![vec![
            (
                m::BTN_WITHDRAW_YES,
                Action::WithdrawConfirm(case_ref.clone()),
            ),
            (m::BTN_WITHDRAW_NO, Action::Dismiss),
        ]]);
        self.reply(
            vec![Msg::new(m::WITHDRAW_CONFIRM).with("ref", case_ref)],
            kb,
        );
    }

    pub(super) fn withdraw(&mut self, case_ref: String) {
        if !self.owns_open_case(&case_ref) {
            return self.show(vec![Msg::new(m::CANNOT_WITHDRAW).with("ref", case_ref)]);
        }
        self.out.push(Effect::Withdraw {
            case_ref: case_ref.clone(),
        });
        self.show(vec![Msg::new(m::WITHDRAWN).with("ref", case_ref)]);
    }

    fn owns_open_case(&self, case_ref: &str) -> bool {
        self.ctx
            .facts
            .own_cases
            .iter()
            .any(|c| c.case_ref == case_ref && c.status.is_open())
    }

    /// The merchant's cases, as paragraphs: each with what the review said (the question
    /// waiting for them, the reason of a rejection).
    pub(super) fn status_parts(&self) -> Vec<Msg> {
        let cases = &self.ctx.facts.own_cases;
        if cases.is_empty() {
            return vec![Msg::new(m::STATUS_NONE)];
        }
        let mut parts = vec![Msg::new(m::STATUS_HEADER).with_num("count", cases.len() as i64)];
        for c in cases.iter().take(10) {
            parts.push(
                Msg::new(m::STATUS_LINE)
                    .with("ref", c.case_ref.clone())
                    .with_msg("kind", Msg::new(c.kind.message_id()))
                    .with("status", c.status.as_str())
                    .with("due", c.due.format("%Y-%m-%d").to_string()),
            );
            match self.ctx.facts.case_notes.get(&c.case_ref) {
                Some(CaseNote::Question(q)) if c.status == CaseStatus::WaitingMerchant => {
                    parts.push(Msg::new(m::STATUS_QUESTION).with("question", q.clone()));
                }
                Some(CaseNote::Rejected { reason, text }) if c.status == CaseStatus::Rejected => {
                    parts.push(Msg::new(m::STATUS_REASON).with_msg("reason", reason_msg(reason)));
                    if let Some(text) = text {
                        parts.push(Msg::new(m::REJECT_NOTE).with("text", text.clone()));
                    }
                }
                _ => {}
            }
        }
        parts
    }

    /// The `/status` list with its buttons: withdraw an open case, answer a question,
    /// start again from a rejected case.
    pub(super) fn status_reply(&mut self) {
        let parts = self.status_parts();
        let mut rows = Vec::new();
        for c in self.ctx.facts.own_cases.iter().take(10) {
            if c.status == CaseStatus::WaitingMerchant {
                rows.push(vec![(
                    m::BTN_ANSWER,
                    Action::AnswerCase(c.case_ref.clone()),
                    c.case_ref.clone(),
                )]);
            }
            if c.status.is_open() {
                rows.push(vec![(
                    m::BTN_WITHDRAW,
                    Action::Withdraw(c.case_ref.clone()),
                    c.case_ref.clone(),
                )]);
            }
            if c.status == CaseStatus::Rejected {
                rows.push(vec![(
                    m::BTN_RESUBMIT,
                    Action::Resubmit(c.case_ref.clone()),
                    c.case_ref.clone(),
                )]);
            }
        }
        let step = self.d.step;
        let keyboard = if rows.is_empty() {
            Keyboard::None
        } else {
            Keyboard::Inline(
                rows.into_iter()
                    .map(|row| {
                        row.into_iter()
                            .map(|(label, action, case_ref)| Button {
                                label: Msg::new(label).with("ref", case_ref),
                                step,
                                action,
                            })
                            .collect()
                    })
                    .collect(),
            )
        };
        self.reply(parts, keyboard);
    }

    /// Buttons stamped with the current step.
    pub(super) fn keyboard(&self, rows: Vec<Vec<(&str, Action)>>) -> Keyboard {
        Keyboard::Inline(
            rows.into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|(label, action)| Button {
                            label: Msg::new(label),
                            step: self.d.step,
                            action,
                        })
                        .collect()
                })
                .collect(),
        )
    }
}

/// The rejection notice: the reason, and the reviewer's own words if any.
fn rejection_parts(case_ref: &str, reason: &str, text: Option<&str>) -> Vec<Msg> {
    let mut parts = vec![Msg::new(m::CASE_REJECTED)
        .with("ref", case_ref.to_string())
        .with_msg("reason", reason_msg(reason))];
    if let Some(text) = text {
        parts.push(Msg::new(m::REJECT_NOTE).with("text", text.to_string()));
    }
    parts
}

/// A reject reason code as the merchant reads it (`reject-<code>`).
fn reason_msg(reason: &str) -> Msg {
    Msg::new(format!("reject-{reason}"))
}
