"""Acting for someone: whose act a request is, and the audit row that says who entered it.

Staff act for a person by naming them in each request (``on_behalf_of``), never by
switching into their account: there is no impersonation session to forget to end, so
nothing staff do for themselves lands in another's name. Only people staff registered
for assisted participation can be acted for; the act is theirs (author, voter) and
their eligibility applies, and the staff member is kept beside it (``assisted_by``) and
named in the audit log, written in the act's own transaction.
"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.accounts.service import viewer_of
from ideabox.assisted.schemas import AuditAction
from ideabox.identity.eligibility import person_columns
from ideabox.platform.db import Db
from ideabox.platform.errors import Forbidden, NotFound


class Acting(msgspec.Struct, frozen=True):
    """Whose act this is (``person``) and, when staff entered it for them, who did."""

    person: Viewer
    assisted_by: int | None = None

    @property
    def assisted(self) -> bool:
        return self.assisted_by is not None


def ensure_may_assist(viewer: Viewer) -> None:
    """Staff and administrators help people without digital access. Moderators do not:
    they rule on what people write, and should not also write it in others' names."""
    if not viewer.is_staff:
        raise Forbidden("staff_only_assisted")


_PERSON = f"""
SELECT u.id, u.display_name, u.role, u.assisted_by IS NOT NULL AS assisted,
       {person_columns("u")}
FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n


async def acting_for(conn: asyncpg.Connection, viewer: Viewer, on_behalf_of: int | None,
                     *, source: str = "body") -> Acting:
    """The viewer's own act, or, with ``on_behalf_of``, staff acting for a person
    registered for assisted participation: 403 for anyone but staff and for an ordinary
    account, 404 naming ``on_behalf_of`` for an unknown one."""
    if on_behalf_of is None:
        return Acting(person=viewer)
    ensure_may_assist(viewer)
    row = await conn.fetchrow(_PERSON, on_behalf_of)
    if row is None:
        raise NotFound("assisted_person_not_found", field="on_behalf_of", source=source,
                       id=on_behalf_of)
    if not row["assisted"]:
        raise Forbidden("not_assisted", field="on_behalf_of", source=source, id=on_behalf_of)
    return Acting(person=viewer_of(row), assisted_by=viewer.id)


_AUDIT = """
INSERT INTO audit_log (actor_id, action, subject_id, idea_id, comment_id, detail, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


async def audit(db: Db, actor_id: int, action: AuditAction, subject_id: int, *,
                idea_id: int | None = None, comment_id: int | None = None,
                detail: str | None = None) -> None:
    """Write one row of the audit log, in the transaction of the act it records."""
    await db.conn.execute(_AUDIT, actor_id, action, subject_id, idea_id, comment_id, detail,
                          db.now)


async def audit_act(db: Db, acting: Acting, action: AuditAction, *, idea_id: int,
                    comment_id: int | None = None) -> None:
    """Name the staff member in the audit log when the act was entered for someone; a
    person's own act is not audited."""
    if acting.assisted_by is not None:
        await audit(db, acting.assisted_by, action, acting.person.id, idea_id=idea_id,
                    comment_id=comment_id)
