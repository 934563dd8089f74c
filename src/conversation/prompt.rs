//! What each state shows: its message and its buttons. Re-showing the prompt after any
//! reply keeps a usable keyboard at the bottom of the chat.

use super::action::Action;
use super::effect::{Button, Keyboard, Reply};
use super::forms::{self, Field, FieldKind};
use super::messages as m;
use super::state::{Draft, State, Value};
use crate::domain::CaseKind;
use crate::i18n::{Locale, Msg};
use crate::knowledge::{self, brands, Intent};

/// The prompt of `state`, its buttons stamped with `step`.
pub fn prompt(state: &State, step: u32) -> Reply {
    prompt_with(state, step, Vec::new())
}

/// The prompt of `state` with `prefix` paragraphs before it, as one message.
pub fn prompt_with(state: &State, step: u32, mut prefix: Vec<Msg>) -> Reply {
    let b = |label: &str, action: Action| Button {
        label: Msg::new(label),
        step,
        action,
    };
    let (parts, keyboard) = match state {
        State::Menu => (vec![Msg::new(m::MENU_PROMPT)], menu_keyboard(step)),
        State::ChooseBrand { .. } => (vec![Msg::new(m::BRAND_PROMPT)], brand_keyboard(step, true)),
        State::Guide { topic, brand } => (
            vec![Msg::new(m::MENU_PROMPT)],
            guide_keyboard(step, *topic, brand),
        ),
        State::Form { draft, field } => field_prompt(draft, field, step, false),
        State::Review { draft } => (
            review_parts(draft),
            Keyboard::Inline(vec![
                vec![b(m::BTN_SUBMIT, Action::Submit)],
                vec![b(m::BTN_EDIT, Action::EditMenu)],
                vec![b(m::BTN_CANCEL_DRAFT, Action::CancelDraft)],
            ]),
        ),
        State::Edit { draft, field: None } => {
            let mut rows: Vec<Vec<Button>> = active_fields(draft)
                .map(|f| {
                    vec![Button {
                        label: Msg::new(f.label_id()),
                        step,
                        action: Action::EditField(f.id.to_string()),
                    }]
                })
                .collect();
            // "Back" (Resume) returns to the summary without changing anything.
            rows.push(vec![b(m::BTN_BACK_TO_REVIEW, Action::Resume)]);
            (vec![Msg::new(m::EDIT_CHOOSE)], Keyboard::Inline(rows))
        }
        State::Edit {
            draft,
            field: Some(field),
        } => field_prompt(draft, field, step, true),
        State::NoteToStaff { .. } => (
            vec![Msg::new(m::NOTE_PROMPT)],
            Keyboard::Inline(vec![vec![Button {
                label: Msg::new(m::BTN_NO_NOTE),
                step,
                action: Action::Resume,
            }]]),
        ),
        State::AnswerStaff { .. } => answer_prompt(state, step),
    };
    prefix.extend(parts);
    Reply::new(prefix, keyboard)
}

/// The topic menu.
pub fn menu_keyboard(step: u32) -> Keyboard {
    let topic = |k: CaseKind| Button {
        label: Msg::new(topic_message(k)),
        step,
        action: Action::Topic(k),
    };
    let b = |label: &str, action: Action| Button {
        label: Msg::new(label),
        step,
        action,
    };
    Keyboard::Inline(vec![
        vec![topic(CaseKind::Unbind), topic(CaseKind::Broken)],
        vec![topic(CaseKind::Cancel), topic(CaseKind::Close)],
        vec![topic(CaseKind::Card)],
        vec![
            b(m::TOPIC_MY_CASES, Action::MyCases),
            b(m::TOPIC_HUMAN, Action::Human),
        ],
    ])
}

/// Fluent id of a topic's menu button.
pub fn topic_message(kind: CaseKind) -> String {
    format!("topic-{}", kind.id())
}

/// Brand buttons, two per row, "other" last; with a "menu" button when not in a form.
pub fn brand_keyboard(step: u32, with_menu: bool) -> Keyboard {
    let mut rows: Vec<Vec<Button>> = brands::all()
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|br| Button {
                    label: Msg::new(br.message_id()),
                    step,
                    action: Action::Brand(br.id.to_string()),
                })
                .collect()
        })
        .collect();
    if with_menu {
        rows.push(vec![Button {
            label: Msg::new(m::BTN_MENU),
            step,
            action: Action::Menu,
        }]);
    }
    Keyboard::Inline(rows)
}

/// Buttons under a self-service guide.
pub fn guide_keyboard(step: u32, topic: CaseKind, brand: &str) -> Keyboard {
    let b = |label: &str, action: Action| Button {
        label: Msg::new(label),
        step,
        action,
    };
    Keyboard::Inline(vec![
        vec![b(m::BTN_GUIDE_DONE, Action::GuideDone)],
        vec![b(
            m::BTN_OPEN_CASE,
            Action::OpenCase(topic, Some(brand.to_string())),
        )],
        vec![b(m::BTN_MENU, Action::Menu)],
    ])
}

/// The knowledge base's answer to `intent`, with the closing line every answer carries.
pub fn answer_parts(intent: Intent, brand: Option<&str>) -> Vec<Msg> {
    let hotline = brand
        .and_then(brands::find)
        .and_then(|b| b.hotline)
        .unwrap_or("none");
    vec![
        Msg::new(knowledge::answer_message(intent, brand)),
        Msg::new(knowledge::ANSWER_FOOTER).with("hotline", hotline),
    ]
}

/// The fields of the draft's form that apply given its answers so far.
pub fn active_fields(draft: &Draft) -> impl Iterator<Item = &'static Field> + '_ {
    forms::form(draft.kind)
        .iter()
        .filter(move |f| is_active(draft, f))
}

/// Remove the answers of fields that no longer apply (a condition's answer changed).
pub fn drop_inactive(draft: &mut Draft) {
    let inactive: Vec<&str> = forms::form(draft.kind)
        .iter()
        .filter(|f| !is_active(draft, f))
        .map(|f| f.id)
        .collect();
    for id in inactive {
        draft.values.remove(id);
    }
}

/// Whether a field applies: it has no condition, or its condition holds.
pub fn is_active(draft: &Draft, field: &Field) -> bool {
    match field.when {
        None => true,
        Some(cond) => draft.values.get(cond.field) == Some(&Value::Bool(cond.equals)),
    }
}

fn field_prompt(draft: &Draft, field_id: &str, step: u32, editing: bool) -> (Vec<Msg>, Keyboard) {
    let Some(field) = forms::field(draft.kind, field_id) else {
        // A stored state naming a field the form no longer has: show the summary instead.
        return (review_parts(draft), Keyboard::None);
    };
    let active: Vec<_> = active_fields(draft).collect();
    let position = active.iter().position(|f| f.id == field.id).unwrap_or(0) + 1;
    let mut parts = Vec::new();
    if !editing {
        parts.push(
            Msg::new(m::FORM_PROGRESS)
                .with_num("n", position as i64)
                .with_num("total", active.len() as i64),
        );
    }
    parts.push(Msg::new(field.prompt_id()));

    let b = |label: &str, action: Action| Button {
        label: Msg::new(label),
        step,
        action,
    };
    if field.kind == FieldKind::Phone {
        return (
            parts,
            Keyboard::ShareContact(Msg::new(m::BTN_SHARE_CONTACT)),
        );
    }
    let mut rows: Vec<Vec<Button>> = match field.kind {
        FieldKind::Brand => match brand_keyboard(step, false) {
            Keyboard::Inline(rows) => rows,
            _ => Vec::new(),
        },
        FieldKind::YesNo => vec![vec![b(m::BTN_YES, Action::Yes), b(m::BTN_NO, Action::No)]],
        FieldKind::Text { choices } => choices
            .iter()
            .map(|c| vec![b(c, Action::Choice((*c).to_string()))])
            .collect(),
        _ => Vec::new(),
    };
    if !field.required {
        rows.push(vec![b(m::BTN_SKIP, Action::Skip)]);
    }
    if editing {
        rows.push(vec![b(m::BTN_BACK_TO_REVIEW, Action::Resume)]);
    } else {
        rows.push(vec![b(m::BTN_CANCEL_DRAFT, Action::CancelDraft)]);
    }
    (parts, Keyboard::Inline(rows))
}

/// The summary of a draft: header, one line per answered field, footer.
pub fn review_parts(draft: &Draft) -> Vec<Msg> {
    let mut parts =
        vec![Msg::new(m::REVIEW_HEADER).with_msg("kind", Msg::new(draft.kind.message_id()))];
    for field in active_fields(draft) {
        let Some(value) = draft.values.get(field.id) else {
            continue;
        };
        parts.push(
            Msg::new(m::REVIEW_LINE)
                .with_msg("label", Msg::new(field.label_id()))
                .with_msg("value", value_msg(value)),
        );
    }
    parts.push(Msg::new(m::REVIEW_FOOTER));
    parts
}

/// How an answer reads in the summary.
pub fn value_msg(value: &Value) -> Msg {
    match value {
        Value::Text(s) => Msg::new(m::VALUE_TEXT).with("text", s.clone()),
        Value::Choice(id) => Msg::new(id.clone()),
        Value::Bool(true) => Msg::new(m::VALUE_YES),
        Value::Bool(false) => Msg::new(m::VALUE_NO),
        Value::Date(d) => Msg::new(m::VALUE_TEXT).with("text", d.format("%Y-%m-%d").to_string()),
        Value::Brand(id) => Msg::new(format!("brand-{id}")),
        Value::File(_) => Msg::new(m::VALUE_FILE),
        Value::Skipped => Msg::new(m::VALUE_SKIPPED),
    }
}

/// The language picker.
pub fn lang_keyboard(step: u32) -> Keyboard {
    Keyboard::Inline(vec![vec![
        Button {
            label: Msg::new(m::LANG_NAME_ZH),
            step,
            action: Action::Lang(Locale::ZhCn),
        },
        Button {
            label: Msg::new(m::LANG_NAME_EN),
            step,
            action: Action::Lang(Locale::En),
        },
    ]])
}

/// The prompt while answering: the question and how to answer; once something was sent,
/// only how much and the buttons.
fn answer_prompt(state: &State, step: u32) -> (Vec<Msg>, Keyboard) {
    let State::AnswerStaff {
        case_ref,
        question,
        texts,
        files,
        ..
    } = state
    else {
        return (Vec::new(), Keyboard::None);
    };
    let count = texts.len() + files.len();
    let parts = if count > 0 {
        vec![Msg::new(m::ANSWER_COLLECTED).with_num("count", count as i64)]
    } else {
        let head = match question {
            Some(q) => Msg::new(m::CASE_QUESTION)
                .with("ref", case_ref.clone())
                .with("question", q.clone()),
            None => Msg::new(m::ANSWER_PROMPT).with("ref", case_ref.clone()),
        };
        vec![head, Msg::new(m::ANSWER_HOW)]
    };
    let b = |label: &str, action: Action| Button {
        label: Msg::new(label),
        step,
        action,
    };
    let keyboard = Keyboard::Inline(vec![
        vec![b(m::BTN_ANSWER_DONE, Action::AnswerDone)],
        vec![b(m::BTN_ANSWER_LATER, Action::AnswerLater)],
    ]);
    (parts, keyboard)
}
