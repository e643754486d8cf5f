"""The staff's pages for assisted participation: register a person without digital access,
find them again, and act for one (share an idea, vote) on a page that says throughout for
whom. Every form is a plain post that works without JavaScript; the services check each
act again."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.accounts.schemas import Viewer
from ideabox.assisted import service
from ideabox.assisted.schemas import AssistedPersonCreate
from ideabox.http.pages import forms
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, SignedIn, Svc, UserId, Writer
from ideabox.ideas.listing import list_ideas
from ideabox.ideas.schemas import IdeaCreate
from ideabox.ideas.service import create_idea
from ideabox.identity.eligibility import eligibilities_of
from ideabox.platform.errors import Conflict
from ideabox.purposes.service import audiences_for, list_purposes
from ideabox.votes.service import cast_vote, retract_vote

CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
TextParam = Annotated[str | None, QueryParameter(max_length=200)]
SlugParam = Annotated[str | None, QueryParameter(max_length=60)]
DoneParam = Annotated[str | None, QueryParameter(max_length=20)]

# What the page confirms after a form came back (``?done=``).
DONE = ("registered", "idea", "cast", "retract")
IDEAS_PER_PAGE = 20
AUDIT_ENTRIES = 10


def _person_address(person_id: int, **query: str) -> str:
    given = {key: value for key, value in query.items() if value}
    return f"/staff/assisted/{person_id}" + (f"?{urlencode(given)}" if given else "")


class AssistedPages(Controller):
    path = "/staff/assisted"

    @get("/")
    async def index(self, db: RequestDb, user: SignedIn, q: TextParam = None,
                    cursor: CursorParam = None) -> Template:
        """The form to register a person, and the people registered, newest first."""
        return await _index(db, user, q=q, cursor=cursor)

    @post("/")
    async def register(self, request: AnyRequest, db: RequestDb,
                       writer: Writer) -> Template | Redirect:
        """Register a person; then act for them at once."""
        form = await form_of(request)
        person = await forms.submit(db, lang(request), form, AssistedPersonCreate,
                                    lambda data: service.register_person(db, writer, data))
        if not isinstance(person, forms.Refused):
            return see_other(_person_address(person.id, done="registered"))
        return await _index(db, writer, errors=person.errors, values=form, status=400)

    @get("/{person_id:int}")
    async def person(self, db: RequestDb, user: SignedIn, services: Svc, person_id: UserId,
                     purpose: SlugParam = None, q: TextParam = None,
                     cursor: CursorParam = None, done: DoneParam = None) -> Template:
        """Act for one person: share an idea, vote; and what staff did for them."""
        return await _person_page(db, user, services, person_id, purpose=purpose, q=q,
                                  cursor=cursor, done=done)

    @post("/{person_id:int}/ideas")
    async def share_idea(self, request: AnyRequest, db: RequestDb, writer: Writer,
                         services: Svc, person_id: UserId) -> Template | Redirect:
        """Share an idea in the person's name, in the purpose chosen."""
        form = await form_of(request)
        slug = form.get("purpose", "")
        done = await forms.submit(
            db, lang(request), form, IdeaCreate,
            lambda data: create_idea(db, services, writer, slug,
                                     msgspec.structs.replace(data, on_behalf_of=person_id)),
            fields=("title", "body"))
        if not isinstance(done, forms.Refused):
            return see_other(_person_address(person_id, purpose=slug, done="idea"))
        return await _person_page(db, writer, services, person_id, purpose=slug,
                                  errors=done.errors, values=form, status=400)

    @post("/{person_id:int}/ideas/{idea_id:int}/vote")
    async def vote(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                   person_id: UserId, idea_id: IdeaId) -> Redirect:
        """Cast or take back the person's vote (both idempotent), and come back to the
        idea in the list."""
        form = await form_of(request)
        action = form.get("action")
        if action == "retract":
            await retract_vote(db, services, writer, idea_id, on_behalf_of=person_id)
        elif action == "cast":
            await cast_vote(db, services, writer, idea_id, on_behalf_of=person_id)
        else:
            raise Conflict("vote_action")
        back = _person_address(person_id, purpose=form.get("purpose", ""),
                               q=form.get("q", ""), done=action)
        return see_other(f"{back}#idea-{idea_id}")


async def _index(db: RequestDb, viewer: Viewer, *, q: str | None = None,
                 cursor: str | None = None, status: int = 200,
                 errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None) -> Template:
    people = await service.list_people(db.conn, viewer, q, cursor=cursor)
    return page("assisted/index.html", status=status, viewer=viewer, people=people,
                q=q or "", cursor=cursor, errors=errors or {}, values=values or {})


async def _person_page(db: RequestDb, viewer: Viewer, services: Svc, person_id: int, *,
                       purpose: str | None = None, q: str | None = None,
                       cursor: str | None = None, done: str | None = None,
                       status: int = 200, errors: dict[str, str] | None = None,
                       values: dict[str, str] | None = None) -> Template:
    # Lists as the person would see them: their own votes marked.
    person, as_person = await service.get_person_acted_for(db.conn, viewer, person_id)
    # Only the purposes the person may take part in are offered; the services check again.
    audiences = audiences_for(as_person.role)
    rules = eligibilities_of(verified=as_person.verified, resident=as_person.resident)
    purposes = [p for p in await list_purposes(db, services.settings)
                if p.audience in audiences and p.eligibility in rules]
    slugs = [p.slug for p in purposes]
    chosen = purpose if purpose in slugs else (slugs[0] if slugs else None)
    ideas = None
    if chosen is not None:
        ideas = await list_ideas(db.conn, services, as_person, chosen, q=q,
                                 limit=IDEAS_PER_PAGE, cursor=cursor)
    audit = await service.person_audit(db.conn, viewer, person_id, limit=AUDIT_ENTRIES)
    context: dict[str, Any] = {"errors": errors or {}, "values": values or {}}
    return page("assisted/person.html", status=status, viewer=viewer, person=person,
                purposes=purposes, purpose_options=[(p.slug, p.title) for p in purposes],
                chosen=chosen, q=q or "", cursor=cursor, ideas=ideas,
                audit=audit.items, done=done if done in DONE else None, **context)


routes: list[ControllerRouterHandler] = [AssistedPages]
