"""Vote tallies in Redis: a cache of ``count(*)`` over ``votes``, never the record.

Per idea, a hash ``<prefix>:{p<purpose>}:idea:<id>`` holds ``total``, ``month`` (the
month it counts for, YYYY-MM), ``mv`` (votes cast in that month that still stand),
``created`` (epoch seconds, for the hot score) and ``visible`` (1 unless withdrawn or
hidden). Per purpose, three leaderboards (sorted sets) hold the visible ideas:
``top:<YYYY-MM>`` (this month), ``top`` (all time) and ``hot``. Every key of a purpose
carries the hash tag ``{p<purpose>}``, so a purpose's keys share one Redis Cluster slot
and the Lua scripts below may touch several of them atomically.

Writes after a commit apply a delta (``APPLY``) only to keys that exist; a missing key
is rebuilt from PostgreSQL when next read. Every delta also adds the idea to the
purpose's ``touched`` set, which the reconciler re-checks against PostgreSQL, so races
between a rebuild and in-flight deltas heal by themselves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import msgspec
import redis.asyncio as aioredis

from ideabox.cache import Cache
from ideabox.clock import Clock
from ideabox.months import current_month, month_label

# Month leaderboard score = votes this month × MONTH_WEIGHT + total votes: ranked by the
# month's votes, ties broken by total votes, as the promotion ranks them. Exact in a
# double while an idea has fewer than 2**22 votes.
MONTH_WEIGHT = 2**22

# The hot score (see README, "Sorting"): log10 of the votes plus the posting time in
# units of HOT_SECONDS. An idea a week newer needs ten times fewer votes to rank equal.
# Since it only changes when votes do, it can live in a sorted set.
HOT_EPOCH = 1767225600  # 2026-01-01T00:00:00Z, keeps the numbers small
HOT_SECONDS = 7 * 24 * 3600

BOARDS = ("top_month", "top", "hot")


class Tally(msgspec.Struct, frozen=True):
    total: int
    month: int  # votes cast in the current month that still stand


class IdeaCounts(msgspec.Struct, frozen=True):
    """What PostgreSQL says about one idea: the truth the cache is rebuilt from."""

    idea_id: int
    total: int
    month: int
    created: float
    visible: bool


class Entry(msgspec.Struct, frozen=True, array_like=True):
    """An idea's hash as read: its tally fields and its cached document, raw."""

    total: bytes
    month: bytes | None
    mv: bytes | None
    doc: bytes | None
    doc_at: bytes | None
    docv: bytes | None

    def tally(self, current: date) -> Tally:
        # No delta this month yet means no votes this month yet.
        this_month = self.month == month_label(current).encode()
        return Tally(int(self.total), int(self.mv or 0) if this_month else 0)

    @property
    def version(self) -> int:
        return int(self.docv or 0)


_ENTRY = ("total", "month", "mv", "doc", "doc_at", "docv")


def _entry(row: list[Any]) -> Entry | None:
    total, month, mv, doc, doc_at, docv = row
    return None if total is None else Entry(total, month, mv, doc, doc_at, docv)

# Cache a document unless the idea changed since it was read (its version moved on) or
# the hash is gone (a rebuild is under way; the next read tries again).
# KEYS: idea hash.  ARGV: document, version read before, now (epoch seconds)
_FILL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'docv') or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'doc_at', ARGV[3])
return 1
"""


def hot_score(total: int, created: float) -> float:
    return math.log10(max(total, 1)) + (created - HOT_EPOCH) / HOT_SECONDS


def board_score(board: str, counts: IdeaCounts) -> float:
    if board == "top_month":
        return counts.month * MONTH_WEIGHT + counts.total
    if board == "top":
        return counts.total
    return hot_score(counts.total, counts.created)


class Keys:
    """The Redis keys of one purpose."""

    def __init__(self, cache: Cache, purpose_id: int) -> None:
        self._base = cache.key(f"{{p{purpose_id}}}")

    def idea(self, idea_id: int) -> str:
        return f"{self._base}:idea:{idea_id}"

    def board(self, board: str, month: date) -> str:
        if board == "top_month":
            return f"{self._base}:top:{month_label(month)}"
        return f"{self._base}:{board}"

    def boards(self, month: date) -> list[str]:
        return [self.board(b, month) for b in BOARDS]

    @property
    def touched(self) -> str:
        return f"{self._base}:touched"


# KEYS: idea hash, month board, top board, hot board, touched set
# ARGV: idea id, delta, vote month, current month, MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS
_APPLY = """
redis.call('SADD', KEYS[5], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local delta = tonumber(ARGV[2])
local total = redis.call('HINCRBY', KEYS[1], 'total', delta)
if redis.call('HGET', KEYS[1], 'month') ~= ARGV[4] then
  redis.call('HSET', KEYS[1], 'month', ARGV[4], 'mv', 0)
end
local mv
if ARGV[3] == ARGV[4] then
  mv = redis.call('HINCRBY', KEYS[1], 'mv', delta)
else
  mv = tonumber(redis.call('HGET', KEYS[1], 'mv'))
end
if redis.call('HGET', KEYS[1], 'visible') == '1' then
  local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('ZADD', KEYS[2], mv * tonumber(ARGV[5]) + total, ARGV[1])
  end
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('ZADD', KEYS[3], total, ARGV[1]) end
  if redis.call('EXISTS', KEYS[4]) == 1 then
    local hot = math.log10(math.max(total, 1))
      + (created - tonumber(ARGV[6])) / tonumber(ARGV[7])
    redis.call('ZADD', KEYS[4], hot, ARGV[1])
  end
end
return {total, mv}
"""

# Set an idea's counts absolutely (rebuild, verification, a new idea) and place it on
# (or take it off) every leaderboard that exists; after a change to the idea itself,
# also drop its cached document (see ideabox/ideas/documents.py) and move its version on.
# KEYS: idea hash, month board, top board, hot board
# ARGV: idea id, total, month, mv, created, visible, month score, total score, hot score,
#       1 to drop the document
_SET = """
redis.call('HSET', KEYS[1], 'total', ARGV[2], 'month', ARGV[3], 'mv', ARGV[4],
           'created', ARGV[5], 'visible', ARGV[6])
if ARGV[10] == '1' then
  redis.call('HINCRBY', KEYS[1], 'docv', 1)
  redis.call('HDEL', KEYS[1], 'doc')
end
for i = 2, 4 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if ARGV[6] == '1' then
      redis.call('ZADD', KEYS[i], ARGV[5 + i], ARGV[1])
    else
      redis.call('ZREM', KEYS[i], ARGV[1])
    end
  end
end
return 1
"""

# Seed an idea's counts after a cache miss, unless a concurrent writer got there first;
# mark it touched, because the counts were read before this instant.
# KEYS: idea hash, touched set.  ARGV: idea id, total, month, mv, created, visible
_SEED = """
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'total', ARGV[2], 'month', ARGV[3], 'mv', ARGV[4],
           'created', ARGV[5], 'visible', ARGV[6])
return 1
"""


class Tallies:
    """The tally operations, bound to one Redis client."""

    def __init__(self, cache: Cache, clock: Clock) -> None:
        self.cache = cache
        self.clock = clock
        self._apply = cache.script(_APPLY)
        self._set = cache.script(_SET)
        self._seed = cache.script(_SEED)

    def month(self, tz: str) -> date:
        """The month the tallies count for in time zone ``tz``: the clock's."""
        return current_month(tz, self.clock.now())

    def keys(self, purpose_id: int) -> Keys:
        return Keys(self.cache, purpose_id)

    async def apply(self, purpose_id: int, idea_id: int, delta: int, vote_month: date,
                    month: date) -> Tally | None:
        """Add ``delta`` to an idea's tallies after a committed vote or retraction.
        None when the idea is not cached (it will be rebuilt from PostgreSQL)."""
        keys = self.keys(purpose_id)
        current = max(month, vote_month)  # a vote stamped by PostgreSQL's clock wins

        async def run(client: aioredis.Redis) -> Tally | None:
            result = await self._apply(
                keys=[keys.idea(idea_id), *keys.boards(current), keys.touched],
                args=[idea_id, delta, month_label(vote_month), month_label(current),
                      MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS],
                client=client,
            )
            return Tally(int(result[0]), int(result[1])) if result else None

        return await self.cache.write(run)

    async def read(self, ideas: Sequence[tuple[int, int, date]]) -> list[Tally | None]:
        """Tallies of ``(purpose_id, idea_id, current month)`` in one round trip; None where
        an idea is not cached."""
        if not ideas:
            return []

        async def run(client: aioredis.Redis) -> list[Tally | None]:
            pipe = client.pipeline(transaction=False)
            for purpose_id, idea_id, _ in ideas:
                pipe.hmget(self.keys(purpose_id).idea(idea_id), "total", "month", "mv")
            found: list[Tally | None] = []
            for (_, _, month), (total, counted, mv) in zip(ideas, await pipe.execute(),
                                                           strict=True):
                if total is None:
                    found.append(None)
                else:
                    # No delta this month yet means no votes this month yet.
                    this_month = counted == month_label(month).encode()
                    found.append(Tally(int(total), int(mv) if this_month else 0))
            return found

        return await self.cache.read(run)

    async def read_entries(self, ideas: Sequence[tuple[int, int]]) -> list[Entry | None]:
        """Everything cached about ``(purpose_id, idea_id)`` pairs in one round trip:
        tally fields and cached document; None where the idea is not cached."""
        if not ideas:
            return []

        async def run(client: aioredis.Redis) -> list[Entry | None]:
            if len(ideas) == 1:
                # The hottest read there is: one plain command (no pipeline, and not
                # redis-py's hmget wrapper, which inspects its arguments on every call).
                purpose_id, idea_id = ideas[0]
                rows = [await client.execute_command(  # type: ignore[no-untyped-call]
                    "HMGET", self.keys(purpose_id).idea(idea_id), *_ENTRY)]
            else:
                pipe = client.pipeline(transaction=False)
                for purpose_id, idea_id in ideas:
                    pipe.hmget(self.keys(purpose_id).idea(idea_id), *_ENTRY)
                rows = await pipe.execute()
            return [_entry(row) for row in rows]

        return await self.cache.read(run)

    async def fill_documents(self, purpose_id: int,
                             documents: Sequence[tuple[int, bytes, int]]) -> None:
        """Cache ideas' documents ``(idea_id, document, version read before)``; one whose
        version moved on meanwhile (the idea changed) is not stored."""
        keys = self.keys(purpose_id)
        script = self.cache.script(_FILL)
        now = int(time.time())

        async def run(client: aioredis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for idea_id, document, version in documents:
                await script(keys=[keys.idea(idea_id)], args=[document, version, now],
                             client=pipe)
            await pipe.execute()

        await self.cache.command(run)

    async def forget_documents(self, purpose_id: int, idea_ids: Iterable[int]) -> None:
        """Drop cached documents (their author's name or role changed)."""
        keys = self.keys(purpose_id)

        async def run(client: aioredis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for idea_id in idea_ids:
                pipe.hincrby(keys.idea(idea_id), "docv", 1)
                pipe.hdel(keys.idea(idea_id), "doc")
            await pipe.execute()

        await self.cache.write(run)

    async def seed(self, purpose_id: int, counts: Iterable[IdeaCounts], month: date) -> None:
        """Store counts read from PostgreSQL after a miss (where nobody stored them since)."""
        keys = self.keys(purpose_id)
        label = month_label(month)

        async def run(client: aioredis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for c in counts:
                await self._seed(keys=[keys.idea(c.idea_id), keys.touched],
                                 args=[c.idea_id, c.total, label, c.month, c.created,
                                       int(c.visible)], client=pipe)
            await pipe.execute()

        # A lost seed loses nothing: the idea is simply read from PostgreSQL again.
        await self.cache.command(run)

    async def store(self, purpose_id: int, counts: Iterable[IdeaCounts], month: date, *,
                    changed: bool = False) -> None:
        """Overwrite ideas' counts with the truth and fix their place on the leaderboards;
        ``changed``: the ideas themselves changed, so drop their cached documents too."""
        keys = self.keys(purpose_id)
        boards = keys.boards(month)
        label = month_label(month)

        async def run(client: aioredis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for c in counts:
                await self._set(
                    keys=[keys.idea(c.idea_id), *boards],
                    args=[c.idea_id, c.total, label, c.month, c.created, int(c.visible),
                          *(board_score(b, c) for b in BOARDS), int(changed)],
                    client=pipe,
                )
            await pipe.execute()

        await self.cache.write(run)

    async def write_hashes(self, purpose_id: int, counts: Sequence[IdeaCounts],
                           month: date) -> None:
        """Overwrite ideas' counts (a full rebuild; the leaderboards are rebuilt after)."""
        keys = self.keys(purpose_id)
        label = month_label(month)

        async def run(client: aioredis.Redis) -> None:
            for start in range(0, len(counts), 1000):
                pipe = client.pipeline(transaction=False)
                for c in counts[start:start + 1000]:
                    # The whole hash: a rebuild also forgets every cached document.
                    pipe.delete(keys.idea(c.idea_id))
                    pipe.hset(keys.idea(c.idea_id), mapping={
                        "total": c.total, "month": label, "mv": c.month,
                        "created": c.created, "visible": int(c.visible)})
                await pipe.execute()

        await self.cache.write(run)

    async def missing_boards(self, purpose_id: int, month: date) -> list[str]:
        keys = self.keys(purpose_id)

        async def run(client: aioredis.Redis) -> list[str]:
            pipe = client.pipeline(transaction=False)
            for board in BOARDS:
                pipe.exists(keys.board(board, month))
            return [b for b, found in zip(BOARDS, await pipe.execute(), strict=True)
                    if not found]

        return await self.cache.command(run)

    async def board_page(self, purpose_id: int, board: str, month: date, offset: int,
                         limit: int) -> list[int] | None:
        """Idea ids ranked ``offset``… on a leaderboard; None if it is not built yet."""
        key = self.keys(purpose_id).board(board, month)

        async def run(client: aioredis.Redis) -> list[int] | None:
            pipe = client.pipeline(transaction=False)
            pipe.exists(key)
            pipe.zrevrange(key, offset, offset + limit - 1)
            exists, members = await pipe.execute()
            return [int(m) for m in members] if exists else None

        return await self.cache.read(run)

    async def build_boards(self, purpose_id: int, counts: Sequence[IdeaCounts], month: date,
                           boards: Sequence[str] = BOARDS) -> None:
        """Replace whole leaderboards: built under a temporary name, then renamed over the
        old one, so readers never see half a board."""
        keys = self.keys(purpose_id)
        visible = [c for c in counts if c.visible]

        async def run(client: aioredis.Redis) -> None:
            for board in boards:
                key = keys.board(board, month)
                temporary = f"{key}:building"
                pipe = client.pipeline(transaction=False)
                pipe.delete(temporary)
                for start in range(0, len(visible), 1000):
                    chunk = visible[start:start + 1000]
                    pipe.zadd(temporary, {str(c.idea_id): board_score(board, c) for c in chunk})
                if visible:
                    pipe.rename(temporary, key)
                else:
                    pipe.delete(key)
                await pipe.execute()

        await self.cache.command(run)

    async def month_board_from_totals(self, purpose_id: int, month: date) -> bool:
        """At a month's start nobody has voted in it yet: its board is the all-time board.
        Returns False if there is no all-time board to copy."""
        keys = self.keys(purpose_id)
        top, board = keys.board("top", month), keys.board("top_month", month)

        async def run(client: aioredis.Redis) -> bool:
            if not await client.exists(top):
                return False
            await client.zunionstore(board, [top])
            return True

        return await self.cache.command(run)

    async def pop_touched(self, purpose_id: int, count: int) -> list[int]:
        key = self.keys(purpose_id).touched

        async def run(client: aioredis.Redis) -> list[int]:
            members = await client.spop(key, count)
            return [int(m) for m in members or []]

        return await self.cache.command(run)
