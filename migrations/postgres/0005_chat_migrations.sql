-- Groups Telegram upgraded to supergroups (a new chat id): learnt from the service
-- messages or from a send answered with `migrate_to_chat_id`, kept so that a restart, and
-- every instance, send to the new id (the staff group is followed there).
CREATE TABLE chat_migrations (
    from_chat_id bigint      PRIMARY KEY,
    to_chat_id   bigint      NOT NULL,
    migrated_at  timestamptz NOT NULL
);
