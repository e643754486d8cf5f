"""JSON routes for comments."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from ideabox.comments import service
from ideabox.comments.schemas import Comment, CommentCreate, CommentUpdate
from ideabox.http.routing import (
    BEARER,
    CommentId,
    Cursor,
    IdeaId,
    Limit,
    MaybeSignedIn,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.platform.pagination import Page


class IdeaCommentsController(Controller):
    path = "/ideas/{idea_id:int}/comments"
    tags = ["comments"]

    @post("/", summary="Comment on an idea, or reply to a comment", security=BEARER,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def create(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     data: JSONBody[CommentCreate], services: Svc) -> Comment:
        return await service.add_comment(db, services, writer, idea_id, data)

    @get("/", summary="An idea's comments, replies nested under 'replies'",
         responses=errors(400, 401, 404))
    async def list_all(self, db: RequestDb, viewer: MaybeSignedIn, idea_id: IdeaId,
                       limit: Limit = 20, cursor: Cursor = None) -> Page[Comment]:
        return await service.list_comments(db.conn, viewer, idea_id, limit=limit,
                                           cursor=cursor)


class CommentController(Controller):
    path = "/comments/{comment_id:int}"
    tags = ["comments"]

    @patch("/", summary="Edit your comment", security=BEARER,
           responses=errors(400, 401, 403, 404, 409, 429))
    async def update(self, db: RequestDb, writer: Writer, comment_id: CommentId,
                     data: JSONBody[CommentUpdate]) -> Comment:
        return await service.edit_comment(db, writer, comment_id, data)

    @delete("/", summary="Delete a comment (yours, or any as a moderator)", security=BEARER,
            responses=errors(400, 401, 403, 404, 429))
    async def remove(self, db: RequestDb, writer: Writer, comment_id: CommentId,
                     services: Svc) -> None:
        await service.delete_comment(db, services, writer, comment_id)


routes = [IdeaCommentsController, CommentController]
