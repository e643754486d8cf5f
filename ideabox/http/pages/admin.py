"""The administration's front page: its purposes, and the way to this month's promoted
ideas, the exports and the people."""

from __future__ import annotations

from litestar import get
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.access import require_admin
from ideabox.http.pages.render import page
from ideabox.http.routing import RequestDb, SignedIn, Svc
from ideabox.purposes.service import list_purposes


@get("/admin")
async def admin_home(db: RequestDb, user: SignedIn, services: Svc) -> Template:
    require_admin(user)
    purposes = await list_purposes(db, services.settings)
    return page("admin/index.html", viewer=user, purposes=purposes)


routes: list[ControllerRouterHandler] = [admin_home]
