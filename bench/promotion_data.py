"""Data for the promotion and export benchmark, written with COPY.

Two parts in one database:

- *the big purpose*: one purpose with ``ideas`` ideas and ``votes`` votes spread over
  ``months`` calendar months, skewed as real votes are (Zipf, as ``data.py``), in time
  order (the BRIN index on ``votes.created_at`` assumes so). All ideas in one purpose is
  the hardest case for the ranking: every vote of a month belongs to it.
- *the export purposes*: 100 purposes of 200 ideas; in one month 10 of them get votes on
  100 ideas each (1,000 ideas to promote), in the next month all 100 do, on 100 other
  ideas each (10,000), so the same export can be measured at two sizes.

Every vote's person is checked by the promotion, so the people are as the costliest
case has them: the big purpose is for verified residents only, and every person has a
residency check (95 % resident; 2 % moved away during the window, a second check saying
so); 1 % deleted their account during the window, and 100 have their votes held.

For speed, the votes table's indexes and foreign keys are dropped during the load and
rebuilt from their own definitions afterwards (a sorted build beats 10 million random
inserts); what they enforce is true by construction: one vote per (idea, voter), every
id exists, votes after the idea was posted.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from data import NO_PASSWORD, _copy, _move_sequence, _next_id, _paragraphs, _text

from ideabox.accounts.tokens import new_token, token_hash
from ideabox.platform.months import month_bounds
from ideabox.votes.counts import recount

CPH = "Europe/Copenhagen"
BATCH = 500_000
# Voters of an idea are first + (offset + k * STRIDE) mod users, k = 0, 1, …: distinct
# for k < users because STRIDE shares no factor with the user count chosen below.
STRIDE = 7_919
EXPORT_PURPOSES = 100
EXPORT_IDEAS = 200
EXPORT_TOP_N = 100
HELD = 100


@dataclass
class Loaded:
    big_slug: str
    months: list[date]  # the months the big purpose has votes in
    export_slugs: list[str]
    export_months: tuple[date, date]  # 1,000 then 10,000 ideas to promote
    staff_token: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def window(months: int, now: datetime) -> list[date]:
    """The ``months`` calendar months before the current one (Copenhagen time)."""
    local = now.astimezone(ZoneInfo(CPH))
    month = date(local.year, local.month, 1)
    found: list[date] = []
    for _ in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
        found.append(month)
    return sorted(found)


def _users_needed(votes: int, ideas: int) -> int:
    """Enough voters that even the most-voted idea (about 1/H of all votes, H the sum of
    the Zipf weights) finds distinct ones, with a margin."""
    weights = sum(1.0 / (rank + 1) ** 0.8 for rank in range(ideas))
    need = int(votes / weights * 1.2) + 1000
    return need + 1 if need % STRIDE == 0 else need


def _vote_records(rng: random.Random, idea_ids: list[int], first_user: int, users: int,
                  votes: int, start: datetime, end: datetime) -> Iterator[tuple[Any, ...]]:
    """``votes`` votes between ``start`` and ``end``, in time order, hour by hour."""
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(idea_ids))]
    rng.shuffle(weights)
    cum: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cum.append(total)
    population = range(len(idea_ids))
    offsets = [rng.randrange(users) for _ in idea_ids]
    cast = [0] * len(idea_ids)
    hours = int((end - start).total_seconds() // 3600)
    left = votes
    for hour in range(hours):
        count = round(left / (hours - hour))
        left -= count
        slot = start + timedelta(hours=hour)
        seconds = sorted(rng.random() * 3600 for _ in range(count))
        for index, at in zip(rng.choices(population, cum_weights=cum, k=count), seconds,
                             strict=True):
            k = cast[index]
            if k >= users:
                continue  # every voter has voted for it
            cast[index] = k + 1
            voter = first_user + (offsets[index] + k * STRIDE) % users
            yield idea_ids[index], voter, slot + timedelta(seconds=at)


async def _without_votes_indexes(conn: asyncpg.Connection) -> list[str]:
    """Drop the votes table's keys and indexes; return the statements that rebuild them."""
    constraints = await conn.fetch(
        "SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE conrelid = 'votes'::regclass AND contype IN ('p', 'f') ORDER BY contype DESC")
    owned = {r["conname"] for r in constraints}
    indexes = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes "
                               "WHERE tablename = 'votes' AND schemaname = 'public'")
    rebuild = [f"ALTER TABLE votes ADD CONSTRAINT {r['conname']} {r['def']}"
               for r in constraints]
    rebuild += [r["indexdef"] for r in indexes if r["indexname"] not in owned]
    for row in constraints:
        await conn.execute(f"ALTER TABLE votes DROP CONSTRAINT {row['conname']}")
    for row in indexes:
        if row["indexname"] not in owned:
            await conn.execute(f"DROP INDEX {row['indexname']}")
    return rebuild


def _idea_rows(rng: random.Random, ids: list[int], purpose_id: int, authors: list[int],
               posted_from: datetime, posted_to: datetime) -> list[tuple[Any, ...]]:
    rows = []
    span = (posted_to - posted_from).total_seconds()
    for iid in ids:
        body, html = _paragraphs(rng, 1)
        at = posted_from + timedelta(seconds=rng.uniform(0, span))
        rows.append((iid, purpose_id, rng.choice(authors),
                     f"Idé {iid}: {_text(rng, rng.randint(3, 9))}"[:140], body, html, "open",
                     at, at))
    return rows


async def load(url: str, *, ideas: int, votes: int, months: int, seed: int = 7,
               now: datetime | None = None, say: Any = print) -> Loaded:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    span = window(months, now)
    start, _ = month_bounds(span[0], CPH)
    _, end = month_bounds(span[-1], CPH)
    users = _users_needed(votes, ideas)
    conn: asyncpg.Connection = await asyncpg.connect(url)
    seconds: dict[str, float] = {}
    try:
        await conn.execute("SET maintenance_work_mem = '1GB'")
        began = time.perf_counter()
        async with conn.transaction():
            first_user = await _next_id(conn, "users")
            user_ids = list(range(first_user, first_user + users + 1))
            staff_id = user_ids[-1]
            joined = start - timedelta(days=90)
            # The export purposes' voters and the staff member stay eligible.
            ordinary = user_ids[10:-1]
            deleted = {uid: start + (end - start) * rng.random()
                       for uid in rng.sample(ordinary, len(ordinary) // 100)}
            await _copy(conn, "users", ["id", "email", "password_hash", "display_name", "role",
                                        "created_at", "verified_at", "deleted_at"],
                        [(uid, f"bench-{uid}@example.org", NO_PASSWORD, f"Borger {uid}",
                          "staff" if uid == staff_id else "resident", joined, joined,
                          deleted.get(uid))
                         for uid in user_ids])
            await _move_sequence(conn, "users")
            checks = [(uid, "mitid", uid in user_ids[:10] or rng.random() < 0.95, joined)
                      for uid in user_ids]
            checks += [(uid, "mitid", False, start + (end - start) * rng.random())
                       for uid in rng.sample(ordinary, len(ordinary) // 50)]
            await _copy(conn, "residency_checks", ["user_id", "provider", "resident",
                                                   "checked_at"], checks)
            await _copy(conn, "vote_holds", ["user_id", "reason", "held_by", "held_at"],
                        [(uid, "Bølge af nye profiler", staff_id, start)
                         for uid in rng.sample(ordinary, HELD)])
            staff_token = new_token()
            await _copy(conn, "auth_tokens", ["user_id", "kind", "token_hash"],
                        [(staff_id, "api", token_hash(staff_token))])

            first_purpose = await _next_id(conn, "purposes")
            purpose_ids = list(range(first_purpose, first_purpose + 1 + EXPORT_PURPOSES))
            slugs = ["bench-stor"] + [f"bench-eksport-{n:03d}" for n in range(EXPORT_PURPOSES)]
            statement, statement_html = _paragraphs(rng, 1)
            await _copy(conn, "purposes", ["id", "slug", "title", "statement", "statement_html",
                                           "promote_top_n", "min_votes", "timezone",
                                           "created_at", "eligibility"],
                        [(pid, slug, f"Formål {slug}", statement, statement_html,
                          3 if slug == "bench-stor" else EXPORT_TOP_N, 1, CPH,
                          start - timedelta(days=90),
                          "verified_residency" if slug == "bench-stor" else "verified_email")
                         for pid, slug in zip(purpose_ids, slugs, strict=True)])
            await _move_sequence(conn, "purposes")

            first_idea = await _next_id(conn, "ideas")
            big_ids = list(range(first_idea, first_idea + ideas))
            authors = user_ids[:2000]
            rows = _idea_rows(rng, big_ids, purpose_ids[0], authors,
                              start - timedelta(days=60), start)
            export_ids: list[list[int]] = []
            next_id = first_idea + ideas
            for pid in purpose_ids[1:]:
                ids = list(range(next_id, next_id + EXPORT_IDEAS))
                next_id += EXPORT_IDEAS
                export_ids.append(ids)
                rows += _idea_rows(rng, ids, pid, authors, start - timedelta(days=60), start)
            await _copy(conn, "ideas", ["id", "purpose_id", "author_id", "title", "body",
                                        "body_html", "status", "created_at", "updated_at"], rows)
            await _move_sequence(conn, "ideas")
            # Every idea has its 'posted' entry, as the service writes it.
            await conn.execute(
                "INSERT INTO idea_status_changes (idea_id, to_status, changed_by, trigger, "
                "created_at) SELECT id, 'open', author_id, 'posted', created_at FROM ideas "
                "WHERE id >= $1", first_idea)
            seconds["users, purposes, ideas"] = time.perf_counter() - began

            began = time.perf_counter()
            rebuild = await _without_votes_indexes(conn)
            batch: list[tuple[Any, ...]] = []
            loaded = 0
            for record in _vote_records(rng, big_ids, first_user, users, votes, start, end):
                batch.append(record)
                if len(batch) >= BATCH:
                    await _copy(conn, "votes", ["idea_id", "voter_id", "created_at"], batch)
                    loaded += len(batch)
                    batch = []
                    say(f"  {loaded:,} votes copied ({time.perf_counter() - began:.0f} s)")
            # The export purposes' votes: a few each, in the two months after the window's
            # first, never twice by one voter for one idea.
            e1, e2 = span[0], span[1]
            for month, purposes, chosen, voters in (
                    (e1, range(10), range(100, 200), user_ids[:5]),
                    (e2, range(EXPORT_PURPOSES), range(0, 100), user_ids[5:10])):
                m_start, _ = month_bounds(month, CPH)
                for p in purposes:
                    for i in chosen:
                        for v in range(1 + (i * 7 + p) % 5):
                            batch.append((export_ids[p][i], voters[v],
                                          m_start + timedelta(days=3, minutes=i + v)))
            await _copy(conn, "votes", ["idea_id", "voter_id", "created_at"], batch)
            loaded += len(batch)
            seconds["COPY votes"] = time.perf_counter() - began
            began = time.perf_counter()
            for statement_sql in rebuild:
                say(f"  {statement_sql[:90]} …")
                await conn.execute(statement_sql)
            seconds["rebuild votes keys and indexes"] = time.perf_counter() - began
            # COPY bypasses the vote statements, which keep each idea's count.
            began = time.perf_counter()
            await recount(conn, await conn.fetchval("SELECT array_agg(id) FROM ideas"))
            seconds["count each idea's votes"] = time.perf_counter() - began
        began = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE) votes")
        await conn.execute("ANALYZE")
        seconds["VACUUM ANALYZE"] = time.perf_counter() - began
        counts = {"users": users + 1, "ideas": ideas + EXPORT_PURPOSES * EXPORT_IDEAS,
                  "votes": loaded, "purposes": 1 + EXPORT_PURPOSES}
    finally:
        await conn.close()
    return Loaded(big_slug="bench-stor", months=span, export_slugs=slugs[1:],
                  export_months=(span[0], span[1]), staff_token=staff_token, counts=counts,
                  seconds=seconds)
