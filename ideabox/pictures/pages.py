"""The pictures' addresses and forms.

``/pictures/{id}/{digest}.webp`` serves one size of a picture. The digest of its bytes
is in the address, so the bytes at an address never change: browsers and proxies may
keep them for a year without asking again. Like the feeds, these are outside the pages'
router: no CSRF cookie is set, so a shared cache may keep them. Only a picture of an
idea hidden, awaiting review or withdrawn asks who is reading (its author and the
moderators may), and is then never kept by a shared cache.

The forms on the idea's page add a picture (multipart, so it works without JavaScript)
and remove one; posting an idea may bring its first picture (``ideabox.ideas.pages``).
"""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from litestar.types import ControllerRouterHandler

from ideabox.accounts.auth import viewer_from_request
from ideabox.http.pages import forms
from ideabox.http.pages.render import lang, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, Svc, Writer
from ideabox.http.security import NO_CSRF
from ideabox.ideas.views import idea_page
from ideabox.pictures import service
from ideabox.pictures.schemas import EXTENSION
from ideabox.pictures.uploads import UPLOAD_BODY_LIMIT, PictureId, upload_of
from ideabox.platform.errors import IdeaboxError, NotFound

YEAR = 365 * 24 * 3600
FOR_GOOD = f"public, max-age={YEAR}, immutable"
# A secluded idea's picture, for its author or a moderator: never kept by anyone else.
PRIVATE = "private, no-store"


@get("/pictures/{picture_id:int}/{name:str}", opt=NO_CSRF, include_in_schema=False,
     name="picture")
async def picture(request: AnyRequest, db: RequestDb, picture_id: PictureId,
                  name: FromPath[str]) -> Response[bytes]:
    """One size of a picture, by the digest of its bytes (``name`` is ``{digest}.webp``)."""
    digest, _, extension = name.partition(".")
    stored = await service.find_picture(db.conn, picture_id, digest)
    if stored is None or extension != EXTENSION[stored.content_type]:
        raise NotFound("picture_not_found", id=picture_id)
    if not stored.public and not stored.readable_by(await viewer_from_request(request, db)):
        raise NotFound("picture_not_found", id=picture_id)
    etag = f'"{stored.sha256}"'
    # X-Content-Type-Options: nosniff comes with every answer (SecurityHeadersMiddleware).
    headers = {"ETag": etag, "Cache-Control": FOR_GOOD if stored.public else PRIVATE}
    if etag in (t.strip().removeprefix("W/")
                for t in request.headers.get("if-none-match", "").split(",")):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(stored.data, media_type=stored.content_type, headers=headers)


class PicturePages(Controller):
    path = "/ideas/{idea_id:int}/pictures"

    @post("/", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                  idea_id: IdeaId) -> Template | Redirect:
        """Add a picture to the idea; the idea's page again, with the form's errors when
        it was refused."""
        upload = await upload_of(request)
        try:
            await service.add_picture(db, services, writer, idea_id, upload.data, upload.alt)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            return await idea_page(db, writer, services, idea_id, status=exc.status_code,
                                   picture_errors=errors,
                                   picture_values={"alt": upload.alt or ""})
        return see_other(f"/ideas/{idea_id}#billeder")

    @post("/{picture_id:int}/delete")
    async def remove(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc, idea_id: IdeaId, picture_id: PictureId
                     ) -> Template | Redirect:
        """Remove a picture (the disclosure around the button is the confirmation)."""
        try:
            await service.delete_picture(db, services, writer, idea_id, picture_id)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            return await idea_page(db, writer, services, idea_id, status=exc.status_code,
                                   picture_errors=errors)
        return see_other(f"/ideas/{idea_id}#billeder")


page_routes: list[ControllerRouterHandler] = [PicturePages]
"""Under the pages' router (HTML errors, CSRF)."""
routes: list[ControllerRouterHandler] = [picture]
"""Beside the pages, like the feeds: public, cookie-free."""
