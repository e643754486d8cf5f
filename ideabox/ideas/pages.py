"""HTML pages for ideas: an idea with its votes, comments and the administration's
answers; posting, editing and withdrawing one; and the "similar ideas" list shown while
a title is typed. Editing and withdrawing are forms in disclosures on the idea's page,
so they work in place with and without JavaScript."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages import forms
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, MaybeSignedIn, RequestDb, Svc, Writer
from ideabox.ideas import service, similar
from ideabox.ideas.schemas import Idea, IdeaCreate, IdeaUpdate
from ideabox.ideas.views import idea_page
from ideabox.pictures import service as pictures
from ideabox.pictures.uploads import UPLOAD_BODY_LIMIT, upload_of
from ideabox.platform.errors import IdeaboxError
from ideabox.purposes.views import purpose_page

CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
TitleParam = Annotated[str, QueryParameter(max_length=200)]


class PostIdeaPages(Controller):
    path = "/purposes/{slug:str}"

    @post("/ideas", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def create(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                     slug: FromPath[str]) -> Template | Redirect:
        """Post an idea, with a picture if one was chosen (in the same transaction: a
        picture refused leaves no idea behind); its page is the answer, or the form
        again with what to fix."""
        form = await form_of(request)
        upload = await upload_of(request)

        async def post_idea(data: IdeaCreate) -> Idea:
            idea = await service.create_idea(db, services, writer, slug, data)
            if upload.data is not None:
                await pictures.add_picture(db, services, writer, idea.id, upload.data,
                                           upload.alt)
            return idea

        idea = await forms.submit(db, lang(request), form, IdeaCreate, post_idea,
                                  passthrough=(401, 404))
        if not isinstance(idea, forms.Refused):
            return see_other(f"/ideas/{idea.id}")
        return await purpose_page(db, writer, services, slug, errors=idea.errors, values=form,
                                   status=400)

    @get("/similar")
    async def similar(self, db: RequestDb, viewer: MaybeSignedIn, services: Svc,
                      slug: FromPath[str], title: TitleParam = "") -> Template:
        """The fragment htmx shows under the title field while it is being typed."""
        found = await similar.similar_ideas(db.conn, services, viewer, slug, title)
        return page("partials/similar.html", ideas=found, title=title)


class IdeaPages(Controller):
    path = "/ideas/{idea_id:int}"

    @get("/")
    async def show(self, db: RequestDb, viewer: MaybeSignedIn, services: Svc,
                   idea_id: IdeaId, comments: CursorParam = None) -> Template:
        """The idea, its vote button and tally, its comments and what became of it."""
        return await idea_page(db, viewer, services, idea_id, cursor=comments)

    @post("/edit")
    async def edit(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                   idea_id: IdeaId) -> Template | Redirect:
        """Change the title and text: the author while the idea is open, an admin always."""
        form = await form_of(request)

        async def edit(data: IdeaUpdate) -> Idea:
            if form.get("category", None) == "":
                data.category = None  # "Ingen kategori": the form's empty choice
            return await service.update_idea(db, services, writer, idea_id, data)

        done = await forms.submit(db, lang(request), form, IdeaUpdate, edit)
        if not isinstance(done, forms.Refused):
            return see_other(f"/ideas/{idea_id}")
        return await idea_page(db, writer, services, idea_id, status=done.status,
                               edit_errors=done.errors, edit_values=form)

    @post("/withdraw")
    async def withdraw(self, request: AnyRequest, db: RequestDb, writer: Writer,
                       services: Svc, idea_id: IdeaId) -> Template | Redirect:
        """The author takes their open idea back (the disclosure around the button is
        the confirmation)."""
        try:
            await service.withdraw_idea(db, services, writer, idea_id)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            return await idea_page(db, writer, services, idea_id, status=exc.status_code,
                                   withdraw_errors=errors)
        return see_other(f"/ideas/{idea_id}")


routes: list[ControllerRouterHandler] = [PostIdeaPages, IdeaPages]
