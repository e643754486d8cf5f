"""JSON routes for comments."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from ideabox.accounts.schemas import Viewer
from ideabox.comments import service
from ideabox.comments.schemas import Comment, CommentCreate, CommentUpdate
from ideabox.db import Db
from ideabox.ideas.api import BEARER, IdeaId
from ideabox.pagination import Cursor, Limit, Page

CommentId = Annotated[int, Parameter(ge=1, le=2**63 - 1, description="The comment's id")]


class IdeaCommentsController(Controller):
    path = "/ideas/{idea_id:int}/comments"
    tags = ["comments"]

    @post("/", summary="Comment on an idea, or reply to a comment", security=BEARER)
    async def create(self, db: Db, user: Viewer, idea_id: IdeaId,
                     data: CommentCreate) -> Comment:
        return await service.add_comment(db, user, idea_id, data)

    @get("/", summary="An idea's comments, replies nested under 'replies'")
    async def list_all(self, db: Db, viewer: Viewer | None, idea_id: IdeaId,
                       limit: Limit = 20, cursor: Cursor = None) -> Page[Comment]:
        return await service.list_comments(db.conn, viewer, idea_id, limit=limit,
                                           cursor=cursor)


class CommentController(Controller):
    path = "/comments/{comment_id:int}"
    tags = ["comments"]

    @patch("/", summary="Edit your comment", security=BEARER)
    async def update(self, db: Db, user: Viewer, comment_id: CommentId,
                     data: CommentUpdate) -> Comment:
        return await service.edit_comment(db, user, comment_id, data)

    @delete("/", summary="Delete a comment (yours, or any as a moderator)", security=BEARER)
    async def remove(self, db: Db, user: Viewer, comment_id: CommentId) -> None:
        await service.delete_comment(db, user, comment_id)


routes = [IdeaCommentsController, CommentController]
