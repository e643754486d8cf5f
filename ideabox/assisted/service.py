"""People registered by staff for assisted participation: register, list, read one, their
audit log and their data.

A person without digital access comes to the citizens' service desk; a member of staff
checks who they are (and, if asked, where they live) in person and registers them. The
account has no e-mail and no usable password, so nobody signs in to it; it is a
verified person from the moment of registration, since staff checked the identity.
Afterwards staff post, comment and vote for the person (``acting``).
"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts import passwords
from ideabox.accounts.directory import contains_pattern
from ideabox.accounts.schemas import DataExport, User, Viewer
from ideabox.accounts.service import checked_display_name, export_my_data, viewer_of
from ideabox.assisted.acting import audit, ensure_may_assist
from ideabox.assisted.schemas import (
    AUDIT_ACTIONS,
    NOTE_LIMITS,
    AssistedPerson,
    AssistedPersonCreate,
    AuditEntry,
)
from ideabox.identity.eligibility import person_columns
from ideabox.identity.residency import record_residency
from ideabox.platform.db import Db
from ideabox.platform.errors import NotFound
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, page_of
from ideabox.platform.validation import trimmed

# Staff vouched for the address in person: the residency check's provider.
RESIDENCY_PROVIDER = "assisted"


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    id: RowId


class _Earlier(msgspec.Struct, forbid_unknown_fields=True):
    created_at: Moment
    id: RowId


_INSERT = """
INSERT INTO users (email, password_hash, display_name, created_at, verified_at, assisted_by,
                   assisted_note)
VALUES (NULL, $1, $2, $3, $3, $4, $5)
RETURNING id
"""

# With what the services see of the person (``person_columns``), whose acts staff enter.
_PEOPLE = f"""
SELECT u.id, u.display_name, u.role, u.created_at AS registered_at, u.assisted_note AS note,
       {person_columns("u")},
       s.id AS staff_id, s.display_name AS staff_name, s.role AS staff_role
FROM users u JOIN users s ON s.id = u.assisted_by
WHERE u.assisted_by IS NOT NULL AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n

_LIST = _PEOPLE + """
  AND ($1::text IS NULL OR u.display_name ILIKE $1)
  AND ($2::bigint IS NULL OR u.id < $2)
ORDER BY u.id DESC
LIMIT $3
"""

_ONE = _PEOPLE + " AND u.id = $1"

# The title of an idea hidden since is shown only to moderators (the rule of
# ideas.service.may_see): it may be why the idea was hidden.
_AUDIT = """
SELECT a.id, a.action, a.subject_id, a.idea_id, a.comment_id, a.detail, a.created_at,
       CASE WHEN i.status NOT IN ('hidden', 'pending_review') OR $5 THEN i.title END AS idea_title,
       s.id AS staff_id, s.display_name AS staff_name, s.role AS staff_role
FROM audit_log a
JOIN users s ON s.id = a.actor_id
LEFT JOIN ideas i ON i.id = a.idea_id
WHERE a.subject_id = $1 AND a.action = ANY($6::text[])
  AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3))
ORDER BY a.created_at DESC, a.id DESC
LIMIT $4
"""


def _staff(row: asyncpg.Record) -> User:
    return User(id=row["staff_id"], display_name=row["staff_name"], role=row["staff_role"])


def _person(row: asyncpg.Record) -> AssistedPerson:
    return AssistedPerson(id=row["id"], display_name=row["display_name"], role=row["role"],
                          assisted=True, registered_by=_staff(row),
                          registered_at=row["registered_at"], note=row["note"],
                          resident=row["resident"])


def _entry(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(id=row["id"], action=row["action"], actor=_staff(row),
                      subject_id=row["subject_id"], idea_id=row["idea_id"],
                      idea_title=row["idea_title"], comment_id=row["comment_id"],
                      detail=row["detail"], created_at=row["created_at"])


async def register_person(db: Db, viewer: Viewer, data: AssistedPersonCreate) -> AssistedPerson:
    """Staff register a person they met, having checked their identity (and, with
    ``resident``, their address) in person; written to the audit log."""
    ensure_may_assist(viewer)
    name = checked_display_name(data.display_name)
    note = trimmed(data.note, "note", *NOTE_LIMITS, multiline=True)
    conn = db.conn
    async with conn.transaction():
        person_id: int = await conn.fetchval(_INSERT, passwords.UNUSABLE, name, db.now,
                                             viewer.id, note)
        if data.resident:
            await record_residency(db, person_id, vouched_by=RESIDENCY_PROVIDER, resident=True)
        await audit(db, viewer.id, "register_assisted", person_id,
                    detail="resident" if data.resident else None)
    return await get_person(conn, viewer, person_id)


async def list_people(conn: asyncpg.Connection, viewer: Viewer, q: str | None = None, *,
                      limit: int = 20, cursor: str | None = None) -> Page[AssistedPerson]:
    """A page of the people registered for assisted participation (staff only), the
    newest first, whose name contains ``q``."""
    ensure_may_assist(viewer)
    before = decode_cursor(cursor, _Before)
    rows = await conn.fetch(_LIST, contains_pattern(q), before.id if before else None,
                            limit + 1)
    return page_of(rows, limit, _person, lambda last: _Before(id=last.id))


async def _one(conn: asyncpg.Connection, viewer: Viewer, person_id: int) -> asyncpg.Record:
    ensure_may_assist(viewer)
    row = await conn.fetchrow(_ONE, person_id)
    if row is None:
        raise NotFound("assisted_person_not_found", id=person_id)
    return row


async def get_person(conn: asyncpg.Connection, viewer: Viewer,
                     person_id: int) -> AssistedPerson:
    """One person registered for assisted participation (staff only); 404 for anyone
    else's id."""
    return _person(await _one(conn, viewer, person_id))


async def get_person_acted_for(conn: asyncpg.Connection, viewer: Viewer,
                               person_id: int) -> tuple[AssistedPerson, Viewer]:
    """The person as ``get_person`` answers, and as the services see the one whose act it
    is: for reading lists and exports as they would see them."""
    row = await _one(conn, viewer, person_id)
    return _person(row), viewer_of(row)


async def person_audit(conn: asyncpg.Connection, viewer: Viewer, person_id: int, *,
                       limit: int = 20, cursor: str | None = None) -> Page[AuditEntry]:
    """What staff did for the person, newest first, each entry naming the staff member
    (staff only)."""
    await get_person(conn, viewer, person_id)
    before = decode_cursor(cursor, _Earlier)
    rows = await conn.fetch(_AUDIT, person_id, before.created_at if before else None,
                            before.id if before else None, limit + 1, viewer.is_moderator,
                            list(AUDIT_ACTIONS))
    return page_of(rows, limit, _entry,
                   lambda last: _Earlier(created_at=last.created_at, id=last.id))


async def export_person_data(db: Db, viewer: Viewer, person_id: int) -> DataExport:
    """Everything ideabox holds about the person, for staff to hand them (GDPR art. 15):
    they cannot sign in to take it themselves."""
    _, person = await get_person_acted_for(db.conn, viewer, person_id)
    return await export_my_data(db, person)
