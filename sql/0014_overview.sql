-- The staff overview ("Overblik"): each purpose's figures per month, and all purposes'
-- together per calendar month in Europe/Copenhagen, counted by a background refresh so
-- that the page reads one indexed query however many votes there are. A month that is
-- over is counted once after it ends and again only when a late change may have altered
-- it; the month under way is counted again every few minutes. Distinct participants
-- cannot be summed across purposes, so the overall figures are rows of their own.
CREATE TABLE overview_months (
    -- 0: all purposes together (no purpose has id 0: ids start at 1).
    purpose_id    bigint NOT NULL CHECK (purpose_id >= 0),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    ideas         integer NOT NULL CHECK (ideas >= 0),
    votes         integer NOT NULL CHECK (votes >= 0),
    comments      integer NOT NULL CHECK (comments >= 0),
    participants  integer NOT NULL CHECK (participants >= 0),
    residents     integer NOT NULL CHECK (residents BETWEEN 0 AND participants),
    verified      integer NOT NULL CHECK (verified BETWEEN 0 AND participants),
    promotions    integer NOT NULL CHECK (promotions >= 0),
    answers       integer NOT NULL CHECK (answers >= 0),
    -- Days from promotion to the first public answer, for the ideas answered in the
    -- month; NULL when none was.
    median_days_to_answer double precision,
    -- Promoted ideas without an answer whose answer was due, at the month's end (at the
    -- moment of counting for the month under way).
    overdue       integer NOT NULL CHECK (overdue >= 0),
    computed_at   timestamptz NOT NULL,
    PRIMARY KEY (purpose_id, month)
);

-- What the last refresh saw: when it ran, and fingerprints of what every month's
-- figures depend on besides the month's own rows (who is staff, each purpose's answer
-- deadline and time zone). A changed fingerprint counts every month again.
CREATE TABLE overview_refreshes (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    refreshed_at   timestamptz NOT NULL,
    full_count_at  timestamptz NOT NULL,
    staff_key      text NOT NULL,
    purposes_key   text NOT NULL
);

-- Late changes to months that are over: a vote of an earlier month retracted, an idea
-- of an earlier month published after review. Both are found by when they happened.
CREATE INDEX vote_retractions_retracted_brin ON vote_retractions USING brin (retracted_at);
CREATE INDEX idea_status_changes_reviewed ON idea_status_changes (created_at)
    WHERE from_status = 'pending_review';
-- A month's comments, and the promotions and answers every month's figures need.
CREATE INDEX comments_created_brin ON comments USING brin (created_at);
CREATE INDEX idea_status_changes_promoted ON idea_status_changes (idea_id, created_at)
    WHERE to_status = 'promoted';
CREATE INDEX idea_status_changes_answered ON idea_status_changes (idea_id, created_at)
    WHERE trigger = 'response';
