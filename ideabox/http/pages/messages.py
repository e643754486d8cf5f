"""What the service says, in the reader's language.

The service speaks English to the API; a page shows the same error in Danish or
English. Known messages are catalog entries (marked ``N_`` so the extractor finds
them); a message with numbers is matched by pattern first. An error nobody foresaw is
still shown in the reader's language, by its kind (the HTTP status).
"""

from __future__ import annotations

import re
from typing import Any

from ideabox.http.pages import i18n
from ideabox.http.pages.i18n import N_
from ideabox.platform.errors import IdeaboxError, Invalid, TooManyRequests

# (pattern over the English message, catalog message with named parameters)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^must be at least (?P<n>\d+) characters"),
     N_("Must be at least %(n)s characters.")),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"),
     N_("Must be at least %(n)s characters.")),
    (re.compile(r"^must be at most (?P<n>\d+) characters"),
     N_("Must be at most %(n)s characters.")),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"),
     N_("Must be at most %(n)s characters.")),
    (re.compile(r"^Expected `int` >= (?P<n>\d+)"), N_("Must be at least %(n)s.")),
    (re.compile(r"^Expected `int` <= (?P<n>\d+)"), N_("Must be at most %(n)s.")),
    (re.compile(r"^Expected `int`"), N_("Must be a whole number.")),
    (re.compile(r"^Object missing required field"), N_("Fill in this field.")),
    (re.compile(r"^must not be blank"), N_("Fill in this field.")),
    (re.compile(r"^must be a month from (?P<first>[\d-]+) to (?P<last>[\d-]+)"),
     N_("Must be a month from %(first)s to %(last)s.")),
    (re.compile(r"^Invalid enum value"), N_("Choose one of the options.")),
]

# Exact messages of the service, as it raises them.
KNOWN: dict[str, str] = {m: m for m in (
    N_("Wrong e-mail or password"),
    N_("An account with this e-mail address already exists"),
    N_("already registered"),
    N_("must not contain control characters"),
    N_("must not contain NUL characters"),
    N_("is too large once formatted; make it shorter or its tables smaller"),
    N_("nests quotes or lists too deeply"),
    N_("is not a known time zone, e.g. Europe/Copenhagen"),
    N_("This purpose is for residents"),
    N_("This purpose is for the municipality's staff"),
    N_("The idea was withdrawn by its author"),
    N_("The idea was hidden by a moderator"),
    N_("Voting has closed: the idea has been implemented"),
    N_("Voting has closed: the administration has declined the idea"),
    N_("Voting has closed on this idea"),
    N_("An idea can be edited only while it is open"),
    N_("Only the author or an administrator may edit this idea"),
    N_("Only the author may withdraw this idea"),
    N_("Only an open idea can be withdrawn"),
    N_("Only its author may edit a comment"),
    N_("Only its author or a moderator may delete a comment"),
    N_("A deleted comment cannot be edited"),
    N_("That comment was deleted; it cannot be replied to"),
    N_("is not a comment on this idea"),
    N_("Only an admin can change roles"),
    N_("You cannot change your own role; another admin can"),
    N_("Only administrators create purposes"),
    N_("Only administrators change purposes"),
    N_("The time zone cannot change once a month has been promoted"),
    N_("The database is not available right now"),
    N_("Sign in to do this"),
    N_("Only administrators can open this page"),
    N_("Choose to vote or to remove your vote"),
    N_("Only an admin can list users"),
    N_("Tick the box to confirm"),
    N_("is not your current password"),
    N_("Your password was changed meanwhile; sign in again"),
    N_("Only moderators and administrators moderate"),
    N_("Only moderators and administrators can open this page"),
    N_("The idea is already hidden"),
    N_("The idea is not hidden"),
    N_("The idea's status before it was hidden is not on record"),
)}

_BY_STATUS: dict[int, str] = {
    400: N_("Something in the form needs correcting."),
    401: N_("Sign in to do this."),
    403: N_("You do not have access to this."),
    404: N_("We could not find what you were looking for."),
    405: N_("That cannot be done here."),
    409: N_("That cannot be done right now."),
    429: N_("You have tried many times in a short while. Wait a moment and try again."),
    503: N_("ideabox is not available right now. Try again in a moment."),
}
_FALLBACK = N_("Something went wrong on our side. Try again in a moment.")


def translate(lang: str, message: str) -> str | None:
    """``message`` from the service in ``lang``, or None if it is not one we know."""
    if message in KNOWN:
        return i18n.gettext(lang, KNOWN[message])
    for pattern, catalog in _PATTERNS:
        match = pattern.match(message)
        if match:
            return i18n.gettext(lang, catalog, **match.groupdict())
    return None


def for_status(lang: str, status: int) -> str:
    return i18n.gettext(lang, _BY_STATUS.get(status, _FALLBACK))


def field_message(lang: str, message: str) -> str:
    """An error about one field, as shown next to it."""
    return translate(lang, message) or for_status(lang, 400)


def error_message(lang: str, exc: IdeaboxError) -> str:
    """A service error as one sentence for the top of a page or form."""
    if isinstance(exc, TooManyRequests):
        return i18n.gettext(lang, N_("Too many attempts. Try again in %(seconds)s seconds."),
                            seconds=exc.retry_after)
    message = exc.message if isinstance(exc, Invalid) else exc.detail
    return translate(lang, message) or for_status(lang, exc.status_code)


def field_of(exc: IdeaboxError) -> str | None:
    """The input field a service error is about, if it names one."""
    if isinstance(exc, Invalid):
        return exc.field
    extra: Any = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        key = extra[0].get("key")
        return key if isinstance(key, str) else None
    return None
