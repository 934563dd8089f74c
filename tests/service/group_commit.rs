//! Group commit (`Service::handle_batch`; `docs/ARCHITECTURE.md`, the flow of an update): a
//! polling batch applied in one transaction gives what applying its updates one by one
//! gives: the same replies, the same cases, each redelivery skipped. Several merchants'
//! complete conversations are run one update at a time, then replayed on a fresh database
//! in batches of varying size, interleaved and with redeliveries in and across batches.

use crate::support::db::TestDb;
use crate::support::service::{render, App};
use chrono::{DateTime, TimeZone, Utc};
use posdesk::conversation::{Event, Incoming, Upload};
use posdesk::domain::CaseRecord;
use posdesk::i18n::Locale;
use posdesk::service::Inbound;
use posdesk::store::CaseFilter;
use std::collections::HashMap;

#[derive(Clone, Copy)]
enum Step {
    Say(&'static str),
    /// Press the button whose label contains this.
    Tap(&'static str),
    Photos(&'static [&'static str]),
    Contact(&'static str),
}
use Step::*;

/// Each merchant's conversation: complete cases, a question mid-form, a second case for a
/// serial another merchant is applying for at the same time, `/forget`.
const SCRIPTS: &[(i64, Option<Locale>, &[Step])] = &[
    (
        7001,
        Some(Locale::ZhCn),
        &[
            Say("/start"),
            Tap("机器解绑"),
            Tap("拉卡拉"),
            Tap("帮我提交申请"),
            Say("LKL-8C21-04567"),
            Tap("否"),
            Tap("跳过"),
            Say("张记便利店"),
            Say("张伟"),
            Contact("+8613812345678"),
            Tap("长期不用了"),
            Photos(&["front", "back"]),
            Tap("跳过"),
            Tap("提交"),
            Say("/status"),
        ],
    ),
    (
        7002,
        Some(Locale::ZhCn),
        &[
            Say("/start unbind_lakala"),
            Tap("帮我提交申请"),
            Say("解绑审核一般要几天？"),
            Say("lkl 8c21 04567"),
            Say("/status"),
            Say("/forget"),
            Say("/start"),
        ],
    ),
    (
        7003,
        Some(Locale::En),
        &[
            Say("/start"),
            Tap("Return"),
            Tap("Lishua"),
            Tap("Apply for me"),
            Say("SN 00012345678"),
            Say("Nov 3"),
            Say("Joe's Noodles"),
            Say("Joe Wang"),
            Say("138 1234 5678"),
            Say("I never asked for it"),
            Tap("Yes"),
            Say("China Merchants Bank"),
            Say("5678"),
            Tap("Skip"),
            Tap("Submit"),
            Say("/status"),
        ],
    ),
    (
        7004,
        None,
        &[
            Say("你好"),
            Say("/forget"),
            Say("/start card_lakala"),
            Tap("帮我提交申请"),
            Say("822100012345678"),
            Say("陈氏理发"),
            // Looks at its cases round after round: in a batch, its list is read before
            // merchant 7001 submits (round 13) and 7001's own list after, which must
            // show the new case.
            Say("/status"),
            Say("/status"),
            Say("/status"),
            Say("/status"),
            Say("/status"),
            Say("/status"),
            Say("/status"),
        ],
    ),
];

/// One merchant while the script is run one update at a time.
struct Chat {
    buttons: Vec<(String, String)>,
    message_id: i32,
}

/// The updates of every script, interleaved (a step of each merchant in turn), and the text
/// each got when applied one at a time on `db`.
async fn one_by_one(db: &TestDb) -> (Vec<Inbound>, HashMap<i64, String>, Vec<CaseRecord>) {
    let app = App::open(&db.url).await;
    let mut chats: HashMap<i64, Chat> = HashMap::new();
    let mut updates = Vec::new();
    let mut texts = HashMap::new();
    let longest = SCRIPTS.iter().map(|s| s.2.len()).max().unwrap();
    for round in 0..longest {
        for (chat_id, hint, steps) in SCRIPTS {
            let Some(step) = steps.get(round) else {
                continue;
            };
            let chat = chats.entry(*chat_id).or_insert(Chat {
                buttons: Vec::new(),
                message_id: 0,
            });
            chat.message_id += 1;
            let event = match *step {
                Say(text) => Event::Text(text.into()),
                Tap(label) => Event::Press(
                    chat.buttons
                        .iter()
                        .find(|(l, _)| l.contains(label))
                        .unwrap_or_else(|| panic!("{chat_id}: no {label:?} in {:?}", chat.buttons))
                        .1
                        .clone(),
                ),
                Photos(ids) => Event::Files(ids.iter().map(|id| Upload::photo(*id)).collect()),
                Contact(phone) => Event::Contact {
                    phone: phone.into(),
                },
            };
            let update_id = 1_000 + updates.len() as i64;
            let inbound = Inbound {
                chat_id: *chat_id,
                update_id: Some(update_id),
                locale_hint: *hint,
                incoming: Incoming::new(event).with_message_id(chat.message_id),
                now: clock(updates.len()),
            };
            let outcome = app.service.handle(inbound.clone()).await.expect("handled");
            let (text, buttons) = render(&outcome);
            if !buttons.is_empty() {
                chat.buttons = buttons;
            }
            texts.insert(update_id, text);
            updates.push(inbound);
        }
    }
    let cases = cases(&app).await;
    app.close().await;
    (updates, texts, cases)
}

fn clock(step: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap()
        + chrono::Duration::seconds(20 * step as i64)
}

async fn cases(app: &App) -> Vec<CaseRecord> {
    let mut cases = app.store.list_cases(&CaseFilter::default()).await.unwrap();
    cases.sort_by_key(|c| (c.chat_id, c.created_at));
    cases
}

/// Case references are drawn at random: the same case has another one in each run.
fn mask_refs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let code = |c: &char| posdesk::domain::CaseRef::ALPHABET.contains(&(*c as u8)) && c.is_ascii();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let is_ref = i + 9 <= chars.len()
            && chars[i].is_ascii_uppercase()
            && chars[i + 1].is_ascii_uppercase()
            && chars[i + 2] == '-'
            && chars[i + 3..i + 9].iter().all(code);
        if is_ref {
            out.push_str("XX-XXXXXX");
            i += 9;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

backends!(batches_give_what_one_by_one_gives);
async fn batches_give_what_one_by_one_gives(db: &TestDb) {
    // The reference run, one update per transaction, on a database of its own.
    let reference = db.another().await;
    let (updates, expected, expected_cases) = one_by_one(&reference).await;
    assert_eq!(expected_cases.len(), 2, "two complete cases");

    let app = App::open(&db.url).await;
    let mut got: HashMap<i64, String> = HashMap::new();
    let mut start = 0;
    let sizes = [1, 6, 2, 11, 4, 17, 3, 9, 100].into_iter().cycle();
    for (n, size) in sizes.enumerate() {
        if start >= updates.len() {
            break;
        }
        let end = (start + size).min(updates.len());
        // The batch, the previous batch's last two again (confirmed but redelivered), and
        // the batch's first update once more at its end.
        let mut batch: Vec<Inbound> = updates[start.saturating_sub(2)..start].to_vec();
        batch.extend_from_slice(&updates[start..end]);
        batch.push(updates[start].clone());
        // As the edge does, some batches are begun ahead of their events, with the keys
        // of all the updates polled (here: another chat's too), or (a check that what
        // was not read ahead is read when met) only some of them.
        let chats: Vec<i64> = batch.iter().map(|i| i.chat_id).collect();
        let ids: Vec<i64> = batch.iter().filter_map(|i| i.update_id).collect();
        let outcomes = match n % 3 {
            0 => app.service.handle_batch(&batch).await,
            1 => {
                let mut chats = chats;
                chats.push(-100_555);
                let begun = app.service.begin_batch(chats, ids).await.expect("begun");
                app.service.handle_batch_from(begun, &batch).await
            }
            _ => {
                let some_chats = chats.iter().step_by(2).copied().collect();
                let some_ids = ids[..ids.len() / 2].to_vec();
                let begun = app.service.begin_batch(some_chats, some_ids).await;
                app.service
                    .handle_batch_from(begun.expect("begun"), &batch)
                    .await
            }
        }
        .expect("applied");
        assert_eq!(outcomes.len(), batch.len());
        for (inbound, outcome) in batch.iter().zip(&outcomes) {
            let id = inbound.update_id.unwrap();
            let fresh =
                (start as i64 + 1_000..end as i64 + 1_000).contains(&id) && !got.contains_key(&id);
            assert_eq!(outcome.duplicate, !fresh, "update {id}");
            if fresh {
                got.insert(id, render(outcome).0);
            } else {
                assert!(outcome.effects.is_empty(), "a redelivery has no effects");
            }
        }
        start = end;
    }

    assert_eq!(got.len(), expected.len());
    for inbound in &updates {
        let id = inbound.update_id.unwrap();
        assert_eq!(
            mask_refs(&got[&id]),
            mask_refs(&expected[&id]),
            "update {id} of chat {}",
            inbound.chat_id
        );
    }
    let got_cases = cases(&app).await;
    let shape = |c: &CaseRecord| {
        (
            c.chat_id,
            c.kind,
            c.brand.clone(),
            c.serial.clone(),
            c.fields.clone(),
            c.attachments.clone(),
            c.status,
            c.locale,
        )
    };
    assert_eq!(
        got_cases.iter().map(shape).collect::<Vec<_>>(),
        expected_cases.iter().map(shape).collect::<Vec<_>>()
    );
    // The replies name the cases the batches created.
    let all: String = got.values().cloned().collect();
    for case in &got_cases {
        assert!(all.contains(case.case_ref.as_str()), "{}", case.case_ref);
    }
    app.close().await;
}
