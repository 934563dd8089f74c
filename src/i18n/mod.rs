//! Fluent bundles for every supported language, loaded once from the `.ftl` files compiled
//! into the binary, and the rendering of [`Msg`] values into text.

mod locale;
mod msg;

pub use locale::Locale;
pub use msg::{Arg, Msg};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;
use unic_langid::LanguageIdentifier;

/// The `.ftl` sources of one locale, compiled in so the binary runs from anywhere.
macro_rules! ftl_files {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$((concat!($dir, "/", $file), include_str!(concat!("../../locales/", $dir, "/", $file)))),*]
    };
}

/// File names are the same in every locale; a test checks that each message exists in all.
const ZH_CN: &[(&str, &str)] = ftl_files!("zh-CN":
    "conversation.ftl", "forms.ftl", "validation.ftl", "answers.ftl", "brands.ftl", "staff.ftl");
const EN: &[(&str, &str)] = ftl_files!("en":
    "conversation.ftl", "forms.ftl", "validation.ftl", "answers.ftl", "brands.ftl", "staff.ftl");

/// The `.ftl` files of a locale as `(path, source)` pairs.
pub fn sources(locale: Locale) -> &'static [(&'static str, &'static str)] {
    match locale {
        Locale::ZhCn => ZH_CN,
        Locale::En => EN,
    }
}

/// Renders messages in every supported language.
pub struct Localizer {
    zh_cn: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

/// A problem in the `.ftl` sources (caught by tests, reported at start-up).
#[derive(Debug, thiserror::Error)]
#[error("locale {locale}: {detail}")]
pub struct LocaleError {
    /// The locale whose files have the problem.
    pub locale: Locale,
    /// What is wrong, as Fluent reports it.
    pub detail: String,
}

impl Localizer {
    /// Parse all bundled `.ftl` files. Fails on syntax errors and duplicate ids.
    pub fn new() -> Result<Self, LocaleError> {
        Ok(Localizer {
            zh_cn: build_bundle(Locale::ZhCn)?,
            en: build_bundle(Locale::En)?,
        })
    }

    /// The process-wide localizer. The sources are compiled in and checked by tests, so a
    /// failure here is a build defect: it panics at first use with the parse error.
    pub fn global() -> &'static Localizer {
        static GLOBAL: OnceLock<Localizer> = OnceLock::new();
        GLOBAL.get_or_init(|| match Localizer::new() {
            Ok(l) => l,
            Err(e) => panic!("bundled locales are broken: {e}"),
        })
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::ZhCn => &self.zh_cn,
            Locale::En => &self.en,
        }
    }

    /// Whether `id` is defined in `locale`.
    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.bundle(locale).has_message(id)
    }

    /// Render one message as plain text (the terminal, logs, tests): the few formatting
    /// tags the `.ftl` texts may use are dropped.
    pub fn render(&self, locale: Locale, msg: &Msg) -> String {
        strip_tags(&self.render_with(locale, msg, false))
    }

    /// Render one message as Telegram HTML: the `.ftl` text is trusted markup (only
    /// [`ALLOWED_TAGS`]), every text argument — what a merchant typed — is escaped.
    pub fn render_html(&self, locale: Locale, msg: &Msg) -> String {
        self.render_with(locale, msg, true)
    }

    /// Several messages as HTML paragraphs (see [`join_parts`]).
    pub fn render_all_html(&self, locale: Locale, parts: &[Msg]) -> String {
        join_parts(parts, |m| self.render_html(locale, m))
    }

    /// A missing id renders as the id itself (and is logged), so a merchant always gets a
    /// reply; tests make sure that never happens.
    fn render_with(&self, locale: Locale, msg: &Msg, html: bool) -> String {
        let bundle = self.bundle(locale);
        let Some(pattern) = bundle.get_message(&msg.id).and_then(|m| m.value()) else {
            tracing::error!(id = %msg.id, %locale, "missing Fluent message");
            return msg.id.clone();
        };
        let mut args = FluentArgs::with_capacity(msg.args.len());
        for (name, arg) in &msg.args {
            let value = match arg {
                Arg::Str(s) if html => FluentValue::from(escape_html(s)),
                Arg::Str(s) => FluentValue::from(s.as_str()),
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Msg(inner) => FluentValue::from(self.render_with(locale, inner, html)),
            };
            args.set(name.as_str(), value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id = %msg.id, %locale, ?errors, "Fluent formatting problem");
        }
        text.into_owned()
    }

    /// Render several messages as paragraphs (see [`join_parts`]).
    pub fn render_all(&self, locale: Locale, parts: &[Msg]) -> String {
        join_parts(parts, |m| self.render(locale, m))
    }
}

/// Paragraphs are separated by a blank line, except that consecutive list items (messages
/// whose id ends in `-line`, such as the fields of a summary) stay on consecutive lines.
fn join_parts(parts: &[Msg], render: impl Fn(&Msg) -> String) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            let list = part.id.ends_with("-line") && parts[i - 1].id.ends_with("-line");
            out.push_str(if list { "\n" } else { "\n\n" });
        }
        out.push_str(&render(part));
    }
    out
}

/// The formatting tags `.ftl` texts may use (Telegram HTML).
pub const ALLOWED_TAGS: &[&str] = &["<b>", "</b>", "<i>", "</i>", "<code>", "</code>"];

/// Escape text for Telegram's HTML parse mode.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Drop the allowed formatting tags (for plain-text output).
fn strip_tags(text: &str) -> String {
    if !text.contains('<') {
        return text.to_string();
    }
    let mut out = text.to_string();
    for tag in ALLOWED_TAGS {
        out = out.replace(tag, "");
    }
    out
}

fn build_bundle(locale: Locale) -> Result<FluentBundle<FluentResource>, LocaleError> {
    let langid: LanguageIdentifier = locale.tag().parse().map_err(|e| LocaleError {
        locale,
        detail: format!("bad language tag: {e:?}"),
    })?;
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks around arguments show up as stray characters in Telegram
    // clients and terminals; our arguments are short and never mix directions.
    bundle.set_use_isolating(false);
    for (path, source) in sources(locale) {
        let resource =
            FluentResource::try_new((*source).to_string()).map_err(|(_, errs)| LocaleError {
                locale,
                detail: format!("{path}: syntax errors: {errs:?}"),
            })?;
        bundle.add_resource(resource).map_err(|errs| LocaleError {
            locale,
            detail: format!("{path}: {errs:?}"),
        })?;
    }
    Ok(bundle)
}

/// Every message id defined in the bundled files of `locale` (for the parity tests).
pub fn defined_ids(locale: Locale) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, source) in sources(locale) {
        let Ok(resource) = FluentResource::try_new((*source).to_string()) else {
            continue;
        };
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.push(m.id.name.to_string());
            }
        }
    }
    ids.sort();
    ids
}
