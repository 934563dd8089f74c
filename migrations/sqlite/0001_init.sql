-- posdesk on SQLite: the initial schema.
--
-- Every timestamp is an INTEGER of Unix milliseconds (UTC): it sorts correctly and
-- round-trips exactly to chrono's DateTime<Utc> (values are truncated to whole
-- milliseconds on write). JSON columns hold UTF-8 JSON text and are checked with
-- json_valid().

-- The conversation state of each chat (one row per chat).
CREATE TABLE dialogues (
    chat_id        INTEGER PRIMARY KEY,
    state          TEXT    NOT NULL CHECK (json_valid(state)),
    schema_version INTEGER NOT NULL,
    -- optimistic-concurrency counter, 1 for a new row, bumped on every save
    row_version    INTEGER NOT NULL CHECK (row_version >= 1),
    updated_at     INTEGER NOT NULL
) STRICT;

-- Submitted cases: the review queue.
CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    -- public reference such as UB-7K3QF9; looked up case-insensitively
    case_ref    TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    -- idempotency key of the submission
    draft_id    TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    serial      TEXT,
    fields      TEXT    NOT NULL CHECK (json_valid(fields)),
    attachments TEXT    NOT NULL CHECK (json_valid(attachments)),
    chat_id     INTEGER NOT NULL,
    locale      TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN (
                    'queued', 'in_review', 'waiting_merchant',
                    'approved', 'rejected', 'withdrawn')),
    claimed_by  INTEGER,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    decided_at  INTEGER
) STRICT;

-- At most one open case per device serial, enforced by the database itself.
CREATE UNIQUE INDEX cases_open_serial ON cases (serial)
    WHERE serial IS NOT NULL AND status IN ('queued', 'in_review', 'waiting_merchant');

CREATE INDEX cases_chat_created ON cases (chat_id, created_at);
CREATE INDEX cases_status_created ON cases (status, created_at);

-- The audit trail: every change to a case.
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    -- merchant:<chat id>, staff:<user id>, system
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    detail  TEXT    NOT NULL CHECK (json_valid(detail))
) STRICT;

CREATE INDEX case_events_case_at ON case_events (case_id, at);

-- Telegram update ids already applied (at-least-once delivery, applied once).
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    processed_at INTEGER NOT NULL
) STRICT;

-- For pruning old rows by age.
CREATE INDEX processed_updates_at ON processed_updates (processed_at);
