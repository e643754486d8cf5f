-- Signing in through OpenID Connect providers (IDEABOX_OIDC_PROVIDERS).

-- A sign-in through a provider finishes once. Its pending state travels in an encrypted
-- cookie (ideabox/identity/oidc/pending.py), which could be sent twice; the callback
-- records the state's SHA-256 here first, and a state already here is refused. A row
-- is of use only until the cookie would have expired, and is deleted after.
CREATE TABLE oidc_sign_ins_finished (
    state_hash bytea PRIMARY KEY CHECK (octet_length(state_hash) = 32),
    expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_sign_ins_finished_expiry ON oidc_sign_ins_finished (expires_at);

-- The provider a browser session was started through (NULL: a password), so that
-- signing out can end the session at the provider too (RP-initiated logout).
ALTER TABLE auth_tokens ADD COLUMN provider text
    CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,39}$');
