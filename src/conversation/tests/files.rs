//! Photos, documents and albums: in a photo field, and where none is expected.

use super::*;

#[test]
fn an_album_fills_consecutive_photo_fields() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let fx = c.send(Event::Files(vec![
        Upload::photo("front"),
        Upload::photo("back"),
        Upload::photo("licence"),
        Upload::photo("extra"),
    ]));
    let file = |id: &str| {
        Value::File(crate::conversation::Attachment {
            file_id: id.into(),
            kind: FileKind::Photo,
        })
    };
    assert_eq!(c.value("id_front"), Some(&file("front")));
    assert_eq!(c.value("id_back"), Some(&file("back")));
    assert_eq!(c.value("licence"), Some(&file("licence")));
    assert!(says(&fx, m::ALBUM_EXTRA));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
}

#[test]
fn documents_are_checked_for_type_and_size() {
    let mut c = Chat::default();
    c.open(CaseKind::Card);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let doc = |mime: &str, size: u64| Upload {
        file_id: "d".into(),
        kind: FileKind::Document,
        mime: Some(mime.into()),
        size: Some(size),
    };
    let fx = c.send(Event::Files(vec![doc("application/zip", 10)]));
    assert!(says(&fx, m::FILE_TYPE_REFUSED));
    assert_eq!(c.field(), Some("id_front"));
    let fx = c.send(Event::Files(vec![doc("application/pdf", 50 * 1024 * 1024)]));
    assert!(says(&fx, m::FILE_TOO_LARGE));
    assert_eq!(c.field(), Some("id_front"));
    c.send(Event::Files(vec![doc("application/pdf", 200_000)]));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
}

#[test]
fn files_outside_a_photo_field_are_explained() {
    let mut c = Chat::default();
    c.text("/start");
    let fx = c.send(Event::Files(vec![Upload::photo("x")]));
    assert!(says(&fx, m::FILE_NOT_NOW));
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::Files(vec![Upload::photo("x")]));
    assert!(says(&fx, m::TEXT_EXPECTED));
    assert_eq!(c.field(), Some("serial"));
}

#[test]
fn album_parts_fill_photo_fields_and_answer_once() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    while c.field() != Some("id_front") {
        c.answer_current();
    }
    let part = |id: &str| Event::AlbumPart {
        album_id: "g1".into(),
        upload: Upload::photo(id),
    };
    let first = c.send(part("front"));
    let second = c.send(part("back"));
    let third = c.send(part("licence"));
    let fourth = c.send(part("extra"));
    for fx in [&first, &second, &third, &fourth] {
        assert!(replies(fx)
            .iter()
            .all(|r| r.coalesce.as_deref() == Some("album:g1")));
    }
    // The last answer lists everything the album did.
    let r = last(&fourth);
    assert_eq!(
        r.parts.iter().filter(|p| p.id == m::FILE_RECEIVED).count(),
        3
    );
    assert!(r.has(m::ALBUM_EXTRA) && r.has(m::REVIEW_HEADER));
    assert!(matches!(c.dialogue.state, State::Review { .. }));
    // Anything else ends the album.
    c.text("/status");
    assert_eq!(c.dialogue.album, None);
}

#[test]
fn an_album_where_no_photo_is_expected_is_answered_like_a_file() {
    let mut c = Chat::default();
    c.open(CaseKind::Unbind);
    let fx = c.send(Event::AlbumPart {
        album_id: "g2".into(),
        upload: Upload::photo("x"),
    });
    assert!(says(&fx, m::TEXT_EXPECTED));
    assert_eq!(c.field(), Some("serial"));
}
