-- The transactional outbox: what to send to Telegram, written in the same transaction as
-- the state change that caused it, deleted once sent. Rows left at a crash are sent on
-- restart, so a reply is never lost (rarely, it may be sent twice).
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    -- the rendered request (JSON), see telegram::outgoing
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    -- a newer row with the same (chat_id, coalesce_key) replaces an unsent older one
    coalesce_key TEXT,
    -- not sent before this instant (Unix ms): album answers wait for the album's last part
    not_before   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_due ON outbox (not_before, id);
CREATE INDEX outbox_chat_key ON outbox (chat_id, coalesce_key) WHERE coalesce_key IS NOT NULL;
