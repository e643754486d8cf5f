"""Seeding the demo: the plan carried out in one transaction, then the cache rebuilt.

One transaction, so that a failure halfway leaves the database as empty as it was (and
the demo can simply be run again); under an advisory lock, so that two seeds started
together cannot both find the database empty.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import msgspec

from ideabox.accounts.schemas import UserCreate
from ideabox.demo import town
from ideabox.demo.content import PURPOSES
from ideabox.demo.history import History, Outcome
from ideabox.demo.people import create_people
from ideabox.demo.plan import TRY_RESIDENT, Plan, make_plan
from ideabox.demo.posting import create_purposes, post_ideas, write_comments
from ideabox.notifications.mail import Mailer
from ideabox.platform.cache import CacheUnavailable
from ideabox.promotion.service import own_transaction
from ideabox.services import Services
from ideabox.votes.reconcile import mark_rebuilt, rebuild_all

DEFAULT_SEED = 2026
DEFAULT_RESIDENTS = 220
SEED_LOCK = 0x1DEA_0004

# (step, done, total): called as the seed goes, for a progress bar.
Progress = Callable[[str, int, int], None]
STEPS = ("people", "ideas", "comments", "votes and events", "cache")


class NotEmpty(Exception):
    """The database already holds ideas; the demo only fills an empty one."""

    def __init__(self, holds_demo: bool) -> None:
        super().__init__("the database already holds ideas")
        self.holds_demo = holds_demo


@dataclass(frozen=True)
class DemoOptions:
    seed: int = DEFAULT_SEED
    residents: int = DEFAULT_RESIDENTS
    admin_email: str = town.ADMIN_EMAIL
    admin_password: str | None = None  # None: one is generated
    now: datetime | None = None  # None: the clock's; tests fix it


@dataclass
class DemoResult:
    admin_email: str
    admin_password: str | None  # only when generated: the one given is the caller's
    try_password: str
    try_accounts: list[tuple[str, str]]  # (role, e-mail)
    base_url: str
    counts: dict[str, int] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)
    cache_rebuilt: bool = False
    seconds: float = 0.0


async def holds_demo(conn: asyncpg.Connection) -> bool:
    """Whether the database holds the demo: its purposes, with ideas."""
    found: bool = await conn.fetchval(
        "SELECT count(*) = $2 AND EXISTS (SELECT 1 FROM ideas) FROM purposes "
        "WHERE slug = ANY($1::text[])", [p.slug for p in PURPOSES], len(PURPOSES))
    return found


def _quietly(_step: str, _done: int, _total: int) -> None:
    return None


def new_password() -> str:
    return secrets.token_urlsafe(12)


async def seed_demo(services: Services, options: DemoOptions,
                    progress: Progress | None = None) -> DemoResult:
    """Fill an empty database with the demo; raises NotEmpty if it holds ideas."""
    began = time.perf_counter()
    report: Progress = progress or _quietly
    now = options.now or services.clock.now()
    plan = make_plan(options.seed, options.residents, now)
    admin_password = options.admin_password or new_password()
    admin = msgspec.convert({"email": options.admin_email, "password": admin_password,
                             "display_name": town.ADMIN_NAME}, UserCreate)
    result = DemoResult(
        admin_email=admin.email,
        admin_password=None if options.admin_password else admin_password,
        try_password=new_password(),
        try_accounts=[("resident", town.TRY_RESIDENT[1]), ("staff", town.TRY_STAFF[1])],
        base_url=services.settings.base_url)
    async with own_transaction(services.pool, now) as db:
        await db.conn.execute("SELECT pg_advisory_xact_lock($1)", SEED_LOCK)
        if await db.conn.fetchval("SELECT EXISTS (SELECT 1 FROM ideas)"):
            raise NotEmpty(await holds_demo(db.conn))
        # The demo's people are made up: a configured SMTP server must not be handed
        # hundreds of notifications about them.
        quiet = _without_mail(services)
        viewers = await create_people(db, plan, admin, result.try_password,
                                      lambda d, t: report("people", d, t))
        await create_purposes(db, quiet, plan, viewers)
        idea_ids = await post_ideas(db, quiet, plan, viewers,
                                    lambda d, t: report("ideas", d, t))
        await write_comments(db, quiet, plan, viewers, idea_ids,
                             lambda d, t: report("comments", d, t))
        history = History(db, quiet, plan, viewers, idea_ids,
                          random.Random(options.seed + 1),
                          lambda d, t: report("votes and events", d, t))
        result.outcome = await history.play()
        await _read_some(db.conn, plan, viewers[TRY_RESIDENT].id, random.Random(options.seed))
        result.counts = await _counts(db.conn)
    result.cache_rebuilt = await _rebuild_cache(services, lambda d, t: report("cache", d, t))
    result.seconds = time.perf_counter() - began
    return result


def _without_mail(services: Services) -> Services:
    """The same services with a mailer that never sends."""
    settings = msgspec.structs.replace(services.settings, smtp_host=None)
    return dataclasses.replace(services, mailer=Mailer(settings, services.pool,
                                                       services.background))


async def _read_some(conn: asyncpg.Connection, plan: Plan, resident_id: int,
                     rng: random.Random) -> None:
    """Most people have read most of their notifications; the demo resident has read
    all but the two newest, so her page shows what unread ones look like."""
    rows = await conn.fetch("SELECT id, user_id, created_at FROM notifications "
                            "ORDER BY created_at, id")
    hers = [r["id"] for r in rows if r["user_id"] == resident_id]
    fresh = set(hers[-2:])
    read = [(r["id"], min(r["created_at"] + timedelta(days=rng.uniform(0.1, 3)), plan.now))
            for r in rows if r["id"] not in fresh
            and (r["user_id"] == resident_id or rng.random() < 0.7)]
    await conn.execute(
        "UPDATE notifications n SET read_at = m.at "
        "FROM unnest($1::bigint[], $2::timestamptz[]) AS m(id, at) WHERE n.id = m.id",
        [r[0] for r in read], [r[1] for r in read])


async def _counts(conn: asyncpg.Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in ("users", "purposes", "ideas", "comments", "votes", "follows",
                  "notifications"):
        # S608: table names from the tuple above.
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
    return counts


async def _rebuild_cache(services: Services, advance: Callable[[int, int], None]) -> bool:
    """Every tally rebuilt from what was written, so the site shows them at once (as
    ``ideabox cache rebuild`` does). Without Redis the service rebuilds it at start."""
    async with services.pool.acquire() as conn:
        generation = await conn.fetchval("SELECT generation FROM cache_state")
        try:
            await rebuild_all(conn, services.tallies, advance)
            return await mark_rebuilt(conn, services.cache, generation)
        except CacheUnavailable:
            return False
