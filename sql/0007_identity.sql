-- Identity: a vote counts only from a real, distinct, eligible person.
--
-- Eligible for a purpose at an instant t (see ideabox/identity/eligibility.py, which
-- the live checks and the promotion share):
--   * a verified person at or before t (`users.verified_at`);
--   * the account not deleted at t;
--   * for a purpose with eligibility 'verified_residency': the person's latest
--     residency check at or before t said "resident";
--   * their votes not held out of the count, pending review, at the promotion's run.

-- E-mail addresses are confirmed by a link (double opt-in). Accounts made before this
-- migration keep working: they count as confirmed since they were made, recorded as
-- 'before_verification' so that it can be told apart from a confirmation.
ALTER TABLE users
    -- When the account became a verified person, by whichever way came first: its
    -- e-mail confirmed, a provider's sign-in, or registration by staff in person.
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN email_verified_via text
        CHECK (email_verified_via IN ('link', 'provider', 'command', 'demo',
                                      'before_verification')),
    ADD CONSTRAINT users_email_verified_how
        CHECK ((email_verified_at IS NULL) = (email_verified_via IS NULL)),
    -- Registered by staff for a person without digital access (assisted participation):
    -- who registered them, and how their identity was checked offline.
    ADD COLUMN assisted_by bigint REFERENCES users,
    ADD COLUMN assisted_note text CHECK (char_length(assisted_note) BETWEEN 1 AND 1000),
    ADD CONSTRAINT users_assisted_has_note
        CHECK ((assisted_by IS NULL) = (assisted_note IS NULL));
-- Someone signed in only through an OpenID provider (MitID gives no address) or
-- registered by staff may have no e-mail address.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

UPDATE users SET verified_at = created_at, email_verified_at = created_at,
                 email_verified_via = 'before_verification';

-- A confirmation link: only the hash of its secret is kept. Single use, until expiry,
-- and only for the address it was sent to (a link to an address since changed
-- confirms nothing).
CREATE TABLE email_verifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    email      text NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at DESC);

-- A sign-in through an OpenID provider: the provider's name (from
-- IDEABOX_OIDC_PROVIDERS) and an HMAC of its subject under the secret key. The subject
-- itself, and claims such as a CPR number, are never stored.
CREATE TABLE user_identities (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    provider     text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    subject_hash bytea NOT NULL CHECK (octet_length(subject_hash) = 32),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    UNIQUE (provider, subject_hash)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- Residency as a provider last said it: each sign-in through a provider that has a
-- residence claim adds a row with the answer (never the claim's value). The latest row
-- at an instant says whether the person was a verified resident then; someone who
-- moves away stops counting from their next sign-in.
CREATE TABLE residency_checks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    provider   text NOT NULL,
    resident   boolean NOT NULL,
    checked_at timestamptz NOT NULL
);
CREATE INDEX residency_checks_latest ON residency_checks (user_id, checked_at DESC, id DESC);

-- Who may take part in a purpose beyond its audience (the role): everyone with a
-- verified e-mail, or verified residents only. A promotion run keeps the rule it
-- counted by, so that `promote --verify` recounts by the same one (NULL: a run made
-- before eligibility existed, when every account counted).
ALTER TABLE purposes ADD COLUMN eligibility text NOT NULL DEFAULT 'verified_email'
    CHECK (eligibility IN ('verified_email', 'verified_residency'));
ALTER TABLE promotion_runs ADD COLUMN eligibility text
    CHECK (eligibility IN ('verified_email', 'verified_residency'));

-- Assisted participation: what staff entered for a person, and which staff member.
ALTER TABLE ideas ADD COLUMN assisted_by bigint REFERENCES users;
ALTER TABLE comments ADD COLUMN assisted_by bigint REFERENCES users;
ALTER TABLE votes ADD COLUMN assisted_by bigint REFERENCES users;

-- A retraction keeps whose vote it was, so that `promote --verify` can tell whether
-- the vote counted (the person's eligibility) when the promotion ran. Retractions
-- recorded before this are of votes that counted.
ALTER TABLE vote_retractions ADD COLUMN voter_id bigint REFERENCES users;

-- A moderator may hold a person's votes out of the count while a signal (a burst of
-- new accounts voting alike) is looked into; the hold ends when it is released. A
-- promotion leaves out the votes held when it runs.
CREATE TABLE vote_holds (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users,
    reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    held_by     bigint NOT NULL REFERENCES users,
    held_at     timestamptz NOT NULL,
    released_by bigint REFERENCES users,
    released_at timestamptz,
    CHECK ((released_by IS NULL) = (released_at IS NULL)),
    CHECK (released_at IS NULL OR released_at >= held_at)
);
CREATE UNIQUE INDEX vote_holds_open ON vote_holds (user_id) WHERE released_at IS NULL;
CREATE INDEX vote_holds_user ON vote_holds (user_id, held_at);

-- Every act of staff for another person, and every decision on held votes, names the
-- staff member: the audit log.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id   bigint NOT NULL REFERENCES users,
    action     text NOT NULL CHECK (action IN (
                   'register_assisted', 'post_idea_for', 'comment_for', 'vote_for',
                   'retract_vote_for', 'hold_votes', 'release_votes')),
    subject_id bigint REFERENCES users,
    idea_id    bigint REFERENCES ideas ON DELETE SET NULL,
    detail     text CHECK (char_length(detail) <= 1000),
    created_at timestamptz NOT NULL
);
CREATE INDEX audit_log_newest ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_subject ON audit_log (subject_id);
