-- The answer deadline's reminders: the administration is reminded a week before a
-- promoted idea's answer is due ('due_soon') and when it is due ('overdue'). One row per
-- idea and kind, inserted (ON CONFLICT DO NOTHING) in the transaction that writes the
-- reminder's notifications, so a reminder goes out once however many instances run
-- the loop and however often it is restarted.
CREATE TABLE answer_reminders (
    idea_id    bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    answer_due timestamptz NOT NULL,
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (idea_id, kind)
);

