//! How the staff group sees cases: a card per case (edited as the case moves), its files,
//! one line per change, and the replies to staff commands. Rendered in the staff language,
//! with phone numbers partly masked.

use super::bounds::{self, MAX_CAPTION, MAX_TEXT};
use super::outgoing::{outbox_row, JobRun, Markup, Outgoing};
use crate::calendar;
use crate::conversation::forms;
use crate::domain::{mask_phones, CaseRecord, CaseRef, CaseStatus};
use crate::i18n::{Locale, Localizer, Msg};
use crate::review::{reviewer_tag as who, RejectReason, StaffAction, StaffConfig};
use crate::service::{Change, StaffEvent, StaffListing, StaffTarget};
use crate::store::NewOutbox;
use chrono::{DateTime, Utc};

/// How much of one answer of the merchant a card shows (the "merchant answered" message
/// carries it whole).
const ANSWER_ON_CARD: usize = 600;

/// Renders staff events in the staff language. Every text it builds is within Telegram's
/// bounds ([`bounds`]): cards and captions are shortened, everything else is split into
/// as many messages as it takes.
pub struct StaffView {
    pub locale: Locale,
}

impl StaffView {
    pub fn new(cfg: &StaffConfig) -> Self {
        StaffView { locale: cfg.locale }
    }

    fn html(&self, msg: &Msg) -> String {
        Localizer::global().render_html(self.locale, msg)
    }

    fn label(&self, id: &str) -> String {
        Localizer::global().render(self.locale, &Msg::new(id))
    }

    /// A text for the group, as many messages as its length takes.
    fn say(&self, to: StaffTarget, html: &str, now: DateTime<Utc>) -> Vec<NewOutbox> {
        self.say_for(to, html, None, now)
    }

    /// [`StaffView::say`] as the work of a job run (undone if Telegram refuses it).
    fn say_for(
        &self,
        to: StaffTarget,
        html: &str,
        job: Option<JobRun>,
        now: DateTime<Utc>,
    ) -> Vec<NewOutbox> {
        bounds::split(html, MAX_TEXT)
            .into_iter()
            .map(|text| {
                let req = Outgoing::Send {
                    text,
                    markup: Markup::None,
                    card: None,
                    topic: to.topic,
                    job: job.clone(),
                };
                outbox_row(to.chat_id, &req, None, now)
            })
            .collect()
    }

    /// A case's card posted anew (it becomes the card later changes edit).
    fn card(
        &self,
        to: StaffTarget,
        case: &CaseRecord,
        reject_menu: bool,
        now: DateTime<Utc>,
    ) -> NewOutbox {
        let req = Outgoing::Send {
            text: self.card_text(case, now),
            markup: self.card_buttons(case, reject_menu),
            card: Some(case.case_ref.clone()),
            topic: to.topic,
            job: None,
        };
        outbox_row(to.chat_id, &req, None, now)
    }

    /// The outbox rows for one event.
    pub fn rows(&self, event: &StaffEvent, to: StaffTarget, now: DateTime<Utc>) -> Vec<NewOutbox> {
        match event {
            StaffEvent::Created(case) => {
                let mut rows = vec![self.card(to, case, false, now)];
                rows.extend(self.files(to, &case.case_ref, &case.attachments, now));
                rows
            }
            StaffEvent::Changed { case, by, what } => {
                // A note changes nothing the card shows (Telegram would refuse the edit as
                // "not modified").
                let mut rows = match what {
                    Change::Noted { .. } => Vec::new(),
                    _ => vec![self.edit_card(to, case, false, now)],
                };
                rows.extend(self.say(to, &self.change_line(case, *by, what), now));
                rows
            }
            StaffEvent::Answered { case, text, files } => {
                let text = text.as_deref().map(mask_phones);
                let msg = Msg::new("staff-ev-answered")
                    .with("ref", case.case_ref.clone())
                    .with("who", who(case.claimed_by))
                    .with("text", text.unwrap_or_else(|| "-".into()));
                let mut rows = vec![self.edit_card(to, case, false, now)];
                rows.extend(self.say(to, &self.html(&msg), now));
                rows.extend(self.files(
                    to,
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
                self.say(to, &self.html(&msg), now)
            }
            StaffEvent::Buttons {
                case,
                reject_menu,
                fresh: false,
            } => vec![self.edit_card(to, case, *reject_menu, now)],
            StaffEvent::Buttons {
                case,
                reject_menu,
                fresh: true,
            } => vec![self.card(to, case, *reject_menu, now)],
            StaffEvent::AwaitText {
                case_ref,
                user,
                input,
            } => self.say(to, &self.html(&input.prompt(case_ref, *user)), now),
            StaffEvent::Refused { user, refusal } => {
                let msg = refusal.message().with("who", who(Some(*user)));
                self.say(to, &self.html(&msg), now)
            }
            StaffEvent::Reply(msg) => self.say(to, &self.html(msg), now),
            StaffEvent::Listing(StaffListing::Card(case)) => vec![self.card(to, case, false, now)],
            StaffEvent::Listing(listing) => self.say(to, &self.listing(listing, now), now),
            StaffEvent::Digest {
                overdue,
                now: at,
                job,
                period,
            } => {
                let mut parts =
                    vec![Msg::new("staff-digest-header").with_num("count", overdue.len() as i64)];
                parts.extend(overdue.iter().map(|c| self.queue_line(c, *at)));
                let text = Localizer::global().render_all_html(self.locale, &parts);
                let run = JobRun {
                    job: job.to_string(),
                    period: period.clone(),
                };
                self.say_for(to, &text, Some(run), now)
            }
        }
    }

    fn edit_card(
        &self,
        to: StaffTarget,
        case: &CaseRecord,
        reject_menu: bool,
        now: DateTime<Utc>,
    ) -> NewOutbox {
        outbox_row(
            to.chat_id,
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
        let l10n = Localizer::global();
        let head = l10n.render_all_html(self.locale, &parts);
        let mut body: Vec<String> = lines
            .iter()
            .map(|m| l10n.render_html(self.locale, m))
            .collect();
        // The merchant's answers, each shortened, the newest kept when they do not all fit.
        let answers: Vec<String> = case
            .fields
            .get("answers")
            .and_then(|a| a.as_array())
            .map(|answers| {
                answers
                    .iter()
                    .map(|answer| {
                        let text = answer.get("text").and_then(|t| t.as_str()).unwrap_or("-");
                        let text = bounds::shorten_plain(&mask_phones(text), ANSWER_ON_CARD);
                        self.html(&Msg::new("staff-card-answer").with("text", text))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let omitted_line = |n: usize| {
            self.html(&Msg::new("staff-card-answers-omitted").with_num("count", n as i64))
        };
        let fixed = bounds::visible_len(&head) + 2 + bounds::visible_len(&body.join("\n"));
        let mut budget = MAX_TEXT
            .saturating_sub(fixed)
            .saturating_sub(bounds::visible_len(&omitted_line(answers.len())) + 1);
        let mut kept = 0;
        for answer in answers.iter().rev() {
            let width = bounds::visible_len(answer) + 1;
            if width > budget {
                break;
            }
            budget -= width;
            kept += 1;
        }
        if kept < answers.len() {
            body.push(omitted_line(answers.len() - kept));
        }
        body.extend(answers[answers.len() - kept..].iter().cloned());
        bounds::shorten(&format!("{head}\n\n{}", body.join("\n")), MAX_TEXT)
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
        to: StaffTarget,
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
        let caption = bounds::shorten(
            &self.html(&Msg::new("staff-files-caption").with("ref", case_ref.to_string())),
            MAX_CAPTION,
        );
        let mut rows = Vec::new();
        for (kind, photo) in [("photo", true), ("document", false)] {
            let ids = pick(kind);
            for chunk in ids.chunks(10) {
                let req = Outgoing::Media {
                    file_ids: chunk.to_vec(),
                    photos: photo,
                    caption: caption.clone(),
                };
                rows.push(outbox_row(to.chat_id, &req, None, now));
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

    /// A command's reply (a card is posted as a card, see [`StaffView::rows`]).
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
    "staff-card-answers-omitted",
    "staff-anonymous",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CaseKind;
    use chrono::TimeZone;

    fn view() -> StaffView {
        StaffView {
            locale: Locale::ZhCn,
        }
    }

    fn case_with_answers(answers: usize, each: usize) -> CaseRecord {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap();
        let answers: Vec<_> = (0..answers)
            .map(|i| serde_json::json!({ "at": t, "text": format!("#{i}#{}", "补".repeat(each)) }))
            .collect();
        CaseRecord {
            case_ref: CaseRef::parse("UB-7K3QF9").unwrap(),
            draft_id: "d".into(),
            kind: CaseKind::Unbind,
            brand: "lakala".into(),
            serial: Some("LKL1".into()),
            fields: serde_json::json!({ "merchant_name": "<陈氏&理发>", "answers": answers }),
            attachments: serde_json::json!([]),
            chat_id: 42,
            locale: Locale::ZhCn,
            status: CaseStatus::Queued,
            claimed_by: None,
            lease_until: None,
            created_at: t,
            updated_at: t,
            due_at: t,
            decided_at: None,
        }
    }

    #[test]
    fn a_card_keeps_its_newest_answers_within_the_bound() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 6, 0, 0).unwrap();
        let card = view().card_text(&case_with_answers(12, 1500), now);
        assert!(bounds::visible_len(&card) <= MAX_TEXT, "{card}");
        assert!(card.contains("#11#补") && !card.contains("#0#补"), "{card}");
        assert!(card.contains("较早的") && card.contains("&lt;陈氏&amp;理发&gt;"));
        // Few short answers are shown whole.
        let card = view().card_text(&case_with_answers(2, 10), now);
        assert!(card.contains(&format!("#1#{}", "补".repeat(10))) && !card.contains('…'));
    }

    #[test]
    fn long_lists_become_several_messages() {
        let to = StaffTarget {
            chat_id: -100,
            topic: Some(3),
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 6, 0, 0).unwrap();
        let rows = view().say(to, &"一行\n".repeat(2000), now);
        assert_eq!(rows.len(), 2);
        for row in rows {
            assert_eq!(row.chat_id, -100);
            match serde_json::from_value::<Outgoing>(row.payload).unwrap() {
                Outgoing::Send { text, topic, .. } => {
                    assert!(bounds::visible_len(&text) <= MAX_TEXT);
                    assert_eq!(topic, Some(3));
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
