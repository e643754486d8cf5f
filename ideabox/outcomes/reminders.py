"""Reminders of the answer deadline: every administrator is told, in the app and by
e-mail, a week before a promoted idea's answer is due (``due_soon``) and when it is due
(``overdue``), until it is answered. With a deadline of less than a week, only when it
is due.

The elected leader runs the loop (``ideabox.election``). Each reminder is recorded in
``answer_reminders`` (one row per idea and kind) by an INSERT … ON CONFLICT DO NOTHING
in the transaction that writes its notifications, and only the rows that insert make
notifications and e-mails: whoever comes second waits for the first to commit and then
finds the reminder sent, so it goes out once should two ever run the loop, and however
often they restart. A reminder whose moment passed while nobody ran the loop is sent
when the loop runs again, unless it is stale: a week's warning is not sent once the
answer is due.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Literal

import asyncpg
import msgspec

from ideabox.ideas.deadline import answer_due
from ideabox.notifications.mail import idea_url
from ideabox.notifications.preferences import MAILED
from ideabox.notifications.unsubscribe import add_headers
from ideabox.platform import postbox
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.i18n import LANGUAGES, N_, format_date, gettext
from ideabox.platform.settings import Settings
from ideabox.promotion.service import own_transaction
from ideabox.services import Services

log = logging.getLogger(__name__)

ReminderKind = Literal["due_soon", "overdue"]
WARNING_AHEAD = timedelta(days=7)
# How often the loop looks for deadlines come or near: a reminder is at most this late.
CHECK_SECONDS = 60.0


class Reminder(msgspec.Struct, frozen=True):
    idea_id: int
    kind: ReminderKind
    answer_due: datetime


# Promoted ideas still waiting for their first public answer. ``promotions`` is small
# (a few ideas a month a purpose), so this stays cheap however many ideas there are.
_WAITING = """
SELECT i.id AS idea_id, p.answer_within_days,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.to_status = 'promoted') AS promoted_at
FROM promotions pr
JOIN ideas i ON i.id = pr.idea_id
JOIN purposes p ON p.id = i.purpose_id
WHERE i.status = 'promoted'
  AND NOT EXISTS (SELECT 1 FROM idea_status_changes sc
                  WHERE sc.idea_id = i.id AND sc.trigger = 'response')
  AND NOT EXISTS (SELECT 1 FROM answer_reminders r
                  WHERE r.idea_id = i.id AND r.kind = 'overdue')
"""

_RECORD = """
INSERT INTO answer_reminders (idea_id, kind, answer_due, sent_at)
SELECT r.idea_id, r.kind, r.answer_due, $4
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS r(idea_id, kind, answer_due)
ON CONFLICT DO NOTHING
RETURNING idea_id, kind, answer_due
"""

# Every administrator, for each reminder recorded now.
_NOTIFY = """
INSERT INTO notifications (user_id, idea_id, kind, payload, created_at)
SELECT u.id, r.idea_id, r.kind, jsonb_build_object('answer_due', r.answer_due), $4
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS r(idea_id, kind, answer_due)
CROSS JOIN users u
WHERE u.role = 'admin' AND u.deleted_at IS NULL
RETURNING id
"""

_RECIPIENTS = f"""
SELECT n.id, n.kind, n.user_id, u.email, u.display_name, coalesce(s.language, 'da') AS language,
       i.id AS idea_id, i.title, p.timezone, (n.payload ->> 'answer_due')::timestamptz
       AS answer_due
FROM notifications n
JOIN users u ON u.id = n.user_id AND u.deleted_at IS NULL
LEFT JOIN notification_settings s ON s.user_id = n.user_id
JOIN ideas i ON i.id = n.idea_id
JOIN purposes p ON p.id = i.purpose_id
WHERE n.id = ANY($1::bigint[]) AND coalesce(s.email, true) AND u.email IS NOT NULL
  AND {MAILED}
ORDER BY n.id
"""  # noqa: S608 - a constant spliced in; values go as $n


def due_reminders(rows: list[asyncpg.Record], now: datetime) -> list[Reminder]:
    """The reminders the waiting ideas call for at ``now`` (sent or not)."""
    due: list[Reminder] = []
    for row in rows:
        if row["promoted_at"] is None:
            continue
        deadline = answer_due(row["promoted_at"], row["answer_within_days"])
        if deadline <= now:
            due.append(Reminder(row["idea_id"], "overdue", deadline))
        elif (row["answer_within_days"] >= WARNING_AHEAD.days
              and deadline - WARNING_AHEAD <= now):
            due.append(Reminder(row["idea_id"], "due_soon", deadline))
    return due


async def send_reminders(services: Services, now: datetime) -> list[Reminder]:
    """One round: record and notify every reminder due at ``now`` not sent before, and
    mail the administrators after the commit; returns the reminders sent now."""
    async with own_transaction(services.pool, now) as db:
        wanted = due_reminders(await db.conn.fetch(_WAITING), now)
        if not wanted:
            return []
        columns = ([r.idea_id for r in wanted], [r.kind for r in wanted],
                   [r.answer_due for r in wanted], now)
        recorded = await db.conn.fetch(_RECORD, *columns)
        if not recorded:
            return []
        sent = [Reminder(r["idea_id"], r["kind"], r["answer_due"]) for r in recorded]
        notified = await db.conn.fetch(_NOTIFY, [r.idea_id for r in sent],
                                       [r.kind for r in sent], [r.answer_due for r in sent],
                                       now)
        ids = [row["id"] for row in notified]

        async def mail() -> None:
            services.background.spawn(mail_reminders(services.pool, services.settings, ids))

        db.after_commit(mail)
    return sent


# The e-mails' texts, in the catalogs with the pages' (ideabox/translations).
_SUBJECT = {"due_soon": N_("The answer is due in a week: %(title)s"),
            "overdue": N_("The answer is overdue: %(title)s")}
_BODY = {"due_soon": N_("The administration's answer to the idea “%(title)s” is due "
                        "%(date)s. Answer it in public on the page of promoted ideas."),
         "overdue": N_("The administration's answer to the idea “%(title)s” was due "
                       "%(date)s and has not been given. Answer it in public on the page "
                       "of promoted ideas.")}
_GREETING = N_("Hello %(name)s")
_LINK = N_("See the idea: %(url)s")
_WHY = N_("You get this message because you are an administrator of ideabox. You can turn "
          "e-mails off in your notification settings.")
_STOP = N_("Stop these e-mails with one click: %(url)s")


def compose(row: asyncpg.Record, settings: Settings) -> EmailMessage:
    """One reminder e-mail, plain text, in the administrator's language."""
    language = row["language"] if row["language"] in LANGUAGES else "da"
    kind: ReminderKind = row["kind"]

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    title = row["title"]
    message = postbox.stamp(EmailMessage(), settings)
    message["To"] = row["email"]
    message["Subject"] = say(_SUBJECT[kind], title=title)
    message["Content-Language"] = language
    when = format_date(language, row["answer_due"], row["timezone"])
    stop = add_headers(message, settings, row["user_id"], "reminders")
    body = "\n\n".join([say(_GREETING, name=row["display_name"]),
                        say(_BODY[kind], title=title, date=when),
                        say(_LINK, url=idea_url(settings, row["idea_id"])), "-- ",
                        say(_WHY), *([say(_STOP, url=stop)] if stop else [])])
    message.set_content(body + "\n")
    return message


async def mail_reminders(pool: asyncpg.Pool, settings: Settings,
                         notification_ids: list[int]) -> int:
    """Mail these reminder notifications to those who want e-mail (to the SMTP server, or
    the outbox folder without one); how many went. Failures are logged, never raised."""
    return await postbox.deliver_each(pool, settings, _RECIPIENTS, notification_ids,
                                      compose, "reminder")


async def remind_forever(services: Services) -> None:
    """The background task: send the reminders due, then look again in a minute."""
    while True:
        try:
            sent = await send_reminders(services, services.clock.now())
            if sent:
                log.info("answer deadline reminders sent",
                         extra={"reminders": [(r.idea_id, r.kind) for r in sent]})
        except CONNECTION_ERRORS as exc:
            log.warning("answer deadline reminders skipped, database unreachable: %s", exc)
        await asyncio.sleep(CHECK_SECONDS)
