//! The merchant's side of the review: news about their cases, answering a reviewer's
//! question, withdrawing a case, and the reminder about an unfinished application.

use super::action::Action;
use super::effect::{Button, Effect, Keyboard};
use super::event::{CaseNotice, Upload};
use super::form::check_upload;
use super::machine::{progress, Turn};
use super::messages as m;
use super::prompt::prompt_with;
use super::state::State;
use crate::domain::CaseStatus;
use crate::i18n::Msg;

impl Turn<'_, '_> {
    /// News from the review team. It is not the merchant's doing, so their buttons stay
    /// valid — except for a question, which changes what their next message means.
    pub(super) fn on_case_notice(&mut self, notice: CaseNotice) {
        match notice {
            CaseNotice::InReview { case_ref } => {
                self.say(vec![Msg::new(m::CASE_IN_REVIEW).with("ref", case_ref)]);
            }
            CaseNotice::Approved { case_ref } => {
                self.say(vec![Msg::new(m::CASE_APPROVED).with("ref", case_ref)]);
            }
            CaseNotice::Rejected {
                case_ref,
                reason,
                text,
            } => {
                let mut parts = vec![Msg::new(m::CASE_REJECTED)
                    .with("ref", case_ref)
                    .with_msg("reason", Msg::new(format!("reject-{reason}")))];
                if let Some(text) = text {
                    parts.push(Msg::new(m::REJECT_NOTE).with("text", text));
                }
                self.say(parts);
            }
            CaseNotice::Question {
                case_ref, question, ..
            } => {
                self.d.step = self.d.step.wrapping_add(1);
                self.d.album = None;
                let resume = match std::mem::take(&mut self.d.state) {
                    State::AnswerStaff { resume, .. } => resume,
                    other => Box::new(other),
                };
                self.d.state = State::AnswerStaff {
                    case_ref: case_ref.clone(),
                    album: None,
                    resume,
                };
                self.say(vec![Msg::new(m::CASE_QUESTION)
                    .with("ref", case_ref)
                    .with("question", question)]);
            }
        }
    }

    /// One reminder about an unfinished application.
    pub(super) fn on_reminder(&mut self) {
        let Some(draft) = self.draft() else {
            return;
        };
        if self.d.reminded {
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

    /// The reviewer's question is answered by this text.
    pub(super) fn answer_with_text(&mut self, text: &str) {
        self.send_answer(Some(text.to_string()), Vec::new(), None);
    }

    /// The reviewer's question is answered by these files (or one part of an album).
    pub(super) fn answer_with_files(&mut self, uploads: &[Upload], album: Option<String>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for upload in uploads {
            match check_upload(upload) {
                Ok(att) => files.push(att),
                Err(problem) => problems.push(problem),
            }
        }
        if files.is_empty() {
            return self.show(problems);
        }
        // A caption is the text of its photo or document.
        let captions: Vec<&str> = uploads
            .iter()
            .filter_map(|u| u.caption.as_deref())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let text = (!captions.is_empty()).then(|| captions.join("\n"));
        self.send_answer(text, files, album);
    }

    fn send_answer(
        &mut self,
        text: Option<String>,
        files: Vec<super::Attachment>,
        album: Option<String>,
    ) {
        let (case_ref, resume) = match std::mem::take(&mut self.d.state) {
            State::AnswerStaff {
                case_ref, resume, ..
            } => (case_ref, resume),
            other => {
                self.d.state = other;
                return;
            }
        };
        self.out.push(Effect::AnswerCase {
            case_ref: case_ref.clone(),
            text,
            files,
        });
        let ack = Msg::new(m::ANSWER_RECEIVED).with("ref", case_ref.clone());
        let reply = prompt_with(&resume, self.d.step, vec![ack]);
        match album {
            // An album: stay on the answer until its last part, one (replaced) reply.
            Some(id) => {
                self.d.state = State::AnswerStaff {
                    case_ref,
                    album: Some(id.clone()),
                    resume,
                };
                let mut reply = reply;
                reply.coalesce = Some(format!("album:{id}"));
                self.out.push(Effect::Reply(reply));
            }
            None => {
                self.d.state = *resume;
                self.out.push(Effect::Reply(reply));
            }
        }
    }

    /// `/cancel` while a reviewer waits for an answer: answer later from `/status`.
    pub(super) fn leave_answer(&mut self) {
        self.d.state = match std::mem::take(&mut self.d.state) {
            State::AnswerStaff { resume, .. } => *resume,
            other => other,
        };
        self.show(vec![Msg::new(m::ANSWER_LATER)]);
    }

    /// Start answering a reviewer's question from the `/status` list.
    pub(super) fn start_answer(&mut self, case_ref: String) {
        let waiting = self
            .ctx
            .facts
            .own_cases
            .iter()
            .any(|c| c.case_ref == case_ref && c.status == CaseStatus::WaitingMerchant);
        if !waiting {
            self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
            return self.show(Vec::new());
        }
        let resume = Box::new(std::mem::take(&mut self.d.state));
        self.d.state = State::AnswerStaff {
            case_ref: case_ref.clone(),
            album: None,
            resume,
        };
        self.say(vec![Msg::new(m::ANSWER_PROMPT).with("ref", case_ref)]);
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

    /// The `/status` list with its buttons: withdraw an open case, answer a question.
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
