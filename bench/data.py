"""Realistic benchmark data, written straight into PostgreSQL with COPY.

Going through the API would take longer than the benchmark itself (argon2 for every
user, a transaction per vote); COPY loads tens of thousands of rows a second. What the
API would have checked is ensured here by construction: one vote per (idea, voter),
votes after the idea was posted, ideas open. Ids are chosen here (above any already in
the table) and the identity sequences moved past them, so the loader needs no round
trip per row and later inserts through the API do not collide.

After loading, the Redis cache knows nothing of these rows: run ``ideabox cache
rebuild`` before measuring reads.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from ideabox.accounts.tokens import new_token, token_hash
from ideabox.votes.counts import recount

# Not a valid argon2 hash on purpose: benchmark users sign in with API tokens only.
NO_PASSWORD = "$argon2id$v=19$bench$not-a-usable-password-hash"

WORDS = (
    "cykelsti", "havn", "borger", "kommune", "regel", "skema", "ansøgning", "byggetilladelse",
    "park", "bænk", "lys", "skole", "daginstitution", "bibliotek", "bus", "stoppested",
    "affald", "genbrug", "træ", "legeplads", "tilladelse", "sagsbehandling", "blanket",
    "digital", "frist", "møde", "høring", "nabo", "fortov", "parkering", "vinter", "saltning",
    "grønt", "område", "badested", "bro", "trafik", "sikkerhed", "tryghed", "kultur", "idræt",
    "hal",
)


@dataclass(frozen=True)
class Sizes:
    users: int
    purposes: int
    ideas: int
    votes: int
    comments: int


QUICK = Sizes(users=5_000, purposes=3, ideas=2_000, votes=50_000, comments=4_000)
FULL = Sizes(users=50_000, purposes=5, ideas=20_000, votes=500_000, comments=40_000)


@dataclass
class Dataset:
    """What was loaded, as the load generator needs it."""

    user_ids: list[int]
    tokens: list[str]  # tokens[i] is an API token of user_ids[i]
    purpose_slugs: list[str]
    idea_ids: list[int]
    votes: list[tuple[int, int]]  # (idea_id, voter_id) as loaded
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    seconds: float = 0.0


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> tuple[str, str]:
    """A Markdown body and its HTML, as the service would have rendered it."""
    paras = [_text(rng, rng.randint(12, 40)) for _ in range(count)]
    return "\n\n".join(paras), "".join(f"<p>{p}</p>\n" for p in paras)


async def _next_id(conn: asyncpg.Connection, table: str) -> int:
    return int(await conn.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))


async def _copy(conn: asyncpg.Connection, table: str, columns: list[str],
                records: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table(table, records=records, columns=columns)


async def _move_sequence(conn: asyncpg.Connection, table: str) -> None:
    # COPY wrote the identity column itself; the next INSERT must start above it.
    await conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 1) FROM {table}))")


def vote_counts(rng: random.Random, ideas: int, votes: int, voters: int) -> list[int]:
    """Votes per idea, skewed as real votes are: a few ideas draw most of them (Zipf,
    exponent 0.8), in random id order. No idea gets more votes than there are voters."""
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(ideas)]
    rng.shuffle(weights)
    drawn = Counter(rng.choices(range(ideas), weights=weights, k=votes))
    return [min(drawn.get(i, 0), voters) for i in range(ideas)]


async def load(url: str, sizes: Sizes, *, seed: int = 1, now: datetime | None = None,
               keep_votes: bool = True) -> Dataset:
    """Load users (each with an API token), purposes, ideas, votes over the last three
    months and comments, in one transaction. ``keep_votes=False`` leaves the loaded
    (idea, voter) pairs out of the result, which matters with millions of votes."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            dataset = await _load(conn, sizes, rng, now, keep_votes)
        for table in ("users", "auth_tokens", "purposes", "ideas", "votes", "comments"):
            # Fresh statistics: the planner would otherwise plan for empty tables.
            await conn.execute(f"ANALYZE {table}")
    finally:
        await conn.close()
    dataset.seconds = time.perf_counter() - started
    return dataset


async def _load(conn: asyncpg.Connection, sizes: Sizes, rng: random.Random,
                now: datetime, keep_votes: bool) -> Dataset:
    # Users: 2 % staff, the rest residents; each gets one API token.
    first_user = await _next_id(conn, "users")
    user_ids = list(range(first_user, first_user + sizes.users))
    # Everybody has confirmed their address when they signed up, so their votes count.
    users = [
        (uid, f"bench-{uid}@example.org", NO_PASSWORD, f"Borger {uid}",
         "staff" if rng.random() < 0.02 else "resident", joined, joined, joined, "demo")
        for uid in user_ids
        for joined in [now - timedelta(days=rng.uniform(90, 720))]
    ]
    await _copy(conn, "users", ["id", "email", "password_hash", "display_name", "role",
                                "created_at", "verified_at", "email_verified_at",
                                "email_verified_via"], users)
    await _move_sequence(conn, "users")

    tokens = [new_token() for _ in user_ids]
    await _copy(conn, "auth_tokens", ["user_id", "kind", "token_hash", "created_at",
                                      "last_used_at"],
                [(uid, "api", token_hash(tok), now, now) for uid, tok in zip(user_ids, tokens,
                                                                               strict=True)])

    first_purpose = await _next_id(conn, "purposes")
    purpose_ids = list(range(first_purpose, first_purpose + sizes.purposes))
    slugs = [f"bench-formaal-{pid}" for pid in purpose_ids]
    purposes = []
    for pid, slug in zip(purpose_ids, slugs, strict=True):
        statement, statement_html = _paragraphs(rng, 2)
        purposes.append((pid, slug, f"Formål {pid}: {_text(rng, 4)}"[:140], statement,
                         statement_html, "everyone", 3, 1, "Europe/Copenhagen",
                         now - timedelta(days=200)))
    await _copy(conn, "purposes", ["id", "slug", "title", "statement", "statement_html",
                                   "audience", "promote_top_n", "min_votes", "timezone",
                                   "created_at"], purposes)
    await _move_sequence(conn, "purposes")

    # Ideas: posted over the last six months, all open (a vote on a withdrawn idea is a
    # 409, which would blur the vote figures).
    first_idea = await _next_id(conn, "ideas")
    idea_ids = list(range(first_idea, first_idea + sizes.ideas))
    posted: list[datetime] = []
    ideas = []
    for iid in idea_ids:
        body, body_html = _paragraphs(rng, rng.randint(1, 4))
        at = now - timedelta(days=rng.uniform(0.05, 180))
        posted.append(at)
        ideas.append((iid, rng.choice(purpose_ids), rng.choice(user_ids),
                      f"Idé {iid}: {_text(rng, rng.randint(3, 10))}"[:140], body, body_html,
                      "open", at, at))
    await _copy(conn, "ideas", ["id", "purpose_id", "author_id", "title", "body", "body_html",
                                "status", "created_at", "updated_at"], ideas)
    await _move_sequence(conn, "ideas")

    # Votes: spread over the last three months, never before the idea was posted, in
    # time order as they would have arrived (the BRIN index on created_at assumes so).
    horizon = now - timedelta(days=90)
    votes: list[tuple[int, int, datetime]] = []
    counts = vote_counts(rng, sizes.ideas, sizes.votes, sizes.users)
    for iid, at, count in zip(idea_ids, posted, counts, strict=True):
        since = max(at, horizon)
        span = (now - since).total_seconds()
        for voter in rng.sample(user_ids, count):
            votes.append((iid, voter, since + timedelta(seconds=rng.uniform(0, span))))
    votes.sort(key=lambda v: v[2])
    await _copy(conn, "votes", ["idea_id", "voter_id", "created_at"], votes)
    # COPY bypasses the vote statements, which keep each idea's count: count them here.
    await recount(conn, idea_ids)

    comments = []
    for _ in range(sizes.comments):
        index = rng.randrange(sizes.ideas)
        body, body_html = _paragraphs(rng, 1)
        at = posted[index] + (now - posted[index]) * rng.random()
        comments.append((idea_ids[index], rng.choice(user_ids), body, body_html, at, at))
    await _copy(conn, "comments", ["idea_id", "author_id", "body", "body_html", "created_at",
                                   "updated_at"], comments)

    return Dataset(
        user_ids=user_ids, tokens=tokens, purpose_slugs=slugs, idea_ids=idea_ids,
        votes=[(iid, voter) for iid, voter, _ in votes] if keep_votes else [],
        counts={"users": len(users), "auth_tokens": len(tokens), "purposes": len(purposes),
                "ideas": len(ideas), "votes": len(votes), "comments": len(comments)},
    )
