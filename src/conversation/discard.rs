//! Throwing an application away: asked first when it has answers (saying how many go),
//! and undoable afterwards. "算了" typed at a yes/no question and the "cancel" button under
//! every prompt are one slip away from losing a dozen answers.

use super::action::Action;
use super::machine::{progress, Turn};
use super::messages as m;
use super::state::{Discarded, State};
use crate::i18n::Msg;

impl Turn<'_, '_> {
    /// "Discard this application?", or discard at once when nothing was answered yet.
    pub(super) fn ask_discard(&mut self) {
        let Some(draft) = self.draft() else {
            self.d.state = State::Menu;
            return self.show(vec![Msg::new(m::NOTHING_TO_CANCEL)]);
        };
        let (answered, _) = progress(draft);
        if answered == 0 {
            return self.discard();
        }
        let msg = Msg::new(m::DISCARD_CONFIRM)
            .with_msg("kind", Msg::new(draft.kind.message_id()))
            .with_num("count", answered as i64);
        let kb = self.keyboard(vec![
            vec![(m::BTN_DISCARD_YES, Action::DiscardConfirm)],
            vec![(m::BTN_DISCARD_NO, Action::Resume)],
        ]);
        self.reply(vec![msg], kb);
    }

    /// Discard the draft, keeping it a while for an undo when it had answers.
    pub(super) fn discard(&mut self) {
        let draft = self.draft().cloned();
        // A reviewer's question being answered, or a note being typed, is left too: the
        // draft they would return to is gone.
        self.d.state = State::Menu;
        let answered = draft.as_ref().map_or(0, |d| progress(d).0);
        match draft {
            Some(draft) if answered > 0 => {
                self.d.discarded = Some(Discarded {
                    draft,
                    at: self.ctx.now,
                });
                let msg = Msg::new(m::DRAFT_DISCARDED).with_num("count", answered as i64);
                self.reply_with_undo(msg);
            }
            _ => {
                self.say(vec![Msg::new(m::DRAFT_CANCELLED)]);
                self.show(Vec::new());
            }
        }
    }

    /// Offer to bring back the draft discarded last ("where was I" after discarding).
    pub(super) fn offer_undo(&mut self) {
        let Some(kept) = &self.d.discarded else {
            return self.show(Vec::new());
        };
        let (answered, _) = progress(&kept.draft);
        let msg = Msg::new(m::UNDO_OFFER)
            .with_msg("kind", Msg::new(kept.draft.kind.message_id()))
            .with_num("count", answered as i64);
        self.reply_with_undo(msg);
    }

    /// `msg` with the buttons "restore the application" and "menu".
    fn reply_with_undo(&mut self, msg: Msg) {
        let kb = self.keyboard(vec![
            vec![(m::BTN_UNDO, Action::Undo)],
            vec![(m::BTN_MENU, Action::Menu)],
        ]);
        self.reply(vec![msg], kb);
    }

    /// Bring the discarded draft back, where it was left.
    pub(super) fn undo(&mut self) {
        match self.d.discarded.take() {
            Some(kept) if self.draft().is_none() => {
                self.advance(kept.draft, vec![Msg::new(m::DRAFT_RESTORED)]);
            }
            kept => {
                self.d.discarded = kept;
                self.show(vec![Msg::new(m::NOTHING_TO_UNDO)]);
            }
        }
    }
}
