"""Signals for moderators: bursts of new accounts that vote for the same ideas.

Two kinds, among the accounts made in the last ``days`` days (deleted ones left out):

- ``address``: at least ``IDEABOX_SIGNAL_ADDRESS_ACCOUNTS`` (3) accounts made from one
  client address (kept only as a keyed hash, ``users.signup_address``) voted for the same
  idea. The burst is the address's accounts that did, and the ideas they share.
- ``window``: at least ``IDEABOX_SIGNAL_ACCOUNTS`` (10) accounts made within
  ``IDEABOX_SIGNAL_WINDOW_MINUTES`` (60) of each other, from anywhere, voted for the same
  idea. Such accounts of one idea whose making lies closer together than the window form
  a run; runs of different ideas that share accounts make one burst.

A burst is a reason to look, not a verdict: a school class, a library's sign-up desk or
a newspaper article also bring many people at once. Moderators decide, and may hold the
accounts' votes out of the promotion's count while they find out (``holds``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.moderation.schemas import Burst, BurstAccount, BurstIdea, BurstKind
from ideabox.moderation.service import ensure_may_moderate
from ideabox.platform.db import Db
from ideabox.platform.pagination import Offset, Page, decode_cursor, encode_cursor
from ideabox.platform.settings import Settings

# Ideas voted for by enough accounts of one address.
_BY_ADDRESS = """
WITH recent AS (
    SELECT u.id, u.signup_address FROM users u
    WHERE u.created_at >= $1 AND u.signup_address IS NOT NULL AND u.deleted_at IS NULL
)
SELECT r.signup_address AS address, v.idea_id, array_agg(r.id ORDER BY r.id) AS accounts
FROM recent r JOIN votes v ON v.voter_id = r.id
GROUP BY r.signup_address, v.idea_id
HAVING count(*) >= $2
"""

# For each idea, every window that opens at the making of one of its recent voters'
# accounts and holds enough of them; then the voters inside any such window.
_IN_A_WINDOW = """
WITH recent_votes AS (
    SELECT v.idea_id, u.id AS user_id, u.created_at
    FROM users u JOIN votes v ON v.voter_id = u.id
    WHERE u.created_at >= $1 AND u.deleted_at IS NULL
), counted AS (
    SELECT idea_id, created_at,
           count(*) OVER (PARTITION BY idea_id ORDER BY created_at
                          RANGE BETWEEN CURRENT ROW AND $2::interval FOLLOWING) AS within
    FROM recent_votes
), dense AS (
    SELECT DISTINCT idea_id, created_at AS opens FROM counted WHERE within >= $3
)
SELECT r.idea_id, r.user_id, r.created_at
FROM recent_votes r
WHERE EXISTS (SELECT 1 FROM dense d
              WHERE d.idea_id = r.idea_id
                AND r.created_at BETWEEN d.opens AND d.opens + $2::interval)
ORDER BY r.idea_id, r.created_at, r.user_id
"""

_ACCOUNTS = """
SELECT u.id, u.display_name, u.created_at,
       EXISTS (SELECT 1 FROM vote_holds h
               WHERE h.user_id = u.id AND h.released_at IS NULL) AS held
FROM users u WHERE u.id = ANY($1::bigint[])
"""

_IDEAS = "SELECT id, title, status FROM ideas WHERE id = ANY($1::bigint[])"


class _Position(msgspec.Struct, forbid_unknown_fields=True):
    offset: Offset


class _Found(msgspec.Struct):
    kind: BurstKind
    # idea -> the burst's accounts that voted for it
    ideas: dict[int, set[int]]

    @property
    def accounts(self) -> set[int]:
        return set().union(*self.ideas.values())


class _Sets:
    """Accounts joined into groups (union-find): runs that share an account are one."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def root(self, item: int) -> int:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, items: Iterable[int]) -> None:
        first: int | None = None
        for item in items:
            if first is None:
                first = self.root(item)
            else:
                self.parent[self.root(item)] = first


def _address_bursts(rows: list[asyncpg.Record]) -> list[_Found]:
    by_address: dict[bytes, dict[int, set[int]]] = defaultdict(dict)
    for row in rows:
        by_address[row["address"]][row["idea_id"]] = set(row["accounts"])
    return [_Found(kind="address", ideas=ideas) for ideas in by_address.values()]


def _runs(rows: list[asyncpg.Record], window: timedelta) -> list[tuple[int, set[int]]]:
    """Each idea's voters in dense windows, split where two accounts made one after the
    other lie more than the window apart (rows come by idea, then by making)."""
    runs: list[tuple[int, set[int]]] = []
    last: tuple[int, datetime] | None = None
    for row in rows:
        if last is None or last[0] != row["idea_id"] or row["created_at"] - last[1] > window:
            runs.append((row["idea_id"], set()))
        runs[-1][1].add(row["user_id"])
        last = (row["idea_id"], row["created_at"])
    return runs


def _window_bursts(rows: list[asyncpg.Record], window: timedelta) -> list[_Found]:
    runs = _runs(rows, window)
    groups = _Sets()
    for _, accounts in runs:
        groups.join(accounts)
    bursts: dict[int, _Found] = {}
    for idea_id, accounts in runs:
        found = bursts.setdefault(groups.root(next(iter(accounts))),
                                  _Found(kind="window", ideas={}))
        found.ideas.setdefault(idea_id, set()).update(accounts)
    return list(bursts.values())


async def _described(conn: asyncpg.Connection, found: list[_Found]) -> list[Burst]:
    account_ids = sorted(set().union(*(f.accounts for f in found)))
    idea_ids = sorted({i for f in found for i in f.ideas})
    accounts = {r["id"]: r for r in await conn.fetch(_ACCOUNTS, account_ids)}
    ideas = {r["id"]: r for r in await conn.fetch(_IDEAS, idea_ids)}
    bursts = []
    for f in found:
        members = sorted((accounts[i] for i in f.accounts),
                         key=lambda r: (r["created_at"], r["id"]))
        shared = sorted(f.ideas.items(), key=lambda item: (-len(item[1]), item[0]))
        bursts.append(Burst(
            kind=f.kind, first_created_at=members[0]["created_at"],
            last_created_at=members[-1]["created_at"],
            accounts=[BurstAccount(id=r["id"], display_name=r["display_name"],
                                   created_at=r["created_at"], held=r["held"])
                      for r in members],
            ideas=[BurstIdea(id=idea_id, title=ideas[idea_id]["title"],
                             status=ideas[idea_id]["status"], voters=len(voters))
                   for idea_id, voters in shared]))
    # The latest first; the same order every time, so that pages follow on.
    bursts.sort(key=lambda b: (-b.last_created_at.timestamp(), b.kind, b.accounts[0].id))
    return bursts


async def find_bursts(db: Db, settings: Settings, viewer: Viewer, *, days: int, limit: int,
                      cursor: str | None = None) -> Page[Burst]:
    """The bursts among the accounts made in the last ``days`` days, the latest first, a
    page at a time (moderators)."""
    ensure_may_moderate(viewer)
    position = decode_cursor(cursor, _Position)
    offset = position.offset if position else 0
    since = db.now - timedelta(days=days)
    window = timedelta(minutes=settings.signal_window_minutes)
    found = _address_bursts(await db.conn.fetch(_BY_ADDRESS, since,
                                                settings.signal_address_accounts))
    found += _window_bursts(await db.conn.fetch(_IN_A_WINDOW, since, window,
                                                settings.signal_accounts), window)
    bursts = await _described(db.conn, found) if found else []
    items = bursts[offset:offset + limit]
    more = offset + limit < len(bursts)
    return Page(items=items,
                next_cursor=encode_cursor(_Position(offset=offset + limit)) if more else None)
