"""Holding people's votes out of the count while a signal is looked into, releasing them,
and the log of those decisions.

A hold changes no tally: the votes stay cast and counted in public. It changes what the
monthly promotion counts (a promotion leaves out the votes held when it runs, see
``ideabox.identity.eligibility``) and the exports, which count as the promotion does.
Every hold and release is a row in ``audit_log`` naming the moderator, in the same
transaction: both are on record, or neither.
"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.moderation.schemas import (
    HoldAction,
    HoldDecision,
    VoteHold,
    VoteHoldChange,
    VoteHoldResult,
)
from ideabox.moderation.service import ensure_may_moderate
from ideabox.platform.db import Db
from ideabox.platform.errors import NotFound
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, page_of
from ideabox.platform.validation import trimmed

REASON_LIMITS = (1, 1000)

# Locked until the commit: two moderators deciding on one account are taken in turn.
_LOCK_ACCOUNTS = "SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"

# The partial unique index on open holds makes a second hold of a held account nothing.
_HOLD = """
INSERT INTO vote_holds (user_id, reason, held_by, held_at)
SELECT id, $2, $3, $4 FROM unnest($1::bigint[]) AS a(id)
ON CONFLICT (user_id) WHERE released_at IS NULL DO NOTHING
RETURNING user_id
"""

# A hold never ends before it began, even if this instance's clock is behind the one
# that held it.
_RELEASE = """
UPDATE vote_holds SET released_by = $2, released_at = greatest($3::timestamptz, held_at)
WHERE user_id = ANY($1::bigint[]) AND released_at IS NULL
RETURNING user_id
"""

_AUDIT = """
INSERT INTO audit_log (actor_id, action, subject_id, detail, created_at)
SELECT $1, $2, id, $4, $5 FROM unnest($3::bigint[]) AS a(id)
"""

_HELD_NOW = """
SELECT h.id, h.reason, h.held_at,
       u.id AS account_id, u.display_name AS account_name, u.role AS account_role,
       u.created_at AS account_created_at,
       m.id AS held_by_id, m.display_name AS held_by_name, m.role AS held_by_role
FROM vote_holds h
JOIN users u ON u.id = h.user_id
JOIN users m ON m.id = h.held_by
WHERE h.released_at IS NULL
  AND ($1::timestamptz IS NULL OR (h.held_at, h.id) < ($1, $2))
ORDER BY h.held_at DESC, h.id DESC
LIMIT $3
"""

_DECISIONS = """
SELECT a.id, a.action, a.created_at, a.detail,
       m.id AS moderator_id, m.display_name AS moderator_name, m.role AS moderator_role,
       s.id AS account_id, s.display_name AS account_name, s.role AS account_role
FROM audit_log a
JOIN users m ON m.id = a.actor_id
JOIN users s ON s.id = a.subject_id
WHERE a.action IN ('hold_votes', 'release_votes')
  AND ($1::timestamptz IS NULL OR (a.created_at, a.id) < ($1, $2))
ORDER BY a.created_at DESC, a.id DESC
LIMIT $3
"""


class _HeldBefore(msgspec.Struct, forbid_unknown_fields=True):
    held_at: Moment
    id: RowId


class _DecidedBefore(msgspec.Struct, forbid_unknown_fields=True):
    created_at: Moment
    id: RowId


async def _accounts(db: Db, data: VoteHoldChange) -> tuple[list[int], str]:
    """The accounts named, each once and locked, and the reason; 404 naming ``user_ids``
    for an id that is no account."""
    reason = trimmed(data.reason, "reason", *REASON_LIMITS, multiline=True)
    ids = sorted(set(data.user_ids))
    found = {row["id"] for row in await db.conn.fetch(_LOCK_ACCOUNTS, ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("user_not_found", field="user_ids", id=missing[0])
    return ids, reason


async def _decide(db: Db, viewer: Viewer, data: VoteHoldChange,
                  action: HoldAction) -> VoteHoldResult:
    ensure_may_moderate(viewer)
    async with db.conn.transaction():
        ids, reason = await _accounts(db, data)
        if action == "hold_votes":
            rows = await db.conn.fetch(_HOLD, ids, reason, viewer.id, db.now)
        else:
            rows = await db.conn.fetch(_RELEASE, ids, viewer.id, db.now)
        changed = sorted(row["user_id"] for row in rows)
        await db.conn.execute(_AUDIT, viewer.id, action, changed, reason, db.now)
    done = set(changed)
    return VoteHoldResult(changed=changed, unchanged=[i for i in ids if i not in done])


async def hold_votes(db: Db, viewer: Viewer, data: VoteHoldChange) -> VoteHoldResult:
    """Hold the accounts' votes out of the count pending review (moderators); accounts
    held already keep their hold as it is."""
    return await _decide(db, viewer, data, "hold_votes")


async def release_votes(db: Db, viewer: Viewer, data: VoteHoldChange) -> VoteHoldResult:
    """Let the accounts' votes count again (moderators); accounts not held are left."""
    return await _decide(db, viewer, data, "release_votes")


def _user(row: asyncpg.Record, prefix: str) -> User:
    return User(id=row[f"{prefix}_id"], display_name=row[f"{prefix}_name"],
                role=row[f"{prefix}_role"])


def _hold(row: asyncpg.Record) -> VoteHold:
    return VoteHold(id=row["id"], account=_user(row, "account"),
                    account_created_at=row["account_created_at"],
                    held_by=_user(row, "held_by"), held_at=row["held_at"],
                    reason=row["reason"])


async def list_holds(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                     cursor: str | None = None) -> Page[VoteHold]:
    """The accounts whose votes are held now, the latest held first (moderators)."""
    ensure_may_moderate(viewer)
    before = decode_cursor(cursor, _HeldBefore)
    rows = await conn.fetch(_HELD_NOW, before.held_at if before else None,
                            before.id if before else None, limit + 1)
    return page_of(rows, limit, _hold, lambda last: _HeldBefore(held_at=last.held_at,
                                                                id=last.id))


def _decision(row: asyncpg.Record) -> HoldDecision:
    return HoldDecision(id=row["id"], action=row["action"],
                        moderator=_user(row, "moderator"), account=_user(row, "account"),
                        created_at=row["created_at"], reason=row["detail"])


async def hold_decisions(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                         cursor: str | None = None) -> Page[HoldDecision]:
    """Every hold and release, newest first, with the moderator and the reason
    (moderators)."""
    ensure_may_moderate(viewer)
    before = decode_cursor(cursor, _DecidedBefore)
    rows = await conn.fetch(_DECISIONS, before.created_at if before else None,
                            before.id if before else None, limit + 1)
    return page_of(rows, limit, _decision,
                   lambda last: _DecidedBefore(created_at=last.created_at, id=last.id))
