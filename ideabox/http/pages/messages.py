"""What the service says, in the reader's language.

Every error carries a code (``ideabox.platform.messages``); a page shows its text from
the gettext catalogs, with the values the error names. A few field codes read better
on a page as a sentence of their own. An error without a known code (a framework's)
is shown by its kind (the HTTP status).
"""

from __future__ import annotations

from typing import Any

from ideabox.platform import i18n
from ideabox.platform.errors import IdeaboxError, TooManyRequests
from ideabox.platform.i18n import N_
from ideabox.platform.messages import MESSAGES

# How a page puts some field errors, next to the field.
_ON_A_PAGE: dict[str, str] = {
    "blank": N_("Fill in this field."),
    "too_short": N_("Must be at least %(n)s characters."),
    "too_long": N_("Must be at most %(n)s characters."),
    "month_range": N_("Must be a month from %(first)s to %(last)s."),
    "not_a_number": N_("Must be a whole number."),
    "too_small": N_("Must be at least %(n)s."),
    "too_big": N_("Must be at most %(n)s."),
    "choose_one": N_("Choose one of the options."),
    "choose_accounts": N_("Choose at least one account."),
    "not_an_email": N_("Write an e-mail address, such as anna@example.dk."),
    "wrong_form": N_("This is not in the expected form."),
}

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


def text(lang: str, code: str, **params: Any) -> str:
    """The message of ``code`` in ``lang``."""
    return i18n.gettext(lang, _ON_A_PAGE.get(code) or MESSAGES[code], **params)


def for_status(lang: str, status: int) -> str:
    return i18n.gettext(lang, _BY_STATUS.get(status, _FALLBACK))


def error_message(lang: str, exc: IdeaboxError) -> str:
    """A service error as one sentence for the top of a page or form, or beside its
    field."""
    if isinstance(exc, TooManyRequests):
        return i18n.gettext(lang, N_("Too many attempts. Try again in %(seconds)s seconds."),
                            seconds=exc.retry_after)
    if exc.code in MESSAGES:
        return text(lang, exc.code, **exc.params)
    return for_status(lang, exc.status_code)
