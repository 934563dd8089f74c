//! Every message exists in both locales, and every id the code can use is defined.

use posdesk::conversation::{forms, messages};
use posdesk::domain::{CaseKind, Invalid, Sensitive};
use posdesk::i18n::{defined_ids, Locale, Localizer, Msg};
use posdesk::knowledge::{self, brands, Intent};

#[test]
fn both_locales_define_the_same_messages() {
    let zh = defined_ids(Locale::ZhCn);
    let en = defined_ids(Locale::En);
    let only_zh: Vec<_> = zh.iter().filter(|id| !en.contains(id)).collect();
    let only_en: Vec<_> = en.iter().filter(|id| !zh.contains(id)).collect();
    assert!(only_zh.is_empty(), "only in zh-CN: {only_zh:?}");
    assert!(only_en.is_empty(), "only in en: {only_en:?}");
    assert!(zh.len() > 100);
}

#[test]
fn the_bundles_parse_without_errors() {
    Localizer::new().expect("locales parse");
}

fn used_ids() -> Vec<String> {
    let mut ids: Vec<String> = messages::ALL.iter().map(|s| s.to_string()).collect();
    ids.extend(
        posdesk::console::messages::ALL
            .iter()
            .map(|s| s.to_string()),
    );
    ids.extend(
        posdesk::telegram::edge::messages::ALL
            .iter()
            .map(|s| s.to_string()),
    );
    ids.extend(
        posdesk::conversation::Command::ALL
            .iter()
            .filter_map(|c| c.menu_text())
            .map(str::to_string),
    );
    ids.extend(
        posdesk::telegram::staff_view::MESSAGES
            .iter()
            .map(|s| s.to_string()),
    );
    for reason in posdesk::review::RejectReason::ALL {
        ids.push(reason.message_id());
        ids.push(format!("staff-reason-{}", reason.code()));
    }
    for refusal in [
        posdesk::review::Refusal::NotReviewer,
        posdesk::review::Refusal::HeldBy(1),
        posdesk::review::Refusal::NotClaimed,
        posdesk::review::Refusal::Decided(posdesk::domain::CaseStatus::Approved),
        posdesk::review::Refusal::WrongStatus(posdesk::domain::CaseStatus::Queued),
        posdesk::review::Refusal::NoSuchCase,
    ] {
        ids.push(refusal.message_id().to_string());
    }
    for input in [
        posdesk::review::PendingInput::Question,
        posdesk::review::PendingInput::RejectOther,
        posdesk::review::PendingInput::Note,
    ] {
        ids.push(input.prompt_id().to_string());
    }
    for f in forms::all_fields() {
        ids.push(f.label_id());
        ids.push(f.prompt_id());
        ids.push(f.help_id());
    }
    ids.extend(forms::all_choice_ids().into_iter().map(String::from));
    ids.extend(forms::all_advice_ids().into_iter().map(String::from));
    for k in CaseKind::ALL {
        ids.push(k.message_id().to_string());
        ids.push(format!("topic-{}", k.id()));
    }
    for i in Invalid::ALL {
        ids.push(i.message_id().to_string());
    }
    for s in Sensitive::ALL {
        ids.push(s.message_id().to_string());
    }
    for b in brands::all() {
        ids.push(b.message_id());
    }
    for intent in Intent::ALL {
        ids.push(knowledge::answer_message(intent, None).to_string());
        for b in brands::all() {
            ids.push(knowledge::answer_message(intent, Some(b.id)).to_string());
        }
    }
    ids.push(knowledge::ANSWER_FOOTER.to_string());
    ids.push(knowledge::ANSWER_NONE.to_string());
    ids
}

#[test]
fn every_message_the_code_uses_is_defined_in_every_locale() {
    let l10n = Localizer::global();
    for locale in Locale::ALL {
        let missing: Vec<_> = used_ids()
            .into_iter()
            .filter(|id| !l10n.has(locale, id))
            .collect();
        assert!(missing.is_empty(), "{locale}: missing {missing:?}");
    }
}

#[test]
fn messages_with_arguments_render_them() {
    let l10n = Localizer::global();
    for locale in Locale::ALL {
        let msg = Msg::new(messages::SUBMITTED)
            .with("ref", "UB-7K3QF9")
            .with_msg("kind", Msg::new(CaseKind::Unbind.message_id()))
            .with_num("days", 3)
            .with("due", "2026-11-25");
        let text = l10n.render(locale, &msg);
        assert!(
            text.contains("UB-7K3QF9") && text.contains("2026-11-25"),
            "{text}"
        );
        assert!(!text.contains('\u{2068}'), "no isolation marks");
        let status = Msg::new(messages::STATUS_LINE)
            .with("ref", "UB-7K3QF9")
            .with_msg("kind", Msg::new(CaseKind::Unbind.message_id()))
            .with("status", "waiting_merchant")
            .with("due", "2026-11-25");
        let text = l10n.render(locale, &status);
        assert!(
            !text.contains("waiting_merchant"),
            "status is translated: {text}"
        );
        let footer = Msg::new(knowledge::ANSWER_FOOTER).with("hotline", "95017");
        assert!(l10n.render(locale, &footer).contains("95017"));
    }
}

/// `.ftl` texts are Telegram HTML: only the allowed tags, balanced, and no bare `&` or `<`.
#[test]
fn ftl_markup_is_limited_to_the_allowed_tags() {
    for locale in Locale::ALL {
        for (path, source) in posdesk::i18n::sources(locale) {
            for (n, line) in source.lines().enumerate() {
                if line.trim_start().starts_with('#') {
                    continue;
                }
                let mut rest = line;
                while let Some(i) = rest.find(['<', '&']) {
                    let tail = &rest[i..];
                    let ok = if tail.starts_with('<') {
                        posdesk::i18n::ALLOWED_TAGS
                            .iter()
                            .any(|t| tail.starts_with(t))
                    } else {
                        ["&amp;", "&lt;", "&gt;", "&quot;"]
                            .iter()
                            .any(|e| tail.starts_with(e))
                    };
                    assert!(ok, "{path}:{}: unexpected markup in {line:?}", n + 1);
                    rest = &tail[1..];
                }
                for pair in posdesk::i18n::ALLOWED_TAGS.chunks(2) {
                    assert_eq!(
                        line.matches(pair[0]).count(),
                        line.matches(pair[1]).count(),
                        "{path}:{}: unbalanced {}",
                        n + 1,
                        pair[0]
                    );
                }
            }
        }
    }
}

#[test]
fn html_rendering_escapes_what_merchants_typed_and_plain_rendering_drops_tags() {
    let l10n = Localizer::global();
    let line = Msg::new(messages::REVIEW_LINE)
        .with_msg("label", Msg::new("field-merchant_name-label"))
        .with_msg(
            "value",
            Msg::new(messages::VALUE_TEXT).with("text", "<b>Tom & Jerry</b>"),
        );
    let html = l10n.render_html(Locale::En, &line);
    assert!(
        html.contains("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"),
        "{html}"
    );
    let header =
        Msg::new(messages::REVIEW_HEADER).with_msg("kind", Msg::new(CaseKind::Unbind.message_id()));
    assert!(l10n.render_html(Locale::ZhCn, &header).starts_with("<b>"));
    assert!(!l10n.render(Locale::ZhCn, &header).contains('<'));
}

#[test]
fn list_items_stay_together_and_paragraphs_are_spaced() {
    let l10n = Localizer::global();
    let line = |v: &str| {
        Msg::new(messages::REVIEW_LINE)
            .with_msg("label", Msg::new("field-phone-label"))
            .with_msg("value", Msg::new(messages::VALUE_TEXT).with("text", v))
    };
    let text = l10n.render_all(
        Locale::En,
        &[
            Msg::new(messages::REVIEW_FOOTER),
            line("1"),
            line("2"),
            Msg::new(messages::REVIEW_FOOTER),
        ],
    );
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines[1], "");
    assert!(lines[2].ends_with('1') && lines[3].ends_with('2'), "{text}");
    assert_eq!(lines[4], "");
}

/// The variables a message's text uses (`$name`), with those of the messages it refers to
/// (which are formatted with the same arguments).
fn variables(locale: Locale, id: &str) -> std::collections::BTreeSet<String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn walk_inline(
        e: &InlineExpression<&str>,
        out: &mut std::collections::BTreeSet<String>,
        refs: &mut Vec<String>,
    ) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::MessageReference { id, .. } => refs.push(id.name.to_string()),
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    walk_inline(a, out, refs);
                }
                for a in &arguments.named {
                    walk_inline(&a.value, out, refs);
                }
            }
            InlineExpression::Placeable { expression } => walk_expr(expression, out, refs),
            _ => {}
        }
    }
    fn walk_expr(
        e: &Expression<&str>,
        out: &mut std::collections::BTreeSet<String>,
        refs: &mut Vec<String>,
    ) {
        match e {
            Expression::Inline(i) => walk_inline(i, out, refs),
            Expression::Select { selector, variants } => {
                walk_inline(selector, out, refs);
                for v in variants {
                    walk_pattern(&v.value, out, refs);
                }
            }
        }
    }
    fn walk_pattern(
        p: &Pattern<&str>,
        out: &mut std::collections::BTreeSet<String>,
        refs: &mut Vec<String>,
    ) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                walk_expr(expression, out, refs);
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    let mut pending = vec![id.to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = pending.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        for (_, source) in posdesk::i18n::sources(locale) {
            let resource = fluent_syntax::parser::parse(*source).expect("parses");
            for entry in &resource.body {
                if let Entry::Message(m) = entry {
                    if m.id.name == id {
                        if let Some(value) = &m.value {
                            walk_pattern(value, &mut out, &mut pending);
                        }
                    }
                }
            }
        }
    }
    out
}

/// A Fluent formatting error is a defect: every message formats cleanly in both locales
/// given the variables its text uses, and both locales' texts use the same variables (so
/// the code, which passes one set of arguments, serves both).
#[test]
fn every_message_formats_without_errors_in_both_locales() {
    let l10n = Localizer::global();
    let mut problems = Vec::new();
    for id in defined_ids(Locale::ZhCn) {
        let zh = variables(Locale::ZhCn, &id);
        let en = variables(Locale::En, &id);
        if zh != en {
            problems.push(format!("{id}: zh-CN uses {zh:?}, en uses {en:?}"));
        }
        for locale in Locale::ALL {
            let mut msg = Msg::new(id.clone());
            for var in variables(locale, &id) {
                msg = msg.with(&var, "1");
            }
            problems.extend(l10n.problems(locale, &msg));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // Without an argument its text uses, a message is a formatting problem.
    let missing = l10n.problems(Locale::ZhCn, &Msg::new("staff-type-question"));
    assert!(!missing.is_empty());
}
