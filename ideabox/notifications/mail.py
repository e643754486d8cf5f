"""Notification e-mails, sent after the change is committed, in the background.

The in-app notification is the record; an e-mail is a courtesy on top. So mail goes out
only once the transaction has committed (never for a change that was rolled back), in
a task of its own (a slow or absent SMTP server never holds up or fails a request), and
a failure is logged, not raised. Each e-mail is in the person's language when they chose
one, otherwise in Danish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib
import asyncpg

from ideabox.notifications.preferences import MAILED
from ideabox.notifications.unsubscribe import add_headers
from ideabox.platform.background import Background
from ideabox.platform.db import CONNECTION_ERRORS, Db
from ideabox.platform.i18n import LANGUAGES, N_, gettext
from ideabox.platform.labels import STATUS
from ideabox.platform.settings import Settings

log = logging.getLogger(__name__)

# Recipients are read and mailed a batch at a time (by notification id), so a promotion
# with thousands of voters needs neither the memory for all of them nor a long-open
# transaction, and each batch gets a fresh SMTP connection.
BATCH = 500

_RECIPIENTS = f"""
SELECT n.id, n.user_id, u.email, u.display_name, coalesce(s.language, 'da') AS language, n.kind,
       i.id AS idea_id, i.title, sc.to_status, sc.response
FROM notifications n
JOIN users u ON u.id = n.user_id AND u.deleted_at IS NULL
LEFT JOIN notification_settings s ON s.user_id = n.user_id
JOIN ideas i ON i.id = n.idea_id
JOIN idea_status_changes sc ON sc.id = n.status_change_id
WHERE n.status_change_id = ANY($1::bigint[]) AND coalesce(s.email, true) AND n.id > $2
  AND {MAILED}
  -- People with no address (registered by staff, or signed in only through MitID) get
  -- the notification on the site and no mail.
  AND u.email IS NOT NULL
ORDER BY n.id
LIMIT $3
"""  # noqa: S608 - a constant spliced in; values go as $n

# The e-mails' texts, in the catalogs with the pages' (ideabox/translations).
_SUBJECT = {"promoted": N_("Sent to the administration: %(title)s"),
            "answered": N_("The administration's answer: %(title)s")}
_BODY = {"promoted": N_("The idea “%(title)s” is among this month's top ideas and has been "
                        "sent to the administration, which will answer it in public."),
         "answered": N_("The administration has answered the idea “%(title)s”.\n\n"
                        "Status: %(status)s\n\n%(response)s")}
_GREETING = N_("Hello %(name)s")
_LINK = N_("See the idea: %(url)s")
_WHY = N_("You get this message because you shared, voted for or follow the idea. You can "
          "turn e-mails off in your notification settings.")
_STOP = N_("Stop these e-mails with one click: %(url)s")


# A moderator's decision about the author's idea or comment (moderation/queue.py).
_DECISION_RECIPIENT = f"""
SELECT n.id, n.user_id, u.email, u.display_name, coalesce(s.language, 'da') AS language, n.kind,
       i.id AS idea_id, i.title, m.reason AS response, m.comment_id
FROM notifications n
JOIN users u ON u.id = n.user_id AND u.deleted_at IS NULL
LEFT JOIN notification_settings s ON s.user_id = n.user_id
JOIN ideas i ON i.id = n.idea_id
JOIN moderation_actions m ON m.id = n.moderation_action_id
WHERE n.moderation_action_id = $1 AND coalesce(s.email, true) AND u.email IS NOT NULL
  AND {MAILED}
"""  # noqa: S608 - a constant spliced in; values go as $n
_DECISION_SUBJECT = N_("A moderator's decision: %(title)s")
_DECISION_BODY = {
    "kept": N_("A moderator looked at the reports of %(what)s and kept it.\n\n%(response)s"),
    "hidden": N_("A moderator hid %(what)s.\n\nThe reason: %(response)s"),
    "edit_requested": N_("A moderator asks you to change %(what)s:\n\n%(response)s"),
    "published": N_("A moderator approved and published %(what)s.\n\n%(response)s"),
    "not_published": N_("A moderator did not publish %(what)s.\n\nThe reason: %(response)s"),
}
_WHAT = {False: N_("your idea “%(title)s”"), True: N_("your comment on “%(title)s”")}
_WHY_DECISION = N_("You get this message because you wrote what the moderators decided "
                   "about. You can turn e-mails off in your notification settings.")


def idea_url(settings: Settings, idea_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/ideas/{idea_id}"


def compose(row: asyncpg.Record, settings: Settings) -> EmailMessage:
    """One notification e-mail, plain text, in the recipient's language."""
    language = row["language"] if row["language"] in LANGUAGES else "da"
    kind = "promoted" if row["kind"] == "promoted" else "answered"

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    title = row["title"]
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row["email"]
    message["Subject"] = say(_SUBJECT[kind], title=title)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ideabox")
    message["Content-Language"] = language
    stop = add_headers(message, settings, row["user_id"], "status")
    body = "\n\n".join([
        say(_GREETING, name=row["display_name"]),
        say(_BODY[kind], title=title, status=say(STATUS[row["to_status"]]),
            response=row["response"] or "").rstrip(),
        say(_LINK, url=idea_url(settings, row["idea_id"])), "-- ", say(_WHY),
        *([say(_STOP, url=stop)] if stop else [])])
    message.set_content(body + "\n")
    return message


def compose_decision(row: asyncpg.Record, settings: Settings) -> EmailMessage:
    """The e-mail telling an author about a moderator's decision, in their language."""
    language = row["language"] if row["language"] in LANGUAGES else "da"

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    what = say(_WHAT[row["comment_id"] is not None], title=row["title"])
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row["email"]
    message["Subject"] = say(_DECISION_SUBJECT, title=row["title"])
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ideabox")
    message["Content-Language"] = language
    stop = add_headers(message, settings, row["user_id"], "decisions")
    body = "\n\n".join([
        say(_GREETING, name=row["display_name"]),
        say(_DECISION_BODY[row["kind"]], what=what, response=row["response"] or "").rstrip(),
        say(_LINK, url=idea_url(settings, row["idea_id"])), "-- ", say(_WHY_DECISION),
        *([say(_STOP, url=stop)] if stop else [])])
    message.set_content(body + "\n")
    return message


async def send_decision_email(pool: asyncpg.Pool, settings: Settings, action_id: int) -> int:
    """E-mail the author told about a moderator's decision, if they want e-mail; failures
    are logged, never raised."""
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch(_DECISION_RECIPIENT, action_id)
    except CONNECTION_ERRORS as exc:
        log.warning("decision e-mail not sent, the database is unreachable: %s", exc)
        return 0
    if not rows:
        return 0
    try:
        return await _send_batch(settings, list(rows), compose_decision)
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("decision e-mail not sent: %s", exc)
        return 0


Composer = Callable[[asyncpg.Record, Settings], EmailMessage]


async def _send_batch(settings: Settings, rows: list[asyncpg.Record],
                      make: Composer = compose) -> int:
    smtp = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                           start_tls=settings.smtp_starttls, username=settings.smtp_user,
                           password=settings.smtp_password, timeout=30)
    sent = 0
    async with smtp:
        for row in rows:
            # One message that cannot be made (a title from before line breaks were
            # refused) or is refused must not cost everybody else their e-mail. A lost
            # connection still ends the batch: every message after it would fail too.
            try:
                message = make(row, settings)
            except Exception:
                log.warning("notification e-mail %d could not be made", row["id"],
                            exc_info=True)
                continue
            try:
                await smtp.send_message(message)
                sent += 1
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
                log.warning("notification e-mail to %s refused: %s", row["email"], exc)
    return sent


async def send_notification_emails(pool: asyncpg.Pool, settings: Settings,
                                   change_ids: Sequence[int]) -> int:
    """E-mail everyone notified about these status changes who wants e-mail; returns
    how many were accepted by the SMTP server. Failures are logged, never raised."""
    if settings.smtp_host is None or not change_ids:
        return 0
    ids, after, sent = list(change_ids), 0, 0
    while True:
        try:
            async with pool.acquire() as conn:
                rows = await conn.fetch(_RECIPIENTS, ids, after, BATCH)
        except CONNECTION_ERRORS as exc:
            log.warning("notification e-mails stopped after %d, the database is unreachable: "
                        "%s", sent, exc)
            return sent
        if not rows:
            return sent
        after = rows[-1]["id"]
        try:
            sent += await _send_batch(settings, list(rows))
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("notification e-mails stopped after %d: %s", sent, exc)
            return sent
        if len(rows) < BATCH:
            return sent


class Mailer:
    """Sends the e-mails of a change once its transaction has committed, in the
    background."""

    def __init__(self, settings: Settings, pool: asyncpg.Pool, background: Background) -> None:
        self.settings = settings
        self.pool = pool
        self.background = background

    def after_commit(self, db: Db, change_ids: Sequence[int]) -> None:
        """Send the e-mails for ``change_ids`` after ``db`` commits (nothing if it rolls
        back, or when no SMTP server is configured)."""
        if self.settings.smtp_host is None or not change_ids:
            return
        ids = list(change_ids)

        async def start() -> None:
            self.background.spawn(send_notification_emails(self.pool, self.settings, ids))

        db.after_commit(start)

    def decision_after_commit(self, db: Db, action_id: int) -> None:
        """E-mail the author about a moderator's decision after ``db`` commits."""
        if self.settings.smtp_host is None:
            return

        async def start() -> None:
            self.background.spawn(send_decision_email(self.pool, self.settings, action_id))

        db.after_commit(start)
