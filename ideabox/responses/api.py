"""JSON routes for public responses and an idea's status history."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from ideabox.http.routing import (
    BEARER,
    IdeaId,
    MaybeSignedIn,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.platform.pagination import Page
from ideabox.responses import service
from ideabox.responses.schemas import ResponseCreate, StatusChange


class ResponsesController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["responses"]

    @post("/responses", summary="Answer an idea in public (admin)", security=BEARER,
          status_code=201, responses=errors(400, 401, 403, 404, 409, 429))
    async def respond(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                      data: JSONBody[ResponseCreate], services: Svc) -> StatusChange:
        """Set the idea's status with a public response; 409 if the transition is not
        allowed (see the README, "Responses and statuses")."""
        return await service.respond_to_idea(db, services, writer,
                                             idea_id, data)

    @get("/history", summary="Every status change of an idea, oldest first",
         responses=errors(400, 401, 404))
    async def history(self, db: RequestDb, viewer: MaybeSignedIn,
                      idea_id: IdeaId) -> Page[StatusChange]:
        return await service.idea_history(db.conn, viewer, idea_id)


routes = [ResponsesController]
