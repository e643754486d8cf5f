-- Each idea's vote count, kept by the statement that casts or retracts a vote, in the
-- same transaction: it is always count(*) over the idea's votes, however many app
-- instances vote at once. `version` moves on at every change; Redis keeps a copy with
-- its version and replaces it only with a newer one, so the cached tally every instance
-- reads is never older than the last acknowledged vote.
--
-- `month_votes` counts the votes cast in `month` (the month of the latest vote, in the
-- purpose's time zone) that still stand; read for another month, the idea has none yet.
CREATE TABLE idea_tallies (
    idea_id     bigint PRIMARY KEY REFERENCES ideas ON DELETE CASCADE,
    votes       integer NOT NULL CHECK (votes >= 0),
    month       date,
    month_votes integer NOT NULL CHECK (month_votes >= 0 AND month_votes <= votes),
    version     bigint NOT NULL CHECK (version > 0)
);

WITH stamped AS (
    SELECT v.idea_id, date_trunc('month', v.created_at AT TIME ZONE p.timezone)::date AS month
    FROM votes v
    JOIN ideas i ON i.id = v.idea_id
    JOIN purposes p ON p.id = i.purpose_id
), latest AS (
    SELECT idea_id, max(month) AS month FROM stamped GROUP BY idea_id
)
INSERT INTO idea_tallies (idea_id, votes, month, month_votes, version)
SELECT s.idea_id, count(*), l.month, count(*) FILTER (WHERE s.month = l.month), 1
FROM stamped s JOIN latest l ON l.idea_id = s.idea_id
GROUP BY s.idea_id, l.month;

-- Lists of one status (?status=accepted) rank that status's ideas of the purpose.
CREATE INDEX ideas_purpose_status ON ideas (purpose_id, status);
