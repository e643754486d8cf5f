-- Reasons to come back: notifications of replies and of comments on one's ideas, a
-- person's choices per kind of notification, following a purpose, and the weekly digest.

-- A notification about a comment: 'reply' (to one's comment) or 'comment' (on one's
-- idea). One per person per comment, enforced here, so the author of both the idea and
-- the comment replied to is told once.
ALTER TABLE notifications
    ADD COLUMN comment_id bigint REFERENCES comments ON DELETE CASCADE;
CREATE UNIQUE INDEX notifications_once_comment ON notifications (user_id, comment_id);

-- The topic a notification's kind belongs to: what a person turns on or off.
CREATE FUNCTION notification_topic(kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN kind = 'reply' THEN 'replies'
        WHEN kind = 'comment' THEN 'comments'
        WHEN kind IN ('promoted', 'answered') THEN 'status'
        WHEN kind IN ('due_soon', 'overdue') THEN 'reminders'
        WHEN kind = 'digest' THEN 'digest'
        ELSE 'decisions'
    END
$$;

-- A person's choices per topic: in the app, by e-mail. No row: both on. The general
-- e-mail switch (notification_settings.email) stays above all of them.
CREATE TABLE notification_preferences (
    user_id  bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    topic    text NOT NULL CHECK (topic IN ('replies', 'comments', 'status', 'decisions',
                                            'reminders', 'digest')),
    in_app   boolean NOT NULL DEFAULT true,
    by_email boolean NOT NULL DEFAULT true,
    PRIMARY KEY (user_id, topic)
);

-- Purposes a person follows: their new ideas are in the weekly digest.
CREATE TABLE purpose_follows (
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose_id bigint NOT NULL REFERENCES purposes ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, purpose_id)
);
CREATE INDEX purpose_follows_purpose ON purpose_follows (purpose_id);

-- The weekly digests: one row per person and ISO week ('2026-W49'), inserted (ON
-- CONFLICT DO NOTHING) in the transaction that decides the digest, and only a row that
-- inserts is mailed, so a digest goes out once however many instances run the loop and
-- however often they restart. items = 0: nothing to say that week, so no mail; the
-- row keeps the person from being looked at again that week.
CREATE TABLE weekly_digests (
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    week       text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    decided_at timestamptz NOT NULL,
    items      integer NOT NULL CHECK (items >= 0),
    PRIMARY KEY (user_id, week)
);
