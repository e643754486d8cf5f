"""JSON routes for assisted participation: staff register people without digital access,
list them, and read each one's audit log and data. Acting for them goes through the usual
routes with ``on_behalf_of``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter
from litestar.types import ControllerRouterHandler

from ideabox.accounts.schemas import DataExport
from ideabox.assisted import service
from ideabox.assisted.schemas import AssistedPerson, AssistedPersonCreate, AuditEntry
from ideabox.http.routing import (
    BEARER,
    Cursor,
    Limit,
    RequestDb,
    SignedIn,
    UserId,
    Writer,
    errors,
)
from ideabox.platform.pagination import Page

NameQuery = Annotated[str | None, Parameter(max_length=200,
                                            description="Part of the person's name")]


class AssistedPeopleController(Controller):
    path = "/assisted-people"
    tags = ["assisted participation"]
    security = BEARER

    @post("/", summary="Register a person without digital access (staff)",
          responses=errors(400, 401, 403, 415, 429))
    async def register(self, db: RequestDb, writer: Writer,
                       data: JSONBody[AssistedPersonCreate]) -> AssistedPerson:
        """A verified person with no e-mail and no password, whom staff then act for with
        `on_behalf_of`. `note` says how their identity was checked in person; `resident`:
        their address was checked too (a residency check with provider `assisted`)."""
        return await service.register_person(db, writer, data)

    @get("/", summary="The people registered for assisted participation, newest first (staff)",
         responses=errors(400, 401, 403))
    async def list_people(self, db: RequestDb, user: SignedIn, q: NameQuery = None,
                          limit: Limit = 20, cursor: Cursor = None) -> Page[AssistedPerson]:
        return await service.list_people(db.conn, user, q, limit=limit, cursor=cursor)

    @get("/{person_id:int}", summary="One person registered for assisted participation (staff)",
         responses=errors(400, 401, 403, 404))
    async def get_one(self, db: RequestDb, user: SignedIn, person_id: UserId) -> AssistedPerson:
        return await service.get_person(db.conn, user, person_id)

    @get("/{person_id:int}/audit",
         summary="What staff did for the person, newest first, naming each (staff)",
         responses=errors(400, 401, 403, 404))
    async def audit(self, db: RequestDb, user: SignedIn, person_id: UserId, limit: Limit = 20,
                    cursor: Cursor = None) -> Page[AuditEntry]:
        return await service.person_audit(db.conn, user, person_id, limit=limit,
                                          cursor=cursor)

    @get("/{person_id:int}/export", summary="Everything ideabox holds about the person (staff)",
         responses=errors(400, 401, 403, 404))
    async def export(self, db: RequestDb, user: SignedIn, person_id: UserId) -> DataExport:
        """The person's own data export (as `GET /api/v1/me/export`), for staff to hand
        them: they cannot sign in to fetch it."""
        return await service.export_person_data(db, user, person_id)


routes: list[ControllerRouterHandler] = [AssistedPeopleController]
