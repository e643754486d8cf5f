-- Assisted participation: staff register a person without digital access and post,
-- comment and vote for them (ideabox/assisted). The columns that say who entered what
-- came with 0007; this adds what reading them back needs.

-- A comment written for someone names the comment in the audit log, not only its idea.
ALTER TABLE audit_log ADD COLUMN comment_id bigint REFERENCES comments ON DELETE SET NULL;

-- Staff list the people registered for assisted participation, newest first: a handful
-- among all the accounts, found without reading the others.
CREATE INDEX users_assisted ON users (id DESC) WHERE assisted_by IS NOT NULL;

-- A person's audit log, newest first, a page at a time; it serves every lookup by
-- subject that 0007's index did.
CREATE INDEX audit_log_subject_newest ON audit_log (subject_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS audit_log_subject;
