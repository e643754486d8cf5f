"""The weekly digest as an e-mail: plain text, in the person's language, with the links
to come back by and the one-click unsubscribe of the digest."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any

from ideabox.digest.content import Digest
from ideabox.notifications.mail import idea_url
from ideabox.notifications.unsubscribe import add_headers
from ideabox.platform import postbox
from ideabox.platform.i18n import LANGUAGES, N_, format_date, format_number, gettext
from ideabox.platform.labels import STATUS
from ideabox.platform.settings import Settings

_SUBJECT = N_("Your week on the idea box, up to %(date)s")
_GREETING = N_("Hello %(name)s")
_INTRO = N_("Here is what happened this week with the ideas you take part in.")
_MY_CHANGES = N_("Your ideas changed status")
_MY_VOTES = N_("Votes for your ideas this week")
_ANSWERS = N_("Answers to ideas you voted for")
_NEW_IDEAS = N_("New ideas in the purposes you follow")
_CHANGE = N_("“%(title)s”: %(status)s")
_NEW = N_("“%(title)s” (%(purpose)s)")
_MORE = N_("See everything on your page: %(url)s")
_WHY = N_("You get this e-mail on Mondays when there is news about ideas you shared, voted "
          "for or follow. Choose what you are told on your page.")
_STOP = N_("Stop the weekly digest with one click: %(url)s")


def compose(user_id: int, address: str, name: str, language: str, digest: Digest,
            until: datetime, settings: Settings) -> EmailMessage:
    """One person's digest, in their language (Danish unless they chose English)."""
    language = language if language in LANGUAGES else "da"

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    def line(text: str, idea_id: int) -> str:
        return f"- {text}\n  {idea_url(settings, idea_id)}"

    def change(title: str, to_status: str) -> str:
        return say(_CHANGE, title=title, status=say(STATUS[to_status]))

    # Each section: its heading and its lines (idea text, idea id); empty ones are left out.
    contents = [
        (_MY_CHANGES, [(change(c.title, c.to_status), c.idea_id) for c in digest.my_changes]),
        (_MY_VOTES, [(f"“{v.title}”: {format_number(language, v.votes)}", v.idea_id)
                     for v in digest.my_votes]),
        (_ANSWERS, [(change(a.title, a.to_status), a.idea_id) for a in digest.answers]),
        (_NEW_IDEAS, [(say(_NEW, title=n.title, purpose=n.purpose), n.idea_id)
                      for n in digest.new_ideas]),
    ]
    sections = ["\n".join([say(heading)] + [line(text, idea_id) for text, idea_id in lines])
                for heading, lines in contents if lines]

    message = postbox.stamp(EmailMessage(), settings)
    message["To"] = address
    message["Subject"] = say(_SUBJECT, date=format_date(language, until,
                                                        "Europe/Copenhagen"))
    message["Content-Language"] = language
    stop = add_headers(message, settings, user_id, "digest")
    parts = [say(_GREETING, name=name), say(_INTRO), *sections,
             say(_MORE, url=f"{settings.base_url.rstrip('/')}/me"), "-- ", say(_WHY)]
    if stop:
        parts.append(say(_STOP, url=stop))
    message.set_content("\n\n".join(parts) + "\n")
    return message
