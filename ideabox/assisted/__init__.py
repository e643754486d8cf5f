"""Assisted participation: staff register a person without digital access, and post,
comment and vote for them; every act names the staff member in the audit log."""
