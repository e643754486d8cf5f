-- Moderation: a row for every moderator action, so that what moderators did (and why)
-- can be accounted for afterwards: hiding an idea, showing it again, deleting someone
-- else's comment.

CREATE TABLE moderation_actions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action           text NOT NULL CHECK (action IN ('hide', 'unhide', 'delete_comment')),
    moderator_id     bigint NOT NULL REFERENCES users,
    idea_id          bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    comment_id       bigint REFERENCES comments ON DELETE CASCADE,
    -- Hiding and showing again are status changes of the idea; this is that entry.
    status_change_id bigint REFERENCES idea_status_changes ON DELETE CASCADE,
    reason           text CHECK (char_length(reason) BETWEEN 1 AND 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- The author of a hidden idea is always told why; a comment deletion names the comment.
    CONSTRAINT moderation_actions_what CHECK (
        CASE WHEN action = 'delete_comment'
             THEN comment_id IS NOT NULL AND status_change_id IS NULL
             ELSE comment_id IS NULL AND status_change_id IS NOT NULL AND reason IS NOT NULL
        END)
);
CREATE INDEX moderation_actions_newest ON moderation_actions (created_at DESC, id DESC);

-- The moderators' list of hidden ideas: few among many, so a partial index.
CREATE INDEX ideas_hidden ON ideas (id) WHERE status = 'hidden';
