"""The demo's purposes, ideas and comments, made through their services, each at the
moment the plan gives it (the transaction's ``now`` is moved there first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ideabox.accounts.schemas import Viewer
from ideabox.comments.schemas import CommentCreate
from ideabox.comments.service import add_comment
from ideabox.demo.content import PURPOSES
from ideabox.demo.plan import ADMIN, TIMEZONE, Plan
from ideabox.ideas.schemas import IdeaCreate
from ideabox.ideas.service import create_idea
from ideabox.platform.db import Db
from ideabox.purposes.schemas import PurposeCreate
from ideabox.purposes.service import create_purpose
from ideabox.services import Services

Advance = Callable[[int, int], None]


async def create_purposes(db: Db, services: Services, plan: Plan,
                          viewers: list[Viewer]) -> None:
    """The purposes, all made on the demo's first morning (a few minutes apart, so the
    front page, newest first, shows them in the order the content gives)."""
    # From the month before last: the schedule would have promoted every month since.
    morning = plan.start + timedelta(hours=8)
    for n, purpose in enumerate(PURPOSES):
        db.now = morning + timedelta(minutes=10 * n)
        await create_purpose(db, services.settings, viewers[ADMIN], PurposeCreate(
            slug=purpose.slug, title=purpose.title, statement=purpose.statement,
            audience=purpose.audience, timezone=TIMEZONE, eligibility=purpose.eligibility))


async def post_ideas(db: Db, services: Services, plan: Plan, viewers: list[Viewer],
                     advance: Advance) -> list[int]:
    """Every idea of the plan, by its author; returns their ids in the plan's order."""
    ids: list[int] = []
    for n, planned in enumerate(plan.ideas, start=1):
        db.now = planned.posted
        idea = await create_idea(db, services, viewers[planned.author], planned.purpose.slug,
                                 IdeaCreate(title=planned.text.title, body=planned.text.body))
        ids.append(idea.id)
        advance(n, len(plan.ideas))
    return ids


async def write_comments(db: Db, services: Services, plan: Plan, viewers: list[Viewer],
                         idea_ids: list[int], advance: Advance) -> None:
    """Every comment and reply of the plan (replies after what they answer)."""
    ids: list[int] = []
    for n, planned in enumerate(plan.comments, start=1):
        parent = ids[planned.parent] if planned.parent is not None else None
        db.now = planned.at
        comment = await add_comment(db, services, viewers[planned.author], idea_ids[planned.idea],
                                    CommentCreate(body=planned.text, parent_id=parent))
        ids.append(comment.id)
        advance(n, len(plan.comments))
