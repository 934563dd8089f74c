//! Answering a reviewer's question. The question stays in view; the merchant may send
//! several messages and photos ("营业执照我明天拍给你", then the photo the next day); they go
//! to the reviewer together when the merchant presses "done", or, if they never do, when
//! the reminder job finds the answer idle (a timeout), so nothing they sent is lost.

use super::effect::Effect;
use super::event::Upload;
use super::facts::CaseNote;
use super::form::check_upload;
use super::machine::Turn;
use super::messages as m;
use super::state::State;
use crate::domain::CaseStatus;
use crate::i18n::Msg;

impl Turn<'_, '_> {
    /// A reviewer asks: what the merchant sends next is collected for them.
    pub(super) fn on_question(&mut self, case_ref: String, question: String) {
        self.d.step = self.d.step.wrapping_add(1);
        self.d.album = None;
        let resume = match std::mem::take(&mut self.d.state) {
            // A newer question replaces an older one; what was collected goes with the
            // older one now, so it is not lost.
            answering @ State::AnswerStaff { .. } => {
                self.d.state = answering;
                self.send_collected();
                Box::new(std::mem::take(&mut self.d.state))
            }
            other => Box::new(other),
        };
        self.d.state = State::AnswerStaff {
            case_ref,
            question: Some(question),
            texts: Vec::new(),
            files: Vec::new(),
            resume,
        };
        self.show(Vec::new());
    }

    /// "Answer the reviewer" from the `/status` list, or a file sent while a reviewer waits.
    pub(super) fn start_answer(&mut self, case_ref: String) -> bool {
        let waiting = self
            .ctx
            .facts
            .own_cases
            .iter()
            .any(|c| c.case_ref == case_ref && c.status == CaseStatus::WaitingMerchant);
        if !waiting {
            return false;
        }
        let question = match self.ctx.facts.case_notes.get(&case_ref) {
            Some(CaseNote::Question(q)) => Some(q.clone()),
            _ => None,
        };
        let resume = match std::mem::take(&mut self.d.state) {
            State::AnswerStaff { resume, .. } => resume,
            other => Box::new(other),
        };
        self.d.state = State::AnswerStaff {
            case_ref,
            question,
            texts: Vec::new(),
            files: Vec::new(),
            resume,
        };
        true
    }

    /// The one case waiting for the merchant, if exactly one is.
    pub(super) fn only_waiting_case(&self) -> Option<String> {
        let mut waiting = self
            .ctx
            .facts
            .own_cases
            .iter()
            .filter(|c| c.status == CaseStatus::WaitingMerchant);
        match (waiting.next(), waiting.next()) {
            (Some(c), None) => Some(c.case_ref.clone()),
            _ => None,
        }
    }

    /// A text for the reviewer: kept with the rest of the answer.
    pub(super) fn collect_text(&mut self, text: &str) {
        if let State::AnswerStaff { texts, .. } = &mut self.d.state {
            texts.push(text.to_string());
        }
        self.show(Vec::new());
    }

    /// Photos or documents for the reviewer (one part of an album: `album`), kept with the
    /// rest of the answer. The parts of an album get one (replaced) reply.
    pub(super) fn collect_files(&mut self, uploads: &[Upload], album: Option<String>) {
        let mut problems = Vec::new();
        for upload in uploads {
            match check_upload(upload) {
                Ok(att) => {
                    if let State::AnswerStaff { files, texts, .. } = &mut self.d.state {
                        files.push(att);
                        // A caption is the text of its photo or document.
                        let caption = upload.caption.as_deref().map(str::trim);
                        if let Some(caption) = caption.filter(|c| !c.is_empty()) {
                            texts.push(caption.to_string());
                        }
                    }
                }
                Err(problem) if !problems.contains(&problem) => problems.push(problem),
                Err(_) => {}
            }
        }
        self.show(problems);
        if let Some(id) = album {
            for effect in &mut self.out {
                if let Effect::Reply(reply) = effect {
                    reply.coalesce = Some(format!("album:{id}"));
                }
            }
        }
    }

    /// "Done": what was collected goes to the reviewer.
    pub(super) fn finish_answer(&mut self) {
        let empty = matches!(
            &self.d.state,
            State::AnswerStaff { texts, files, .. } if texts.is_empty() && files.is_empty()
        );
        if empty {
            return self.show(vec![Msg::new(m::ANSWER_EMPTY)]);
        }
        let sent = self.send_collected();
        self.show(sent_message(m::ANSWER_RECEIVED, sent));
    }

    /// `/cancel` or "later": what was collected still goes to the reviewer (nothing the
    /// merchant sent is dropped); with nothing collected, they can answer from `/status`.
    pub(super) fn leave_answer(&mut self) {
        let prefix = match self.send_collected() {
            None => vec![Msg::new(m::ANSWER_LATER)],
            sent => sent_message(m::ANSWER_RECEIVED, sent),
        };
        self.show(prefix);
    }

    /// The reminder job found the answer idle: send what was collected (the timeout).
    /// Returns whether there was anything.
    pub(super) fn answer_timed_out(&mut self) -> bool {
        if !matches!(self.d.state, State::AnswerStaff { .. }) {
            return false;
        }
        let answering = self.d.state.clone();
        match self.send_collected() {
            None => {
                self.d.state = answering;
                false
            }
            sent => {
                self.say(sent_message(m::ANSWER_SENT_AFTER_WAIT, sent));
                true
            }
        }
    }

    /// Leave the answer, back to where the merchant was; the collected parts, if any, go
    /// to the case ([`Effect::AnswerCase`]): its reference and how many parts, or `None`
    /// when nothing was collected.
    fn send_collected(&mut self) -> Option<(String, usize)> {
        let State::AnswerStaff {
            case_ref,
            texts,
            files,
            resume,
            ..
        } = std::mem::take(&mut self.d.state)
        else {
            return None;
        };
        self.d.state = *resume;
        if texts.is_empty() && files.is_empty() {
            return None;
        }
        let count = texts.len() + files.len();
        self.out.push(Effect::AnswerCase {
            case_ref: case_ref.clone(),
            text: (!texts.is_empty()).then(|| texts.join("\n")),
            files,
        });
        Some((case_ref, count))
    }
}

/// "Sent to the reviewer: n messages", as `id` says it.
fn sent_message(id: &str, sent: Option<(String, usize)>) -> Vec<Msg> {
    sent.map(|(case_ref, count)| {
        Msg::new(id)
            .with("ref", case_ref)
            .with_num("count", count as i64)
    })
    .into_iter()
    .collect()
}
