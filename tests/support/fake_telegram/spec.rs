//! The Bot API specification, machine-readable (`bot-api.json`, Bot API 10.1: its methods,
//! their parameters, the types and their fields), to check what crosses the fake: every
//! request the bot sends (method known, parameters known and of the right JSON kind,
//! required ones present) and every update the tests build.
//!
//! The file is not part of the repository. It is read from `POSDESK_BOT_API_SPEC`, else
//! from `../shared/telegram/bot-api.json` next to the checkout (where the team keeps it);
//! without it, [`Spec::get`] is `None`: the fake checks nothing more and the tests that
//! need the file say they are skipped.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A parameter of a method or a field of a type.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// As the spec writes them: `Integer`, `String`, `Array of PhotoSize`, `Message` …
    pub types: Vec<String>,
    pub required: bool,
}

/// The parts of the specification the checks use.
#[derive(Debug)]
pub struct Spec {
    pub version: String,
    pub methods: HashMap<String, Vec<Field>>,
    /// Types with fields.
    pub types: HashMap<String, Vec<Field>>,
    /// Types that are one of several (`MaybeInaccessibleMessage`: `Message` or
    /// `InaccessibleMessage`).
    pub unions: HashMap<String, Vec<String>>,
}

fn fields(v: &Value) -> Vec<Field> {
    v.get("fields")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .map(|f| Field {
                    name: f["name"].as_str().unwrap_or_default().to_string(),
                    types: f["types"]
                        .as_array()
                        .map(|ts| {
                            ts.iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    required: f["required"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Spec {
    /// Where the file is looked for.
    pub fn path() -> std::path::PathBuf {
        match std::env::var_os("POSDESK_BOT_API_SPEC") {
            Some(p) => p.into(),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/telegram/bot-api.json"),
        }
    }

    /// The specification, read once; `None` when the file is absent or unreadable.
    pub fn get() -> Option<&'static Spec> {
        static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = std::fs::read_to_string(Self::path()).ok()?;
            Self::parse(&serde_json::from_str(&text).ok()?)
        })
        .as_ref()
    }

    fn parse(v: &Value) -> Option<Spec> {
        let mut spec = Spec {
            version: v["version"].as_str()?.to_string(),
            methods: HashMap::new(),
            types: HashMap::new(),
            unions: HashMap::new(),
        };
        for (name, m) in v["methods"].as_object()? {
            spec.methods.insert(name.clone(), fields(m));
        }
        for (name, t) in v["types"].as_object()? {
            if let Some(subtypes) = t.get("subtypes").and_then(Value::as_array) {
                let subtypes = subtypes
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect();
                spec.unions.insert(name.clone(), subtypes);
            } else {
                spec.types.insert(name.clone(), fields(t));
            }
        }
        Some(spec)
    }

    /// The spec's name of a method, matched without regard to case (teloxide sends
    /// `SendMessage`).
    pub fn method_name(&self, method: &str) -> Option<&str> {
        self.methods
            .keys()
            .find(|m| m.eq_ignore_ascii_case(method))
            .map(String::as_str)
    }

    /// What is wrong with a request to `method` with `body` (empty: nothing). A
    /// `multipart/form-data` body has its scalars as strings; `attach://` names its parts.
    pub fn check_request(&self, method: &str, body: &Value) -> Vec<String> {
        let Some(name) = self.method_name(method) else {
            return vec![format!(
                "{method}: no such method in Bot API {}",
                self.version
            )];
        };
        let mut problems = Vec::new();
        let params = &self.methods[name];
        let empty = serde_json::Map::new();
        let object = body.as_object().unwrap_or(&empty);
        for p in params.iter().filter(|p| p.required) {
            if object.get(&p.name).map_or(true, Value::is_null) {
                problems.push(format!("{name}: required parameter {} missing", p.name));
            }
        }
        for (key, value) in object {
            if value.is_null() {
                continue;
            }
            match params.iter().find(|p| &p.name == key) {
                Some(p) => {
                    self.check_value(&format!("{name}.{key}"), &p.types, value, &mut problems)
                }
                // Multipart file parts are named by `attach://` in another field.
                None if body.to_string().contains(&format!("attach://{key}")) => {}
                None => problems.push(format!("{name}: unknown parameter {key}")),
            }
        }
        problems
    }

    /// What is wrong with `value` as an object of type `ty` (empty: nothing).
    pub fn check_object(&self, ty: &str, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check_value(ty, &[ty.to_string()], value, &mut problems);
        problems
    }

    fn check_value(&self, at: &str, types: &[String], value: &Value, problems: &mut Vec<String>) {
        let mut best: Option<Vec<String>> = None;
        for ty in types {
            let mut found = Vec::new();
            self.check_one(at, ty, value, &mut found);
            if found.is_empty() {
                return;
            }
            if best.as_ref().map_or(true, |b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        problems.extend(best.unwrap_or_default());
    }

    fn check_one(&self, at: &str, ty: &str, value: &Value, problems: &mut Vec<String>) {
        // Multipart sends scalars and JSON as strings.
        let numeric = |v: &Value| {
            v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<f64>().is_ok())
        };
        let ok = match ty {
            "Integer" => {
                value.is_i64()
                    || value.is_u64()
                    || value
                        .as_str()
                        .is_some_and(|s| s.trim().parse::<i64>().is_ok())
            }
            "Float" => numeric(value),
            "String" => value.is_string(),
            "Boolean" | "True" => {
                value.is_boolean() || matches!(value.as_str(), Some("true" | "false"))
            }
            "InputFile" => value.is_string() || value.is_object(),
            _ => {
                if let Some(item) = ty.strip_prefix("Array of ") {
                    match value.as_array() {
                        Some(items) => {
                            for (i, v) in items.iter().enumerate() {
                                self.check_value(
                                    &format!("{at}[{i}]"),
                                    &[item.to_string()],
                                    v,
                                    problems,
                                );
                            }
                            true
                        }
                        None => false,
                    }
                } else if let Some(subtypes) = self.unions.get(ty) {
                    self.check_value(at, subtypes, value, problems);
                    true
                } else if let Some(fields) = self.types.get(ty) {
                    match value.as_object() {
                        Some(object) => {
                            for f in fields.iter().filter(|f| f.required) {
                                if object.get(&f.name).map_or(true, Value::is_null) {
                                    problems.push(format!(
                                        "{at}: {ty} without its required {}",
                                        f.name
                                    ));
                                }
                            }
                            for (key, v) in object {
                                match fields.iter().find(|f| &f.name == key) {
                                    Some(f) => self.check_value(
                                        &format!("{at}.{key}"),
                                        &f.types,
                                        v,
                                        problems,
                                    ),
                                    None => problems.push(format!("{at}: {ty} has no field {key}")),
                                }
                            }
                            true
                        }
                        None => false,
                    }
                } else {
                    problems.push(format!("{at}: type {ty} is not in the specification"));
                    true
                }
            }
        };
        if !ok {
            problems.push(format!("{at}: {value} is not a {ty}"));
        }
    }
}
