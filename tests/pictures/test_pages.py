"""Pictures on the pages, as plain forms (no JavaScript): with the idea when it is
posted, added and removed on its page, shown as thumbnails linking to the display size."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest

from tests.factories import make_purpose
from tests.pictures.files import decompression_bomb, photo_with_gps, png
from tests.web.forms import another_browser, csrf_token, sign_up


async def _post(client: httpx.AsyncClient, url: str, data: dict[str, str],
                picture: bytes | None = None) -> httpx.Response:
    """Post a form as a browser posts one with a file input: multipart, the file input
    sent empty when no file was chosen."""
    files = {"picture": ("", b"", "application/octet-stream") if picture is None
             else ("foto.jpg", picture, "image/jpeg")}
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client)},
                             files=files)


IDEA = {"title": "Flere bænke ved vandet", "body": "Med *udsigt*."}
ALT = "Bænken ved havnen med knækkede brædder"


async def test_an_idea_is_posted_with_its_picture_and_shows_it(client: httpx.AsyncClient,
                                                              db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    form = (await client.get("/purposes/havn")).text
    await sign_up(client, "anna@example.dk", "Anna")
    form = (await client.get("/purposes/havn")).text
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    posted = await _post(client, "/purposes/havn/ideas", {**IDEA, "alt": ALT},
                         photo_with_gps(60, 40))
    assert posted.status_code == 303, posted.text
    page = (await client.get(posted.headers["location"])).text
    picture = await db.fetchrow("SELECT id, display_sha256, thumbnail_sha256, thumb_width, "
                                "thumb_height FROM idea_pictures")
    assert (picture["thumb_width"], picture["thumb_height"]) == (40, 60)
    link = f'/pictures/{picture["id"]}/{picture["display_sha256"]}.webp'
    thumbnail = (f'<img src="/pictures/{picture["id"]}/{picture["thumbnail_sha256"]}.webp" '
                 f'alt="{ALT}" width="40" height="60"')
    assert re.search(rf'<a href="{re.escape(link)}"[^>]*>{re.escape(thumbnail)}', page), page
    assert "<h2 id=\"pictures-heading\">Billeder</h2>" in page


async def test_an_idea_without_a_picture_is_posted_as_before(client: httpx.AsyncClient,
                                                             db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    posted = await _post(client, "/purposes/havn/ideas", {**IDEA, "alt": ""})
    assert posted.status_code == 303, posted.text
    assert await db.fetchval("SELECT count(*) FROM idea_pictures") == 0
    # Nobody else is shown an empty "Pictures" section.
    other = another_browser(client)
    assert "pictures-heading" not in (await other.get(posted.headers["location"])).text


@pytest.mark.parametrize(("lang", "picture", "alt", "field", "says"), [
    ("da", decompression_bomb(), ALT, "picture", "har mere end 50 millioner pixels"),
    ("en", decompression_bomb(), ALT, "picture", "has more than 50 million pixels"),
    ("da", b"Ikke et billede", ALT, "picture", "skal være et billede i JPEG, PNG eller WebP"),
    ("en", b"Not a picture", ALT, "picture", "must be a JPEG, PNG or WebP picture"),
    ("da", png(), " ", "alt", "Udfyld feltet."),
    ("en", png(), "", "alt", "Fill in this field."),
], ids=["bomb-da", "bomb-en", "text-da", "text-en", "no-alt-da", "no-alt-en"])
async def test_a_refused_picture_brings_the_form_back_and_posts_nothing(
        client: httpx.AsyncClient, db: asyncpg.Connection, lang: str, picture: bytes,
        alt: str, field: str, says: str) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    client.cookies.set("lang", lang)
    refused = await _post(client, "/purposes/havn/ideas", {**IDEA, "alt": alt}, picture)
    assert refused.status_code == 400, refused.text
    assert f'id="f-{field}-error"' in refused.text and f'href="#f-{field}"' in refused.text
    assert says in refused.text
    assert 'value="Flere bænke ved vandet"' in refused.text  # what was typed stays
    # One transaction: no idea without the picture it was posted with.
    assert await db.fetchval("SELECT count(*) FROM ideas") == 0


async def test_the_author_adds_and_removes_pictures_on_the_page(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    url = (await _post(client, "/purposes/havn/ideas", {**IDEA, "alt": ""})).headers["location"]
    page = (await client.get(url)).text
    assert "Tilføj et billede" in page
    added = await _post(client, f"{url}/pictures", {"alt": ALT}, png())
    assert added.status_code == 303 and added.headers["location"] == f"{url}#billeder"
    picture_id = await db.fetchval("SELECT id FROM idea_pictures")
    page = (await client.get(url)).text
    assert f'action="{url}/pictures/{picture_id}/delete"' in page

    refused = await _post(client, f"{url}/pictures", {"alt": ALT}, b"GIF89a")
    assert refused.status_code == 400
    assert re.search(r'<details class="disclosure" id="nyt-billede" open>', refused.text)
    assert 'id="f-picture-error"' in refused.text
    assert f'value="{ALT}"' in refused.text  # the alt text stays

    others = another_browser(client)
    await sign_up(others, "bo@example.dk", "Bo")
    page = (await others.get(url)).text
    assert "Tilføj et billede" not in page and "/delete" not in page
    assert (await _post(others, f"{url}/pictures", {"alt": ALT}, png())).status_code == 403

    removed = await client.post(f"{url}/pictures/{picture_id}/delete",
                                data={"_csrf_token": await csrf_token(client)})
    assert removed.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM idea_pictures") == 0


async def test_an_upload_without_the_csrf_token_is_refused(client: httpx.AsyncClient,
                                                           db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    url = (await _post(client, "/purposes/havn/ideas", {**IDEA, "alt": ""})).headers["location"]
    refused = await client.post(f"{url}/pictures", data={"alt": ALT},
                                files={"picture": ("a.png", png(), "image/png")})
    assert refused.status_code == 403
    idea_id = int(url.rsplit("/", 1)[1])
    refused = await client.post(f"/api/v1/ideas/{idea_id}/pictures", data={"alt": ALT},
                                files={"picture": ("a.png", png(), "image/png")})
    assert refused.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM idea_pictures") == 0
