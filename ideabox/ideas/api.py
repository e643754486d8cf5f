"""JSON routes for ideas. Each route calls one service function."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.params import Parameter

from ideabox.accounts.schemas import Viewer
from ideabox.db import Db
from ideabox.ideas import listing, service
from ideabox.ideas.schemas import Idea, IdeaCreate, IdeaUpdate, Sort, Status
from ideabox.pagination import Cursor, Limit, Page
from ideabox.votes.reading import tallies_of

IdeaId = Annotated[int, Parameter(ge=1, le=2**63 - 1, description="The idea's id")]
Query = Annotated[str | None, Parameter(max_length=200, description="Search words (Danish)")]
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class PurposeIdeasController(Controller):
    path = "/purposes/{slug:str}/ideas"
    tags = ["ideas"]

    @post("/", summary="Post an idea", security=BEARER)
    async def create(self, db: Db, user: Viewer, slug: str, data: IdeaCreate,
                     state: State) -> Idea:
        return await service.create_idea(db, tallies_of(state), user, slug, data)

    @get("/", summary="A purpose's ideas: sorted, searched, paginated")
    async def list_ideas(self, db: Db, viewer: Viewer | None, slug: str, state: State,
                         sort: Sort | None = None, q: Query = None, status: Status | None = None,
                         limit: Limit = 20, cursor: Cursor = None) -> Page[Idea]:
        return await listing.list_ideas(db.conn, tallies_of(state), viewer, slug, sort=sort,
                                        q=q, status=status, limit=limit, cursor=cursor)


class IdeasController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["ideas"]

    @get("/", summary="One idea with its live tally")
    async def get_one(self, db: Db, viewer: Viewer | None, idea_id: IdeaId,
                      state: State) -> Idea:
        return await service.get_idea(db.conn, tallies_of(state), viewer, idea_id)

    @patch("/", summary="Edit an idea (its author while open, or an admin)", security=BEARER)
    async def update(self, db: Db, user: Viewer, idea_id: IdeaId, data: IdeaUpdate,
                     state: State) -> Idea:
        return await service.update_idea(db, tallies_of(state), user, idea_id, data)

    @post("/withdraw", summary="Withdraw an idea (its author)", security=BEARER, status_code=200)
    async def withdraw(self, db: Db, user: Viewer, idea_id: IdeaId, state: State) -> Idea:
        return await service.withdraw_idea(db, tallies_of(state), user, idea_id)


routes = [PurposeIdeasController, IdeasController]
