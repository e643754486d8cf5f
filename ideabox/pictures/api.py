"""JSON routes for an idea's pictures: upload (multipart) and remove. The idea's JSON
lists them (``pictures``)."""

from __future__ import annotations

from litestar import Controller, delete, post

from ideabox.http.json_only import MULTIPART_BODY
from ideabox.http.routing import (
    BEARER,
    AnyRequest,
    IdeaId,
    RequestDb,
    Svc,
    Writer,
    errors,
)
from ideabox.pictures import service
from ideabox.pictures.schemas import Picture
from ideabox.pictures.uploads import UPLOAD_BODY_LIMIT, PictureId, upload_of


class IdeaPicturesController(Controller):
    path = "/ideas/{idea_id:int}/pictures"
    tags = ["ideas"]

    @post("/", summary="Add a picture to an idea (its author; at most 3)", security=BEARER,
          description="A `multipart/form-data` body with the fields `picture` (a JPEG, "
                      "PNG or WebP file of at most 5 MB) and `alt` (what the picture "
                      "shows, 1-250 characters, required). The picture is re-encoded "
                      "without its metadata (EXIF, GPS).",
          request_max_body_size=UPLOAD_BODY_LIMIT, opt={MULTIPART_BODY: True},
          responses=errors(400, 401, 403, 404, 409, 413, 415, 429))
    async def upload(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     idea_id: IdeaId, services: Svc) -> Picture:
        upload = await upload_of(request)
        return await service.add_picture(db, services, writer, idea_id, upload.data,
                                         upload.alt)

    @delete("/{picture_id:int}", summary="Remove a picture (the idea's author, or a "
            "moderator)", security=BEARER, status_code=204,
            responses=errors(400, 401, 403, 404, 429))
    async def remove(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     picture_id: PictureId, services: Svc) -> None:
        await service.delete_picture(db, services, writer, idea_id, picture_id)


routes = [IdeaPicturesController]
