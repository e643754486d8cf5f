"""Decoding an upload and making the two sizes ideabox keeps of it, with Pillow.

What a file is, is decided by decoding it, never by its name or declared type. Only
JPEG, PNG and WebP decoders are tried. Every upload is re-encoded from its pixels alone,
so nothing of the file but the picture survives: no EXIF (camera, time, GPS position),
no comments, no trailing bytes. Its EXIF orientation is applied first, so that the
picture stands as the camera showed it.

The work is CPU-bound and takes a noticeable fraction of a second for a large photo, so
it runs in a small pool of threads of its own, never on the event loop, and at most
``WORKERS`` at once: a burst of uploads waits its turn rather than taking every core
(or the memory of many decoded photos at once).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from PIL import Image, ImageOps, UnidentifiedImageError

from ideabox.platform.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
"""The largest upload taken, in bytes."""
MAX_PIXELS = 50_000_000
"""The most pixels a picture may declare (a 48-megapixel phone camera fits). A small
file declaring more is a decompression bomb: decoded, it would fill the memory."""
DISPLAY_SIDE = 1280
THUMBNAIL_SIDE = 320
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPE = "image/webp"
WEBP_QUALITY = 82
WORKERS = 2

_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ideabox-pictures")


class Size(NamedTuple):
    data: bytes
    sha256: str
    width: int
    height: int


class Encoded(NamedTuple):
    """An upload, decoded and re-encoded: what it was, and the two sizes kept of it."""

    source_format: str
    source_bytes: int
    content_type: str
    display: Size
    thumbnail: Size


async def encode_upload(data: bytes, field: str = "picture") -> Encoded:
    """Decode ``data`` and make its display size and thumbnail, off the event loop;
    400 naming ``field`` when it is too large, not a JPEG, PNG or WebP picture, or
    cannot be decoded."""
    if not data:
        raise Invalid(field, "picture_empty")
    if len(data) > MAX_BYTES:
        raise Invalid(field, "picture_too_big", mb=MAX_BYTES // (1024 * 1024))
    return await asyncio.get_running_loop().run_in_executor(_pool, _encode, data, field)


def _encode(data: bytes, field: str) -> Encoded:
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            source_format = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Invalid(field, "picture_too_many_pixels", mp=MAX_PIXELS // 1_000_000)
            if source_format == "JPEG":
                # Decode at a fraction of the size where the display size allows it: a
                # large photo then needs a fraction of the time and memory.
                image.draft("RGB", (DISPLAY_SIDE, DISPLAY_SIDE))
            image.load()
            upright = ImageOps.exif_transpose(image)
            pixels = _without_metadata(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(field, "picture_too_many_pixels", mp=MAX_PIXELS // 1_000_000) from exc
    except UnidentifiedImageError as exc:
        raise Invalid(field, "picture_format") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # A truncated or corrupt file of a known kind.
        raise Invalid(field, "picture_unreadable") from exc
    return Encoded(source_format=source_format, source_bytes=len(data),
                   content_type=CONTENT_TYPE, display=_size(pixels, DISPLAY_SIDE),
                   thumbnail=_size(pixels, THUMBNAIL_SIDE))


def _without_metadata(image: Image.Image) -> Image.Image:
    """The pixels alone, in a mode WebP keeps: a new image carries none of the file's
    metadata (``info`` and EXIF stay behind)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _size(image: Image.Image, side: int) -> Size:
    """``image`` shrunk (never enlarged) to at most ``side`` pixels on its long side, as
    WebP without metadata."""
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="WEBP", quality=WEBP_QUALITY, exif=b"", icc_profile=b"")
    data = out.getvalue()
    return Size(data, hashlib.sha256(data).hexdigest(), copy.width, copy.height)
