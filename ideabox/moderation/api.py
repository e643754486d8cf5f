"""JSON routes for moderation: hide and show an idea again, read the log and the ideas
hidden now; the signals (bursts of new accounts voting alike), and holding their votes
out of the count."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter

from ideabox.http.routing import (
    BEARER,
    Cursor,
    IdeaId,
    Limit,
    RequestDb,
    SignedIn,
    Svc,
    Writer,
    errors,
)
from ideabox.ideas.schemas import Idea
from ideabox.moderation import holds, service, signals
from ideabox.moderation.schemas import (
    Burst,
    HiddenIdea,
    HoldDecision,
    ModerationEntry,
    ModerationReason,
    VoteHold,
    VoteHoldChange,
    VoteHoldResult,
)
from ideabox.platform.pagination import Page


class IdeaModerationController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["moderation"]
    security = BEARER

    @post("/hide", summary="Hide an idea, telling its author why (moderators)", status_code=200,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def hide(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                   data: JSONBody[ModerationReason], services: Svc) -> Idea:
        """409 if the idea is hidden already."""
        return await service.hide_idea(db, services, writer, idea_id, data)

    @post("/unhide", summary="Show a hidden idea again, with the status it had (moderators)",
          status_code=200, responses=errors(400, 401, 403, 404, 409, 429))
    async def unhide(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     data: JSONBody[ModerationReason], services: Svc) -> Idea:
        """409 if the idea is not hidden."""
        return await service.unhide_idea(db, services, writer, idea_id, data)


class ModerationController(Controller):
    path = "/moderation"
    tags = ["moderation"]
    security = BEARER

    @get("/log", summary="Every moderator action, newest first (moderators)",
         responses=errors(400, 401, 403))
    async def log(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                  cursor: Cursor = None) -> Page[ModerationEntry]:
        return await service.moderation_log(db.conn, user, limit=limit, cursor=cursor)

    @get("/hidden-ideas", summary="The ideas hidden now, the latest first (moderators)",
         responses=errors(400, 401, 403))
    async def hidden(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                     cursor: Cursor = None) -> Page[HiddenIdea]:
        return await service.list_hidden_ideas(db.conn, user, limit=limit, cursor=cursor)


Days = Annotated[int, Parameter(ge=1, le=365, description="Look among the accounts made in "
                                                          "this many days before now (1-365)")]


class SignalsController(Controller):
    path = "/moderation/signals"
    tags = ["moderation"]
    security = BEARER

    @get("/", summary="Bursts of new accounts that vote for the same ideas (moderators)",
         responses=errors(400, 401, 403))
    async def bursts(self, db: RequestDb, user: SignedIn, services: Svc, days: Days = 30,
                     limit: Limit = 20, cursor: Cursor = None) -> Page[Burst]:
        """Accounts made from one client address, or many within a short while
        (`IDEABOX_SIGNAL_*`), that voted for the same ideas; the latest first."""
        return await signals.find_bursts(db, services.settings, user, days=days,
                                         limit=limit, cursor=cursor)

    @get("/holds", summary="The accounts whose votes are held now (moderators)",
         responses=errors(400, 401, 403))
    async def held(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                   cursor: Cursor = None) -> Page[VoteHold]:
        return await holds.list_holds(db.conn, user, limit=limit, cursor=cursor)

    @post("/holds", summary="Hold accounts' votes out of the count pending review "
                            "(moderators)",
          status_code=200, responses=errors(400, 401, 403, 404, 415, 429))
    async def hold(self, db: RequestDb, writer: Writer,
                   data: JSONBody[VoteHoldChange]) -> VoteHoldResult:
        """The promotion leaves their votes out while they are held; accounts held already
        keep their hold. 404 naming `user_ids` for an id that is no account."""
        return await holds.hold_votes(db, writer, data)

    @post("/holds/release", summary="Let held accounts' votes count again (moderators)",
          status_code=200, responses=errors(400, 401, 403, 404, 415, 429))
    async def release(self, db: RequestDb, writer: Writer,
                      data: JSONBody[VoteHoldChange]) -> VoteHoldResult:
        """Accounts not held are left as they are."""
        return await holds.release_votes(db, writer, data)

    @get("/decisions", summary="Every hold and release, newest first (moderators)",
         responses=errors(400, 401, 403))
    async def decisions(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                        cursor: Cursor = None) -> Page[HoldDecision]:
        return await holds.hold_decisions(db.conn, user, limit=limit, cursor=cursor)


routes = [IdeaModerationController, ModerationController, SignalsController]
