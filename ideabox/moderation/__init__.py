"""Moderation: moderators hide ideas (and show them again) with a reason the author is
told, and every moderator action is kept in a log that moderators can read."""
