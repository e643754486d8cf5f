"""``ideabox cache rebuild``: every tally and leaderboard rebuilt from PostgreSQL."""

from __future__ import annotations

from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ideabox.cache import CacheUnavailable
from ideabox.runtime import async_command
from ideabox.votes.reading import tallies_of
from ideabox.votes.reconcile import mark_rebuilt, rebuild_all


@click.group("cache")
def cache() -> None:
    """The Redis cache of vote tallies."""


@cache.command("rebuild")
@async_command
async def rebuild(state: Any) -> None:
    """Rebuild every vote tally and leaderboard in Redis from PostgreSQL."""
    async with state.pool.acquire() as conn:
        generation = await conn.fetchval("SELECT generation FROM cache_state")
        ideas = await conn.fetchval("SELECT count(*) FROM ideas")
        columns = (TextColumn("rebuilding tallies"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("purposes"), TimeElapsedColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("rebuild", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                counted = await rebuild_all(conn, tallies_of(state), advance)
                current = await mark_rebuilt(conn, state.cache, generation)
            except CacheUnavailable:
                raise click.ClickException("Redis is not reachable; nothing was rebuilt") \
                    from None
    click.echo(f"rebuilt the tallies of {counted} of {ideas} ideas")
    if not current:
        click.echo("the cache was marked stale meanwhile; the service will rebuild it again")
