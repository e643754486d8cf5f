"""Checks msgspec cannot express: they run after trimming, and name the field at fault."""

from __future__ import annotations

from ideabox.errors import Invalid


def trimmed(value: str, field: str, minimum: int, maximum: int) -> str:
    """``value`` without surrounding white space, between ``minimum`` and ``maximum`` long."""
    text = value.strip()
    if len(text) < minimum:
        raise Invalid(field, f"must be at least {minimum} characters (not counting spaces "
                             f"at the ends)")
    if len(text) > maximum:
        raise Invalid(field, f"must be at most {maximum} characters")
    if "\x00" in text:
        raise Invalid(field, "must not contain NUL characters")
    return text
