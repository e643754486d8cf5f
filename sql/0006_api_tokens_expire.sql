-- API tokens expire like sessions: IDEABOX_API_TOKEN_DAYS (90) after their last use,
-- extended as they are used. The tokens made before had no expiry; each gets one
-- counted from its own last use, as if the rule had always applied (the migration has
-- no clock of its own, and the database server's is not the application's).
UPDATE auth_tokens
SET expires_at = last_used_at + interval '90 days'
WHERE kind = 'api' AND expires_at IS NULL;
