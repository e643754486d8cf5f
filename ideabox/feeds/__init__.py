"""Atom feeds: a purpose's new ideas and the administration's answers, an idea's history."""
