"""JSON routes for following a purpose (for the weekly digest)."""

from __future__ import annotations

from litestar import Controller, delete, get, put

from ideabox.digest import follows
from ideabox.digest.follows import PurposeFollowing
from ideabox.http.routing import BEARER, PurposeSlug, RequestDb, SignedIn, Writer, errors


class PurposeFollowController(Controller):
    path = "/purposes/{slug:str}/follow"
    tags = ["notifications"]
    security = BEARER

    @get("/", summary="Whether I follow a purpose", responses=errors(400, 401, 404))
    async def get_one(self, db: RequestDb, user: SignedIn, slug: PurposeSlug
                      ) -> PurposeFollowing:
        return await follows.get_purpose_following(db.conn, user, slug)

    @put("/", summary="Follow a purpose: its new ideas come in my weekly digest (idempotent)",
         responses=errors(400, 401, 403, 404, 429))
    async def follow(self, db: RequestDb, writer: Writer, slug: PurposeSlug
                     ) -> PurposeFollowing:
        return await follows.follow_purpose(db, writer, slug)

    @delete("/", summary="Stop following a purpose (idempotent)", status_code=200,
            responses=errors(400, 401, 403, 404, 429))
    async def unfollow(self, db: RequestDb, writer: Writer, slug: PurposeSlug
                       ) -> PurposeFollowing:
        return await follows.unfollow_purpose(db, writer, slug)


routes = [PurposeFollowController]
