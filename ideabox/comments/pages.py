"""Comments on an idea's page: write, reply, edit and delete one's own. With htmx the
thread is swapped in place; without JavaScript each form posts and the page returns."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.comments import service
from ideabox.comments.schemas import CommentCreate, CommentUpdate
from ideabox.http.pages import forms
from ideabox.http.pages.render import form_of, is_htmx, lang, page, see_other
from ideabox.http.routing import AnyRequest, CommentId, IdeaId, RequestDb, SignedIn, Svc, Writer
from ideabox.ideas.service import get_idea
from ideabox.ideas.views import COMMENTS_PER_PAGE, idea_page
from ideabox.platform.errors import Forbidden, IdeaboxError


class IdeaCommentPages(Controller):
    path = "/ideas/{idea_id:int}/comments"

    @post("/")
    async def create(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                     idea_id: IdeaId) -> Template | Redirect:
        """Add a comment or, with ``parent_id``, a reply."""
        form = await form_of(request)
        try:
            data = forms.parse(form, CommentCreate, lang(request))
            comment = await service.add_comment(db, services, writer, idea_id, data)
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc, passthrough=(401, 404))
        else:
            if not is_htmx(request):
                return see_other(f"/ideas/{idea_id}#comment-{comment.id}")
            await db.commit()
            return await _thread(db, writer, services, idea_id, added=comment.id)
        reply_to = form.get("parent_id") or None
        return await _thread(db, writer, services, idea_id, errors=errors, values=form,
                             reply_to=reply_to, status=400, whole_page=not is_htmx(request))


async def _thread(db: RequestDb, user: SignedIn, services: Svc, idea_id: int, *,
                  errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                  reply_to: str | None = None, added: int | None = None, status: int = 200,
                  whole_page: bool = False) -> Template:
    """The comments (a fragment for htmx, or the whole idea page) after a post."""
    forms_state: dict[str, Any] = {"errors": errors or {}, "values": values or {},
                                   "reply_to": reply_to, "added": added}
    if whole_page:
        return await idea_page(db, user, services, idea_id, status=status, **forms_state)
    idea = await get_idea(db.conn, services, user, idea_id)
    thread = await service.list_comments(db.conn, user, idea_id, limit=COMMENTS_PER_PAGE)
    return page("partials/comments.html", status=status, viewer=user, idea=idea,
                comments=thread, **forms_state)


class CommentPages(Controller):
    path = "/comments/{comment_id:int}"

    @get("/edit")
    async def edit_form(self, db: RequestDb, user: SignedIn, comment_id: CommentId) -> Template:
        comment = await service.get_comment(db.conn, comment_id, user)
        if comment.author is None or comment.author.id != user.id:
            raise Forbidden("author_edits_comment")
        return page("ideas/comment_edit.html", viewer=user, comment=comment, errors={},
                    values={"body": comment.body})

    @post("/edit")
    async def edit(self, request: AnyRequest, db: RequestDb, writer: Writer,
                   comment_id: CommentId) -> Template | Redirect:
        form = await form_of(request)
        comment = await forms.submit(db, lang(request), form, CommentUpdate,
                                     lambda data: service.edit_comment(db, writer, comment_id,
                                                                       data))
        if not isinstance(comment, forms.Refused):
            return see_other(f"/ideas/{comment.idea_id}#comment-{comment.id}")
        original = await service.get_comment(db.conn, comment_id, writer)
        return page("ideas/comment_edit.html", status=400, viewer=writer, comment=original,
                    errors=comment.errors, values=form)

    @post("/delete")
    async def delete(self, db: RequestDb, writer: Writer, services: Svc,
                     comment_id: CommentId) -> Redirect:
        """Delete one's own comment; its place in the thread stays, without its text."""
        comment = await service.get_comment(db.conn, comment_id)
        await service.delete_comment(db, services, writer, comment_id)
        return see_other(f"/ideas/{comment.idea_id}#comment-{comment.id}")


routes: list[ControllerRouterHandler] = [IdeaCommentPages, CommentPages]
