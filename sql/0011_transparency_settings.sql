-- Transparency: each purpose says how soon the administration answers what it was
-- sent, how many distinct reporters hide an item pending review, and whether new ideas
-- wait for a moderator before they are published.
ALTER TABLE purposes
    ADD COLUMN answer_within_days integer NOT NULL DEFAULT 30
        CHECK (answer_within_days BETWEEN 0 AND 365),
    ADD COLUMN report_threshold integer NOT NULL DEFAULT 3
        CHECK (report_threshold BETWEEN 1 AND 100),
    ADD COLUMN review_before_publishing boolean NOT NULL DEFAULT false;

-- An idea waiting for review is seen only by its author and the moderators.
ALTER TABLE ideas DROP CONSTRAINT ideas_status_check;
ALTER TABLE ideas ADD CONSTRAINT ideas_status_check
    CHECK (status IN ('pending_review', 'open', 'promoted', 'under_review', 'accepted',
                      'implemented', 'rejected', 'withdrawn', 'hidden'));
