"""JSON routes for purposes. No rules here: each route calls one service function."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import JSONBody

from ideabox.http.routing import BEARER, PurposeSlug, RequestDb, Svc, Writer, errors
from ideabox.platform.pagination import Page
from ideabox.purposes import service
from ideabox.purposes.schemas import Purpose, PurposeCreate, PurposeUpdate


class PurposesController(Controller):
    path = "/purposes"
    tags = ["purposes"]

    @post("/", summary="Create a purpose (admin)", security=BEARER,
          responses=errors(400, 401, 403, 409, 429))
    async def create(self, db: RequestDb, writer: Writer, data: JSONBody[PurposeCreate],
                     services: Svc) -> Purpose:
        return await service.create_purpose(db, services.settings, writer, data)

    @get("/", summary="Every purpose", responses=errors())
    async def list_all(self, db: RequestDb, services: Svc) -> Page[Purpose]:
        return Page(items=await service.list_purposes(db, services.settings))

    @get("/{slug:str}", summary="One purpose", responses=errors(400, 404))
    async def get_one(self, db: RequestDb, slug: PurposeSlug, services: Svc) -> Purpose:
        return await service.get_purpose(db, services.settings, slug)

    @patch("/{slug:str}", summary="Change a purpose (admin)", security=BEARER,
           responses=errors(400, 401, 403, 404, 409, 429))
    async def update(self, db: RequestDb, writer: Writer, slug: PurposeSlug,
                     data: JSONBody[PurposeUpdate], services: Svc) -> Purpose:
        return await service.update_purpose(db, services.settings, writer, slug, data,
                                            ideas=services.ideas)


routes = [PurposesController]
