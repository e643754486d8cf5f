"""Reports and the moderators' queue in the browser: the report forms on an idea and its
comments, the author's request for a second look, and the queue page with a decision
form per case. Plain forms in disclosures: they work without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.comments.service import get_comment
from ideabox.http.pages import forms
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import (
    AnyRequest,
    CaseId,
    CommentId,
    IdeaId,
    RequestDb,
    SignedIn,
    Svc,
    Writer,
)
from ideabox.ideas.views import idea_page
from ideabox.moderation import queue, reports
from ideabox.moderation.schemas import CaseDecision, ReportCreate, SecondLookRequest
from ideabox.moderation.service import ensure_may_moderate
from ideabox.platform.errors import Forbidden

PER_PAGE = 20
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]


async def _idea_of(db: RequestDb, user: SignedIn, comment_id: int) -> int:
    comment = await get_comment(db.conn, comment_id, user)
    return comment.idea_id


async def _report(request: AnyRequest, db: RequestDb, writer: SignedIn, services: Svc, *,
                  idea_id: int, comment_id: int | None) -> Template | Redirect:
    form = await form_of(request)
    key = "idea" if comment_id is None else f"comment-{comment_id}"
    back = f"/ideas/{idea_id}#report" if comment_id is None else \
        f"/ideas/{idea_id}#comment-{comment_id}"

    async def report(data: ReportCreate) -> object:
        if comment_id is None:
            return await reports.report_idea(db, services, writer, idea_id, data)
        return await reports.report_comment(db, writer, comment_id, data)

    done = await forms.submit(db, lang(request), form, ReportCreate, report)
    if not isinstance(done, forms.Refused):
        return see_other(back)
    return await idea_page(db, writer, services, idea_id, status=done.status, report_key=key,
                           report_errors=done.errors, report_values=form)


@post("/ideas/{idea_id:int}/report")
async def report_idea(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                      idea_id: IdeaId) -> Template | Redirect:
    """Report the idea with a reason; the idea's page again with what to fix."""
    return await _report(request, db, writer, services, idea_id=idea_id, comment_id=None)


@post("/comments/{comment_id:int}/report")
async def report_comment(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                         comment_id: CommentId) -> Template | Redirect:
    """Report the comment with a reason; the idea's page again with what to fix."""
    idea_id = await _idea_of(db, writer, comment_id)
    return await _report(request, db, writer, services, idea_id=idea_id, comment_id=comment_id)


async def _look(request: AnyRequest, db: RequestDb, writer: SignedIn, services: Svc, *,
                idea_id: int, comment_id: int | None) -> Template | Redirect:
    form = await form_of(request)
    done = await forms.submit(
        db, lang(request), form, SecondLookRequest,
        lambda data: queue.ask_second_look(
            db, writer, idea_id=idea_id if comment_id is None else None,
            comment_id=comment_id, data=data))
    if not isinstance(done, forms.Refused):
        return see_other(f"/ideas/{idea_id}" + ("" if comment_id is None
                                                 else f"#comment-{comment_id}"))
    key = "idea" if comment_id is None else f"comment-{comment_id}"
    return await idea_page(db, writer, services, idea_id, status=done.status, look_key=key,
                           look_errors=done.errors)


@post("/ideas/{idea_id:int}/second-look")
async def look_at_idea(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                       idea_id: IdeaId) -> Template | Redirect:
    """The author asks the moderators to look again at their idea (once)."""
    return await _look(request, db, writer, services, idea_id=idea_id, comment_id=None)


@post("/comments/{comment_id:int}/second-look")
async def look_at_comment(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                          comment_id: CommentId) -> Template | Redirect:
    """The author asks the moderators to look again at their comment (once)."""
    idea_id = await _idea_of(db, writer, comment_id)
    return await _look(request, db, writer, services, idea_id=idea_id, comment_id=comment_id)


async def _queue_page(db: RequestDb, user: SignedIn, cursor: str | None, *,
                      status: int = 200, **state: Any) -> Template:
    found = await queue.list_queue(db.conn, user, limit=PER_PAGE, cursor=cursor)
    context: dict[str, Any] = {"failed_case": None, "errors": {}, "values": {}}
    context.update(state)
    return page("admin/queue.html", status=status, viewer=user, cases=found, cursor=cursor,
                decisions=queue.DECISIONS, **context)


@get("/admin/moderation/queue")
async def queue_page(db: RequestDb, user: SignedIn, cursor: CursorParam = None) -> Template:
    """The open cases, in the order moderators take them, each with its decision form."""
    if not user.is_moderator:
        raise Forbidden("moderators_only_page")
    return await _queue_page(db, user, cursor)


@post("/admin/moderation/queue/{case_id:int}/decision")
async def decide(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                 case_id: CaseId) -> Template | Redirect:
    """Decide a case with the reason its author is told; the queue again with what to fix."""
    ensure_may_moderate(writer)
    form = await form_of(request)
    done = await forms.submit(db, lang(request), form, CaseDecision,
                              lambda data: queue.decide_case(db, services, writer, case_id,
                                                             data))
    if not isinstance(done, forms.Refused):
        return see_other("/admin/moderation/queue#queue")
    return await _queue_page(db, writer, None, status=done.status, failed_case=case_id,
                             errors=done.errors, values=form)


routes: list[ControllerRouterHandler] = [report_idea, report_comment, look_at_idea,
                                         look_at_comment, queue_page, decide]
