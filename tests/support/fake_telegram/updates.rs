//! Updates as Telegram sends them, built for a test to push (no `update_id`:
//! [`FakeTelegram::push_update`] assigns it).

use super::json::{
    bot_user_json, chat_json, document_json, file_name_for, message_head, now_unix, photo_sizes,
    put_text, serial, user_json, user_message,
};
use super::FakeTelegram;
use serde_json::{json, Value};

impl FakeTelegram {
    /// A private text message; a leading `/command` gets a `bot_command` entity.
    pub fn text(chat_id: i64, lang: &str, text: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        put_text(&mut m, text);
        json!({ "message": m })
    }

    /// A private photo message: 3 sizes, the largest (last) has `file_id`.
    pub fn photo(
        chat_id: i64,
        lang: &str,
        file_id: &str,
        media_group_id: Option<&str>,
        caption: Option<&str>,
    ) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert("photo".into(), photo_sizes(file_id));
        if let Some(group) = media_group_id {
            m.insert("media_group_id".into(), json!(group));
        }
        if let Some(caption) = caption {
            m.insert("caption".into(), json!(caption));
        }
        json!({ "message": m })
    }

    /// A private document message.
    pub fn document(chat_id: i64, lang: &str, file_id: &str, mime: &str, size: u64) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "document".into(),
            document_json(file_id, &file_name_for(mime), mime, size),
        );
        json!({ "message": m })
    }

    /// The user shares their own contact (`contact.user_id = chat_id`).
    pub fn contact(chat_id: i64, lang: &str, phone: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "contact".into(),
            json!({
                "phone_number": phone,
                "first_name": "Merchant",
                "last_name": chat_id.to_string(),
                "user_id": chat_id,
            }),
        );
        json!({ "message": m })
    }

    /// A regular static sticker.
    pub fn sticker(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        let n = serial();
        m.insert(
            "sticker".into(),
            json!({
                "file_id": format!("CAACAgIAAxkBAAI-sticker-{n}"),
                "file_unique_id": format!("AgADsticker{n}"),
                "file_size": 23_456,
                "width": 512,
                "height": 512,
                "type": "regular",
                "is_animated": false,
                "is_video": false,
                "emoji": "👍",
                "set_name": "PosDeskTestStickers",
                "thumbnail": {
                    "file_id": format!("AAMCAgADGQEAAI-thumb-{n}"),
                    "file_unique_id": format!("AQADthumb{n}"),
                    "file_size": 4_321,
                    "width": 128,
                    "height": 128,
                },
            }),
        );
        json!({ "message": m })
    }

    /// A voice note (ogg/opus, 3 s).
    pub fn voice(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        let n = serial();
        m.insert(
            "voice".into(),
            json!({
                "file_id": format!("AwACAgIAAxkBAAI-voice-{n}"),
                "file_unique_id": format!("AgADvoice{n}"),
                "file_size": 9_876,
                "duration": 3,
                "mime_type": "audio/ogg",
            }),
        );
        json!({ "message": m })
    }

    /// A one-off location.
    pub fn location(chat_id: i64, lang: &str) -> Value {
        let mut m = user_message(chat_id, chat_id, lang);
        m.insert(
            "location".into(),
            json!({ "latitude": 31.230416, "longitude": 121.473701 }),
        );
        json!({ "message": m })
    }

    /// An `edited_message` of the user's text message `message_id`.
    pub fn edited_text(chat_id: i64, lang: &str, message_id: i32, text: &str) -> Value {
        let mut m = message_head(
            i64::from(message_id),
            chat_json(chat_id),
            user_json(chat_id, lang),
            now_unix() - 60,
        );
        m.insert("edit_date".into(), json!(now_unix()));
        put_text(&mut m, text);
        json!({ "edited_message": m })
    }

    /// A text message in a supergroup (`group_id` must be negative) from user `user_id`.
    pub fn group_text(group_id: i64, user_id: i64, lang: &str, text: &str) -> Value {
        assert!(
            group_id < 0,
            "group_text: group ids are negative, got {group_id}"
        );
        let mut m = user_message(group_id, user_id, lang);
        put_text(&mut m, text);
        json!({ "message": m })
    }

    /// The user presses an inline button with `data` under the bot's message `message_id`.
    pub fn callback(chat_id: i64, lang: &str, message_id: i32, data: &str) -> Value {
        let mut m = message_head(
            i64::from(message_id),
            chat_json(chat_id),
            bot_user_json(),
            now_unix() - 30,
        );
        m.insert("text".into(), json!("Please choose:"));
        m.insert(
            "reply_markup".into(),
            json!({ "inline_keyboard": [[{ "text": "Choose", "callback_data": data }]] }),
        );
        json!({
            "callback_query": {
                "id": format!("{}{:06}", Self::BOT_ID, serial()),
                "from": user_json(chat_id, lang),
                "message": m,
                "chat_instance": format!("-{}", 4_000_000_000_000_000_000u64 + chat_id.unsigned_abs()),
                "data": data,
            }
        })
    }
}
