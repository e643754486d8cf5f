"""``ideabox promote``: promote a month now, or verify a recorded promotion."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import click

from ideabox.platform.errors import IdeaboxError, Invalid
from ideabox.platform.months import current_month, month_bounds, parse_month, previous_month
from ideabox.promotion.schemas import Promotion, Verification
from ideabox.promotion.service import promote_on_own
from ideabox.promotion.verify import verify_purpose
from ideabox.runtime import async_command, migrated
from ideabox.services import Services


def _month(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_month(text)
    except Invalid as exc:  # badly written, or a year outside the range
        raise click.BadParameter(f"{exc.message}, e.g. 2026-11",
                                 param_hint="--month") from None


def _last_ended(tz: str, now: datetime) -> date:
    return previous_month(current_month(tz, now))


async def _purposes(conn: asyncpg.Connection, slug: str | None) -> list[asyncpg.Record]:
    rows = await conn.fetch("SELECT id, slug, timezone, created_at FROM purposes "
                            "WHERE $1::text IS NULL OR slug = $1 ORDER BY slug", slug)
    if slug is not None and not rows:
        raise click.ClickException(f"there is no purpose '{slug}'")
    return list(rows)


def _wanted(purpose: asyncpg.Record, month: date, explicit: bool) -> bool:
    # Without --purpose, a purpose created after the month ended has nothing to promote
    # for it (the schedule starts from a purpose's first month too).
    return explicit or purpose["created_at"] < month_bounds(month, purpose["timezone"])[1]


def _print_promotion(result: Promotion) -> None:
    when = result.ran_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"{result.purpose} {result.month}: {len(result.items)} idea(s) promoted "
               f"({result.trigger}, {when})")
    if result.votes_not_counted:
        click.echo(f"  {result.votes_not_counted} vote(s) in the month did not count: their "
                   f"people were not eligible at the month's end, or their votes were held")
    for item in result.items:
        click.echo(f"  {item.rank:>3}. idea {item.idea_id}: {item.votes_in_month} vote(s) in "
                   f"the month, {item.total_votes} in all — {item.title}")


def _print_verification(result: Verification) -> None:
    if result.ok:
        click.echo(f"{result.purpose} {result.month}: ok")
        return
    click.echo(f"{result.purpose} {result.month}: {len(result.differences)} difference(s)")
    for difference in result.differences:
        where = f"rank {difference.rank}: " if difference.rank is not None else ""
        click.echo(f"  {where}{difference.message}")


@async_command
async def _promote(services: Services, month: date | None, slug: str | None) -> int:
    await migrated(services)
    now = services.clock.now()
    async with services.pool.acquire() as conn:
        purposes = await _purposes(conn, slug)
    failures = 0
    for purpose in purposes:
        chosen = month or _last_ended(purpose["timezone"], now)
        if not _wanted(purpose, chosen, slug is not None):
            continue
        try:
            result = await promote_on_own(services, purpose["slug"], chosen,
                                          trigger="promotion:cli", now=now)
        except IdeaboxError as exc:
            click.echo(f"{purpose['slug']}: {exc.detail}", err=True)
            failures += 1
            continue
        _print_promotion(result)
    return failures


@async_command
async def _verify(services: Services, month: date | None, slug: str | None) -> int:
    await migrated(services)
    now = services.clock.now()
    failures = 0
    async with services.pool.acquire() as conn:
        for purpose in await _purposes(conn, slug):
            chosen = month or _last_ended(purpose["timezone"], now)
            has_run = await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM promotion_runs WHERE purpose_id = $1 "
                "AND month = $2)", purpose["id"], chosen)
            if not (has_run or _wanted(purpose, chosen, slug is not None)):
                continue
            result = await verify_purpose(conn, purpose, chosen)
            _print_verification(result)
            failures += not result.ok
    return failures


@click.command("promote")
@click.option("--month", metavar="YYYY-MM",
              help="The month to promote. Default: the last month that has ended, in each "
                   "purpose's time zone.")
@click.option("--purpose", "slug", metavar="SLUG", help="Only this purpose (default: all).")
@click.option("--verify", is_flag=True,
              help="Do not promote: recompute the recorded result from the vote log and "
                   "the ideas' status history, and report any difference (exit code 1).")
def promote(month: str | None, slug: str | None, verify: bool) -> None:
    """Promote a month's top ideas to the administration (a month already promoted shows
    its recorded result), or verify a recorded promotion."""
    chosen = _month(month)
    failures = _verify(chosen, slug) if verify else _promote(chosen, slug)
    if failures:
        raise SystemExit(1)
