"""HTML pages for purposes: the front page, a purpose with its ideas, and the
administration's forms to create and change purposes. Every route calls the same
service functions as the JSON API."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages import forms
from ideabox.http.pages.access import require_admin
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, MaybeSignedIn, RequestDb, SignedIn, Svc, Writer
from ideabox.ideas import listing
from ideabox.ideas.schemas import Sort
from ideabox.platform.errors import IdeaboxError
from ideabox.purposes import service
from ideabox.purposes.schemas import Purpose, PurposeCreate, PurposeUpdate
from ideabox.purposes.views import purpose_page

TOP_ON_FRONT = 5
Query = Annotated[str | None, QueryParameter(max_length=200)]
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
CategoryParam = Annotated[str | None, QueryParameter(max_length=60)]


class FrontPage(Controller):
    @get("/", name="front")
    async def front(self, db: RequestDb, viewer: MaybeSignedIn, services: Svc) -> Template:
        """Every purpose with its statement, this month's top ideas and the next promotion."""
        purposes = await service.list_purposes(db, services.settings)
        tops = {}
        for purpose in purposes:
            found = await listing.list_ideas(db.conn, services, viewer, purpose.slug,
                                             sort="top_month", limit=TOP_ON_FRONT)
            tops[purpose.slug] = found.items
        return page("front.html", viewer=viewer, purposes=purposes, tops=tops)


class PurposePages(Controller):
    path = "/purposes/{slug:str}"

    @get("/", name="purpose")
    async def show(self, db: RequestDb, viewer: MaybeSignedIn, services: Svc,
                   slug: FromPath[str], sort: FromQuery[Sort | None] = None,
                   q: Query = None, category: CategoryParam = None,
                   cursor: CursorParam = None) -> Template:
        """A purpose's ideas in one of four orders, searched, filtered by category and
        paged; the form to post."""
        return await purpose_page(db, viewer, services, slug, sort=sort, q=q,
                                  category=category, cursor=cursor)


@get("/admin")
async def admin_home(db: RequestDb, user: SignedIn, services: Svc) -> Template:
    """The administration's front page: its purposes, and the way to this month's
    promoted ideas, the exports and the people."""
    require_admin(user)
    purposes = await service.list_purposes(db, services.settings)
    return page("admin/index.html", viewer=user, purposes=purposes)


class PurposeAdminPages(Controller):
    path = "/admin/purposes"

    @get("/new")
    async def new(self, user: SignedIn) -> Template:
        require_admin(user)
        return page("admin/purpose_form.html", viewer=user, purpose=None, errors={},
                    values={"audience": "everyone", "promote_top_n": "3", "min_votes": "1",
                            "timezone": "Europe/Copenhagen",
                            "eligibility": "verified_email", "answer_within_days": "30",
                            "report_threshold": "3", "review_before_publishing": "false"})

    @post("/new")
    async def create(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc) -> Template | Redirect:
        form = await form_of(request)
        try:
            data = forms.parse(form, PurposeCreate, lang(request))
            purpose = await service.create_purpose(db, services.settings, writer, data)
        except forms.FormInvalid as exc:
            return _purpose_form(writer, None, form, exc.errors)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            if exc.status_code == 409 and "_form" in errors:
                errors = {"slug": errors["_form"]}
            return _purpose_form(writer, None, form, errors, exc.status_code)
        return see_other(f"/purposes/{purpose.slug}")

    @get("/{slug:str}/edit")
    async def edit(self, db: RequestDb, user: SignedIn, services: Svc,
                   slug: FromPath[str]) -> Template:
        require_admin(user)
        purpose = await service.get_purpose(db, services.settings, slug)
        values = {"title": purpose.title, "statement": purpose.statement,
                  "audience": purpose.audience, "promote_top_n": str(purpose.promote_top_n),
                  "min_votes": str(purpose.min_votes), "timezone": purpose.timezone,
                  "eligibility": purpose.eligibility,
                  "answer_within_days": str(purpose.answer_within_days),
                  "report_threshold": str(purpose.report_threshold),
                  "review_before_publishing": str(purpose.review_before_publishing).lower()}
        return page("admin/purpose_form.html", viewer=user, purpose=purpose, errors={},
                    values=values)

    @post("/{slug:str}/edit")
    async def update(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                     slug: FromPath[str]) -> Template | Redirect:
        form = await form_of(request)
        purpose = await service.get_purpose(db, services.settings, slug)
        try:
            data = forms.parse(form, PurposeUpdate, lang(request))
            await service.update_purpose(db, services.settings, writer, slug, data,
                                         ideas=services.ideas)
        except forms.FormInvalid as exc:
            return _purpose_form(writer, purpose, form, exc.errors)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            return _purpose_form(writer, purpose, form, errors, exc.status_code)
        return see_other(f"/purposes/{slug}")


def _purpose_form(user: SignedIn, purpose: Purpose | None, form: dict[str, str],
                  errors: dict[str, str], status: int = 400) -> Template:
    return page("admin/purpose_form.html", status=status, viewer=user, purpose=purpose,
                errors=errors, values=form)


routes: list[ControllerRouterHandler] = [FrontPage, PurposePages, PurposeAdminPages, admin_home]
