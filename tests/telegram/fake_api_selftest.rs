//! Self-test of the fake Telegram Bot API: teloxide itself is the client, so every answer
//! shape is checked by teloxide's own parser.

use crate::support::fake_telegram::{Failure, FakeTelegram};
use serde_json::json;
use std::time::{Duration, Instant};
use teloxide::payloads::setters::*;
use teloxide::prelude::Requester;
use teloxide::types::{
    BotCommand, ChatAction, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    InputMedia, InputMediaPhoto, MaybeInaccessibleMessage, MediaKind, MessageEntityKind, MessageId,
    MessageKind, StickerType, Update, UpdateKind, UserId,
};
use teloxide::{ApiError, Bot, RequestError};

const CHAT: i64 = 4242;

fn bot_for(fake: &FakeTelegram) -> Bot {
    Bot::new(fake.token()).set_api_url(fake.api_url().parse().expect("api url"))
}

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![
        InlineKeyboardButton::callback("Yes", data),
        InlineKeyboardButton::callback("No", "no"),
    ]])
}

#[tokio::test]
async fn methods_answer_in_shapes_teloxide_parses() {
    let fake = FakeTelegram::start().await;
    assert!(fake.api_url().starts_with("http://127.0.0.1:"));
    assert!(fake.api_url().ends_with('/'));
    let bot = bot_for(&fake);

    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.id, UserId(FakeTelegram::BOT_ID as u64));
    assert!(me.is_bot);
    assert!(me.username().ends_with("bot"));

    let sent = bot
        .send_message(ChatId(CHAT), "hello, merchant")
        .reply_markup(keyboard("yes"))
        .await
        .expect("sendMessage");
    assert_eq!(sent.text(), Some("hello, merchant"));
    assert_eq!(sent.chat.id, ChatId(CHAT));
    assert!(sent.chat.is_private());
    assert_eq!(
        sent.from.as_ref().map(|u| u.id),
        Some(UserId(FakeTelegram::BOT_ID as u64))
    );
    assert_eq!(sent.reply_markup(), Some(&keyboard("yes")));
    assert_eq!(fake.sent_texts(CHAT), vec!["hello, merchant".to_owned()]);
    assert!(fake.sent_texts(CHAT + 1).is_empty());
    let calls = fake.calls_to("SENDMESSAGE");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "sendMessage");
    assert_eq!(calls[0].body["chat_id"], json!(CHAT));
    assert_eq!(
        calls[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "yes"
    );

    // Group chats come back as supergroups.
    let group = bot
        .send_message(ChatId(-100_555), "to the group")
        .await
        .expect("sendMessage to a group");
    assert!(group.chat.is_supergroup());

    let edited = bot
        .edit_message_reply_markup(ChatId(CHAT), sent.id)
        .reply_markup(keyboard("other"))
        .await
        .expect("editMessageReplyMarkup");
    assert_eq!(edited.id, sent.id);
    assert_eq!(edited.text(), Some("hello, merchant"));
    assert_eq!(edited.reply_markup(), Some(&keyboard("other")));
    assert!(edited.edit_date().is_some());

    // The same markup again: Telegram's "message is not modified".
    let same = bot
        .edit_message_reply_markup(ChatId(CHAT), sent.id)
        .reply_markup(keyboard("other"))
        .await;
    assert!(
        matches!(same, Err(RequestError::Api(ApiError::MessageNotModified))),
        "{same:?}"
    );

    let edited = bot
        .edit_message_text(ChatId(CHAT), sent.id, "edited text")
        .await
        .expect("editMessageText");
    assert_eq!(edited.text(), Some("edited text"));
    assert_eq!(
        edited.reply_markup(),
        None,
        "no markup given: keyboard removed"
    );

    bot.send_chat_action(ChatId(CHAT), ChatAction::Typing)
        .await
        .expect("sendChatAction");
    bot.delete_message(ChatId(CHAT), sent.id)
        .await
        .expect("deleteMessage");

    let commands = vec![
        BotCommand::new("start", "Start over"),
        BotCommand::new("help", "What I can do"),
    ];
    bot.set_my_commands(commands.clone())
        .language_code("en")
        .await
        .expect("setMyCommands");
    let set = fake.calls_to("setMyCommands");
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].body["language_code"], "en");
    assert_eq!(set[0].body["commands"][0]["command"], "start");
    let got = bot
        .get_my_commands()
        .language_code("en")
        .await
        .expect("getMyCommands");
    assert_eq!(got, commands);
    assert!(bot.get_my_commands().await.expect("default").is_empty());
    let bad = bot
        .set_my_commands(vec![BotCommand::new("Bad-Command", "x")])
        .await;
    assert!(matches!(bad, Err(RequestError::Api(_))), "{bad:?}");
    bot.delete_my_commands()
        .language_code("en")
        .await
        .expect("deleteMyCommands");

    // Multipart methods.
    let photo = bot
        .send_photo(
            ChatId(CHAT),
            InputFile::file_id("AgACAgIAAxkBAAIphoto".into()),
        )
        .await
        .expect("sendPhoto");
    let sizes = photo.photo().expect("photo sizes");
    assert_eq!(sizes.len(), 3);
    assert_eq!(sizes[2].file.id.0, "AgACAgIAAxkBAAIphoto");
    let photo_call = &fake.calls_to("sendPhoto")[0];
    assert_eq!(photo_call.body["chat_id"], json!(CHAT.to_string()));
    assert_eq!(photo_call.body["photo"], "AgACAgIAAxkBAAIphoto");

    let doc = bot
        .send_document(
            ChatId(CHAT),
            InputFile::memory(b"a,b\n1,2\n".to_vec()).file_name("report.csv"),
        )
        .caption("your report")
        .reply_markup(keyboard("doc"))
        .await
        .expect("sendDocument");
    let document = doc.document().expect("document");
    assert_eq!(document.file_name.as_deref(), Some("report.csv"));
    assert_eq!(document.file.size, 8);
    assert_eq!(doc.caption(), Some("your report"));
    assert_eq!(doc.reply_markup(), Some(&keyboard("doc")));

    let album = bot
        .send_media_group(
            ChatId(CHAT),
            vec![
                InputMedia::Photo(InputMediaPhoto::new(InputFile::file_id("P1".into()))),
                InputMedia::Photo(
                    InputMediaPhoto::new(InputFile::memory(vec![0u8; 10]).file_name("b.jpg"))
                        .caption("second"),
                ),
            ],
        )
        .await
        .expect("sendMediaGroup");
    assert_eq!(album.len(), 2);
    assert!(album[0].media_group_id().is_some());
    assert_eq!(album[0].media_group_id(), album[1].media_group_id());
    assert_eq!(album[1].caption(), Some("second"));

    let copied = bot
        .copy_message(ChatId(CHAT + 1), ChatId(CHAT), photo.id)
        .await
        .expect("copyMessage");
    assert!(copied.0 > photo.id.0);

    // Webhook bookkeeping.
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(info.url, None);
    bot.set_webhook("https://bot.example.com/hook".parse().unwrap())
        .await
        .expect("setWebhook");
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(
        info.url.map(|u| u.to_string()).as_deref(),
        Some("https://bot.example.com/hook")
    );
    let conflict = bot.get_updates().await;
    assert!(
        matches!(conflict, Err(RequestError::Api(_))),
        "{conflict:?}"
    );
    bot.delete_webhook().await.expect("deleteWebhook");
    bot.get_updates()
        .await
        .expect("getUpdates after deleteWebhook");

    // Unknown method: 404 "Not Found: method not found".
    let unknown = bot.get_chat(ChatId(CHAT)).await;
    assert!(
        matches!(&unknown, Err(RequestError::Api(ApiError::Unknown(d))) if d == "Not Found: method not found"),
        "{unknown:?}"
    );
    let last = fake.calls().pop().expect("calls");
    assert_eq!(last.method, "getChat");
    assert!(!last.ok);
    assert!(fake.calls_to("getChat").is_empty());

    fake.clear_calls();
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn every_builder_parses_into_the_right_kind() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);

    let first = fake.push_update(FakeTelegram::text(CHAT, "zh-hans", "/start now"));
    assert_eq!(first, 1);
    fake.push_update(FakeTelegram::photo(
        CHAT,
        "en",
        "AgACphoto1",
        Some("album-1"),
        Some("receipt"),
    ));
    fake.push_update(FakeTelegram::document(
        CHAT,
        "en",
        "BQACdoc1",
        "application/pdf",
        123_456,
    ));
    fake.push_update(FakeTelegram::contact(CHAT, "ru", "+8613800000000"));
    fake.push_update(FakeTelegram::sticker(CHAT, "en"));
    fake.push_update(FakeTelegram::voice(CHAT, "en"));
    fake.push_update(FakeTelegram::location(CHAT, "en"));
    fake.push_update(FakeTelegram::edited_text(CHAT, "en", 77, "fixed typo"));
    fake.push_update(FakeTelegram::group_text(-100_777, CHAT, "en", "hi all"));
    let last = fake.push_update(FakeTelegram::callback(CHAT, "en", 88, "unbind:confirm"));
    assert_eq!(last, 10);
    assert_eq!(fake.pending_updates(), 10);

    let updates: Vec<Update> = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 10);
    let ids: Vec<u32> = updates.iter().map(|u| u.id.0).collect();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    for u in &updates {
        assert!(
            !matches!(u.kind, UpdateKind::Error(_)),
            "update {} did not parse: {:?}",
            u.id.0,
            u.kind
        );
    }
    let message = |i: usize| match &updates[i].kind {
        UpdateKind::Message(m) => m,
        other => panic!("update {i} is not a message: {other:?}"),
    };
    let media = |i: usize| match &message(i).kind {
        MessageKind::Common(c) => &c.media_kind,
        other => panic!("update {i} is not a common message: {other:?}"),
    };

    let text = message(0);
    assert_eq!(text.text(), Some("/start now"));
    assert_eq!(text.chat.id, ChatId(CHAT));
    assert!(text.chat.is_private());
    let from = text.from.as_ref().expect("from");
    assert_eq!(from.id, UserId(CHAT as u64));
    assert_eq!(from.language_code.as_deref(), Some("zh-hans"));
    let entities = text.entities().expect("entities");
    assert_eq!(entities[0].kind, MessageEntityKind::BotCommand);
    assert_eq!((entities[0].offset, entities[0].length), (0, 6));

    let photo = message(1);
    assert!(matches!(media(1), MediaKind::Photo(_)));
    let sizes = photo.photo().expect("photo");
    assert_eq!(sizes.len(), 3);
    assert_eq!(sizes[2].file.id.0, "AgACphoto1");
    assert!(sizes[0].width < sizes[2].width);
    assert!(sizes[2].file.size > 0 && !sizes[2].file.unique_id.0.is_empty());
    assert_eq!(
        photo.media_group_id().map(|g| g.0.as_str()),
        Some("album-1")
    );
    assert_eq!(photo.caption(), Some("receipt"));
    assert!(
        message(0).id.0 < photo.id.0,
        "fresh, increasing message ids"
    );

    assert!(matches!(media(2), MediaKind::Document(_)));
    let doc = message(2).document().expect("document");
    assert_eq!(doc.file.id.0, "BQACdoc1");
    assert_eq!(doc.file.size, 123_456);
    assert_eq!(
        doc.mime_type.as_ref().map(|m| m.essence_str()),
        Some("application/pdf")
    );

    assert!(matches!(media(3), MediaKind::Contact(_)));
    let contact = message(3).contact().expect("contact");
    assert_eq!(contact.phone_number, "+8613800000000");
    assert_eq!(contact.user_id, Some(UserId(CHAT as u64)));

    assert!(matches!(media(4), MediaKind::Sticker(_)));
    assert_eq!(
        message(4).sticker().expect("sticker").type_(),
        StickerType::Regular
    );
    assert!(matches!(media(5), MediaKind::Voice(_)));
    assert!(matches!(media(6), MediaKind::Location(_)));

    match &updates[7].kind {
        UpdateKind::EditedMessage(m) => {
            assert_eq!(m.id, MessageId(77));
            assert_eq!(m.text(), Some("fixed typo"));
            assert!(m.edit_date().is_some());
        }
        other => panic!("not an edited message: {other:?}"),
    }

    let group = message(8);
    assert!(group.chat.is_supergroup());
    assert_eq!(group.chat.id, ChatId(-100_777));
    assert_eq!(group.from.as_ref().map(|u| u.id), Some(UserId(CHAT as u64)));
    assert_eq!(group.text(), Some("hi all"));

    match &updates[9].kind {
        UpdateKind::CallbackQuery(q) => {
            assert_eq!(q.data.as_deref(), Some("unbind:confirm"));
            assert_eq!(q.from.id, UserId(CHAT as u64));
            match q.message.as_ref().expect("message") {
                MaybeInaccessibleMessage::Regular(m) => {
                    assert_eq!(m.id, MessageId(88));
                    assert_eq!(m.chat.id, ChatId(CHAT));
                    assert!(m.from.as_ref().is_some_and(|u| u.is_bot));
                }
                other => panic!("inaccessible: {other:?}"),
            }
            bot.answer_callback_query(q.id.clone())
                .await
                .expect("answerCallbackQuery");
        }
        other => panic!("not a callback query: {other:?}"),
    }

    // Unique callback ids.
    let a = FakeTelegram::callback(CHAT, "en", 1, "x");
    let b = FakeTelegram::callback(CHAT, "en", 1, "x");
    assert_ne!(a["callback_query"]["id"], b["callback_query"]["id"]);

    // Not confirmed yet: delivered again.
    assert_eq!(bot.get_updates().await.expect("again").len(), 10);
    assert_eq!(
        bot.get_updates()
            .offset(4)
            .limit(3)
            .await
            .expect("limit")
            .len(),
        3
    );
    assert_eq!(fake.pending_updates(), 7, "offset 4 confirmed 1..=3");
    assert_eq!(fake.confirmed_offset(), 4);
    let rest = bot.get_updates().offset(11).await.expect("confirm all");
    assert!(rest.is_empty());
    assert_eq!(fake.pending_updates(), 0);
    assert_eq!(fake.confirmed_offset(), 11);

    // Explicit ids and redelivery.
    assert_eq!(
        fake.push_update(
            json!({"update_id": 50, "message": FakeTelegram::text(CHAT, "en", "x")["message"]})
        ),
        50
    );
    let again = FakeTelegram::text(CHAT, "en", "redelivered");
    let again = json!({"update_id": 50, "message": again["message"]});
    fake.push_raw(again);
    let two = bot.get_updates().offset(11).await.expect("redelivery");
    assert_eq!(two.len(), 2);
    assert!(two.iter().all(|u| u.id.0 == 50));
    assert_eq!(fake.push_update(FakeTelegram::text(CHAT, "en", "next")), 51);

    // allowed_updates filters like Telegram.
    use teloxide::types::AllowedUpdate;
    fake.push_update(FakeTelegram::edited_text(CHAT, "en", 5, "edited"));
    let only_messages = bot
        .get_updates()
        .offset(51)
        .allowed_updates(vec![AllowedUpdate::Message])
        .await
        .expect("allowed_updates");
    assert_eq!(only_messages.len(), 1);
    assert!(matches!(only_messages[0].kind, UpdateKind::Message(_)));
}

#[tokio::test]
async fn long_poll_waits_and_wakes_on_push() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);

    let started = Instant::now();
    let empty = bot.get_updates().timeout(1).await.expect("empty poll");
    assert!(empty.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited the timeout"
    );

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    fake.wait_for("the long poll to arrive", Duration::from_secs(5), |f| {
        f.calls_to("getupdates").len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pushed_at = Instant::now();
    fake.push_update(FakeTelegram::text(CHAT, "en", "wake up"));
    let updates = poll.await.expect("join").expect("long poll");
    assert!(
        pushed_at.elapsed() < Duration::from_secs(2),
        "woken by the push"
    );
    assert_eq!(updates.len(), 1);
}

#[tokio::test]
async fn failures_map_to_teloxide_errors_and_are_spent_one_per_request() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);

    fake.fail_next("sendMessage", Failure::RetryAfter(1));
    let err = bot.send_message(ChatId(CHAT), "hi").await;
    match err {
        Err(RequestError::RetryAfter(after)) => assert_eq!(after.seconds(), 1),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    assert!(fake.sent_texts(CHAT).is_empty());
    assert_eq!(fake.calls().len(), 1);
    assert!(!fake.calls()[0].ok);

    fake.fail_next("SendMessage", Failure::Forbidden);
    let err = bot.send_message(ChatId(CHAT), "hi").await;
    assert!(
        matches!(err, Err(RequestError::Api(ApiError::BotBlocked))),
        "{err:?}"
    );

    // Queued failures are spent one a request; then the method works again.
    let sent = bot
        .send_message(ChatId(CHAT), "eventually")
        .await
        .expect("no failure left");
    assert_eq!(sent.text(), Some("eventually"));
    assert_eq!(fake.sent_texts(CHAT), vec!["eventually".to_owned()]);
    let attempts: Vec<bool> = fake
        .calls()
        .iter()
        .filter(|c| c.method == "sendMessage")
        .map(|c| c.ok)
        .collect();
    assert_eq!(attempts, vec![false, false, true]);

    // Wrong token.
    let stranger = Bot::new("999:wrong").set_api_url(fake.api_url().parse().unwrap());
    let err = stranger.get_me().await;
    assert!(
        matches!(err, Err(RequestError::Api(ApiError::InvalidToken))),
        "{err:?}"
    );
    assert!(!fake.calls().last().unwrap().ok);

    // Bad requests Telegram would reject.
    let err = bot
        .send_message(ChatId(CHAT), "x")
        .reply_markup(keyboard(&"d".repeat(65)))
        .await;
    assert!(
        matches!(err, Err(RequestError::Api(ApiError::ButtonDataInvalid))),
        "{err:?}"
    );
    let err = bot.send_message(ChatId(CHAT), "y".repeat(4097)).await;
    assert!(
        matches!(err, Err(RequestError::Api(ApiError::MessageIsTooLong))),
        "{err:?}"
    );
    let err = bot.send_message(ChatId(CHAT), "").await;
    assert!(
        matches!(err, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
        "{err:?}"
    );
}

/// teloxide sleeps 10 s before parsing any 5xx answer, so this test takes ~10 s.
#[tokio::test]
async fn server_error_maps_to_an_api_error() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    fake.fail_next("getMe", Failure::ServerError);
    let err = bot.get_me().await;
    assert!(
        matches!(&err, Err(RequestError::Api(ApiError::Unknown(d))) if d == "Internal Server Error"),
        "{err:?}"
    );
    bot.get_me().await.expect("only the next call fails");
}

#[tokio::test]
async fn wait_for_panics_with_the_calls() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    bot.send_message(ChatId(CHAT), "visible in the dump")
        .await
        .unwrap();
    let handle = tokio::spawn({
        let fake = fake.clone();
        async move {
            fake.wait_for("a reply to chat 1", Duration::from_millis(50), |f| {
                !f.sent_texts(1).is_empty()
            })
            .await
        }
    });
    let panic = handle.await.expect_err("wait_for must panic");
    let payload = panic.into_panic();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("a reply to chat 1"), "{message}");
    assert!(message.contains("visible in the dump"), "{message}");
}

#[tokio::test]
async fn post_webhook_delivers_json_and_secret() {
    use axum::http::HeaderMap;
    use axum::routing::post;
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;
    let seen: Seen = Arc::default();
    let app = axum::Router::new().route(
        "/hook/path",
        post({
            let seen = seen.clone();
            move |headers: HeaderMap, axum::Json(body): axum::Json<serde_json::Value>| async move {
                let secret = headers
                    .get("x-telegram-bot-api-secret-token")
                    .map(|v| v.to_str().unwrap().to_owned());
                let status = if secret.as_deref() == Some("s3cret") {
                    axum::http::StatusCode::OK
                } else {
                    axum::http::StatusCode::UNAUTHORIZED
                };
                seen.lock().unwrap().push((secret, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = format!("http://{addr}/hook/path");
    let mut update = FakeTelegram::text(CHAT, "en", "via webhook");
    update["update_id"] = json!(7);
    assert_eq!(
        FakeTelegram::post_webhook(&url, Some("s3cret"), &update).await,
        200
    );
    assert_eq!(FakeTelegram::post_webhook(&url, None, &update).await, 401);
    let missing = format!("http://{addr}/nope");
    assert_eq!(
        FakeTelegram::post_webhook(&missing, None, &update).await,
        404
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0.as_deref(), Some("s3cret"));
    assert_eq!(seen[0].1, update);
    assert_eq!(seen[1].0, None);
    // The body is a real Telegram update. (Parse from a string: teloxide's `UpdateKind`
    // deserializer wants borrowed keys, so `serde_json::from_value` yields `UpdateKind::Error`.)
    let parsed: Update = serde_json::from_str(&seen[0].1.to_string()).unwrap();
    assert!(matches!(parsed.kind, UpdateKind::Message(_)));
}

/// teloxide's own polling listener and dispatcher run against the fake end to end.
#[tokio::test]
async fn teloxide_dispatcher_polls_the_fake() {
    use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
    use teloxide::error_handlers::LoggingErrorHandler;
    use teloxide::types::Message;
    use teloxide::update_listeners::Polling;

    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    fake.push_update(FakeTelegram::text(CHAT, "en", "before start"));
    // Not handled by the tree below, so not in allowed_updates: Telegram never delivers it.
    fake.push_update(FakeTelegram::edited_text(CHAT, "en", 3, "edited"));

    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let echo = format!("echo: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, echo).await?;
        Ok::<(), RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler).build();
    let shutdown = dispatcher.shutdown_token();
    let listener = Polling::builder(bot)
        .timeout(Duration::from_secs(1))
        .delete_webhook()
        .await
        .build();
    let task = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, LoggingErrorHandler::new())
            .await
    });

    fake.wait_for("the first echo", Duration::from_secs(5), |f| {
        f.sent_texts(CHAT) == ["echo: before start"]
    })
    .await;
    fake.push_update(FakeTelegram::text(CHAT, "en", "after start"));
    fake.wait_for("the second echo", Duration::from_secs(5), |f| {
        f.sent_texts(CHAT).len() == 2
    })
    .await;
    assert_eq!(fake.sent_texts(CHAT)[1], "echo: after start");

    shutdown.shutdown().expect("dispatcher running").await;
    task.await.expect("dispatcher task");
    assert_eq!(fake.pending_updates(), 0);
    assert_eq!(fake.confirmed_offset(), 4);
    let first_poll = &fake.calls_to("getUpdates")[0];
    assert_eq!(first_poll.body["allowed_updates"], json!(["message"]));
}

/// The fake against the Bot API specification (`bot-api.json`, see
/// `support::fake_telegram::spec`): its methods exist, the updates its builders make are
/// what the specification's `Update` allows, and the request check catches what it should.
/// Skipped, with a notice, when the file is absent.
#[test]
fn the_fake_follows_the_bot_api_specification() {
    use crate::support::fake_telegram::spec::Spec;
    let Some(spec) = Spec::get() else {
        eprintln!(
            "bot-api.json not found at {}: specification checks skipped (set POSDESK_BOT_API_SPEC)",
            Spec::path().display()
        );
        return;
    };
    for method in crate::support::fake_telegram::methods() {
        assert!(
            spec.method_name(method).is_some(),
            "{method} is not in {}",
            spec.version
        );
    }
    let mut updates = vec![
        FakeTelegram::text(CHAT, "zh-hans", "/start unbind"),
        FakeTelegram::photo(CHAT, "en", "p1", Some("album"), Some("caption")),
        FakeTelegram::document(CHAT, "en", "d1", "application/pdf", 10),
        FakeTelegram::contact(CHAT, "en", "+8613612345678"),
        FakeTelegram::sticker(CHAT, "en"),
        FakeTelegram::voice(CHAT, "en"),
        FakeTelegram::location(CHAT, "en"),
        FakeTelegram::edited_text(CHAT, "en", 5, "fixed"),
        FakeTelegram::group_text(-1_000_007, 7, "en", "/queue"),
        FakeTelegram::callback(CHAT, "en", 5, "1:x"),
        FakeTelegram::anonymous_group_text(-1_000_007, "hello"),
        FakeTelegram::topic_text(-1_000_007, 3, 7, "en", "/mine"),
        FakeTelegram::callback_on_inaccessible(-1_000_007, 7, 5, "r.cl.UB-7K3QF9"),
    ];
    updates.extend(FakeTelegram::migration_updates(-7, -1_000_007, 7));
    for mut update in updates {
        update["update_id"] = json!(1);
        let problems = spec.check_object("Update", &update);
        assert!(problems.is_empty(), "{update}: {problems:#?}");
    }
    // The request check itself.
    let ok = json!({"chat_id": CHAT, "text": "hi", "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}});
    assert!(spec.check_request("SendMessage", &ok).is_empty());
    let bad = json!({"chat_id": CHAT, "txt": "hi",
        "reply_markup": {"inline_keyboard": [[{"label": "a"}]]}});
    let problems = spec.check_request("sendMessage", &bad);
    for want in [
        "required parameter text",
        "unknown parameter txt",
        "no field label",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want}: {problems:?}"
        );
    }
    assert!(!spec.check_request("sendCarrierPigeon", &ok).is_empty());
}
