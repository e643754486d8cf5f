"""JSON routes for the monthly promotion. Each route calls the service."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from ideabox.months import parse_month
from ideabox.notifications.mail import Mailer
from ideabox.promotion import service
from ideabox.promotion.schemas import Promotion, PromotionCreate
from ideabox.routing import (
    BEARER,
    MaybeSignedIn,
    MonthPath,
    PurposeSlug,
    RequestDb,
    SignedIn,
    errors,
)
from ideabox.votes.reading import tallies_of


class PromotionController(Controller):
    path = "/purposes/{slug:str}/promotions"
    tags = ["promotion"]

    @post("/", summary="Promote a month that has ended (admin)", security=BEARER,
          status_code=200, responses=errors(400, 401, 403, 404, 409, 429))
    async def promote(self, db: RequestDb, user: SignedIn, slug: PurposeSlug,
                      data: JSONBody[PromotionCreate], state: State) -> Promotion:
        """Promote the month, or answer its recorded result if it was promoted already.
        409 if the month has not ended in the purpose's time zone."""
        service.ensure_may_promote(user)
        return await service.promote_month(
            db, tallies_of(state), Mailer(state), slug, parse_month(data.month),
            trigger="promotion:api", by=user.id)

    @get("/{month:str}", summary="A month's recorded promotion",
         responses=errors(400, 401, 404))
    async def get_one(self, db: RequestDb, viewer: MaybeSignedIn, slug: PurposeSlug,
                      month: MonthPath) -> Promotion:
        return await service.get_promotion(db.conn, viewer, slug,
                                           parse_month(month, source="path"))


routes = [PromotionController]
