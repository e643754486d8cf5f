"""Pictures as the API shows them, and as an idea's cached document keeps them.

This module imports no other feature: ideas import it to show their pictures, and the
pictures' service imports ideas to check who may change them."""

from __future__ import annotations

from typing import Annotated

import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.platform import labels
from ideabox.platform.validation import ONE_LINE

ALT_LIMITS = (1, 250)
Alt = Annotated[str, msgspec.Meta(
    min_length=1, max_length=250, extra_json_schema=ONE_LINE,
    description="What the picture shows, for those who cannot see it (required)")]


class Picture(msgspec.Struct):
    """One picture of an idea: the display size at ``url``, the small one at
    ``thumbnail_url``; both addresses change when the bytes do, so they may be cached
    for good."""

    id: int
    alt: str
    content_type: str
    url: str
    width: int
    height: int
    thumbnail_url: str
    thumbnail_width: int
    thumbnail_height: int


class PictureDoc(msgspec.Struct, frozen=True, array_like=True):
    """What an idea's cached document keeps of each of its pictures (no bytes)."""

    id: int
    alt: str
    content_type: str
    width: int
    height: int
    display_sha256: str
    thumb_width: int
    thumb_height: int
    thumbnail_sha256: str


EXTENSION = {"image/webp": "webp", "image/jpeg": "jpg"}


def picture_url(picture_id: int, digest: str, content_type: str) -> str:
    """The address of one size of a picture: its bytes' digest is in it, so it is never
    reused for other bytes."""
    return f"/pictures/{picture_id}/{digest}.{EXTENSION[content_type]}"


def picture_of(doc: PictureDoc) -> Picture:
    return Picture(
        id=doc.id, alt=doc.alt, content_type=doc.content_type,
        url=picture_url(doc.id, doc.display_sha256, doc.content_type),
        width=doc.width, height=doc.height,
        thumbnail_url=picture_url(doc.id, doc.thumbnail_sha256, doc.content_type),
        thumbnail_width=doc.thumb_width, thumbnail_height=doc.thumb_height)


def may_see_pictures(viewer: Viewer | None, status: str, author_id: int) -> bool:
    """An idea hidden, waiting for review or withdrawn keeps its pictures from everybody
    but its author and the moderators (a picture is where personal data hides most
    easily, and withdrawing is how an author takes it back)."""
    if status not in labels.UNLISTED:
        return True
    return viewer is not None and (viewer.is_moderator or viewer.id == author_id)


def decode_document_pictures(raw: object) -> tuple[PictureDoc, ...]:
    """An idea's pictures as its document's query gives them: one JSON array of arrays
    (decoded already by the pool's JSON codec)."""
    if isinstance(raw, str | bytes):
        raw = msgspec.json.decode(raw)
    return msgspec.convert(raw, tuple[PictureDoc, ...])
