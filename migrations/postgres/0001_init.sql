-- posdesk on PostgreSQL: the initial schema, the same tables as migrations/sqlite/0001_init.sql
-- with native types.
--
-- Every instant is a timestamptz. The application truncates instants to whole milliseconds
-- before writing them, as the SQLite backend does, so both backends return the same values.
-- The dialogue state is `json` (checked, but kept as the exact text the core wrote); the
-- other JSON columns are `jsonb`.

-- The conversation state of each chat (one row per chat).
CREATE TABLE dialogues (
    chat_id        bigint      PRIMARY KEY,
    state          json        NOT NULL,
    schema_version integer     NOT NULL,
    -- optimistic-concurrency counter, 1 for a new row, bumped on every save
    row_version    bigint      NOT NULL CHECK (row_version >= 1),
    updated_at     timestamptz NOT NULL
);

-- Submitted cases: the review queue.
CREATE TABLE cases (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- public reference such as UB-7K3QF9, stored as submitted; unique and looked up
    -- case-insensitively through the index cases_case_ref_upper
    case_ref    text        NOT NULL,
    -- idempotency key of the submission
    draft_id    text        NOT NULL CONSTRAINT cases_draft_id_key UNIQUE,
    kind        text        NOT NULL,
    brand       text        NOT NULL,
    serial      text,
    fields      jsonb       NOT NULL,
    attachments jsonb       NOT NULL,
    chat_id     bigint      NOT NULL,
    locale      text        NOT NULL,
    status      text        NOT NULL DEFAULT 'queued' CHECK (status IN (
                    'queued', 'in_review', 'waiting_merchant',
                    'approved', 'rejected', 'withdrawn')),
    claimed_by  bigint,
    lease_until timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    decided_at  timestamptz
);

-- Case references are unique ignoring case (SQLite: COLLATE NOCASE UNIQUE); lookups
-- compare upper(case_ref) = upper($1) and use this index.
CREATE UNIQUE INDEX cases_case_ref_upper ON cases (upper(case_ref));

-- At most one open case per device serial, enforced by the database itself.
CREATE UNIQUE INDEX cases_open_serial ON cases (serial)
    WHERE serial IS NOT NULL AND status IN ('queued', 'in_review', 'waiting_merchant');

CREATE INDEX cases_chat_created ON cases (chat_id, created_at);
CREATE INDEX cases_status_created ON cases (status, created_at);

-- The audit trail: every change to a case.
CREATE TABLE case_events (
    id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL,
    -- merchant:<chat id>, staff:<user id>, system
    actor   text        NOT NULL,
    action  text        NOT NULL,
    detail  jsonb       NOT NULL
);

CREATE INDEX case_events_case_at ON case_events (case_id, at);

-- Telegram update ids already applied (at-least-once delivery, applied once).
CREATE TABLE processed_updates (
    update_id    bigint      PRIMARY KEY,
    chat_id      bigint      NOT NULL,
    processed_at timestamptz NOT NULL
);

-- For pruning old rows by age.
CREATE INDEX processed_updates_at ON processed_updates (processed_at);
