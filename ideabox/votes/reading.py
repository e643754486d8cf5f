"""Reading tallies: from Redis when it can be believed, else from PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import asyncpg

from ideabox.platform.cache import CacheUnavailable
from ideabox.votes.counts import idea_counts
from ideabox.votes.tallies import IdeaCounts, Tallies, Tally

log = logging.getLogger(__name__)


class IdeaRef:
    """Enough about an idea to find its tally: its id, its purpose, and the month it is
    in the purpose's zone."""

    __slots__ = ("idea_id", "month", "purpose_id")

    def __init__(self, idea_id: int, purpose_id: int, month: date) -> None:
        self.idea_id = idea_id
        self.purpose_id = purpose_id
        self.month = month


async def read_tallies(conn: asyncpg.Connection, tallies: Tallies,
                       refs: Sequence[IdeaRef]) -> dict[int, Tally]:
    """Tallies for ``refs``: Redis first; ideas it lacks are read from PostgreSQL and
    copied into Redis; everything from PostgreSQL when Redis is down or not believed."""
    if not refs:
        return {}
    found: dict[int, Tally] = {}
    try:
        cached = await tallies.read([(r.purpose_id, r.idea_id, r.month) for r in refs])
    except CacheUnavailable:
        cached = [None] * len(refs)
        seed = False
    else:
        seed = True
    missing: list[IdeaRef] = []
    for ref, tally in zip(refs, cached, strict=True):
        if tally is None:
            missing.append(ref)
        else:
            found[ref.idea_id] = tally
    counts = await idea_counts(conn, [r.idea_id for r in missing])
    by_purpose: dict[tuple[int, date], list[IdeaCounts]] = defaultdict(list)
    for ref in missing:
        if (count := counts.get(ref.idea_id)) is not None:
            found[ref.idea_id] = count.tally(ref.month)
            by_purpose[(ref.purpose_id, ref.month)].append(count)
    if seed:
        for (purpose_id, month), group in by_purpose.items():
            # A lost copy loses nothing: the idea is simply read from PostgreSQL again.
            with contextlib.suppress(CacheUnavailable):
                await tallies.put_many(purpose_id, group, month, changed=False,
                                       lost_is_harmless=True)
    return found
