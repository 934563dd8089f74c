//! A message to be rendered: a Fluent id and its arguments. The core builds these; only the
//! edge turns them into text, in the reader's language.

use serde::{Deserialize, Serialize};

/// A Fluent message id with arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    /// The Fluent message id (`welcome`, `field-serial-prompt`).
    pub id: String,
    /// The message's arguments, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    /// Text as typed by a person, or an identifier used by a Fluent selector.
    Str(String),
    /// A number (Fluent chooses plural forms from it).
    Num(i64),
    /// Another message, rendered first in the same language (a field label, a brand name).
    Msg(Box<Msg>),
}

impl Msg {
    /// The message `id` without arguments.
    pub fn new(id: impl Into<String>) -> Self {
        Msg {
            id: id.into(),
            args: Vec::new(),
        }
    }

    /// Add a text argument.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args.push((name.to_string(), Arg::Str(value.into())));
        self
    }

    /// Add a numeric argument.
    pub fn with_num(mut self, name: &str, value: i64) -> Self {
        self.args.push((name.to_string(), Arg::Num(value)));
        self
    }

    /// Add a nested message argument.
    pub fn with_msg(mut self, name: &str, value: Msg) -> Self {
        self.args
            .push((name.to_string(), Arg::Msg(Box::new(value))));
        self
    }
}

impl From<&str> for Msg {
    fn from(id: &str) -> Self {
        Msg::new(id)
    }
}
