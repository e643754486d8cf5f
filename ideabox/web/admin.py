"""The administration's front page: its purposes, and the way to this month's promoted
ideas, the exports and the people."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from ideabox.purposes.api import promotion_delay
from ideabox.purposes.service import list_purposes
from ideabox.routing import RequestDb, SignedIn
from ideabox.web.access import require_admin
from ideabox.web.render import page


@get("/admin")
async def admin_home(db: RequestDb, user: SignedIn, state: State) -> Template:
    require_admin(user)
    purposes = await list_purposes(db.conn, promotion_delay(state), db.now)
    return page("admin/index.html", viewer=user, purposes=purposes)


routes: list[ControllerRouterHandler] = [admin_home]
