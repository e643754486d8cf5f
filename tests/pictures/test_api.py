"""Pictures through the JSON API: upload, the idea's JSON, serving, removing, and who
may see them."""

from __future__ import annotations

import hashlib

import pytest

from ideabox.pictures import imaging
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.pictures.files import (
    GPS_IFD,
    decompression_bomb,
    error_key,
    opened,
    photo_with_gps,
    png,
    upload,
)

IMMUTABLE = "public, max-age=31536000, immutable"


async def _idea(client, db):  # type: ignore[no-untyped-def]
    purpose = await make_purpose(db)
    author, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    return author, token, idea


async def test_an_uploaded_photo_is_served_without_exif_or_gps_and_upright(client, db):
    _, token, idea = await _idea(client, db)
    response = await upload(client, token, idea["id"], photo_with_gps(60, 40))
    assert response.status_code == 201, response.text
    picture = response.json()
    assert picture["alt"] == "Bænken ved havnen med knækkede brædder"
    assert (picture["width"], picture["height"]) == (40, 60)
    assert picture["content_type"] == "image/webp"

    served = await client.get(picture["url"])
    assert served.status_code == 200
    stored = opened(served.content)
    assert stored.format == "WEBP" and stored.size == (40, 60)
    assert dict(stored.getexif()) == {} and not stored.getexif().get_ifd(GPS_IFD)
    assert "exif" not in stored.info
    assert b"Telefonkamera" not in served.content
    # Nor is anything of the original kept in the database.
    row = await db.fetchrow("SELECT display, thumbnail, source_format FROM idea_pictures "
                            "WHERE id = $1", picture["id"])
    assert row["source_format"] == "JPEG"
    assert b"Exif" not in row["display"] and b"Exif" not in row["thumbnail"]


async def test_a_picture_is_served_for_good_by_the_digest_of_its_bytes(client, db):
    _, token, idea = await _idea(client, db)
    picture = (await upload(client, token, idea["id"], png())).json()
    for url in (picture["url"], picture["thumbnail_url"]):
        served = await client.get(url)
        assert served.status_code == 200
        digest = hashlib.sha256(served.content).hexdigest()
        assert url == f"/pictures/{picture['id']}/{digest}.webp"
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["cache-control"] == IMMUTABLE
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["etag"] == f'"{digest}"'
        assert "set-cookie" not in served.headers
        again = await client.get(url, headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304 and again.content == b""
    # Another digest (or another kind) at the picture's id is nothing.
    assert (await client.get(f"/pictures/{picture['id']}/{'0' * 64}.webp")).status_code == 404
    assert (await client.get(picture["url"].replace(".webp", ".jpg"))).status_code == 404


async def test_the_idea_lists_its_pictures_in_order(client, db):
    _, token, idea = await _idea(client, db)
    # Read once first, so the idea's cached document must be dropped by the uploads.
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["pictures"] == []
    first = (await upload(client, token, idea["id"], png(), alt="Første")).json()
    second = (await upload(client, token, idea["id"], photo_with_gps(), alt="Anden")).json()
    listed = (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["pictures"]
    assert listed == [first, second]
    assert set(first) == {"id", "alt", "content_type", "url", "width", "height",
                          "thumbnail_url", "thumbnail_width", "thumbnail_height"}


async def test_the_fourth_picture_is_refused(client, db):
    _, token, idea = await _idea(client, db)
    for _ in range(3):
        assert (await upload(client, token, idea["id"], png())).status_code == 201
    refused = await upload(client, token, idea["id"], png())
    assert refused.status_code == 409, refused.text
    assert error_key(refused) == "picture"
    assert "at most 3" in refused.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM idea_pictures WHERE idea_id = $1",
                             idea["id"]) == 3


@pytest.mark.parametrize("alt", [None, "", "   ", "x" * 251, "Bænk\x07"])
async def test_alt_text_is_required_and_bounded(client, db, alt):
    _, token, idea = await _idea(client, db)
    refused = await upload(client, token, idea["id"], png(), alt=alt)
    assert refused.status_code == 400, refused.text
    assert error_key(refused) == "alt"
    assert await db.fetchval("SELECT count(*) FROM idea_pictures") == 0


@pytest.mark.parametrize(("data", "code"), [
    (decompression_bomb(), "picture_too_many_pixels"),
    (b"Dette er ikke et billede, bare tekst.", "picture_format"),
    (b"\x00" * (imaging.MAX_BYTES + 1), "picture_too_big"),
])
async def test_files_that_are_not_usable_pictures_are_refused(client, db, data, code):
    _, token, idea = await _idea(client, db)
    # Declared a JPEG: the declaration decides nothing.
    refused = await upload(client, token, idea["id"], data)
    assert refused.status_code == 400, refused.text
    assert error_key(refused) == "picture"
    assert refused.json()["extra"][0]["code"] == code
    assert await db.fetchval("SELECT count(*) FROM idea_pictures") == 0


async def test_a_body_beyond_the_routes_limit_is_refused_unread(client, db):
    _, token, idea = await _idea(client, db)
    refused = await upload(client, token, idea["id"], b"\x00" * (8 * 1024 * 1024))
    assert refused.status_code == 413


async def test_no_file_is_refused_naming_the_field(client, db):
    _, token, idea = await _idea(client, db)
    refused = await client.post(f"/api/v1/ideas/{idea['id']}/pictures",
                                headers=bearer(token), json={"alt": "Et billede"})
    assert refused.status_code == 400 and error_key(refused) == "picture"
    # Other API routes still take JSON only.
    refused = await client.post(f"/api/v1/ideas/{idea['id']}/withdraw", headers=bearer(token),
                                files={"picture": ("a.png", png(), "image/png")})
    assert refused.status_code == 415


async def test_only_the_author_adds_and_the_author_or_a_moderator_removes(client, db):
    _, token, idea = await _idea(client, db)
    _, stranger = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    assert (await upload(client, stranger, idea["id"], png())).status_code == 403
    assert (await upload(client, moderator, idea["id"], png())).status_code == 403
    first = (await upload(client, token, idea["id"], png())).json()
    second = (await upload(client, token, idea["id"], png(40, 40))).json()
    url = f"/api/v1/ideas/{idea['id']}/pictures"
    assert (await client.delete(f"{url}/{first['id']}", headers=bearer(stranger))
            ).status_code == 403
    assert (await client.delete(f"{url}/{first['id']}", headers=bearer(token))
            ).status_code == 204
    assert (await client.delete(f"{url}/{second['id']}", headers=bearer(moderator))
            ).status_code == 204
    assert (await client.delete(f"{url}/{second['id']}", headers=bearer(token))
            ).status_code == 404
    assert (await client.get(first["url"])).status_code == 404
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["pictures"] == []


async def test_pictures_are_added_only_while_the_idea_is_open(client, db):
    _, token, idea = await _idea(client, db)
    kept = (await upload(client, token, idea["id"], png())).json()
    await client.post(f"/api/v1/ideas/{idea['id']}/withdraw", headers=bearer(token))
    refused = await upload(client, token, idea["id"], png())
    assert refused.status_code == 409
    # Taking a picture back is always possible.
    assert (await client.delete(f"/api/v1/ideas/{idea['id']}/pictures/{kept['id']}",
                                headers=bearer(token))).status_code == 204


@pytest.mark.parametrize("status", ["hidden", "withdrawn"])
async def test_a_secluded_ideas_pictures_reach_only_its_author_and_moderators(
        client, db, status):
    _, token, idea = await _idea(client, db)
    _, stranger = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    picture = (await upload(client, token, idea["id"], png())).json()
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["pictures"] == [picture]
    if status == "withdrawn":
        changed = await client.post(f"/api/v1/ideas/{idea['id']}/withdraw",
                                    headers=bearer(token))
    else:
        changed = await client.post(f"/api/v1/ideas/{idea['id']}/hide",
                                    headers=bearer(moderator),
                                    json={"reason": "Viser en nabos nummerplade."})
    assert changed.status_code == 200, changed.text
    for url in (picture["url"], picture["thumbnail_url"]):
        assert (await client.get(url)).status_code == 404
        assert (await client.get(url, headers=bearer(stranger))).status_code == 404
        for insider in (token, moderator):
            seen = await client.get(url, headers=bearer(insider))
            assert seen.status_code == 200
            # Never kept by a shared cache.
            assert seen.headers["cache-control"] == "private, no-store"
    if status == "withdrawn":
        # The withdrawn idea itself is still shown, without its pictures.
        shown = await client.get(f"/api/v1/ideas/{idea['id']}")
        assert shown.status_code == 200 and shown.json()["pictures"] == []
    else:
        assert (await client.get(f"/api/v1/ideas/{idea['id']}")).status_code == 404
    for insider in (token, moderator):
        seen = await client.get(f"/api/v1/ideas/{idea['id']}", headers=bearer(insider))
        assert seen.json()["pictures"] == [picture]
