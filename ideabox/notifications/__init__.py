"""Notifications: in-app messages (and e-mails) when an idea is promoted or answered."""
