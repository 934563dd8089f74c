-- The staff review queue: draft reminders, staff cards, reviewers' pending text input,
-- once-per-period jobs, and the indexes behind the queue, lease and retention queries.

-- An unfinished draft: the merchant's last activity on it (NULL = no draft), and whether
-- the merchant was already reminded of it, so the reminder job finds idle drafts with one
-- indexed range scan and reminds each only once.
ALTER TABLE dialogues ADD COLUMN draft_since timestamptz;
ALTER TABLE dialogues ADD COLUMN reminded boolean NOT NULL DEFAULT false;

CREATE INDEX dialogues_draft_due ON dialogues (draft_since)
    WHERE draft_since IS NOT NULL AND NOT reminded;

-- When retention erased the case's personal data (NULL = not erased). Erasing is
-- idempotent by this mark rather than by chat_id = 0, which /forget also sets without
-- scrubbing the audit trail.
ALTER TABLE cases ADD COLUMN erased_at timestamptz;

-- The staff group message that shows a case, so that it can be edited as the case moves.
CREATE TABLE staff_cards (
    case_id    bigint  PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    chat_id    bigint  NOT NULL,
    message_id integer NOT NULL
);

-- A reviewer pressed "reject: other", "ask for more" or "note": their next message in the
-- group is the text. One pending input per reviewer; a newer press replaces it.
CREATE TABLE staff_pending (
    user_id    bigint      PRIMARY KEY,
    case_ref   text        NOT NULL,
    action     text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- Periodic jobs (reminders, lease expiry, retention) run exactly once per period even with
-- several instances: the instance whose insert wins runs the job.
CREATE TABLE job_runs (
    job    text        NOT NULL,
    period text        NOT NULL,
    ran_at timestamptz NOT NULL,
    PRIMARY KEY (job, period)
);

-- (The staff queue, open cases oldest first, uses cases_status_created from 0001.)

-- Leases to expire: in-review cases by lease deadline.
CREATE INDEX cases_status_lease ON cases (status, lease_until);

-- A reviewer's own cases, oldest first.
CREATE INDEX cases_claimed_created ON cases (claimed_by, created_at)
    WHERE claimed_by IS NOT NULL;

-- Statistics: cases decided in a window.
CREATE INDEX cases_decided ON cases (decided_at) WHERE decided_at IS NOT NULL;

-- Retention: decided cases not yet erased, by decision time; erased rows leave the index.
CREATE INDEX cases_to_erase ON cases (decided_at)
    WHERE decided_at IS NOT NULL AND erased_at IS NULL;
