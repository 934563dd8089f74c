//! What can happen in a chat, as the core sees it. Adapters (Telegram, the terminal, tests)
//! turn their input into these.

/// One incoming message or press.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The chat message that carried it, so the privacy guard can ask for its deletion.
    pub message_id: Option<i32>,
    pub event: Event,
}

impl Incoming {
    pub fn new(event: Event) -> Self {
        Incoming {
            message_id: None,
            event,
        }
    }

    pub fn with_message_id(mut self, id: i32) -> Self {
        self.message_id = Some(id);
        self
    }

    /// The same event with control characters (other than newline and tab) removed from
    /// anything typed. They carry no meaning for us, and a NUL would make the whole update
    /// unstorable on PostgreSQL (`jsonb` refuses it), blocking the chat.
    pub fn sanitized(mut self) -> Self {
        if let Event::Text(text) | Event::Edited(Some(text)) | Event::Contact { phone: text } =
            &mut self.event
        {
            if text.chars().any(is_stray_control) {
                *text = strip_controls(text);
            }
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
    AlbumPart { album_id: String, upload: Upload },
    /// News about one of the merchant's cases, from the review team (not typed by the
    /// merchant): told in the merchant's language.
    CaseNotice(CaseNotice),
    /// The merchant left an application unfinished a while ago (sent by the reminder job).
    Reminder,
    /// A shared contact (the "share my phone number" button).
    Contact { phone: String },
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
    pub file_id: String,
    pub kind: super::FileKind,
    /// MIME type as reported by Telegram (documents only).
    pub mime: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
}

impl Upload {
    pub fn photo(file_id: impl Into<String>) -> Self {
        Upload {
            file_id: file_id.into(),
            kind: super::FileKind::Photo,
            mime: None,
            size: None,
        }
    }
}

/// A change to a merchant's case that they must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNotice {
    /// A reviewer started on it.
    InReview { case_ref: String },
    /// A reviewer asks for more information; the merchant's next message answers.
    Question {
        case_ref: String,
        request_id: String,
        question: String,
    },
    /// `next` says what happens after the approval, as [`super::next_steps`] chose it from
    /// the case (the Fluent message selects on it: `unbind`, `repair`, `refund`, …).
    Approved { case_ref: String, next: String },
    /// `reason` is a reject reason code (`missing-materials`, …, `other`); `text` the
    /// reviewer's own words for `other`.
    Rejected {
        case_ref: String,
        reason: String,
        text: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    Sticker,
    Voice,
    Video,
    Location,
    Other,
}
