"""Picture files made in the tests with Pillow: a photo as a phone writes it (with GPS
position and an orientation tag), and files that must be refused."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import httpx
from PIL import Image

from tests.factories import bearer

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
# Turned a quarter to the left on the sensor: a viewer turns it 90° clockwise to show it.
ROTATE_90_CLOCKWISE = 6


def photo_with_gps(width: int = 60, height: int = 40) -> bytes:
    """A JPEG whose EXIF holds a camera, a GPS position (Copenhagen's town hall) and an
    orientation tag: stored ``width`` × ``height``, shown turned, ``height`` wide. Its
    left half is red, its right half blue, so the turn can be checked."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[MAKE] = "Telefonkamera"
    exif[ORIENTATION] = ROTATE_90_CLOCKWISE
    exif.get_ifd(GPS_IFD).update({
        1: "N", 2: (55.0, 40.0, 33.0), 3: "E", 4: (12.0, 34.0, 11.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def png(width: int = 30, height: int = 20, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 60, 255) if mode == "RGBA" else 80).save(
        out, format="PNG")
    return out.getvalue()


def decompression_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few dozen bytes that declares ``width`` × ``height`` pixels (here ten
    billion: decoded, 30 GB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def upload(client: httpx.AsyncClient, token: str, idea_id: int, data: bytes, *,
                 alt: str | None = "Bænken ved havnen med knækkede brædder",
                 filename: str = "billede.jpg",
                 content_type: str = "image/jpeg") -> httpx.Response:
    """Add a picture through the API, as a multipart form."""
    fields: dict[str, Any] = {} if alt is None else {"alt": alt}
    return await client.post(f"/api/v1/ideas/{idea_id}/pictures", headers=bearer(token),
                             data=fields, files={"picture": (filename, data, content_type)})


def error_key(response: httpx.Response) -> str:
    extra = response.json()["extra"]
    assert isinstance(extra, list), response.text
    key: str = extra[0]["key"]
    return key
