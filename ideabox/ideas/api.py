"""JSON routes for ideas. Each route calls one service function."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromQuery, JSONBody, Parameter

from ideabox.accounts.auth import carries_credentials, viewer_from_request
from ideabox.http.dependencies import connection
from ideabox.http.routing import (
    BEARER,
    AnyRequest,
    Cursor,
    IdeaId,
    Limit,
    MaybeSignedIn,
    PurposeSlug,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.ideas import listing, service
from ideabox.ideas.schemas import Idea, IdeaCreate, IdeaUpdate, ListedStatus, Sort
from ideabox.platform.pagination import Page

Query = Annotated[str | None, Parameter(max_length=200, description="Search words (Danish)")]
CategoryFilter = Annotated[str | None, Parameter(
    max_length=60, description="Only ideas filed under this category (its slug)")]


class PurposeIdeasController(Controller):
    path = "/purposes/{slug:str}/ideas"
    tags = ["ideas"]

    @post("/", summary="Post an idea", security=BEARER,
          responses=errors(400, 401, 403, 404, 429))
    async def create(self, db: RequestDb, writer: Writer, slug: PurposeSlug,
                     data: JSONBody[IdeaCreate], services: Svc) -> Idea:
        return await service.create_idea(db, services, writer, slug, data)

    @get("/", summary="A purpose's ideas: sorted, searched, paginated",
         responses=errors(400, 401, 404))
    async def list_ideas(self, db: RequestDb, viewer: MaybeSignedIn, slug: PurposeSlug,
                         services: Svc, sort: FromQuery[Sort | None] = None, q: Query = None,
                         status: FromQuery[ListedStatus | None] = None,
                         category: CategoryFilter = None, limit: Limit = 20,
                         cursor: Cursor = None) -> Page[Idea]:
        return await listing.list_ideas(db.conn, services, viewer, slug, sort=sort,
                                        q=q, status=status, category=category, limit=limit,
                                        cursor=cursor)


class IdeasController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["ideas"]

    @get("/", summary="One idea with its live tally", responses=errors(400, 401, 404))
    async def get_one(self, request: AnyRequest, idea_id: IdeaId, services: Svc) -> Idea:
        # The commonest request: an anonymous reader's is answered from Redis alone when
        # the idea is cached, so it asks for no connection (nor the usual dependencies).
        if not carries_credentials(request):
            cached = await service.cached_idea(services, idea_id)
            if cached is not None:
                return cached
        async with connection(services) as db:
            viewer = await viewer_from_request(request, db)
            return await service.get_idea(db.conn, services, viewer, idea_id)

    @patch("/", summary="Edit an idea (its author while open, or an admin)", security=BEARER,
           responses=errors(400, 401, 403, 404, 409, 429))
    async def update(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     data: JSONBody[IdeaUpdate], services: Svc) -> Idea:
        return await service.update_idea(db, services, writer, idea_id, data)

    @post("/withdraw", summary="Withdraw an idea (its author)", security=BEARER, status_code=200,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def withdraw(self, db: RequestDb, writer: Writer, idea_id: IdeaId, services: Svc) -> Idea:
        return await service.withdraw_idea(db, services, writer, idea_id)


routes = [PurposeIdeasController, IdeasController]
