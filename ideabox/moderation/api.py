"""JSON routes for moderation: hide and show an idea again, read the log and the ideas
hidden now; the signals (bursts of new accounts voting alike), and holding their votes
out of the count."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter

from ideabox.http.routing import (
    BEARER,
    CaseId,
    CommentId,
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
from ideabox.moderation import holds, queue, reports, service, signals
from ideabox.moderation.schemas import (
    Burst,
    Case,
    CaseDecision,
    HiddenIdea,
    HoldDecision,
    ModerationEntry,
    ModerationReason,
    Report,
    ReportCreate,
    SecondLookRequest,
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


class IdeaReportsController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["moderation"]
    security = BEARER

    @post("/reports", summary="Report an idea (once per person)", status_code=201,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def report(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     data: JSONBody[ReportCreate], services: Svc) -> Report:
        """403 for one's own idea; 409 the second time. At the purpose's `report_threshold`
        distinct reporters the idea is hidden pending review (trigger `reports`)."""
        return await reports.report_idea(db, services, writer, idea_id, data)

    @post("/second-look", summary="Ask the moderators to look again at a decision about "
                                  "your idea (once)", status_code=201,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def second_look(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                          data: JSONBody[SecondLookRequest]) -> Case:
        """The author only (403 otherwise); 409 without a decision against the idea (hide,
        edit_request, reject), while it is in the queue, or the second time."""
        return await queue.ask_second_look(db, writer, idea_id=idea_id, data=data)


class CommentReportsController(Controller):
    path = "/comments/{comment_id:int}"
    tags = ["moderation"]
    security = BEARER

    @post("/reports", summary="Report a comment (once per person)", status_code=201,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def report(self, db: RequestDb, writer: Writer, comment_id: CommentId,
                     data: JSONBody[ReportCreate]) -> Report:
        """403 for one's own comment; 409 the second time. At the purpose's
        `report_threshold` distinct reporters the comment is hidden pending review, keeping
        its place in the thread."""
        return await reports.report_comment(db, writer, comment_id, data)

    @post("/second-look", summary="Ask the moderators to look again at a decision about "
                                  "your comment (once)", status_code=201,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def second_look(self, db: RequestDb, writer: Writer, comment_id: CommentId,
                          data: JSONBody[SecondLookRequest]) -> Case:
        """The author only (403 otherwise); 409 without a decision against the comment,
        while it is in the queue, or the second time."""
        return await queue.ask_second_look(db, writer, comment_id=comment_id, data=data)


class QueueController(Controller):
    path = "/moderation/queue"
    tags = ["moderation"]
    security = BEARER

    @get("/", summary="The open cases: reported items, second looks, ideas awaiting review "
                      "(moderators)", responses=errors(400, 401, 403))
    async def open_cases(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                         cursor: Cursor = None) -> Page[Case]:
        """Reported items first (the most distinct reporters first, then the oldest), then
        second looks, then ideas awaiting review (the oldest first)."""
        return await queue.list_queue(db.conn, user, limit=limit, cursor=cursor)

    @get("/{case_id:int}", summary="One case, open or decided (moderators)",
         responses=errors(400, 401, 403, 404))
    async def one(self, db: RequestDb, user: SignedIn, case_id: CaseId) -> Case:
        service.ensure_may_moderate(user)
        return await queue.get_case(db.conn, case_id)

    @post("/{case_id:int}/decision", summary="Decide a case, with the reason the author is "
                                             "told (moderators)",
          status_code=200, responses=errors(400, 401, 403, 404, 409, 429))
    async def decide(self, db: RequestDb, writer: Writer, case_id: CaseId,
                     data: JSONBody[CaseDecision], services: Svc) -> Case:
        """`keep`, `hide` or `edit_request` for reports and second looks; `approve` or
        `reject` for an idea awaiting review (400 naming `decision` otherwise). 409 if the
        case is decided already."""
        return await queue.decide_case(db, services, writer, case_id, data)


routes = [IdeaModerationController, ModerationController, SignalsController,
          IdeaReportsController, CommentReportsController, QueueController]
