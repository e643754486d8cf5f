"""Vote tallies in Redis: a cache of ``idea_tallies``, never the record.

PostgreSQL keeps each idea's count in ``idea_tallies``, changed by the very statement
that casts or retracts a vote, with a ``version`` that moves on at every change (see
``sql/0005_idea_tallies.sql``). Redis holds a copy with that version, and a copy is only
ever replaced by a newer one (``PUT``). So whichever order the writes of several
instances arrive in, Redis ends at the count the last committed vote left: a tally read
after a vote was acknowledged is that vote's count or a later one, never an older one,
never negative.

Per idea, a hash ``<prefix>:{p<purpose>}:idea:<id>`` holds ``total``, ``month`` (the
month ``mv`` counts, YYYY-MM), ``mv`` (votes cast in that month that still stand), ``v``
(the version), ``created`` (epoch seconds, for the hot score) and ``visible`` (1 unless
withdrawn or hidden), beside the idea's cached document (``ideas/cache.py``). Per
purpose, three leaderboards (sorted sets) hold the visible ideas: ``top:<YYYY-MM>``
(this month), ``top`` (all time) and ``hot``. Every key of a purpose carries the hash tag
``{p<purpose>}``, so a purpose's keys share one Redis Cluster slot and the Lua scripts
below may touch several of them atomically.

A leaderboard is built from the hashes, in Redis, under a temporary name that every
``PUT`` meanwhile updates too, then renamed over the old one: readers never see half a
board, and a vote during the build is never lost from it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import msgspec
import redis.asyncio as aioredis

from ideabox.platform.cache import Cache
from ideabox.platform.clock import Clock
from ideabox.platform.months import current_month, month_label

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

# Hashes handed to one board-building script at a time.
BUILD_CHUNK = 500
# A board under construction stands in for the real one this long at most, should its
# builder die; a build of 100,000 ideas takes about a second.
BUILD_SECONDS = 60
# The member that makes an empty board under construction exist; never an idea id.
_PLACEHOLDER = "-"


class Tally(msgspec.Struct, frozen=True):
    total: int
    month: int  # votes cast in the current month that still stand


class IdeaCounts(msgspec.Struct, frozen=True):
    """What PostgreSQL says about one idea (its ``idea_tallies`` row, or none yet)."""

    idea_id: int
    total: int
    month: date | None  # the month ``month_votes`` counts; None before the first vote
    month_votes: int
    version: int
    created: float
    visible: bool

    def tally(self, current: date) -> Tally:
        return Tally(self.total, self.month_votes if self.month == current else 0)


class Entry(msgspec.Struct, frozen=True, array_like=True):
    """An idea's hash as read: its tally fields and its cached document, raw."""

    total: bytes
    month: bytes | None
    mv: bytes | None
    doc: bytes | None
    doc_at: bytes | None
    docv: bytes | None

    def tally(self, current: date) -> Tally:
        # Counted for an earlier month: nobody has voted for it this month yet.
        this_month = self.month == month_label(current).encode()
        return Tally(int(self.total), int(self.mv or 0) if this_month else 0)

    @property
    def version(self) -> int:
        return int(self.docv or 0)


_ENTRY = ("total", "month", "mv", "doc", "doc_at", "docv")


def _entry(row: list[Any]) -> Entry | None:
    total, month, mv, doc, doc_at, docv = row
    return None if total is None else Entry(total, month, mv, doc, doc_at, docv)


def hot_score(total: int, created: float) -> float:
    return math.log10(max(total, 1)) + (created - HOT_EPOCH) / HOT_SECONDS


# Store an idea's counts if they are newer than the copy held (or there is none), and
# put the idea where it now belongs on every leaderboard that exists, and on every one
# being built. ``changed``: the idea itself changed (its status, its text), so its
# visibility is set and its cached document dropped, whatever the counts' version.
# KEYS: idea hash, then month, top and hot boards, then the same three being built
# ARGV: idea id, version, total, counted month (YYYY-MM or ''), its votes, created,
#       visible, changed, current month, MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS
_PUT = """
local h = KEYS[1]
local known = redis.call('EXISTS', h) == 1
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', h, 'v') or '-1') then
  redis.call('HSET', h, 'total', ARGV[3], 'month', ARGV[4], 'mv', ARGV[5], 'v', ARGV[2])
end
if ARGV[8] == '1' or not known then
  redis.call('HSET', h, 'created', ARGV[6], 'visible', ARGV[7])
end
if ARGV[8] == '1' then
  redis.call('HINCRBY', h, 'docv', 1)
  redis.call('HDEL', h, 'doc')
end
local f = redis.call('HMGET', h, 'total', 'month', 'mv', 'created', 'visible')
local total = tonumber(f[1])
local mv = 0
if f[2] == ARGV[9] then mv = tonumber(f[3]) end
local scores = {mv * tonumber(ARGV[10]) + total, total,
  math.log10(math.max(total, 1)) + (tonumber(f[4]) - tonumber(ARGV[11])) / tonumber(ARGV[12])}
for i = 2, 7 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if f[5] == '1' then
      redis.call('ZADD', KEYS[i], scores[(i - 2) % 3 + 1], ARGV[1])
    else
      redis.call('ZREM', KEYS[i], ARGV[1])
    end
  end
end
return {total, mv}
"""

# Begin building a board, unless another builder is at it (its board under construction
# exists): a second one would start afresh under the first one's feet. The placeholder
# makes even an empty board under construction exist, so that PUTs update it.
# KEYS: the board to build.  ARGV: the placeholder member, BUILD_SECONDS
_START = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], 0, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

# Score ideas onto a board under construction from their hashes as they are now.
# KEYS: the board being built, then idea hashes.  ARGV: board (top_month|top|hot),
# current month, MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS, then the ideas' ids (as KEYS)
_SCORE = """
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'total', 'month', 'mv', 'created', 'visible')
  if f[1] and f[5] == '1' then
    local total = tonumber(f[1])
    local score = total
    if ARGV[1] == 'top_month' then
      local mv = 0
      if f[2] == ARGV[2] then mv = tonumber(f[3]) end
      score = mv * tonumber(ARGV[3]) + total
    elseif ARGV[1] == 'hot' then
      score = math.log10(math.max(total, 1)) + (tonumber(f[4]) - tonumber(ARGV[4]))
        / tonumber(ARGV[5])
    end
    redis.call('ZADD', KEYS[1], score, ARGV[i + 4])
  end
end
return 1
"""

# The board is built: it replaces the old one in one step.
# KEYS: the board being built, the board.  ARGV: the placeholder member
_FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PERSIST', KEYS[1])
  redis.call('RENAME', KEYS[1], KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
return 1
"""

# Cache a document unless the idea changed since it was read (its version moved on) or
# the hash is gone (a rebuild is under way; the next read tries again).
# KEYS: idea hash.  ARGV: document, version read before, now (epoch seconds)
_FILL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'docv') or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'doc_at', ARGV[3])
return 1
"""


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

    def building(self, board: str, month: date) -> str:
        return f"{self.board(board, month)}:building"


class Tallies:
    """The tally operations, bound to one Redis client and the clock."""

    def __init__(self, cache: Cache, clock: Clock) -> None:
        self.cache = cache
        self.clock = clock
        self._put = cache.script(_PUT)
        self._start = cache.script(_START)
        self._score = cache.script(_SCORE)
        self._finish = cache.script(_FINISH)

    def month(self, tz: str) -> date:
        """The month the tallies count for in time zone ``tz``: the clock's."""
        return current_month(tz, self.clock.now())

    def keys(self, purpose_id: int) -> Keys:
        return Keys(self.cache, purpose_id)

    def _put_args(self, keys: Keys, counts: IdeaCounts, month: date,
                  changed: bool) -> tuple[list[str], list[Any]]:
        return (
            [keys.idea(counts.idea_id), *keys.boards(month),
             *(keys.building(b, month) for b in BOARDS)],
            [counts.idea_id, counts.version, counts.total,
             month_label(counts.month) if counts.month else "", counts.month_votes,
             counts.created, int(counts.visible), int(changed), month_label(month),
             MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS],
        )

    async def put(self, purpose_id: int, counts: IdeaCounts, month: date) -> Tally:
        """Store an idea's counts after a committed vote or retraction (unless a newer
        copy is held already); answer the tally Redis holds now. A failure marks the
        cache stale for every instance."""
        keys, args = self._put_args(self.keys(purpose_id), counts, month, changed=False)

        async def run(client: aioredis.Redis) -> Tally:
            total, mv = await self._put(keys=keys, args=args, client=client)
            return Tally(int(total), int(mv))

        return await self.cache.write(run)

    async def put_many(self, purpose_id: int, counts: Iterable[IdeaCounts], month: date, *,
                       changed: bool, lost_is_harmless: bool = False) -> None:
        """Store many ideas' counts read from PostgreSQL (where no newer copy is held).
        ``changed``: the ideas themselves changed (visibility, text), so their documents
        go. ``lost_is_harmless``: a copy made after a cache miss, which the next read would
        make again; its failure does not mark the cache stale."""
        keys = self.keys(purpose_id)
        batch = [self._put_args(keys, c, month, changed) for c in counts]

        async def run(client: aioredis.Redis) -> None:
            for start in range(0, len(batch), 1000):
                pipe = client.pipeline(transaction=False)
                for script_keys, args in batch[start:start + 1000]:
                    await self._put(keys=script_keys, args=args, client=pipe)
                await pipe.execute()

        if lost_is_harmless:
            await self.cache.command(run)
        else:
            await self.cache.write(run)

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

    async def build_boards(self, purpose_id: int, idea_ids: Sequence[int], month: date,
                           boards: Sequence[str] = BOARDS) -> bool:
        """Replace whole leaderboards with the ideas ``idea_ids`` scored from their hashes
        (which must be stored first). False if another builder is at it already."""
        keys = self.keys(purpose_id)

        async def run(client: aioredis.Redis) -> bool:
            built = True
            for board in boards:
                building = keys.building(board, month)
                if not await self._start(keys=[building], args=[_PLACEHOLDER, BUILD_SECONDS],
                                         client=client):
                    built = False
                    continue
                for start in range(0, len(idea_ids), BUILD_CHUNK):
                    chunk = idea_ids[start:start + BUILD_CHUNK]
                    await self._score(
                        keys=[building, *(keys.idea(i) for i in chunk)],
                        args=[board, month_label(month), MONTH_WEIGHT, HOT_EPOCH, HOT_SECONDS,
                              *chunk],
                        client=client)
                await self._finish(keys=[building, keys.board(board, month)],
                                   args=[_PLACEHOLDER], client=client)
            return built

        return await self.cache.command(run)
