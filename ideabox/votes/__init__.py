"""Votes and their tallies: PostgreSQL is the record, Redis the cache."""
