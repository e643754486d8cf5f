-- ideabox: the first schema. Constraints here enforce the rules that must never break;
-- application code checks them too, but only to give a friendly error first.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL
                  CHECK (email = lower(email) AND char_length(email) <= 254
                         AND position('@' IN email) > 1),
    password_hash text NOT NULL,
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
    role          text NOT NULL DEFAULT 'resident'
                  CHECK (role IN ('resident', 'staff', 'moderator', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Set when the person deletes their account: their content stays, anonymised.
    deleted_at    timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Browser sessions and API tokens are the same thing: an opaque secret whose SHA-256
-- maps to a person. Only the hash is stored; deleting the row revokes it at once.
CREATE TABLE auth_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('session', 'api')),
    token_hash   bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE purposes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE
                   CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 60),
    title          text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 140),
    statement      text NOT NULL CHECK (char_length(statement) BETWEEN 1 AND 5000),
    statement_html text NOT NULL,
    audience       text NOT NULL DEFAULT 'everyone'
                   CHECK (audience IN ('everyone', 'residents', 'staff')),
    promote_top_n  integer NOT NULL DEFAULT 3 CHECK (promote_top_n BETWEEN 1 AND 100),
    min_votes      integer NOT NULL DEFAULT 1 CHECK (min_votes BETWEEN 0 AND 1000000),
    timezone       text NOT NULL DEFAULT 'Europe/Copenhagen',
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     bigint REFERENCES users
);

CREATE TABLE ideas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose_id  bigint NOT NULL REFERENCES purposes,
    author_id   bigint NOT NULL REFERENCES users,
    title       text NOT NULL CHECK (char_length(title) BETWEEN 5 AND 140),
    body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000),
    body_html   text NOT NULL,
    status      text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'promoted', 'under_review', 'accepted',
                                  'implemented', 'rejected', 'withdrawn', 'hidden')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Danish stemming, title weighted above body: "cykelstier" finds "cykelsti".
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('danish', title), 'A')
                    || setweight(to_tsvector('danish', body), 'B')) STORED
);
CREATE INDEX ideas_purpose_created ON ideas (purpose_id, created_at DESC, id DESC);
CREATE INDEX ideas_author ON ideas (author_id, created_at DESC);
CREATE INDEX ideas_search ON ideas USING gin (search);

-- One vote per person per idea, enforced here. created_at decides the month a vote
-- counts for; it is carried in the primary key's leaf so per-idea monthly counts are
-- index-only scans, without a second index on the hottest write path.
CREATE TABLE votes (
    idea_id    bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    voter_id   bigint NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT votes_pkey PRIMARY KEY (idea_id, voter_id) INCLUDE (created_at)
);
CREATE INDEX votes_voter ON votes (voter_id, created_at DESC);
-- Votes arrive in time order, so a BRIN index finds a month's votes at almost no cost.
CREATE INDEX votes_created_brin ON votes USING brin (created_at);

CREATE TABLE comments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id    bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    parent_id  bigint,
    author_id  bigint NOT NULL REFERENCES users,
    body       text NOT NULL,
    body_html  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- A deleted comment keeps its place in the thread; its text is erased.
    deleted_at timestamptz,
    CONSTRAINT comments_body_length
        CHECK (deleted_at IS NOT NULL OR char_length(body) BETWEEN 1 AND 5000),
    CONSTRAINT comments_id_idea UNIQUE (id, idea_id),
    -- A reply's parent belongs to the same idea.
    CONSTRAINT comments_parent_same_idea FOREIGN KEY (parent_id, idea_id)
        REFERENCES comments (id, idea_id)
);
CREATE INDEX comments_idea ON comments (idea_id, created_at, id);

-- Every status an idea has had, with who or what changed it and the public response.
CREATE TABLE idea_status_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id       bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    from_status   text,
    to_status     text NOT NULL,
    changed_by    bigint REFERENCES users,   -- NULL: ideabox itself (scheduled promotion)
    trigger       text NOT NULL,             -- e.g. posted, withdrawn, promotion:schedule
    response      text,
    response_html text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_status_changes_idea ON idea_status_changes (idea_id, created_at, id);

-- One row per purpose and month that has been promoted, even when no idea qualified,
-- so that "promoted, nothing qualified" differs from "not promoted yet".
CREATE TABLE promotion_runs (
    purpose_id   bigint NOT NULL REFERENCES purposes,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    trigger      text NOT NULL,
    triggered_by bigint REFERENCES users,
    ran_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (purpose_id, month)
);

CREATE TABLE promotions (
    purpose_id     bigint NOT NULL,
    month          date NOT NULL,
    rank           integer NOT NULL CHECK (rank >= 1),
    idea_id        bigint NOT NULL UNIQUE REFERENCES ideas,  -- promoted at most once
    votes_in_month integer NOT NULL CHECK (votes_in_month >= 0),
    total_votes    integer NOT NULL CHECK (total_votes >= votes_in_month),
    PRIMARY KEY (purpose_id, month, rank),
    FOREIGN KEY (purpose_id, month) REFERENCES promotion_runs (purpose_id, month)
);

CREATE TABLE follows (
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    idea_id    bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idea_id)
);
CREATE INDEX follows_idea ON follows (idea_id);

CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    idea_id    bigint REFERENCES ideas ON DELETE CASCADE,
    kind       text NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);

-- The Redis cache's health, shared by every instance. Bumping generation tells all of
-- them that Redis may be wrong (a failed write, a restart) and must be rebuilt.
CREATE TABLE cache_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation   bigint NOT NULL DEFAULT 1,
    redis_run_id text
);
INSERT INTO cache_state DEFAULT VALUES;
