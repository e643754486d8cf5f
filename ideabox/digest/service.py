"""The weekly digest: once a week, each person who wants it and has news gets one e-mail.

It is due on Monday at 08:00 Copenhagen time and tells of the week before (Monday 08:00
to Monday 08:00), so the same week is told whenever in the week it goes out (after a
restart, or an instance down on Monday). A week's digest is sent only in its own week:
one that could not go out by the next Monday is not sent late.

Every worker of every instance runs the loop. Each person's digest of a week is recorded
in ``weekly_digests`` by an INSERT … ON CONFLICT DO NOTHING in the transaction that
decides it, and only a row that inserts is mailed: whoever comes second waits for the
first to commit and then finds it decided, so a digest goes out once however many run
the loop and however often they restart. A person with nothing to say is recorded too
(with no items, and no mail), so they are looked at once a week, not at every round.
Mail goes after the commit; one the SMTP server refused is logged, not sent again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from ideabox.digest.content import Digest, digest_of
from ideabox.digest.mail import compose
from ideabox.platform import postbox
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.settings import Settings
from ideabox.promotion.service import own_transaction
from ideabox.services import Services

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Europe/Copenhagen")
# Monday (ISO weekday 1) at 08:00 in Copenhagen: read with the morning coffee.
WEEKDAY, AT = 1, time(8, 0)
# How often the loop looks: a digest is at most this late.
CHECK_SECONDS = 300.0
# People are decided a batch at a time, each batch in a short transaction of its own.
BATCH = 100


class Week(msgspec.Struct, frozen=True):
    """A digest's ISO week ('2026-W49'), and the window it tells of: [start, end)."""

    label: str
    start: datetime
    end: datetime


def due_week(now: datetime) -> Week | None:
    """The week whose digest is due at ``now``: from its Monday 08:00 to the next. None
    on a Monday before 08:00, when last week's digest is no longer sent and this
    week's not yet."""
    local = now.astimezone(TIMEZONE)
    monday = local.date() - timedelta(days=local.isoweekday() - WEEKDAY)
    end = datetime.combine(monday, AT, tzinfo=TIMEZONE)
    if local < end:
        return None
    year, week, _ = monday.isocalendar()
    return Week(label=f"{year}-W{week:02d}", start=end - timedelta(days=7), end=end)


# Those who want the digest and have not had this week's decided, a batch at a time.
_WAITING = """
SELECT u.id, u.email, u.display_name, coalesce(s.language, 'da') AS language
FROM users u
LEFT JOIN notification_settings s ON s.user_id = u.id
WHERE u.deleted_at IS NULL AND u.email IS NOT NULL AND coalesce(s.email, true)
  AND u.id > $2
  AND NOT EXISTS (SELECT 1 FROM notification_preferences np
                  WHERE np.user_id = u.id AND np.topic = 'digest' AND NOT np.by_email)
  AND NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.user_id = u.id AND d.week = $1)
ORDER BY u.id
LIMIT $3
"""

_RECORD = """
INSERT INTO weekly_digests (user_id, week, decided_at, items)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[])
ON CONFLICT DO NOTHING
RETURNING user_id, items
"""


class Letter(msgspec.Struct, frozen=True):
    """A digest to mail: to whom, in which language, saying what."""

    user_id: int
    email: str
    name: str
    language: str
    digest: Digest


async def send_digests(services: Services, now: datetime) -> list[int]:
    """One round: decide this week's digest of everyone not yet decided, and mail the
    ones with news after each batch commits; the ids of the people mailed."""
    week = due_week(now)
    if week is None:
        return []
    mailed: list[int] = []
    after = 0
    while True:
        async with own_transaction(services.pool, now) as db:
            people = await db.conn.fetch(_WAITING, week.label, after, BATCH)
            if not people:
                return mailed
            after = people[-1]["id"]
            letters = [Letter(p["id"], p["email"], p["display_name"], p["language"],
                              await digest_of(db.conn, p["id"], week.start, week.end))
                       for p in people]
            recorded = await db.conn.fetch(
                _RECORD, [x.user_id for x in letters], [week.label] * len(letters),
                [now] * len(letters), [x.digest.items for x in letters])
            ours = {row["user_id"] for row in recorded if row["items"] > 0}
            to_mail = [x for x in letters if x.user_id in ours]

            async def mail(batch: list[Letter] = to_mail) -> None:
                services.background.spawn(mail_digests(services.settings, week, batch))

            if to_mail:
                db.after_commit(mail)
        mailed += [x.user_id for x in to_mail]
        if len(people) < BATCH:
            return mailed


async def mail_digests(settings: Settings, week: Week, letters: list[Letter]) -> int:
    """Mail these digests (to the SMTP server, or the outbox folder without one); how
    many went. Failures are logged, never raised."""
    sent = 0
    for letter in letters:
        try:
            await postbox.deliver(settings, compose(letter.user_id, letter.email, letter.name,
                                                    letter.language, letter.digest, week.end,
                                                    settings))
            sent += 1
        except Exception:  # one refused address must not cost the others their digest
            log.warning("digest of %s to person %d could not be sent", week.label,
                        letter.user_id, exc_info=True)
    return sent


async def digest_forever(services: Services) -> None:
    """The background task: send the week's digests due, then look again in a while."""
    while True:
        try:
            mailed = await send_digests(services, services.clock.now())
            if mailed:
                log.info("weekly digests sent", extra={"digests": len(mailed)})
        except CONNECTION_ERRORS as exc:
            log.warning("weekly digests skipped, database unreachable: %s", exc)
        await asyncio.sleep(CHECK_SECONDS)
