"""The "What happened" page ("Sådan gik det") of a purpose."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.render import page
from ideabox.http.routing import MaybeSignedIn, RequestDb
from ideabox.outcomes import service


@get("/purposes/{slug:str}/what-happened", name="what_happened")
async def what_happened(db: RequestDb, viewer: MaybeSignedIn, slug: FromPath[str]) -> Template:
    """Each month's promoted ideas, what became of them and how soon they were answered."""
    outcomes = await service.purpose_outcomes(db.conn, slug, db.now)
    return page("outcomes/what_happened.html", viewer=viewer, outcomes=outcomes, now=db.now)


routes: list[ControllerRouterHandler] = [what_happened]
