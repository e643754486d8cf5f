"""``ideabox cache rebuild``: every tally and leaderboard rebuilt from PostgreSQL."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ideabox.platform.cache import CacheUnavailable
from ideabox.runtime import async_command
from ideabox.services import Services
from ideabox.votes.counts import recount as recount_ideas
from ideabox.votes.reconcile import mark_rebuilt, rebuild_all

# Ideas recounted per statement: each statement's aggregate stays small.
RECOUNT_BATCH = 10_000


@click.group("cache")
def cache() -> None:
    """The Redis cache of vote tallies."""


@cache.command("rebuild")
@click.option("--recount", is_flag=True,
              help="First count every idea's votes again in PostgreSQL (idea_tallies), "
                   "after votes were written behind ideabox's back: a bulk load, a repair.")
@async_command
async def rebuild(services: Services, recount: bool) -> None:
    """Rebuild every vote tally and leaderboard in Redis from PostgreSQL."""
    async with services.pool.acquire() as conn:
        if recount:
            ids = [r["id"] for r in await conn.fetch("SELECT id FROM ideas ORDER BY id")]
            for start in range(0, len(ids), RECOUNT_BATCH):
                await recount_ideas(conn, ids[start:start + RECOUNT_BATCH])
            click.echo(f"counted the votes of {len(ids)} ideas again")
        generation = await conn.fetchval("SELECT generation FROM cache_state")
        ideas = await conn.fetchval("SELECT count(*) FROM ideas")
        columns = (TextColumn("rebuilding tallies"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("purposes"), TimeElapsedColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("rebuild", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                counted = await rebuild_all(conn, services.tallies, advance)
                current = await mark_rebuilt(conn, services.cache, generation)
            except CacheUnavailable:
                raise click.ClickException("Redis is not reachable; nothing was rebuilt") \
                    from None
    click.echo(f"rebuilt the tallies of {counted} of {ideas} ideas")
    if not current:
        click.echo("the cache was marked stale meanwhile; the service will rebuild it again")
