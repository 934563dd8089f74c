//! A device serial that already has an open case. The merchant's own case is named (they
//! can follow it with `/status`); another merchant's is never shown, not even its
//! reference. The real owner of a passed-on or disputed terminal still needs a way
//! forward: a note to staff, who get it with both references.

use super::action::Action;
use super::effect::{Button, Effect, Keyboard};
use super::facts::OpenSerial;
use super::machine::Turn;
use super::messages as m;
use super::prompt::prompt_with;
use super::state::State;
use crate::domain::{CaseRef, FreeText};
use crate::i18n::Msg;

impl Turn<'_, '_> {
    /// The open case for `serial` that the facts name, if the serial is that one.
    pub(super) fn open_case_for(&self, serial: &str) -> Option<&OpenSerial> {
        self.ctx
            .facts
            .open_case_for_serial
            .as_ref()
            .filter(|open| open.serial == serial)
    }

    /// Refuse a serial with an open case and ask for it again (the state must already ask
    /// for the serial): the merchant's own case by reference, another's with the offer of a
    /// note to staff.
    pub(super) fn refuse_open_serial(&mut self, open: OpenSerial, mut prefix: Vec<Msg>) {
        prefix.push(match &open.own_case {
            Some(case_ref) => Msg::new(m::SERIAL_HAS_OPEN_CASE).with("ref", case_ref.clone()),
            None => Msg::new(m::SERIAL_TAKEN),
        });
        let mut reply = prompt_with(&self.d.state, self.d.step, prefix);
        if open.own_case.is_none() {
            let note = Button {
                label: Msg::new(m::BTN_NOTE_TO_STAFF),
                step: self.d.step,
                action: Action::NoteToStaff(open.serial),
            };
            reply.keyboard = match reply.keyboard {
                Keyboard::Inline(mut rows) => {
                    rows.insert(0, vec![note]);
                    Keyboard::Inline(rows)
                }
                _ => Keyboard::Inline(vec![vec![note]]),
            };
        }
        self.out.push(Effect::Reply(reply));
    }

    /// "Leave a note for staff" was pressed: the next message is the note.
    pub(super) fn start_serial_note(&mut self, serial: String) {
        let taken = self.open_case_for(&serial).is_some();
        if !taken {
            // The case was decided meanwhile (or the press is forged): nothing to note.
            self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
            return self.show(Vec::new());
        }
        let resume = Box::new(std::mem::take(&mut self.d.state));
        self.d.state = State::NoteToStaff { serial, resume };
        self.show(Vec::new());
    }

    /// The note itself: to staff, then back to the form.
    pub(super) fn send_serial_note(&mut self, text: &str) {
        let note = match FreeText::parse(text) {
            Ok(note) => note,
            Err(e) => return self.show(vec![Msg::new(e.message_id())]),
        };
        let State::NoteToStaff { serial, resume } = std::mem::take(&mut self.d.state) else {
            return self.show(Vec::new());
        };
        let note_ref = CaseRef::note(self.ctx.entropy);
        self.out.push(Effect::SerialNote {
            serial,
            note_ref: note_ref.clone(),
            text: note.as_str().to_string(),
        });
        self.d.state = *resume;
        self.show(vec![Msg::new(m::NOTE_SENT).with("ref", note_ref)]);
    }

    /// No note after all: back to the form.
    pub(super) fn leave_note(&mut self) {
        if let State::NoteToStaff { resume, .. } = std::mem::take(&mut self.d.state) {
            self.d.state = *resume;
        }
        self.show(Vec::new());
    }
}
