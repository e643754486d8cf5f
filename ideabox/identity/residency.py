"""Residency checks: whether a person lives in the municipality, as someone vouched for
it at a moment (an OpenID provider's residence claim, staff in person, the demo's seed).
Only the yes or no is kept; the latest check decides (``eligibility.resident_now``)."""

from __future__ import annotations

from ideabox.platform.db import Db

_RECORD = """
INSERT INTO residency_checks (user_id, provider, resident, checked_at) VALUES ($1, $2, $3, $4)
"""


async def record_residency(db: Db, user_id: int, *, vouched_by: str, resident: bool) -> None:
    """Record a residency check of ``user_id`` now; ``vouched_by`` is the provider's name,
    or who else vouched."""
    await db.conn.execute(_RECORD, user_id, vouched_by, resident, db.now)
