"""The idea's page, as any controller that shows it renders it (its own routes, and
those of comments and moderation, which show it again with a form's errors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar.response import Template

from ideabox.categories.service import list_categories
from ideabox.comments.service import list_comments
from ideabox.http.pages.render import page
from ideabox.http.routing import MaybeSignedIn, RequestDb, Svc
from ideabox.ideas import service
from ideabox.ideas.deadline import days_between
from ideabox.ideas.schemas import Idea
from ideabox.moderation.queue import marks_for
from ideabox.notifications.service import get_following
from ideabox.purposes.service import get_purpose
from ideabox.responses.service import idea_history
from ideabox.sharing.meta import for_idea

COMMENTS_PER_PAGE = 50


async def idea_page(db: RequestDb, viewer: MaybeSignedIn, services: Svc, idea_id: int, *,
                    cursor: str | None = None, status: int = 200, **forms_state: Any
                    ) -> Template:
    """The whole idea page; ``forms_state`` re-opens a form with its errors and values."""
    idea = await service.get_idea(db.conn, services, viewer, idea_id)
    purpose = await get_purpose(db, services.settings, idea.purpose)
    thread = await list_comments(db.conn, viewer, idea_id, limit=COMMENTS_PER_PAGE,
                                 cursor=cursor)
    context: dict[str, Any] = {"errors": {}, "values": {}, "reply_to": None, "added": None,
                               "edit_errors": {}, "edit_values": {}, "withdraw_errors": {}}
    context.update(forms_state)
    # The edit form offers the categories still offered, and the idea's own.
    current = idea.category.slug if idea.category else None
    categories = [c for c in await list_categories(db.conn, idea.purpose, include_retired=True)
                  if not c.retired or c.slug == current]
    return page("ideas/show.html", status=status, viewer=viewer, idea=idea, purpose=purpose,
                categories=categories, share=for_idea(idea, services.settings.base_url),
                comments=thread, **context, **await idea_story(db, viewer, idea_id),
                **_deadline_days(idea, db.now))


def _deadline_days(idea: Idea, now: datetime) -> dict[str, int | None]:
    """Whole days since the idea was promoted, and that its answer took."""
    since = answered = None
    if idea.promoted_at is not None:
        since = days_between(idea.promoted_at, now)
        if idea.answered_at is not None:
            answered = days_between(idea.promoted_at, idea.answered_at)
    return {"days_since_promotion": since, "days_to_answer": answered}


async def idea_story(db: RequestDb, viewer: MaybeSignedIn, idea_id: int) -> dict[str, Any]:
    """What became of the idea (its status changes and the administration's answers),
    whether the reader follows it, and what they reported or may ask to have looked at
    again."""
    history = await idea_history(db.conn, viewer, idea_id)
    following = (await get_following(db.conn, viewer, idea_id)).following if viewer else False
    return {"history": history.items, "following": following,
            "marks": await marks_for(db.conn, viewer, idea_id)}
