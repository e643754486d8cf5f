"""Purposes: create, change, read; and who may take part in one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from ideabox.accounts.schemas import Role, Viewer
from ideabox.ideas.cache import IdeaCache
from ideabox.identity.eligibility import ensure_eligible
from ideabox.platform import markdown, months
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.platform.settings import Settings
from ideabox.platform.validation import trimmed
from ideabox.purposes.schemas import Audience, Purpose, PurposeCreate, PurposeUpdate

# Who may post, vote and comment in a purpose, by its audience. Moderators and admins
# work for the municipality, so they take part where staff do, not where residents do.
PARTICIPANTS: dict[Audience, frozenset[Role]] = {
    "everyone": frozenset({"resident", "staff", "moderator", "admin"}),
    "residents": frozenset({"resident"}),
    "staff": frozenset({"staff", "moderator", "admin"}),
}
_REFUSAL: dict[Audience, str] = {
    "everyone": "",
    "residents": "residents_only",
    "staff": "staff_only",
}



async def purpose_id(conn: asyncpg.Connection, slug: str) -> int:
    """The id of the purpose ``slug``; 404 ``purpose_not_found`` when there is none."""
    found: int | None = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1", slug)
    if found is None:
        raise NotFound("purpose_not_found", slug=slug)
    return found

def audiences_for(role: Role) -> list[str]:
    """The audiences a role may take part in (for SQL: ``audience = ANY($n)``)."""
    return [audience for audience, roles in PARTICIPANTS.items() if role in roles]


def ensure_may_participate(viewer: Viewer, audience: Audience, eligibility: str, *,
                           assisted: bool = False) -> None:
    """Raise Forbidden unless ``viewer`` may post, vote and comment in a purpose of
    ``audience`` (their role) and ``eligibility`` (a verified person, or resident);
    ``assisted``: staff act for them."""
    if viewer.role not in PARTICIPANTS[audience]:
        raise Forbidden(_REFUSAL[audience])
    ensure_eligible(verified=viewer.verified, resident=viewer.resident,
                    eligibility=eligibility, assisted=assisted)


_COLUMNS = """
    p.id, p.slug, p.title, p.statement, p.statement_html, p.audience, p.promote_top_n,
    p.min_votes, p.timezone, p.created_at, p.eligibility, p.answer_within_days,
    p.report_threshold, p.review_before_publishing,
    (SELECT count(*) FROM ideas i
     WHERE i.purpose_id = p.id
       AND i.status NOT IN ('hidden', 'withdrawn', 'pending_review')) AS idea_count
"""


def _purpose(row: asyncpg.Record, delay: timedelta, now: datetime) -> Purpose:
    return Purpose(**dict(row), next_promotion_at=next_promotion_at(row["timezone"], delay,
                                                                   now))


def next_promotion_at(tz: str, delay: timedelta, now: datetime) -> datetime:
    """When this month's ideas will be sent on: just after the month ends in ``tz``."""
    month = months.current_month(tz, now)
    _, end = months.month_bounds(month, tz)
    return (end + delay).astimezone(UTC)


def _check_timezone(name: str) -> None:
    if not months.valid_timezone(name):
        raise Invalid("timezone", "timezone_unknown")


async def create_purpose(db: Db, settings: Settings, viewer: Viewer,
                         data: PurposeCreate) -> Purpose:
    """Create a purpose (admins only); 409 if the slug is taken."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_create_purpose")
    _check_timezone(data.timezone)
    statement = trimmed(data.statement, "statement", 1, 5000, multiline=True)
    statement_html = await markdown.to_html(statement, "statement")
    try:
        await db.conn.execute(
            """
            INSERT INTO purposes (slug, title, statement, statement_html, audience,
                                  promote_top_n, min_votes, timezone, created_by, created_at,
                                  eligibility, answer_within_days, report_threshold,
                                  review_before_publishing)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            data.slug, trimmed(data.title, "title", 3, 140), statement,
            statement_html,
            data.audience, data.promote_top_n, data.min_votes, data.timezone, viewer.id, db.now,
            data.eligibility, data.answer_within_days, data.report_threshold,
            data.review_before_publishing,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict("slug_taken", slug=data.slug) from None
    return await get_purpose(db, settings, data.slug)


async def get_purpose(db: Db, settings: Settings, slug: str) -> Purpose:
    """One purpose by its slug; 404 if there is none."""
    by_slug = f"SELECT {_COLUMNS} FROM purposes p WHERE p.slug = $1"  # noqa: S608 - a constant
    row = await db.conn.fetchrow(by_slug, slug)
    if row is None:
        raise NotFound("purpose_not_found", slug=slug)
    return _purpose(row, settings.promotion_delay, db.now)


async def list_purposes(db: Db, settings: Settings) -> list[Purpose]:
    """Every purpose, the newest first."""
    rows = await db.conn.fetch(
        # S608: a constant.
        f"SELECT {_COLUMNS} FROM purposes p ORDER BY p.created_at DESC, p.id")  # noqa: S608
    return [_purpose(row, settings.promotion_delay, db.now) for row in rows]


async def update_purpose(db: Db, settings: Settings, viewer: Viewer, slug: str,
                         data: PurposeUpdate, *, ideas: IdeaCache) -> Purpose:
    """Change a purpose (admins only). The time zone is fixed once a month was promoted:
    changing it would move the month boundaries of results already on record. A changed
    answer deadline moves the deadline of every idea promoted already (``ideas``: their
    cached documents are dropped)."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_change_purpose")
    current = await db.conn.fetchrow(
        "SELECT id, timezone FROM purposes WHERE slug = $1 FOR UPDATE", slug)
    if current is None:
        raise NotFound("purpose_not_found", slug=slug)
    changes: dict[str, Any] = {
        field: value for field in PurposeUpdate.__struct_fields__
        if (value := getattr(data, field)) is not msgspec.UNSET
    }
    if "timezone" in changes and changes["timezone"] != current["timezone"]:
        _check_timezone(changes["timezone"])
        promoted = await db.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM promotion_runs WHERE purpose_id = $1)", current["id"])
        if promoted:
            raise Conflict("timezone_fixed")
    if "title" in changes:
        changes["title"] = trimmed(changes["title"], "title", 3, 140)
    if "statement" in changes:
        changes["statement"] = trimmed(changes["statement"], "statement", 1, 5000,
                                       multiline=True)
        changes["statement_html"] = await markdown.to_html(changes["statement"], "statement")
    if changes:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        # Columns are PurposeUpdate's own field names; values go as $n.
        await db.conn.execute(f"UPDATE purposes SET {assignments} WHERE id = $1",  # noqa: S608
                           current["id"], *changes.values())
    if "answer_within_days" in changes:
        promoted = await db.conn.fetch("SELECT idea_id FROM promotions WHERE purpose_id = $1",
                                       current["id"])
        ideas.changed(db, [row["idea_id"] for row in promoted])
    return await get_purpose(db, settings, slug)
