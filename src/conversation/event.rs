//! What can happen in a chat, as the core sees it. Adapters (Telegram, the terminal, tests)
//! turn their input into these.

/// One incoming message or press.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The chat message that carried it, so the privacy guard can ask for its deletion.
    pub message_id: Option<i32>,
    /// What happened.
    pub event: Event,
}

impl Incoming {
    /// An event without a message id (presses, system events, the terminal).
    pub fn new(event: Event) -> Self {
        Incoming {
            message_id: None,
            event,
        }
    }

    /// The same event, carried by chat message `id`.
    pub fn with_message_id(mut self, id: i32) -> Self {
        self.message_id = Some(id);
        self
    }

    /// The same event with control characters (other than newline and tab) removed from
    /// anything typed. They carry no meaning for us, and a NUL would make the whole update
    /// unstorable on PostgreSQL (`jsonb` refuses it), blocking the chat.
    pub fn sanitized(mut self) -> Self {
        let clean = |text: &mut String| {
            if text.chars().any(is_stray_control) {
                *text = strip_controls(text);
            }
        };
        match &mut self.event {
            Event::Text(text) | Event::Edited(Some(text)) | Event::Contact { phone: text } => {
                clean(text)
            }
            Event::Files(uploads) => uploads
                .iter_mut()
                .filter_map(|u| u.caption.as_mut())
                .for_each(clean),
            Event::AlbumPart { upload, .. } => upload.caption.iter_mut().for_each(clean),
            _ => {}
        }
        self
    }
}

fn is_stray_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` without control characters other than newline and tab.
pub fn strip_controls(text: &str) -> String {
    text.chars().filter(|c| !is_stray_control(*c)).collect()
}

/// One thing that happened in a merchant's chat, as the core sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Typed text, including commands such as `/start unbind` (the core parses them).
    Text(String),
    /// A button press: the raw, untrusted callback data.
    Press(String),
    /// One photo or document, or all the items of an album, in order.
    Files(Vec<Upload>),
    /// One item of an album that arrives as separate messages (Telegram's `media_group_id`).
    /// Consecutive parts of one album get a single, combined answer.
    AlbumPart {
        /// Telegram's `media_group_id`.
        album_id: String,
        /// This part's file.
        upload: Upload,
    },
    /// News about one of the merchant's cases, from the review team (not typed by the
    /// merchant): told in the merchant's language.
    CaseNotice(CaseNotice),
    /// The merchant left an application unfinished a while ago (sent by the reminder job).
    Reminder,
    /// A shared contact (the "share my phone number" button).
    Contact {
        /// The contact's phone number, as Telegram gives it (any text: it is validated).
        phone: String,
    },
    /// A message the merchant edited after sending; its new text, if it has one.
    Edited(Option<String>),
    /// Stickers, voice, location and everything else we cannot use.
    Unsupported(Unsupported),
}

impl Event {
    /// The event's kind, for logs (never its content: it may hold personal data).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Event::Text(_) => "text",
            Event::Press(_) => "press",
            Event::Files(_) => "files",
            Event::AlbumPart { .. } => "album_part",
            Event::CaseNotice(_) => "case_notice",
            Event::Reminder => "reminder",
            Event::Contact { .. } => "contact",
            Event::Edited(_) => "edited",
            Event::Unsupported(_) => "unsupported",
        }
    }
}

/// A file the merchant sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Telegram's file id (or the terminal's stand-in), all that is kept of the file.
    pub file_id: String,
    /// Photo or document.
    pub kind: super::FileKind,
    /// MIME type as reported by Telegram (documents only).
    pub mime: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// What was typed with it (Telegram's caption): the text of the photo or document, for
    /// instance an answer to a reviewer's question.
    pub caption: Option<String>,
}

impl Upload {
    /// A photo with only its file id known (no MIME type, no size).
    pub fn photo(file_id: impl Into<String>) -> Self {
        Upload {
            file_id: file_id.into(),
            kind: super::FileKind::Photo,
            mime: None,
            size: None,
            caption: None,
        }
    }
}

/// A change to a merchant's case that they must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNotice {
    /// A reviewer started on it.
    InReview {
        /// The case's public reference.
        case_ref: String,
    },
    /// A reviewer asks for more information; the merchant's next message answers.
    Question {
        /// The case's public reference.
        case_ref: String,
        /// The staff's request id, which the answer refers to.
        request_id: String,
        /// The reviewer's question, as typed.
        question: String,
    },
    /// A reviewer approved it; `next` says what happens now, as [`super::next_steps`]
    /// chose it from the case (the Fluent message selects on it: `unbind`, `repair`,
    /// `refund`, …).
    Approved {
        /// The case's public reference.
        case_ref: String,
        /// What happens next.
        next: String,
    },
    /// `reason` is a reject reason code (`missing-materials`, …, `other`); `text` the
    /// reviewer's own words for `other`.
    Rejected {
        /// The case's public reference.
        case_ref: String,
        /// The reason code.
        reason: String,
        /// The reviewer's words, for the reason `other`.
        text: Option<String>,
    },
}

/// A kind of message posdesk cannot use; each gets a reply saying what to send instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// A sticker.
    Sticker,
    /// A voice note.
    Voice,
    /// A video or video note.
    Video,
    /// A location.
    Location,
    /// Anything else (a poll, a game, a dice…).
    Other,
}
