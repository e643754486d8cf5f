"""What became of a purpose's promoted ideas, month by month ("Sådan gik det").

Every idea a month's promotion sent to the administration, with its status now and its
answer deadline (``ideabox.ideas.deadline``), and the figures: how many were promoted,
answered, accepted and implemented, the median days to an answer, and how many are
overdue now. Only what the public may see: ideas hidden, withdrawn or waiting for review
are left out, of the lists and the figures alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from ideabox.ideas.deadline import days_between, deadline
from ideabox.outcomes.schemas import Figures, MonthOutcomes, Outcome, Outcomes
from ideabox.platform.errors import NotFound
from ideabox.platform.labels import UNLISTED
from ideabox.platform.months import month_label

NOT_PUBLIC = UNLISTED

_PURPOSE = "SELECT id, slug, title, timezone, answer_within_days FROM purposes WHERE slug = $1"

# A month whose promotion found no idea to send on is shown too: nothing qualified.
_MONTHS = "SELECT month FROM promotion_runs WHERE purpose_id = $1 ORDER BY month DESC"

_PROMOTED = """
SELECT pr.month, pr.rank, i.id AS idea_id, i.title, i.status,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.to_status = 'promoted') AS promoted_at,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.trigger = 'response') AS answered_at
FROM promotions pr
JOIN ideas i ON i.id = pr.idea_id
WHERE pr.purpose_id = $1 AND i.status <> ALL($2::text[])
ORDER BY pr.month DESC, pr.rank
"""


def figures_of(items: Sequence[Outcome]) -> Figures:
    """The figures of these ideas."""
    taken = [item.days_taken for item in items if item.days_taken is not None]
    return Figures(
        promoted=len(items),
        answered=len(taken),
        accepted=sum(item.status == "accepted" for item in items),
        implemented=sum(item.status == "implemented" for item in items),
        median_days_to_answer=float(statistics.median(taken)) if taken else None,
        overdue=sum(item.overdue for item in items),
    )


def _outcome(row: asyncpg.Record, answer_within_days: int, now: datetime) -> Outcome:
    due = deadline(row["promoted_at"], answer_within_days, row["answered_at"], now)
    taken = (days_between(due.promoted_at, due.answered_at)
             if due.promoted_at is not None and due.answered_at is not None else None)
    return Outcome(idea_id=row["idea_id"], title=row["title"], rank=row["rank"],
                   status=row["status"], promoted_at=due.promoted_at,
                   answer_due=due.answer_due, answered_at=due.answered_at, days_taken=taken,
                   overdue=due.overdue)


async def purpose_outcomes(conn: asyncpg.Connection, slug: str, now: datetime) -> Outcomes:
    """What became of a purpose's promoted ideas at ``now``; 404 for an unknown purpose."""
    purpose = await conn.fetchrow(_PURPOSE, slug)
    if purpose is None:
        raise NotFound("purpose_not_found", slug=slug)
    days: int = purpose["answer_within_days"]
    by_month: dict[date, list[Outcome]] = {
        row["month"]: [] for row in await conn.fetch(_MONTHS, purpose["id"])}
    for row in await conn.fetch(_PROMOTED, purpose["id"], list(NOT_PUBLIC)):
        by_month.setdefault(row["month"], []).append(_outcome(row, days, now))
    months = [MonthOutcomes(month=month_label(month), figures=figures_of(items), items=items)
              for month, items in sorted(by_month.items(), reverse=True)]
    everything = [item for month in months for item in month.items]
    return Outcomes(purpose=purpose["slug"], title=purpose["title"],
                    timezone=purpose["timezone"], answer_within_days=days,
                    figures=figures_of(everything), months=months)
