"""The administration's page for each month's promoted ideas: run the promotion of a
month that has ended, and answer each promoted idea with a status and a public text."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages import forms
from ideabox.http.pages.access import require_admin
from ideabox.http.pages.render import form_of, lang, local_path, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, SignedIn, Svc, Writer
from ideabox.ideas.service import ideas_by_id
from ideabox.platform.errors import IdeaboxError, NotFound
from ideabox.platform.months import current_month, month_label, parse_month, previous_month
from ideabox.promotion import service
from ideabox.promotion.schemas import Promotion
from ideabox.purposes.schemas import Purpose
from ideabox.purposes.service import get_purpose, list_purposes
from ideabox.responses.schemas import ResponseCreate
from ideabox.responses.service import allowed_answers, respond_to_idea

SlugParam = Annotated[str | None, QueryParameter(max_length=60)]
MonthParam = Annotated[str | None, QueryParameter(max_length=7)]


def _address(slug: str, month: str) -> str:
    return f"/admin/promotions?purpose={slug}&month={month}"


class PromotionPages(Controller):
    path = "/admin/promotions"

    @get("/")
    async def show(self, db: RequestDb, user: SignedIn, services: Svc,
                   purpose: SlugParam = None, month: MonthParam = None) -> Template:
        """A purpose's promoted ideas of a month (the last month that ended, unless
        another is asked for), each with the form to answer it."""
        require_admin(user)
        return await _page(db, user, services, purpose, month)

    @post("/")
    async def promote(self, request: AnyRequest, db: RequestDb, writer: Writer,
                      services: Svc) -> Template | Redirect:
        """Promote a month that has ended now, rather than wait for the schedule."""
        form = await form_of(request)
        slug, month = form.get("purpose", ""), form.get("month", "")
        service.ensure_may_promote(writer)
        try:
            await service.promote_month(db, services, slug,
                                        parse_month(month, source="body"),
                                        trigger="promotion:api", by=writer.id)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc, passthrough=(401, 403, 404))
            return await _page(db, writer, services, slug, month, errors=errors,
                               status=exc.status_code)
        return see_other(_address(slug, month))

    @post("/ideas/{idea_id:int}/response")
    async def respond(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                      idea_id: IdeaId) -> Template | Redirect:
        """Answer a promoted idea in public: its new status and the administration's text."""
        form = await form_of(request)
        slug, month = form.get("purpose", ""), form.get("month", "")
        done = await forms.submit(db, lang(request), form, ResponseCreate,
                                  lambda data: respond_to_idea(db, services, writer, idea_id,
                                                               data))
        if not isinstance(done, forms.Refused):
            back = local_path(_address(slug, month), "/admin/promotions")
            return see_other(f"{back}#idea-{idea_id}")
        return await _page(db, writer, services, slug, month, errors=done.errors,
                           answering=idea_id, values=form, status=400)


async def _page(db: RequestDb, user: SignedIn, services: Svc, slug: str | None,
                month_text: str | None, *, errors: dict[str, str] | None = None,
                answering: int | None = None, values: dict[str, str] | None = None,
                status: int = 200) -> Template:
    purposes = await list_purposes(db, services.settings)
    chosen: Purpose | None = None
    if slug:
        chosen = await get_purpose(db, services.settings, slug)
    elif purposes:
        chosen = purposes[0]
    month: date | None = None
    promotion: Promotion | None = None
    ideas = {}
    if chosen is not None:
        month = (parse_month(month_text, source="query") if month_text
                 else previous_month(current_month(chosen.timezone, db.now)))
        try:
            promotion = await service.get_promotion(db.conn, user, chosen.slug, month)
        except NotFound:
            promotion = None
        if promotion is not None:
            found = await ideas_by_id(db.conn, services, user,
                                      [item.idea_id for item in promotion.items])
            ideas = {idea.id: idea for idea in found}
    answers = {idea_id: allowed_answers(idea.status) for idea_id, idea in ideas.items()}
    return page("admin/promotions.html", status=status, viewer=user,
                purpose_options=[(p.slug, p.title) for p in purposes],
                purpose=chosen, month=month_label(month) if month else "",
                promotion=promotion, ideas=ideas, answers=answers, errors=errors or {},
                answering=answering, values=values or {})


routes: list[ControllerRouterHandler] = [PromotionPages]
