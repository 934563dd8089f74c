-- The transactional outbox: what to send to Telegram, written in the same transaction as
-- the state change that caused it, deleted once sent. Rows left at a crash are sent on
-- restart, so a reply is never lost (rarely, it may be sent twice).
CREATE TABLE outbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id      bigint      NOT NULL,
    -- the rendered request, see telegram::outgoing
    payload      jsonb       NOT NULL,
    -- a newer row with the same (chat_id, coalesce_key) replaces an unsent older one
    coalesce_key text,
    -- not sent before this instant: album answers wait for the album's last part
    not_before   timestamptz NOT NULL,
    attempts     bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL
);

CREATE INDEX outbox_due ON outbox (not_before, id);
CREATE INDEX outbox_chat_key ON outbox (chat_id, coalesce_key) WHERE coalesce_key IS NOT NULL;
