//! The answer catalogue: which Fluent message answers which intent, for which
//! brand. The texts live in `locales/{zh-CN,en}/answers.ftl`.

use super::Intent;

/// Appended by the caller to every answer. Takes `$hotline`: a brand's hotline
/// (e.g. `"95017"`) or `"none"`.
pub const ANSWER_FOOTER: &str = "answer-footer";
/// Polite out-of-scope reply (the caller shows the menu).
pub const ANSWER_NONE: &str = "answer-none";

/// Brand-specific answers, where the facts of `docs/knowledge.md` differ by brand:
/// `(intent, brand id, message id)`.
const BRAND_ANSWERS: &[(Intent, &str, &str)] = &[
    (
        Intent::UnbindDevice,
        "lakala",
        "answer-unbind-device-lakala",
    ),
    (
        Intent::UnbindDevice,
        "lishua",
        "answer-unbind-device-lishua",
    ),
    (Intent::CancelPos, "lakala", "answer-cancel-pos-lakala"),
    (
        Intent::CloseAccount,
        "lakala",
        "answer-close-account-lakala",
    ),
    (Intent::ChangeCard, "lakala", "answer-change-card-lakala"),
];

/// Fluent id of the answer to `intent` for `brand` (a brand id): the
/// brand-specific variant where there is one, else the generic answer.
pub fn answer_message(intent: Intent, brand: Option<&str>) -> &'static str {
    if let Some(brand) = brand {
        if let Some(&(_, _, id)) = BRAND_ANSWERS
            .iter()
            .find(|&&(i, b, _)| i == intent && b == brand)
        {
            return id;
        }
    }
    match intent {
        Intent::UnbindDevice => "answer-unbind-device",
        Intent::BrokenDevice => "answer-broken-device",
        Intent::CancelPos => "answer-cancel-pos",
        Intent::Deposit => "answer-deposit",
        Intent::CloseAccount => "answer-close-account",
        Intent::ChangeCard => "answer-change-card",
        Intent::ReviewTime => "answer-review-time",
        Intent::Materials => "answer-materials",
        Intent::SmsCode => "answer-sms-code",
        Intent::UnbindTrouble => "answer-unbind-trouble",
        Intent::AfterUnbind => "answer-after-unbind",
        Intent::Records => "answer-records",
        Intent::LendDevice => "answer-lend-device",
        Intent::Privacy => "answer-privacy",
        Intent::CaseStatus => "answer-case-status",
        Intent::Human => "answer-human",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::brands;
    use super::*;

    const LOCALES: [&str; 2] = ["zh-CN", "en"];

    /// Message ids defined in a Fluent file (lines starting `id =`).
    fn message_ids(locale: &str, file: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{locale}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    fn bodies(locale: &str) -> Vec<(String, String)> {
        let path = format!(
            "{}/locales/{locale}/answers.ftl",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.starts_with(|c: char| c.is_ascii_alphabetic()) {
                if let Some((id, rest)) = line.split_once('=') {
                    out.push((id.trim().to_string(), rest.trim().to_string()));
                    continue;
                }
            }
            if let Some(last) = out.last_mut() {
                if !line.starts_with('#') {
                    last.1.push('\n');
                    last.1.push_str(line.trim());
                }
            }
        }
        out
    }

    fn needed_ids() -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for intent in Intent::ALL {
            ids.insert(answer_message(intent, None).to_string());
            for b in brands::all() {
                ids.insert(answer_message(intent, Some(b.id)).to_string());
            }
        }
        ids.insert(ANSWER_FOOTER.to_string());
        ids.insert(ANSWER_NONE.to_string());
        ids
    }

    #[test]
    fn every_message_exists_in_both_locales() {
        let mut per_locale = Vec::new();
        for locale in LOCALES {
            let answers = message_ids(locale, "answers.ftl");
            let brand_ids = message_ids(locale, "brands.ftl");
            for id in needed_ids() {
                assert!(answers.contains(&id), "{locale}/answers.ftl lacks {id}");
            }
            for b in brands::all() {
                assert!(
                    brand_ids.contains(&b.message_id()),
                    "{locale}/brands.ftl lacks {}",
                    b.message_id()
                );
            }
            per_locale.push((answers, brand_ids));
        }
        assert_eq!(
            per_locale[0].0, per_locale[1].0,
            "answers.ftl differ between locales"
        );
        assert_eq!(
            per_locale[0].1, per_locale[1].1,
            "brands.ftl differ between locales"
        );
    }

    #[test]
    fn fluent_files_parse_and_render() {
        use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

        for locale in LOCALES {
            let lang: unic_langid::LanguageIdentifier = locale.parse().unwrap();
            let mut bundle = FluentBundle::new(vec![lang]);
            bundle.set_use_isolating(false);
            for file in ["answers.ftl", "brands.ftl"] {
                let path = format!("{}/locales/{locale}/{file}", env!("CARGO_MANIFEST_DIR"));
                let text = std::fs::read_to_string(&path).unwrap();
                let res =
                    FluentResource::try_new(text).unwrap_or_else(|(_, e)| panic!("{path}: {e:?}"));
                bundle
                    .add_resource(res)
                    .unwrap_or_else(|e| panic!("{path}: {e:?}"));
            }
            let render = |id: &str, args: Option<&FluentArgs>| {
                let msg = bundle
                    .get_message(id)
                    .unwrap_or_else(|| panic!("{locale}: no {id}"));
                let mut errors = vec![];
                let text = bundle
                    .format_pattern(msg.value().unwrap(), args, &mut errors)
                    .to_string();
                assert!(errors.is_empty(), "{locale} {id}: {errors:?}");
                text
            };
            for id in needed_ids() {
                let mut args = FluentArgs::new();
                args.set("hotline", "95017");
                let with = render(&id, Some(&args));
                assert!(!with.trim().is_empty());
                if id == ANSWER_FOOTER {
                    assert!(with.contains("95017"), "{locale}: footer omits the hotline");
                    let mut none = FluentArgs::new();
                    none.set("hotline", "none");
                    let without = render(&id, Some(&none));
                    assert!(!without.contains("none"), "{locale}: footer prints 'none'");
                }
            }
            for b in brands::all() {
                assert!(!render(&b.message_id(), None).is_empty());
            }
        }
    }

    #[test]
    fn brand_variants_and_fallbacks() {
        assert_eq!(
            answer_message(Intent::UnbindDevice, Some("lakala")),
            "answer-unbind-device-lakala"
        );
        assert_eq!(
            answer_message(Intent::UnbindDevice, Some("lishua")),
            "answer-unbind-device-lishua"
        );
        assert_eq!(
            answer_message(Intent::UnbindDevice, Some("other")),
            "answer-unbind-device"
        );
        assert_eq!(
            answer_message(Intent::UnbindDevice, None),
            "answer-unbind-device"
        );
        assert_eq!(
            answer_message(Intent::Deposit, Some("lakala")),
            "answer-deposit"
        );
        for &(_, b, _) in BRAND_ANSWERS {
            assert!(brands::find(b).is_some(), "unknown brand {b}");
        }
    }

    #[test]
    fn answers_are_short_plain_text_and_never_ask_for_secrets() {
        for locale in LOCALES {
            for (id, body) in bodies(locale) {
                let n = body.chars().count();
                assert!(n <= 900, "{locale} {id} is {n} characters");
                for bad in ["<b>", "</", "**", "__", "](", "0.38", "0.55"] {
                    assert!(!body.contains(bad), "{locale} {id} contains {bad}");
                }
            }
        }
    }
}
