//! Bot API calls whose answer the bot reads only in part.
//!
//! teloxide answers `sendMessage` and the `editMessage…` calls with the whole sent
//! [`Message`](teloxide::types::Message), parsed field by field through serde's untagged
//! enums (each variant tried in turn, every miss building an error string). The bot needs at
//! most the new message's id, and sends one or two of these calls for every update, so that
//! parse was a tenth of its CPU under load (BENCHMARKS.md). [`Lean`] sends the same payload
//! (the same JSON, the same method name, the same error handling by teloxide) and reads only
//! what [`Lean`]'s output type names.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use std::time::Duration;
use teloxide::requests::{JsonRequest, Payload, Request};
use teloxide::{Bot, RequestError};

/// The part of a sent message the bot reads.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct SentMessage {
    /// The id of the message Telegram sent (or edited).
    pub message_id: i32,
}

/// A teloxide payload `P` whose answer is read as `O` (by default: not at all).
#[derive(Serialize)]
#[serde(transparent)]
pub struct Lean<P, O = IgnoredAny> {
    payload: P,
    #[serde(skip)]
    output: PhantomData<fn() -> O>,
}

impl<P, O> Lean<P, O> {
    /// The request `payload`, sent as teloxide would send it.
    pub fn new(payload: P) -> Self {
        Lean {
            payload,
            output: PhantomData,
        }
    }
}

impl<P: Payload, O> Payload for Lean<P, O> {
    type Output = O;
    const NAME: &'static str = P::NAME;

    fn timeout_hint(&self) -> Option<Duration> {
        self.payload.timeout_hint()
    }
}

/// Send `payload` and read its answer as `O`.
pub async fn send<P, O>(bot: &Bot, payload: P) -> Result<O, RequestError>
where
    P: Payload + Serialize + 'static,
    O: DeserializeOwned + 'static,
{
    JsonRequest::new(bot.clone(), Lean::<P, O>::new(payload))
        .send()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::payloads::{EditMessageReplyMarkup, SendMessage, SendMessageSetters};
    use teloxide::types::{ChatId, MessageId, ParseMode};

    #[test]
    fn the_payload_is_sent_unchanged() {
        let payload = SendMessage::new(ChatId(42), "<b>hi</b>").parse_mode(ParseMode::Html);
        let lean = Lean::<_, SentMessage>::new(payload.clone());
        assert_eq!(
            serde_json::to_value(&lean).unwrap(),
            serde_json::to_value(&payload).unwrap()
        );
        assert_eq!(
            <Lean<SendMessage, SentMessage> as Payload>::NAME,
            "SendMessage"
        );
        let edit = EditMessageReplyMarkup::new(ChatId(42), MessageId(7));
        assert_eq!(
            serde_json::to_value(Lean::<_, IgnoredAny>::new(edit.clone())).unwrap(),
            serde_json::to_value(&edit).unwrap()
        );
    }

    #[test]
    fn only_the_message_id_is_read() {
        let answer = r#"{"message_id": 9, "date": 0, "chat": {"id": 1, "type": "private"},
            "anything": {"new": ["fields", 1]}}"#;
        let sent: SentMessage = serde_json::from_str(answer).unwrap();
        assert_eq!(sent.message_id, 9);
    }
}
