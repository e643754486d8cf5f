"""Decoding and re-encoding an upload: what survives of the file is the picture alone."""

from __future__ import annotations

import pytest

from ideabox.pictures import imaging
from ideabox.platform.errors import Invalid
from tests.pictures.files import GPS_IFD, decompression_bomb, opened, photo_with_gps, png


async def test_a_photo_loses_its_exif_and_gps_and_stands_upright() -> None:
    source = opened(photo_with_gps(60, 40))
    assert source.getexif().get_ifd(GPS_IFD)  # the test's photo does carry a position
    encoded = await imaging.encode_upload(photo_with_gps(60, 40))
    assert encoded.source_format == "JPEG"
    for size in (encoded.display, encoded.thumbnail):
        image = opened(size.data)
        assert image.format == "WEBP"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"Exif" not in size.data and b"Telefonkamera" not in size.data
        # Turned as the tag said: 40 wide, 60 high; the red half now on top.
        assert (image.width, image.height) == (size.width, size.height) == (40, 60)
        red, blue = image.convert("RGB").getpixel((20, 5)), image.convert("RGB").getpixel((20, 55))
        assert red[0] > 150 and red[2] < 100, red
        assert blue[2] > 150 and blue[0] < 100, blue


async def test_large_pictures_are_shrunk_to_the_display_size_and_a_thumbnail() -> None:
    encoded = await imaging.encode_upload(png(3000, 1500, "RGB"))
    assert (encoded.display.width, encoded.display.height) == (1280, 640)
    assert (encoded.thumbnail.width, encoded.thumbnail.height) == (320, 160)
    assert encoded.display.sha256 != encoded.thumbnail.sha256


async def test_the_kind_is_decided_by_decoding() -> None:
    # A PNG however it is named: the caller never says what it is.
    assert (await imaging.encode_upload(png())).source_format == "PNG"


@pytest.mark.parametrize(("data", "code"), [
    (decompression_bomb(), "picture_too_many_pixels"),
    # Under Pillow's own limit, but over ideabox's.
    (decompression_bomb(8000, 7000), "picture_too_many_pixels"),
    (b"%PDF-1.7 not a picture at all", "picture_format"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "picture_format"),
    (photo_with_gps()[:300], "picture_unreadable"),
    (b"", "picture_empty"),
    (b"\xff" * (imaging.MAX_BYTES + 1), "picture_too_big"),
])
async def test_what_is_not_a_usable_picture_is_refused_naming_the_field(data: bytes,
                                                                         code: str) -> None:
    with pytest.raises(Invalid) as refused:
        await imaging.encode_upload(data)
    assert (refused.value.field, refused.value.code) == ("picture", code)
