-- The monthly promotion, public responses and notifications: what 0001 lacked for
-- verifying a promotion afterwards and for notifying each person once.

-- The rule's parameters as they were when the month was promoted: a purpose's
-- promote_top_n and min_votes may change later, and `ideabox promote --verify` must
-- recompute with the values that applied. NULL only for runs recorded before this.
ALTER TABLE promotion_runs
    ADD COLUMN promote_top_n integer CHECK (promote_top_n BETWEEN 1 AND 100),
    ADD COLUMN min_votes     integer CHECK (min_votes BETWEEN 0 AND 1000000);

-- A retracted vote is deleted from `votes`; without a trace of it, the votes as they
-- stood when a month was promoted could not be recomputed. Only the idea and the two
-- moments are kept, not the voter. No foreign key: the rows are also written while an
-- idea's votes are deleted together with the idea.
CREATE TABLE vote_retractions (
    idea_id      bigint NOT NULL,
    cast_at      timestamptz NOT NULL,
    retracted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vote_retractions_idea ON vote_retractions (idea_id, cast_at);

CREATE FUNCTION record_vote_retractions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO vote_retractions (idea_id, cast_at) SELECT idea_id, created_at FROM gone;
    RETURN NULL;
END
$$;

-- Per statement, with a transition table: one INSERT however many votes one DELETE removes.
CREATE TRIGGER votes_record_retractions
    AFTER DELETE ON votes REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION record_vote_retractions();

-- Each notification is about one status change; one per person per change, enforced
-- here, so an author who also voted and follows is told once.
ALTER TABLE notifications
    ADD COLUMN status_change_id bigint REFERENCES idea_status_changes ON DELETE CASCADE;
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, status_change_id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A person's choices for notifications: e-mail on or off, and the language of the
-- e-mails (NULL: not known, Danish is used).
CREATE TABLE notification_settings (
    user_id  bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    email    boolean NOT NULL DEFAULT true,
    language text CHECK (language IN ('da', 'en'))
);
