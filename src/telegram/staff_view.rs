//! How the staff group sees cases: a card per case (edited as the case moves), its files,
//! one line per change, and the replies to staff commands. Rendered in the staff language,
//! with phone numbers partly masked.

use super::outgoing::{outbox_row, Markup, Outgoing};
use crate::calendar;
use crate::conversation::forms;
use crate::domain::{mask_phones, CaseRecord, CaseRef, CaseStatus};
use crate::i18n::{Locale, Localizer, Msg};
use crate::review::{RejectReason, StaffAction, StaffConfig};
use crate::service::{Change, StaffEvent, StaffListing};
use crate::store::NewOutbox;
use chrono::{DateTime, Utc};

/// Renders staff events for one staff group.
pub struct StaffView {
    pub chat_id: i64,
    pub locale: Locale,
}

impl StaffView {
    pub fn new(cfg: &StaffConfig) -> Self {
        StaffView {
            chat_id: cfg.chat_id,
            locale: cfg.locale,
        }
    }

    fn html(&self, msg: &Msg) -> String {
        Localizer::global().render_html(self.locale, msg)
    }

    fn label(&self, id: &str) -> String {
        Localizer::global().render(self.locale, &Msg::new(id))
    }

    fn send(&self, text: String, now: DateTime<Utc>) -> NewOutbox {
        let req = Outgoing::Send {
            text,
            markup: Markup::None,
            card: None,
        };
        outbox_row(self.chat_id, &req, None, now)
    }

    /// The outbox rows for one event.
    pub fn rows(&self, event: &StaffEvent, now: DateTime<Utc>) -> Vec<NewOutbox> {
        match event {
            StaffEvent::Created(case) => {
                let mut rows = vec![outbox_row(
                    self.chat_id,
                    &Outgoing::Send {
                        text: self.card_text(case, now),
                        markup: self.card_buttons(case, false),
                        card: Some(case.case_ref.clone()),
                    },
                    None,
                    now,
                )];
                rows.extend(self.files(&case.case_ref, &case.attachments, now));
                rows
            }
            StaffEvent::Changed { case, by, what } => {
                let line = self.change_line(case, *by, what);
                vec![self.edit_card(case, false, now), self.send(line, now)]
            }
            StaffEvent::Answered { case, text, files } => {
                let mut msg = Msg::new("staff-ev-answered")
                    .with("ref", case.case_ref.clone())
                    .with("who", who(case.claimed_by));
                if let Some(text) = text {
                    msg = msg.with("text", mask_phones(text));
                } else {
                    msg = msg.with("text", "-");
                }
                let mut rows = vec![
                    self.edit_card(case, false, now),
                    self.send(self.html(&msg), now),
                ];
                rows.extend(self.files(
                    &case.case_ref,
                    &serde_json::Value::Array(files.clone()),
                    now,
                ));
                rows
            }
            StaffEvent::SerialNote {
                case,
                serial,
                note_ref,
                text,
            } => {
                let msg = Msg::new("staff-ev-serial-note")
                    .with("serial", serial.clone())
                    .with("note", note_ref.clone())
                    .with(
                        "ref",
                        case.as_ref()
                            .map_or("-".to_string(), |c| c.case_ref.to_string()),
                    )
                    .with("text", mask_phones(text));
                vec![self.send(self.html(&msg), now)]
            }
            StaffEvent::Buttons { case, reject_menu } => {
                vec![self.edit_card(case, *reject_menu, now)]
            }
            StaffEvent::AwaitText {
                case_ref,
                user,
                input,
            } => {
                let msg = Msg::new(input.prompt_id())
                    .with("ref", case_ref.clone())
                    .with("who", who(Some(*user)));
                vec![self.send(self.html(&msg), now)]
            }
            StaffEvent::Refused { user, refusal } => {
                let msg = Msg::new(refusal.message_id())
                    .with("who", who(Some(*user)))
                    .with("holder", "-")
                    .with("status", "-");
                vec![self.send(self.html(&msg), now)]
            }
            StaffEvent::Listing(listing) => vec![self.send(self.listing(listing, now), now)],
            StaffEvent::Digest { overdue, now: at } => {
                let mut parts =
                    vec![Msg::new("staff-digest-header").with_num("count", overdue.len() as i64)];
                parts.extend(overdue.iter().map(|c| self.queue_line(c, *at)));
                vec![self.send(
                    Localizer::global().render_all_html(self.locale, &parts),
                    now,
                )]
            }
        }
    }

    fn edit_card(&self, case: &CaseRecord, reject_menu: bool, now: DateTime<Utc>) -> NewOutbox {
        outbox_row(
            self.chat_id,
            &Outgoing::EditCard {
                case_ref: case.case_ref.clone(),
                text: self.card_text(case, now),
                markup: self.card_buttons(case, reject_menu),
            },
            None,
            now,
        )
    }

    /// The case card: what a reviewer needs to decide.
    pub fn card_text(&self, case: &CaseRecord, now: DateTime<Utc>) -> String {
        let parts = [
            Msg::new("staff-card-head")
                .with("ref", case.case_ref.clone())
                .with_msg("kind", Msg::new(case.kind.message_id()))
                .with_msg("brand", Msg::new(format!("brand-{}", case.brand))),
            Msg::new("staff-card-status")
                .with("status", case.status.as_str())
                .with("due", calendar::china_date(case.due_at).to_string())
                .with("overdue", overdue(case, now))
                .with("who", who(case.claimed_by)),
        ];
        let mut lines = Vec::new();
        if let Some(fields) = case.fields.as_object() {
            for (key, value) in fields {
                if key == "answers" {
                    continue;
                }
                let label = match forms::field(case.kind, key) {
                    Some(f) => Msg::new(f.label_id()),
                    None => Msg::new("value-text").with("text", key.clone()),
                };
                lines.push(
                    Msg::new("review-line")
                        .with_msg("label", label)
                        .with_msg("value", value_msg(value)),
                );
            }
        }
        let files = case.attachments.as_array().map(Vec::len).unwrap_or(0);
        lines.push(Msg::new("staff-card-files").with_num("count", files as i64));
        if let Some(answers) = case.fields.get("answers").and_then(|a| a.as_array()) {
            for answer in answers {
                let text = answer.get("text").and_then(|t| t.as_str()).unwrap_or("-");
                lines.push(Msg::new("staff-card-answer").with("text", mask_phones(text)));
            }
        }
        let l10n = Localizer::global();
        let head = l10n.render_all_html(self.locale, &parts);
        let body = lines
            .iter()
            .map(|m| l10n.render_html(self.locale, m))
            .collect::<Vec<_>>()
            .join("\n");
        format!("{head}\n\n{body}")
    }

    /// The buttons a card offers in its case's status (the server checks every press).
    pub fn card_buttons(&self, case: &CaseRecord, reject_menu: bool) -> Markup {
        let r = &case.case_ref;
        let b = |label: &str, action: StaffAction| (self.label(label), action.encode(r));
        let rows: Vec<Vec<(String, String)>> = if reject_menu {
            let mut rows: Vec<_> = RejectReason::ALL
                .iter()
                .map(|reason| {
                    vec![b(
                        &format!("staff-reason-{}", reason.code()),
                        StaffAction::Reject(*reason),
                    )]
                })
                .collect();
            rows.push(vec![b("staff-btn-back", StaffAction::Back)]);
            rows
        } else {
            match case.status {
                CaseStatus::Queued => vec![vec![
                    b("staff-btn-claim", StaffAction::Claim),
                    b("staff-btn-note", StaffAction::Note),
                ]],
                CaseStatus::InReview => vec![
                    vec![
                        b("staff-btn-approve", StaffAction::Approve),
                        b("staff-btn-reject", StaffAction::RejectMenu),
                    ],
                    vec![
                        b("staff-btn-ask", StaffAction::AskMore),
                        b("staff-btn-note", StaffAction::Note),
                    ],
                    vec![b("staff-btn-release", StaffAction::Release)],
                ],
                CaseStatus::WaitingMerchant => vec![vec![b("staff-btn-note", StaffAction::Note)]],
                _ => Vec::new(),
            }
        };
        if rows.is_empty() {
            Markup::None
        } else {
            Markup::Inline { rows }
        }
    }

    /// A case's files as albums (photos together, documents together).
    fn files(
        &self,
        case_ref: &CaseRef,
        attachments: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox> {
        let items = attachments.as_array().cloned().unwrap_or_default();
        let pick = |kind: &str| -> Vec<String> {
            items
                .iter()
                .filter(|a| a["kind"] == kind)
                .filter_map(|a| a["file_id"].as_str().map(String::from))
                .collect()
        };
        let caption = self.html(&Msg::new("staff-files-caption").with("ref", case_ref.to_string()));
        let mut rows = Vec::new();
        for (kind, photo) in [("photo", true), ("document", false)] {
            let ids = pick(kind);
            for chunk in ids.chunks(10) {
                let req = Outgoing::Media {
                    file_ids: chunk.to_vec(),
                    photos: photo,
                    caption: caption.clone(),
                };
                rows.push(outbox_row(self.chat_id, &req, None, now));
            }
        }
        rows
    }

    fn change_line(&self, case: &CaseRecord, by: Option<i64>, what: &Change) -> String {
        let base = |id: &str| {
            Msg::new(id)
                .with("ref", case.case_ref.clone())
                .with("who", who(by))
        };
        let msg = match what {
            Change::Claimed => base("staff-ev-claimed"),
            Change::Approved => base("staff-ev-approved"),
            Change::Rejected { reason } => base("staff-ev-rejected")
                .with_msg("reason", Msg::new(format!("staff-reason-{reason}"))),
            Change::Asked { question } => base("staff-ev-asked").with("question", question.clone()),
            Change::Released => base("staff-ev-released"),
            Change::LeaseExpired => base("staff-ev-lease-expired"),
            Change::Withdrawn => base("staff-ev-withdrawn"),
            Change::Noted { text } => base("staff-ev-noted").with("text", text.clone()),
        };
        self.html(&msg)
    }

    fn queue_line(&self, case: &CaseRecord, now: DateTime<Utc>) -> Msg {
        Msg::new("staff-queue-line")
            .with("ref", case.case_ref.clone())
            .with_msg("kind", Msg::new(case.kind.message_id()))
            .with("status", case.status.as_str())
            .with("due", calendar::china_date(case.due_at).to_string())
            .with("overdue", overdue(case, now))
            .with("who", who(case.claimed_by))
    }

    fn listing(&self, listing: &StaffListing, now: DateTime<Utc>) -> String {
        let l10n = Localizer::global();
        let lines = |header: &str, empty: &str, cases: &[CaseRecord], at: DateTime<Utc>| {
            if cases.is_empty() {
                return self.html(&Msg::new(empty));
            }
            let mut parts = vec![Msg::new(header).with_num("count", cases.len() as i64)];
            parts.extend(cases.iter().map(|c| self.queue_line(c, at)));
            parts
                .iter()
                .map(|m| l10n.render_html(self.locale, m))
                .collect::<Vec<_>>()
                .join("\n")
        };
        match listing {
            StaffListing::Queue { cases, now } => {
                lines("staff-queue-header", "staff-queue-empty", cases, *now)
            }
            StaffListing::Mine { cases, now } => {
                lines("staff-mine-header", "staff-mine-empty", cases, *now)
            }
            StaffListing::Stats(stats) => {
                let count = |s: CaseStatus| {
                    stats
                        .open_by_status
                        .iter()
                        .find(|(st, _)| *st == s)
                        .map(|(_, n)| *n)
                        .unwrap_or(0)
                };
                let median = stats
                    .median_decision_secs
                    .map(|s| format!("{:.1}", s as f64 / 3600.0))
                    .unwrap_or_else(|| "-".into());
                self.html(
                    &Msg::new("staff-stats")
                        .with_num("queued", count(CaseStatus::Queued))
                        .with_num("in_review", count(CaseStatus::InReview))
                        .with_num("waiting", count(CaseStatus::WaitingMerchant))
                        .with_num("decided", stats.decided_since)
                        .with("median", median),
                )
            }
            StaffListing::Card(case) => self.card_text(case, now),
            StaffListing::NoCase(r) => {
                self.html(&Msg::new("staff-refused-no-case").with("ref", r.clone()))
            }
            StaffListing::Help => self.html(&Msg::new("staff-help")),
        }
    }
}

/// `yes` when an open case is past its due date (a Fluent selector value).
fn overdue(case: &CaseRecord, now: DateTime<Utc>) -> &'static str {
    if case.status.is_open() && case.due_at < now {
        "yes"
    } else {
        "no"
    }
}

/// A reviewer as the group sees them.
fn who(user: Option<i64>) -> String {
    user.map(|u| format!("#{u}")).unwrap_or_else(|| "-".into())
}

/// A stored field value as the card shows it; phone numbers partly masked.
fn value_msg(value: &serde_json::Value) -> Msg {
    let text = |s: String| Msg::new("value-text").with("text", s);
    match value {
        serde_json::Value::String(s) => text(mask_phones(s)),
        serde_json::Value::Bool(true) => Msg::new("value-yes"),
        serde_json::Value::Bool(false) => Msg::new("value-no"),
        serde_json::Value::Null => Msg::new("value-skipped"),
        serde_json::Value::Object(o) => match o.get("choice").and_then(|c| c.as_str()) {
            Some(choice) => Msg::new(choice.to_string()),
            None => text(mask_phones(&value.to_string())),
        },
        other => text(mask_phones(&other.to_string())),
    }
}

/// Staff message ids used literally above (reasons, refusals and prompts come from their
/// enums); the locale tests check each exists in every language.
pub const MESSAGES: &[&str] = &[
    "staff-card-head",
    "staff-card-status",
    "staff-card-files",
    "staff-card-answer",
    "staff-files-caption",
    "staff-btn-claim",
    "staff-btn-approve",
    "staff-btn-reject",
    "staff-btn-ask",
    "staff-btn-note",
    "staff-btn-release",
    "staff-btn-back",
    "staff-ev-claimed",
    "staff-ev-approved",
    "staff-ev-rejected",
    "staff-ev-asked",
    "staff-ev-released",
    "staff-ev-lease-expired",
    "staff-ev-withdrawn",
    "staff-ev-noted",
    "staff-ev-answered",
    "staff-ev-serial-note",
    "staff-claimed",
    "staff-already-yours",
    "staff-done",
    "staff-choose",
    "staff-changed-meanwhile",
    "staff-bad-button",
    "staff-queue-header",
    "staff-queue-empty",
    "staff-mine-header",
    "staff-mine-empty",
    "staff-queue-line",
    "staff-stats",
    "staff-digest-header",
    "staff-help",
];
