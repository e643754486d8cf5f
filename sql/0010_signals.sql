-- Signals for moderators: bursts of new accounts, from one client address or many in a
-- short while, that vote for the same ideas; and what a promotion left out.

-- The client address an account was made from, as an HMAC under the secret key (an IPv6
-- address by its /64, the prefix one subscriber is given): enough to tell that two
-- accounts came from one address, never which address it was. Accounts made before this
-- have none. Cleared when the account is deleted.
ALTER TABLE users
    ADD COLUMN signup_address bytea CHECK (octet_length(signup_address) = 32);
CREATE INDEX users_signup_address ON users (signup_address, created_at)
    WHERE signup_address IS NOT NULL;
-- The bursts are looked for among the accounts made lately.
CREATE INDEX users_created ON users (created_at);

-- How many of the month's votes for the ideas in the running a promotion did not count
-- (people not eligible at the month's end, or held): counted by the ranking itself, for
-- the administration. NULL for runs before eligibility.
ALTER TABLE promotion_runs
    ADD COLUMN votes_not_counted integer CHECK (votes_not_counted >= 0);
