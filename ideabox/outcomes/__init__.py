"""What became of the promoted ideas: the answer deadline's "What happened" page and
reminders."""
