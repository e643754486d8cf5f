"""JSON routes for votes: PUT to vote, DELETE to take it back. Both are idempotent."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, put
from litestar.params import Parameter

from ideabox.http.dependencies import ONE_STATEMENT
from ideabox.http.routing import (
    BEARER,
    EXACT_MAX_ID,
    MAX_ID,
    IdeaId,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.votes import service
from ideabox.votes.service import VoteState

# 409: voting has closed on the idea (it was answered, withdrawn or hidden).
VOTE_ANSWERS = errors(400, 401, 403, 404, 409, 429)

# A query parameter, not a body: these requests have none, and a DELETE's body has no
# meaning HTTP defines (proxies may drop it).
OnBehalfOf = Annotated[int | None, Parameter(
    ge=1, le=MAX_ID, schema_extra=EXACT_MAX_ID,
    description="Staff only: the id of a person registered for assisted participation to "
                "vote (or take the vote back) for. The vote is theirs, marked `assisted`, "
                "and the audit log names the staff member. 403 for anyone but staff, or for "
                "an account not registered by staff; 404 for an unknown id.")]


class VoteController(Controller):
    path = "/ideas/{idea_id:int}/vote"
    tags = ["votes"]
    # A vote is one statement, atomic by itself: no BEGIN and COMMIT round trips. A vote
    # staff cast for someone writes its audit row in that same statement.
    dependencies = ONE_STATEMENT

    @put("/", summary="Vote for an idea", security=BEARER, responses=VOTE_ANSWERS)
    async def cast(self, db: RequestDb, writer: Writer, idea_id: IdeaId, services: Svc,
                   on_behalf_of: OnBehalfOf = None) -> VoteState:
        return await service.cast_vote(db, services, writer, idea_id,
                                       on_behalf_of=on_behalf_of)

    @delete("/", summary="Take your vote back", security=BEARER, status_code=200,
            responses=VOTE_ANSWERS)
    async def retract(self, db: RequestDb, writer: Writer, idea_id: IdeaId, services: Svc,
                      on_behalf_of: OnBehalfOf = None) -> VoteState:
        return await service.retract_vote(db, services, writer, idea_id,
                                          on_behalf_of=on_behalf_of)


routes = [VoteController]
