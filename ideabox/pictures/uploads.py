"""Reading a picture and its alternative text from a multipart form (the API's upload
and the pages' forms send the same two fields, ``picture`` and ``alt``)."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from litestar.datastructures import UploadFile
from litestar.params import Parameter

from ideabox.http.routing import EXACT_MAX_ID, MAX_ID, AnyRequest
from ideabox.pictures.imaging import MAX_BYTES

UPLOAD_BODY_LIMIT = MAX_BYTES + 1024 * 1024
"""The largest request body a route that takes a picture reads: one picture at its
largest, and room for the form's other fields (an idea's title and text on posting).
Every other route keeps Litestar's smaller default. A picture a little over
``MAX_BYTES`` still arrives, to be refused with a message naming the field."""

PictureId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The picture's id",
                                     schema_extra=EXACT_MAX_ID)]


class Upload(NamedTuple):
    """The bytes of the chosen file (None when no file was chosen), and the alt text."""

    data: bytes | None
    alt: str | None


async def upload_of(request: AnyRequest) -> Upload:
    """The ``picture`` file and ``alt`` text of a posted form. A file input left empty
    sends a part without a file name: that is no picture."""
    form = await request.form()
    file = form.get("picture")
    alt = form.get("alt")
    data = None
    if isinstance(file, UploadFile) and file.filename:
        data = await file.read()
    elif isinstance(file, str) and file:
        # A text field where a file belongs: its bytes are judged as any file's are.
        data = file.encode()
    return Upload(data, alt if isinstance(alt, str) else None)
