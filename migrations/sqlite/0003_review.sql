-- The staff review queue: draft reminders, staff cards, reviewers' pending text input,
-- once-per-period jobs, and the indexes behind the queue, lease and retention queries.

-- An unfinished draft: Unix ms of the merchant's last activity on it (NULL = no draft),
-- and whether the merchant was already reminded of it (0/1), so the reminder job finds
-- idle drafts with one indexed range scan and reminds each only once.
ALTER TABLE dialogues ADD COLUMN draft_since INTEGER;
ALTER TABLE dialogues ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0 CHECK (reminded IN (0, 1));

CREATE INDEX dialogues_draft_due ON dialogues (draft_since)
    WHERE draft_since IS NOT NULL AND reminded = 0;

-- When retention erased the case's personal data (Unix ms; NULL = not erased). Erasing is
-- idempotent by this mark rather than by chat_id = 0, which /forget also sets without
-- scrubbing the audit trail.
ALTER TABLE cases ADD COLUMN erased_at INTEGER;

-- The staff group message that shows a case, so that it can be edited as the case moves.
CREATE TABLE staff_cards (
    case_id    INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL
) STRICT;

-- A reviewer pressed "reject: other", "ask for more" or "note": their next message in the
-- group is the text. One pending input per reviewer; a newer press replaces it.
CREATE TABLE staff_pending (
    user_id    INTEGER PRIMARY KEY,
    case_ref   TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Periodic jobs (reminders, lease expiry, retention) run exactly once per period even with
-- several instances: the instance whose insert wins runs the job.
CREATE TABLE job_runs (
    job    TEXT    NOT NULL,
    period TEXT    NOT NULL,
    ran_at INTEGER NOT NULL,
    PRIMARY KEY (job, period)
) STRICT;

-- (The staff queue, open cases oldest first, uses cases_status_created from 0001.)

-- Leases to expire: in-review cases by lease deadline.
CREATE INDEX cases_status_lease ON cases (status, lease_until);

-- A reviewer's own cases, oldest first.
CREATE INDEX cases_claimed_created ON cases (claimed_by, created_at)
    WHERE claimed_by IS NOT NULL;

-- Statistics: cases decided in a window. The queries on decided cases write their status
-- test as `+status` so that SQLite walks this index (and cases_to_erase) by time instead of
-- every decided case by status.
CREATE INDEX cases_decided ON cases (decided_at) WHERE decided_at IS NOT NULL;

-- Retention: decided cases not yet erased, by decision time; erased rows leave the index.
CREATE INDEX cases_to_erase ON cases (decided_at)
    WHERE decided_at IS NOT NULL AND erased_at IS NULL;
