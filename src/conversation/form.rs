//! Filling in an application: taking an answer for the current field (typed, pressed,
//! sent as a file or a shared contact), validating it, moving to the next field, and
//! submitting the finished draft.

use super::action::Action;
use super::effect::Effect;
use super::event::Upload;
use super::forms::{self, Advice, Field, FieldKind};
use super::machine::Turn;
use super::messages as m;
use super::prompt::{active_fields, drop_inactive};
use super::state::{AlbumProgress, Attachment, Draft, FileKind, State, Value};
use super::words;
use crate::calendar;
use crate::domain::{
    parse_date, parse_yes_no, BankName, CardLast4, CaseRef, DeviceSerial, FreeText, MerchantName,
    MerchantNo, PersonName, Phone,
};
use crate::i18n::Msg;
use crate::knowledge::brands;

/// Largest document accepted for a photo field (Telegram lets bots fetch up to 20 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Document types accepted for a photo field.
pub const DOCUMENT_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

impl Turn<'_, '_> {
    /// The draft and the field being asked, and whether we are editing from the summary.
    fn asking(&self) -> Option<(Draft, &'static Field, bool)> {
        match &self.d.state {
            State::Form { draft, field } => {
                forms::field(draft.kind, field).map(|f| (draft.clone(), f, false))
            }
            State::Edit {
                draft,
                field: Some(field),
            } => forms::field(draft.kind, field).map(|f| (draft.clone(), f, true)),
            _ => None,
        }
    }

    /// A typed answer for the current field.
    pub(super) fn on_field_text(&mut self, text: &str) {
        let Some((draft, field, _)) = self.asking() else {
            return self.repair();
        };
        if words::is_cancel(text) {
            return self.ask_discard();
        }
        if !field.required && words::is_skip(text) {
            return self.set_value(draft, field, Value::Skipped, Vec::new());
        }
        if words::asks_for_person(text) {
            return self.hand_over();
        }
        // Free-text fields accept almost anything, so a question must be told apart first:
        // it is answered (or explained), never stored. Names are never phrased like a
        // knowledge-base topic; a reason may be ("机器坏了"), so there only questions count.
        let names = matches!(
            field.kind,
            FieldKind::MerchantName | FieldKind::PersonName | FieldKind::Login
        );
        let free_text = names || matches!(field.kind, FieldKind::Text { .. });
        if free_text {
            if let Some(intent) = self.question_intent(text, !names) {
                return self.digress(intent);
            }
            if words::looks_like_question(text) {
                return self.explain_field(field);
            }
        }
        if field.kind == FieldKind::Serial {
            if let Ok(serial) = DeviceSerial::parse(text) {
                if let Some(open) = self.open_case_for(serial.as_str()).cloned() {
                    return self.refuse_open_serial(open, Vec::new());
                }
            }
        }
        match self.parse_field(field, text) {
            Ok(value) => {
                if field.kind == FieldKind::Phone {
                    self.ack_phone(&value);
                }
                self.set_value(draft, field, value, Vec::new())
            }
            Err(problem) => match self.question_intent(text, false) {
                Some(intent) if !free_text => self.digress(intent),
                _ if words::looks_like_question(text) => self.explain_field(field),
                _ => self.show(vec![problem]),
            },
        }
    }

    /// A question typed where an answer was expected, that the knowledge base cannot
    /// answer: say it was not taken as the answer, explain the field, ask again.
    fn explain_field(&mut self, field: &Field) {
        self.show(vec![
            Msg::new(m::NOT_TAKEN_AS_ANSWER).with_msg("label", Msg::new(field.label_id())),
            Msg::new(field.help_id()),
        ]);
    }

    /// Parse and validate typed text for a field.
    fn parse_field(&self, field: &Field, text: &str) -> Result<Value, Msg> {
        let invalid = |e: crate::domain::Invalid| Msg::new(e.message_id());
        match field.kind {
            FieldKind::Brand => brands::detect(text)
                .map(|b| Value::Brand(b.id.to_string()))
                .ok_or_else(|| Msg::new(m::BRAND_UNKNOWN)),
            FieldKind::Serial => DeviceSerial::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::MerchantNo => MerchantNo::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::MerchantName => MerchantName::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::PersonName => PersonName::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::Phone => Phone::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::Login => match Phone::parse(text) {
                Ok(phone) => Ok(Value::Text(phone.as_str().to_string())),
                Err(_) => FreeText::parse(text)
                    .map(|v| Value::Text(v.as_str().to_string()))
                    .map_err(invalid),
            },
            FieldKind::Text { .. } => FreeText::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::YesNo => parse_yes_no(text)
                .map(Value::Bool)
                .ok_or_else(|| Msg::new(m::YES_NO_UNCLEAR)),
            FieldKind::Date => parse_date(text, calendar::china_date(self.ctx.now))
                .map(Value::Date)
                .map_err(invalid),
            FieldKind::BankName => BankName::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::CardLast4 => CardLast4::parse(text)
                .map(|v| Value::Text(v.as_str().to_string()))
                .map_err(invalid),
            FieldKind::Photo => Err(Msg::new(m::PHOTO_EXPECTED)),
        }
    }

    /// A button pressed for the current field.
    pub(super) fn on_field_press(&mut self, action: Action) {
        let Some((draft, field, _)) = self.asking() else {
            return self.repair();
        };
        let value = match (&action, field.kind) {
            (Action::Brand(b), FieldKind::Brand) if brands::find(b).is_some() => {
                Some(Value::Brand(b.clone()))
            }
            (Action::Yes, FieldKind::YesNo) => Some(Value::Bool(true)),
            (Action::No, FieldKind::YesNo) => Some(Value::Bool(false)),
            (Action::Skip, _) if !field.required => Some(Value::Skipped),
            (Action::Choice(c), FieldKind::Text { choices }) if choices.contains(&c.as_str()) => {
                Some(Value::Choice(c.clone()))
            }
            _ => None,
        };
        match value {
            Some(value) => self.set_value(draft, field, value, Vec::new()),
            None => {
                self.out.push(Effect::Notice(Msg::new(m::BAD_BUTTON)));
                self.show(Vec::new());
            }
        }
    }

    /// Photos or documents: they fill the current photo field and, for an album, the photo
    /// fields that directly follow it.
    pub(super) fn on_files(&mut self, uploads: &[Upload]) {
        if matches!(self.d.state, State::AnswerStaff { .. }) {
            return self.collect_files(uploads, None);
        }
        let photo_asked = self
            .asking()
            .is_some_and(|(_, f, _)| f.kind == FieldKind::Photo);
        if !photo_asked {
            // No photo is asked for, but a reviewer waits for one: it is for them.
            if let Some(case_ref) = self.only_waiting_case() {
                if self.start_answer(case_ref) {
                    return self.collect_files(uploads, None);
                }
            }
        }
        let Some((draft, field, editing)) = self.asking() else {
            let prefix = if self.draft().is_some() {
                Msg::new(m::BUTTONS_EXPECTED)
            } else {
                Msg::new(m::FILE_NOT_NOW)
            };
            return self.show(vec![prefix]);
        };
        if field.kind != FieldKind::Photo {
            return self.show(vec![Msg::new(m::TEXT_EXPECTED)]);
        }
        let slots: Vec<&'static Field> = if editing {
            vec![field]
        } else {
            active_fields(&draft)
                .skip_while(|f| f.id != field.id)
                .take_while(|f| f.kind == FieldKind::Photo)
                .filter(|f| f.id == field.id || !draft.values.contains_key(f.id))
                .collect()
        };
        let mut problems = Vec::new();
        let mut accepted = Vec::new();
        for upload in uploads {
            match check_upload(upload) {
                Ok(att) => accepted.push(att),
                Err(msg) => {
                    if !problems.contains(&msg) {
                        problems.push(msg)
                    }
                }
            }
        }
        if accepted.is_empty() {
            return self.show(problems);
        }
        let extra = accepted.len().saturating_sub(slots.len());
        let mut draft = draft;
        let mut used_labels = Vec::new();
        for (slot, att) in slots.iter().zip(accepted) {
            draft.values.insert(slot.id.to_string(), Value::File(att));
            used_labels.push(slot);
        }
        let mut prefix = Vec::new();
        for slot in used_labels {
            prefix.push(Msg::new(m::FILE_RECEIVED).with_msg("label", Msg::new(slot.label_id())));
        }
        if extra > 0 {
            prefix.push(Msg::new(m::ALBUM_EXTRA).with_num("count", extra as i64));
        }
        prefix.extend(problems);
        self.advance(draft, prefix);
    }

    /// One part of an album sent as separate messages. Each part fills the next photo field;
    /// the answer lists everything the album did so far and replaces the previous part's
    /// answer if that was not sent yet, so the merchant reads one reply per album.
    pub(super) fn on_album_part(&mut self, album_id: String, upload: &Upload) {
        if matches!(self.d.state, State::AnswerStaff { .. }) {
            return self.collect_files(std::slice::from_ref(upload), Some(album_id));
        }
        let mut album = match self.d.album.take() {
            Some(progress) if progress.id == album_id => progress,
            _ => AlbumProgress {
                id: album_id,
                filled: Vec::new(),
                extra: 0,
                problems: Vec::new(),
            },
        };
        let first_part = album.filled.is_empty() && album.extra == 0 && album.problems.is_empty();
        let photo_field = self.asking().filter(|(_, f, _)| f.kind == FieldKind::Photo);
        let key = format!("album:{}", album.id);
        match photo_field {
            Some((mut draft, field, _)) => {
                match check_upload(upload) {
                    Ok(att) => {
                        draft.values.insert(field.id.to_string(), Value::File(att));
                        album.filled.push(field.id.to_string());
                    }
                    Err(problem) => {
                        if !album.problems.contains(&problem.id) {
                            album.problems.push(problem.id.clone());
                        }
                    }
                }
                let prefix = album_messages(draft.kind, &album);
                self.d.album = Some(album);
                self.advance(draft, prefix);
            }
            // An album where no photo is expected: answer as for any file.
            None if first_part => {
                self.on_files(std::slice::from_ref(upload));
                self.d.album = Some(album);
            }
            None => {
                album.extra += 1;
                let kind = self.draft().map(|d| d.kind);
                let prefix = kind.map(|k| album_messages(k, &album)).unwrap_or_default();
                self.d.album = Some(album);
                self.show(prefix);
            }
        }
        for effect in &mut self.out {
            if let Effect::Reply(reply) = effect {
                reply.coalesce = Some(key.clone());
            }
        }
    }

    /// A shared contact fills the phone field.
    pub(super) fn on_contact(&mut self, phone: &str) {
        if matches!(self.d.state, State::AnswerStaff { .. }) {
            return self.collect_text(phone);
        }
        match self.asking() {
            Some((draft, field, _)) if field.kind == FieldKind::Phone => {
                match Phone::parse(phone) {
                    Ok(p) => {
                        let value = Value::Text(p.as_str().to_string());
                        self.ack_phone(&value);
                        self.set_value(draft, field, value, Vec::new())
                    }
                    Err(e) => self.show(vec![Msg::new(e.message_id())]),
                }
            }
            _ => self.show(vec![Msg::new(m::CONTACT_NOT_NEEDED)]),
        }
    }

    /// Acknowledge a phone number in its own message: that message also takes the
    /// share-contact keyboard away.
    fn ack_phone(&mut self, value: &Value) {
        if let Value::Text(digits) = value {
            let masked = Phone::parse(digits).map(|p| p.masked()).unwrap_or_default();
            self.say(vec![Msg::new(m::PHONE_RECEIVED).with("phone", masked)]);
        }
    }

    /// Store an answer, drop answers that no longer apply, and move on; with the field's
    /// advice first when the answer calls for it.
    fn set_value(&mut self, mut draft: Draft, field: &Field, value: Value, mut prefix: Vec<Msg>) {
        let today = calendar::china_date(self.ctx.now);
        if let Some(advice) = advice_for(field, &value, today) {
            prefix.push(Msg::new(advice));
        }
        draft.values.insert(field.id.to_string(), value);
        drop_inactive(&mut draft);
        self.advance(draft, prefix);
    }

    /// Ask the first field that applies and has no answer yet, or show the summary.
    pub(super) fn advance(&mut self, draft: Draft, prefix: Vec<Msg>) {
        let next = active_fields(&draft).find(|f| !draft.values.contains_key(f.id));
        self.d.state = match next {
            Some(f) => State::Form {
                field: f.id.to_string(),
                draft,
            },
            None => State::Review { draft },
        };
        self.show(prefix);
    }

    /// A state that names a field its form does not have (an old stored state): move on.
    fn repair(&mut self) {
        match self.draft().cloned() {
            Some(draft) => self.advance(draft, Vec::new()),
            None => {
                self.d.state = State::Menu;
                self.show(Vec::new());
            }
        }
    }

    /// Queue the finished application.
    pub(super) fn submit(&mut self, draft: Draft) {
        if active_fields(&draft).any(|f| !draft.values.contains_key(f.id)) {
            return self.advance(draft, Vec::new());
        }
        let serial = match draft.values.get("serial") {
            Some(Value::Text(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(open) = serial.and_then(|s| self.open_case_for(&s).cloned()) {
            // Taken meanwhile: ask for the serial again, with the same explanation.
            let mut draft = draft;
            draft.values.remove("serial");
            self.d.state = State::Form {
                field: "serial".to_string(),
                draft,
            };
            return self.refuse_open_serial(open, Vec::new());
        }
        let kind = draft.kind;
        let case_ref = CaseRef::generate(kind, self.ctx.entropy);
        let days = kind.review_business_days();
        let due_at = calendar::due_at(self.ctx.now, days, self.ctx.holidays);
        let submission = super::submission::build(
            &draft,
            case_ref.as_str(),
            self.ctx,
            due_at,
            self.ctx.locale(&self.d),
        );
        self.out.push(Effect::Submit(Box::new(submission)));
        self.d.state = State::Menu;
        let msg = Msg::new(m::SUBMITTED)
            .with("ref", case_ref.as_str().to_string())
            .with_msg("kind", Msg::new(kind.message_id()))
            .with_num("days", days as i64)
            .with(
                "due",
                calendar::china_date(due_at).format("%Y-%m-%d").to_string(),
            );
        let kb = super::effect::Keyboard::Inline(vec![
            vec![super::effect::Button {
                label: Msg::new(m::TOPIC_MY_CASES),
                step: self.d.step,
                action: Action::MyCases,
            }],
            vec![super::effect::Button {
                label: Msg::new(m::BTN_MENU),
                step: self.d.step,
                action: Action::Menu,
            }],
        ]);
        self.reply(vec![msg], kb);
    }
}

/// The advice an answer calls for, if any (see [`Advice`]).
fn advice_for(field: &Field, value: &Value, today: chrono::NaiveDate) -> Option<&'static str> {
    match (field.advice?, value) {
        (Advice::IfNo(id), Value::Bool(false)) => Some(id),
        (Advice::OlderThanMonths(months, id), Value::Date(date)) => {
            let limit = today.checked_sub_months(chrono::Months::new(months))?;
            (*date < limit).then_some(id)
        }
        _ => None,
    }
}

/// What an album did: a line per filled field, extra photos, problems.
fn album_messages(kind: crate::domain::CaseKind, album: &AlbumProgress) -> Vec<Msg> {
    let mut parts: Vec<Msg> = album
        .filled
        .iter()
        .filter_map(|id| forms::field(kind, id))
        .map(|f| Msg::new(m::FILE_RECEIVED).with_msg("label", Msg::new(f.label_id())))
        .collect();
    if album.extra > 0 {
        parts.push(Msg::new(m::ALBUM_EXTRA).with_num("count", i64::from(album.extra)));
    }
    parts.extend(album.problems.iter().map(|id| upload_problem(id)));
    parts
}

/// An upload problem remembered by its message id (an album's), as the message says it,
/// with its arguments.
fn upload_problem(id: &str) -> Msg {
    if id == m::FILE_TOO_LARGE {
        too_large()
    } else {
        Msg::new(id)
    }
}

fn too_large() -> Msg {
    Msg::new(m::FILE_TOO_LARGE).with_num("max_mb", (MAX_DOCUMENT_BYTES >> 20) as i64)
}

/// Check a sent file's type and size.
pub(super) fn check_upload(upload: &Upload) -> Result<Attachment, Msg> {
    if upload.kind == FileKind::Document {
        let mime = upload.mime.as_deref().unwrap_or("").to_ascii_lowercase();
        if !DOCUMENT_TYPES.contains(&mime.as_str()) {
            return Err(Msg::new(m::FILE_TYPE_REFUSED));
        }
    }
    if upload.size.is_some_and(|s| s > MAX_DOCUMENT_BYTES) {
        return Err(too_large());
    }
    Ok(Attachment {
        file_id: upload.file_id.clone(),
        kind: upload.kind,
    })
}
