-- Signals for moderators: bursts of new accounts, from one client address or many in a
-- short while, that vote for the same ideas; and what a promotion left out.

-- How many of the month's votes for the ideas in the running a promotion did not count
-- (people not eligible at the month's end, or held): counted by the ranking itself, for
-- the administration. NULL for runs before eligibility.
ALTER TABLE promotion_runs
    ADD COLUMN votes_not_counted integer CHECK (votes_not_counted >= 0);
