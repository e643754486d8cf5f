"""Notifications of a conversation: a reply to one's comment ('reply') and a comment on
one's idea ('comment'), in the app and by e-mail.

They are written by one INSERT … SELECT in the transaction that adds the comment, one per
person per comment (a unique index): the author of the comment replied to is told of a
reply, the idea's author of a comment, and whoever is both gets the reply alone. Nobody
is told of their own comment. A comment that is hidden or deleted, or on an idea the
public may not see, tells nobody; if it is hidden later, its notification is hidden
from the list too. Mail goes after the commit, in the background, to those who want it.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

import asyncpg

from ideabox.notifications.mail import idea_url
from ideabox.notifications.preferences import MAILED
from ideabox.notifications.unsubscribe import add_headers
from ideabox.platform import postbox
from ideabox.platform.db import Db
from ideabox.platform.i18n import LANGUAGES, N_, gettext
from ideabox.platform.labels import SECLUDED
from ideabox.platform.settings import Settings
from ideabox.services import Services

log = logging.getLogger(__name__)

_NOTIFY = """
INSERT INTO notifications (user_id, idea_id, kind, comment_id, created_at)
SELECT DISTINCT ON (r.user_id) r.user_id, c.idea_id, r.kind, c.id, c.created_at
FROM comments c
JOIN ideas i ON i.id = c.idea_id
LEFT JOIN comments parent ON parent.id = c.parent_id AND parent.deleted_at IS NULL
CROSS JOIN LATERAL (
    VALUES (parent.author_id, 'reply', 1), (i.author_id, 'comment', 2)
) AS r(user_id, kind, rank)
JOIN users u ON u.id = r.user_id AND u.deleted_at IS NULL
WHERE c.id = $1 AND c.hidden_at IS NULL AND c.deleted_at IS NULL
  AND NOT (i.status = ANY($2::text[])) AND r.user_id <> c.author_id
ORDER BY r.user_id, r.rank
ON CONFLICT (user_id, comment_id) DO NOTHING
RETURNING id
"""


async def notify_comment(db: Db, services: Services, comment_id: int) -> list[int]:
    """Tell the author of the comment replied to and the idea's author about a new
    comment, and mail them after the commit; the notifications' ids."""
    ids: list[int] = [row["id"] for row in
                      await db.conn.fetch(_NOTIFY, comment_id, list(SECLUDED))]
    if ids:
        async def start() -> None:
            services.background.spawn(mail_conversation(services.pool, services.settings,
                                                        ids))

        db.after_commit(start)
    return ids


# Read again when the mail goes: a comment hidden meanwhile is not mailed.
_RECIPIENTS = f"""
SELECT n.id, n.kind, n.user_id, u.email, u.display_name,
       coalesce(s.language, 'da') AS language, i.id AS idea_id, i.title,
       w.display_name AS writer, c.body
FROM notifications n
JOIN users u ON u.id = n.user_id AND u.deleted_at IS NULL
LEFT JOIN notification_settings s ON s.user_id = n.user_id
JOIN ideas i ON i.id = n.idea_id
JOIN comments c ON c.id = n.comment_id AND c.hidden_at IS NULL AND c.deleted_at IS NULL
JOIN users w ON w.id = c.author_id
WHERE n.id = ANY($1::bigint[]) AND coalesce(s.email, true) AND u.email IS NOT NULL
  AND {MAILED}
ORDER BY n.id
"""  # noqa: S608 - a constant spliced in; values go as $n

_SUBJECT = {"reply": N_("%(name)s replied to your comment on “%(title)s”"),
            "comment": N_("%(name)s commented on your idea “%(title)s”")}
_GREETING = N_("Hello %(name)s")
_LINK = N_("See the conversation: %(url)s")
_WHY = {"reply": N_("You get this message because you wrote the comment replied to."),
        "comment": N_("You get this message because you shared the idea.")}
_STOP = N_("Choose what you are told on your page, or stop these e-mails with one click: "
           "%(url)s")


def compose(row: asyncpg.Record, settings: Settings) -> EmailMessage:
    """The e-mail of a reply or comment, plain text, in the recipient's language."""
    language = row["language"] if row["language"] in LANGUAGES else "da"

    def say(message: str, **values: Any) -> str:
        return gettext(language, message, **values)

    kind = "reply" if row["kind"] == "reply" else "comment"
    message = postbox.stamp(EmailMessage(), settings)
    message["To"] = row["email"]
    message["Subject"] = say(_SUBJECT[kind], name=row["writer"], title=row["title"])
    message["Content-Language"] = language
    stop = add_headers(message, settings, row["user_id"],
                       "replies" if kind == "reply" else "comments")
    quoted = "\n".join(f"> {line}" for line in row["body"].splitlines())
    url = f"{idea_url(settings, row['idea_id'])}#comments"
    parts = [say(_GREETING, name=row["display_name"]),
             say(_SUBJECT[kind], name=row["writer"], title=row["title"]) + ":", quoted,
             say(_LINK, url=url), "-- ", say(_WHY[kind])]
    if stop:
        parts.append(say(_STOP, url=stop))
    message.set_content("\n\n".join(parts) + "\n")
    return message


async def mail_conversation(pool: asyncpg.Pool, settings: Settings,
                            notification_ids: list[int]) -> int:
    """Mail these reply and comment notifications to those who want them; how many went.
    Failures are logged, never raised."""
    return await postbox.deliver_each(pool, settings, _RECIPIENTS, notification_ids,
                                      compose, "comment")
