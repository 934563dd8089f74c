//! The terminal as the sender: the requests the service queued for this merchant and for
//! the console's staff group, printed as plain text and removed from the outbox.

use super::reviewer::CONSOLE_STAFF_CHAT;
use super::{messages, ChatError};
use crate::i18n::{Locale, Localizer, Msg};
use crate::service::Service;
use crate::telegram::outgoing::{Markup, Outgoing};
use chrono::{TimeZone, Utc};

/// What one turn printed, and the callback data of its numbered buttons (empty when it
/// showed none).
pub(super) struct Printed {
    pub text: String,
    pub buttons: Vec<String>,
}

/// Take the merchant's and the staff group's queued requests out of the outbox, oldest
/// first, as text (an album's answer waits a moment for further parts: it is taken too).
pub(super) async fn drain(
    service: &Service,
    chat_id: i64,
    locale: Locale,
) -> Result<Printed, ChatError> {
    let store = service.store();
    let everything = Utc
        .with_ymd_and_hms(9999, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let rows = store.due_outbox(everything, 10_000).await?;
    let mut printed = Printed {
        text: String::new(),
        buttons: Vec::new(),
    };
    let mut done = Vec::new();
    for row in rows {
        let staff = row.chat_id == CONSOLE_STAFF_CHAT;
        if row.chat_id != chat_id && !staff {
            continue;
        }
        done.push(row.id);
        let Ok(request) = serde_json::from_value::<Outgoing>(row.payload) else {
            continue;
        };
        if staff {
            print_staff(&request, &mut printed.text);
        } else {
            print_merchant(&request, locale, &mut printed);
        }
    }
    store.outbox_done(&done).await?;
    Ok(printed)
}

fn print_merchant(request: &Outgoing, locale: Locale, printed: &mut Printed) {
    let l10n = Localizer::global();
    match request {
        Outgoing::Send { text, markup, .. } => {
            printed.text.push_str(&plain(text));
            printed.text.push('\n');
            match markup {
                // Numbered on from the turn's earlier messages, as each message keeps its
                // own buttons in Telegram.
                Markup::Inline { rows } => {
                    for row in rows {
                        let mut line = String::from(" ");
                        for (label, data) in row {
                            printed.buttons.push(data.clone());
                            line.push_str(&format!(" [{}] {label}", printed.buttons.len()));
                        }
                        printed.text.push_str(&line);
                        printed.text.push('\n');
                    }
                }
                Markup::ShareContact { label } => {
                    let hint = l10n.render(locale, &Msg::new(messages::CONTACT_HINT));
                    printed.text.push_str(&format!("  [{label}] {hint}\n"));
                }
                Markup::None | Markup::Remove => {}
            }
            printed.text.push('\n');
        }
        Outgoing::Delete { .. } => {
            let deleted = l10n.render(locale, &Msg::new(messages::DELETED));
            printed.text.push_str(&format!("({deleted})\n"));
        }
        Outgoing::EditCard { .. } | Outgoing::Media { .. } => {}
    }
}

/// The staff group's messages and cards, each line marked.
fn print_staff(request: &Outgoing, out: &mut String) {
    let text = match request {
        Outgoing::Send { text, .. } | Outgoing::EditCard { text, .. } => plain(text),
        Outgoing::Media {
            file_ids, caption, ..
        } => format!("{} ({} 📎)", plain(caption), file_ids.len()),
        Outgoing::Delete { .. } => return,
    };
    for line in text.lines() {
        out.push_str("  [staff] ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}

/// Telegram HTML as terminal text: tags dropped, entities decoded.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain("<b>已提交</b> <code>UB-7K3QF9</code> A&amp;B &lt;shop&gt;"),
            "已提交 UB-7K3QF9 A&B <shop>"
        );
    }
}
