"""The JSON twin of the "What happened" page."""

from __future__ import annotations

from litestar import Controller, get

from ideabox.http.routing import PurposeSlug, RequestDb, errors
from ideabox.outcomes import service
from ideabox.outcomes.schemas import Outcomes


class OutcomesController(Controller):
    path = "/purposes/{slug:str}/outcomes"
    tags = ["promotion"]

    @get("/", summary="What became of a purpose's promoted ideas, month by month",
         responses=errors(400, 404))
    async def get_outcomes(self, db: RequestDb, slug: PurposeSlug) -> Outcomes:
        """Each month's promoted ideas with their status, answer deadline, answer date and
        days taken, and the figures per month and in all (public ideas only)."""
        return await service.purpose_outcomes(db.conn, slug, db.now)


routes = [OutcomesController]
