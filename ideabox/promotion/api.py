"""JSON routes for the monthly promotion. Each route calls the service."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from ideabox.http.routing import (
    BEARER,
    MaybeSignedIn,
    MonthPath,
    PurposeSlug,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.platform.months import parse_month
from ideabox.promotion import service
from ideabox.promotion.schemas import Promotion, PromotionCreate


class PromotionController(Controller):
    path = "/purposes/{slug:str}/promotions"
    tags = ["promotion"]

    @post("/", summary="Promote a month that has ended (admin)", security=BEARER,
          status_code=200, responses=errors(400, 401, 403, 404, 409, 429))
    async def promote(self, db: RequestDb, writer: Writer, slug: PurposeSlug,
                      data: JSONBody[PromotionCreate], services: Svc) -> Promotion:
        """Promote the month, or answer its recorded result if it was promoted already.
        409 if the month has not ended in the purpose's time zone."""
        service.ensure_may_promote(writer)
        return await service.promote_month(
            db, services, slug, parse_month(data.month),
            trigger="promotion:api", by=writer.id)

    @get("/{month:str}", summary="A month's recorded promotion",
         responses=errors(400, 401, 404))
    async def get_one(self, db: RequestDb, viewer: MaybeSignedIn, slug: PurposeSlug,
                      month: MonthPath) -> Promotion:
        return await service.get_promotion(db.conn, viewer, slug,
                                           parse_month(month, source="path"))


routes = [PromotionController]
