-- Time is an input: every row is stamped with the instant the application's clock gives
-- (passed as a parameter), never with the database server's own now(). A retraction's
-- moment was taken by a trigger with now(); the retraction statement now writes it
-- itself, with the other rows of that statement, so it agrees with the votes' times.
DROP TRIGGER votes_record_retractions ON votes;
DROP FUNCTION record_vote_retractions();
