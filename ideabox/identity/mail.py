"""The confirmation mail: Danish or English, plain text with an HTML alternative, sent
after the transaction that made its link has committed (a rolled-back sign-up mails
nothing), in the background: a slow SMTP server never holds up the answer, and a mail
that is lost can be asked for again."""

from __future__ import annotations

import html
import logging
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from ideabox.identity.email import VERIFICATION_HOURS, Started
from ideabox.platform import postbox
from ideabox.platform.db import Db
from ideabox.platform.i18n import LANGUAGES, N_, gettext
from ideabox.platform.settings import Settings
from ideabox.services import Services

log = logging.getLogger(__name__)

_SUBJECT = N_("Confirm your e-mail address for ideabox")
_GREETING = N_("Hello %(name)s")
_ASK = N_("Confirm that this is your e-mail address, so that your votes, ideas and "
          "comments count:")
_BUTTON = N_("Confirm my e-mail address")
_EXPIRES = N_("The link works once, for %(hours)s hours. If it has expired, ask for a new "
              "one on your page in ideabox.")
_NOT_ME = N_("If you did not sign up for ideabox, ignore this mail: without the "
             "confirmation, the address is not used for anything.")


def confirmation_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/verify-email?token={quote(token)}"


def compose(settings: Settings, link: Started, language: str) -> EmailMessage:
    """The mail with the confirmation link, in ``language``."""
    language = language if language in LANGUAGES else "da"

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    url = confirmation_url(settings, link.token)
    message = postbox.stamp(EmailMessage(), settings)
    message["To"] = link.email
    message["Subject"] = say(_SUBJECT)
    greeting, ask = say(_GREETING, name=link.display_name), say(_ASK)
    expires, not_me = say(_EXPIRES, hours=VERIFICATION_HOURS), say(_NOT_ME)
    message.set_content(f"{greeting}\n\n{ask}\n\n{url}\n\n{expires}\n\n-- \n{not_me}\n")
    e = html.escape
    message.add_alternative(f"""<!doctype html>
<html lang="{language}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{e(greeting)}</p>
<p>{e(ask)}</p>
<p><a href="{e(url)}" style="display: inline-block; padding: 0.6em 1.2em; background: #1d4f91;
color: #ffffff; text-decoration: none; border-radius: 4px">{e(say(_BUTTON))}</a></p>
<p>{e(url)}</p>
<p>{e(expires)}</p>
<hr>
<p style="color: #555555">{e(not_me)}</p>
</body></html>
""", subtype="html")
    # After the parts are made: a Content-* header set before would move into the first.
    message["Content-Language"] = language
    return message


async def _send(settings: Settings, link: Started, language: str) -> None:
    try:
        where = await postbox.deliver(settings, compose(settings, link, language))
    except Exception:  # after the answer: nobody to tell but the log
        log.warning("confirmation mail to user %d could not be sent", link.user_id,
                    exc_info=True)
        return
    if settings.smtp_host is None:
        # No mail server: the link goes to the log too, so that whoever runs ideabox
        # on their own machine can follow it.
        log.info("confirmation link for %s (written to %s): %s", link.email, where,
                 confirmation_url(settings, link.token))


def send_after_commit(services: Services, db: Db, link: Started, language: str) -> None:
    """Mail ``link`` once ``db`` commits (never for a transaction rolled back)."""
    async def start() -> None:
        services.background.spawn(_send(services.settings, link, language))

    db.after_commit(start)
