-- Reports by residents and the moderators' queue; review before publishing.

-- A comment hidden pending review keeps its place in the thread (like a deleted one),
-- its text kept for the moderators and for showing it again.
ALTER TABLE comments ADD COLUMN hidden_at timestamptz;

-- A case in the moderators' queue: an item reported (``reports``), an item whose author
-- asked for a second look (``second_look``), or an idea waiting for review before it is
-- published (``review``). Open while closed_at is NULL; the decision closes it.
CREATE TABLE moderation_cases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('reports', 'second_look', 'review')),
    idea_id     bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    -- NULL: the case is about the idea itself.
    comment_id  bigint REFERENCES comments ON DELETE CASCADE,
    opened_at   timestamptz NOT NULL,
    -- A second look: the author's words.
    message     text CHECK (char_length(message) BETWEEN 1 AND 1000),
    closed_at   timestamptz,
    decision    text CHECK (decision IN ('keep', 'hide', 'edit_request', 'approve', 'reject')),
    decided_by  bigint REFERENCES users,
    reason      text CHECK (char_length(reason) BETWEEN 1 AND 1000),
    CONSTRAINT moderation_cases_closed CHECK (
        (closed_at IS NULL) = (decision IS NULL) AND (closed_at IS NULL) = (reason IS NULL)),
    CONSTRAINT moderation_cases_decision CHECK (
        decision IS NULL
        OR (kind = 'review' AND decision IN ('approve', 'reject'))
        OR (kind <> 'review' AND decision IN ('keep', 'hide', 'edit_request')))
);
-- One open case per item: a new report joins it.
CREATE UNIQUE INDEX moderation_cases_open_idea ON moderation_cases (idea_id)
    WHERE closed_at IS NULL AND comment_id IS NULL;
CREATE UNIQUE INDEX moderation_cases_open_comment ON moderation_cases (comment_id)
    WHERE closed_at IS NULL;
-- An author asks for a second look once per item.
CREATE UNIQUE INDEX moderation_cases_second_look_idea ON moderation_cases (idea_id)
    WHERE kind = 'second_look' AND comment_id IS NULL;
CREATE UNIQUE INDEX moderation_cases_second_look_comment ON moderation_cases (comment_id)
    WHERE kind = 'second_look';
CREATE INDEX moderation_cases_queue ON moderation_cases (opened_at, id) WHERE closed_at IS NULL;
CREATE INDEX moderation_cases_item ON moderation_cases (idea_id, comment_id, id DESC);

-- A resident's report of an idea or a comment: once per person per item.
CREATE TABLE reports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    idea_id     bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    comment_id  bigint REFERENCES comments ON DELETE CASCADE,
    case_id     bigint NOT NULL REFERENCES moderation_cases ON DELETE CASCADE,
    reason      text NOT NULL
        CHECK (reason IN ('spam', 'offensive', 'personal_data', 'off_topic', 'other')),
    text        text CHECK (char_length(text) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX reports_once_idea ON reports (reporter_id, idea_id) WHERE comment_id IS NULL;
CREATE UNIQUE INDEX reports_once_comment ON reports (reporter_id, comment_id)
    WHERE comment_id IS NOT NULL;
CREATE INDEX reports_case ON reports (case_id);

-- Each decision in the queue is a moderator action with its reason, naming its case; a
-- decision need not change the idea's status (a comment, or an idea hidden already).
ALTER TABLE moderation_actions
    ADD COLUMN case_id bigint REFERENCES moderation_cases ON DELETE CASCADE,
    DROP CONSTRAINT moderation_actions_action_check,
    DROP CONSTRAINT moderation_actions_what;
ALTER TABLE moderation_actions
    ADD CONSTRAINT moderation_actions_action_check CHECK (action IN (
        'hide', 'unhide', 'delete_comment', 'keep', 'edit_request', 'approve', 'reject')),
    ADD CONSTRAINT moderation_actions_what CHECK (
        CASE WHEN action = 'delete_comment'
             THEN comment_id IS NOT NULL AND status_change_id IS NULL
             WHEN case_id IS NOT NULL THEN reason IS NOT NULL
             ELSE comment_id IS NULL AND status_change_id IS NOT NULL AND reason IS NOT NULL
        END);

-- A decision is told to the author: a notification about a moderator action rather than
-- a status change (a comment's, or a decision that left the status as it was).
ALTER TABLE notifications
    ADD COLUMN moderation_action_id bigint REFERENCES moderation_actions ON DELETE CASCADE;
CREATE UNIQUE INDEX notifications_once_action ON notifications (user_id, moderation_action_id);
