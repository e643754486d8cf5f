"""JSON routes for purposes. No rules here: each route calls one service function."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody

from ideabox.pagination import Page
from ideabox.purposes import service
from ideabox.purposes.schemas import Purpose, PurposeCreate, PurposeUpdate
from ideabox.routing import BEARER, PurposeSlug, RequestDb, SignedIn, errors


def promotion_delay(state: State) -> timedelta:
    return timedelta(minutes=state.settings.promotion_delay_minutes)


class PurposesController(Controller):
    path = "/purposes"
    tags = ["purposes"]

    @post("/", summary="Create a purpose (admin)", security=BEARER,
          responses=errors(400, 401, 403, 409, 429))
    async def create(self, db: RequestDb, user: SignedIn, data: JSONBody[PurposeCreate],
                     state: State) -> Purpose:
        return await service.create_purpose(db.conn, user, data, promotion_delay(state),
                                            db.now)

    @get("/", summary="Every purpose", responses=errors())
    async def list_all(self, db: RequestDb, state: State) -> Page[Purpose]:
        return Page(items=await service.list_purposes(db.conn, promotion_delay(state),
                                                      db.now))

    @get("/{slug:str}", summary="One purpose", responses=errors(400, 404))
    async def get_one(self, db: RequestDb, slug: PurposeSlug, state: State) -> Purpose:
        return await service.get_purpose(db.conn, slug, promotion_delay(state), db.now)

    @patch("/{slug:str}", summary="Change a purpose (admin)", security=BEARER,
           responses=errors(400, 401, 403, 404, 409, 429))
    async def update(self, db: RequestDb, user: SignedIn, slug: PurposeSlug,
                     data: JSONBody[PurposeUpdate], state: State) -> Purpose:
        return await service.update_purpose(db.conn, user, slug, data,
                                            promotion_delay(state), db.now)


routes = [PurposesController]
