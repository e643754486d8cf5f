"""Bad input never gives a 500: every endpoint answers a 4xx in API.md's error shape."""

from __future__ import annotations

import base64
import json

import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.test_markdown import exploding_table
from tests.web.forms import sign_in, submit

HUGE = 10**30
BODIES = [
    b"{not json", b"[]", b"null", b'"text"', b"12", b"\xff\xfe\x00", b"",
    b'{"title": null, "body": null}',
    b'{"title": 12345, "body": ["x"]}',
    b'{"title": "Gyldig titel", "body": "x", "unknown": 1}',
    b'{"body": "x", "parent_id": %d}' % HUGE,
    b'{"body": "x", "parent_id": -5}',
    b'{"status": "nonsense", "response": "x"}',
    b'{"month": "2026-13"}',
    b'{"role": "emperor"}',
    b'{"email": "not-an-email", "password": "x", "display_name": ""}',
    b'{"title": "' + b"x" * 100_000 + b'", "body": "y"}',
]


@pytest.fixture
async def world(client, db):
    purpose = await make_purpose(db)
    _, admin = await make_user(db, role="admin")
    idea = await post_idea(client, admin, purpose.slug)
    return {"slug": purpose.slug, "token": admin, "idea": idea["id"]}


ENDPOINTS = [
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/purposes"),
    ("PATCH", "/api/v1/purposes/{slug}"),
    ("POST", "/api/v1/purposes/{slug}/ideas"),
    ("PATCH", "/api/v1/ideas/{idea}"),
    ("POST", "/api/v1/ideas/{idea}/comments"),
    ("PATCH", "/api/v1/users/1"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_malformed_bodies_are_4xx_with_the_error_shape(client, world, method, path):
    url = path.format(**world)
    for body in BODIES:
        response = await client.request(method, url, content=body, headers={
            **bearer(world["token"]), "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (body[:60], response.status_code, response.text)
        error = response.json()
        assert error["status_code"] == response.status_code
        assert isinstance(error["detail"], str) and error["detail"]


@pytest.mark.parametrize("path", [
    "/api/v1/ideas/{huge}", "/api/v1/ideas/{huge}/comments", "/api/v1/ideas/{huge}/vote",
    "/api/v1/ideas/0", "/api/v1/ideas/-1", "/api/v1/ideas/1.5", "/api/v1/ideas/%00",
    "/api/v1/purposes/%F0%9F%98%80/ideas", "/api/v1/comments/{huge}",
    "/api/v1/purposes/{slug}/ideas?limit=1e9", "/api/v1/purposes/{slug}/ideas?cursor=%00%01",
    "/api/v1/purposes/{slug}/ideas?sort=", "/api/v1/purposes/{slug}/ideas?q=%00",
])
async def test_bad_ids_and_parameters_are_4xx(client, world, path):
    url = path.format(huge=HUGE, **world)
    for method in ("GET", "PUT", "PATCH", "DELETE", "POST"):
        response = await client.request(method, url, headers=bearer(world["token"]),
                                        json={"body": "x"})
        assert 400 <= response.status_code < 500, (method, url, response.text)
        assert response.json()["status_code"] == response.status_code


async def test_a_null_byte_in_text_is_refused_not_a_500(client, world):
    response = await client.post(f"/api/v1/purposes/{world['slug']}/ideas",
                                 headers=bearer(world["token"]),
                                 json={"title": "Titel med \u0000 nul", "body": "x"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "title"


async def test_wrong_credentials_are_401(client, world):
    for header in ("Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", "bearer  "):
        response = await client.put(f"/api/v1/ideas/{world['idea']}/vote",
                                    headers={"Authorization": header})
        assert response.status_code == 401, header


@pytest.mark.parametrize(("body", "field"), [
    ({"body": "x"}, "title"),
    ({"title": "Gyldig titel", "body": "x", "colour": "blue"}, "colour"),
])
async def test_missing_and_unknown_fields_are_named(client, world, body, field):
    response = await client.post(f"/api/v1/purposes/{world['slug']}/ideas",
                                 headers=bearer(world["token"]), json=body)
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == field


async def test_a_missing_query_parameter_is_named(client, world):
    response = await client.get("/api/v1/exports/top-ideas", headers=bearer(world["token"]))
    assert response.status_code == 400
    assert response.json()["extra"] == [{"key": "month", "message": "is required",
                                         "source": "query"}]


def _cursor(**fields: object) -> str:
    """A cursor as a client could forge one: base64url of any JSON."""
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


BEYOND_BIGINT = 2**64 - 1
# Each field a cursor carries, pushed past what PostgreSQL, Redis or datetime accept.
FORGED_KEYS = [
    {"id": BEYOND_BIGINT}, {"id": -1}, {"id": HUGE}, {"id": "1"}, {"id": 1.5},
]
FORGED_MOMENTS = [
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-01-01T00:00:00",
]


def _forged(moment_field: str | None) -> list[str]:
    if moment_field is None:
        return [_cursor(**key) for key in FORGED_KEYS]
    good = {moment_field: "2026-01-01T00:00:00Z"}
    return ([_cursor(**good, **key) for key in FORGED_KEYS]
            + [_cursor(**{moment_field: moment, "id": 1}) for moment in FORGED_MOMENTS])


FORGED_POSITIONS = [
    {"sort": "top_month", "offset": -5}, {"sort": "top", "offset": BEYOND_BIGINT},
    {"sort": "hot", "offset": HUGE}, {"sort": "top", "offset": 2**62},
    {"sort": "top", "offset": "5"}, {"sort": "new", "created_at": "2026-01-01T00:00:00Z",
                                     "id": BEYOND_BIGINT},
    *({"sort": "new", "created_at": moment, "id": 1} for moment in FORGED_MOMENTS),
]


@pytest.mark.parametrize("status", [None, "open"])
@pytest.mark.parametrize("position", FORGED_POSITIONS)
async def test_a_forged_list_cursor_is_400_naming_it(client, world, position, status):
    params = {"sort": position["sort"], "cursor": _cursor(**position)}
    params |= {"status": status} if status else {}
    response = await client.get(f"/api/v1/purposes/{world['slug']}/ideas", params=params)
    assert response.status_code == 400, (position, response.text)
    assert response.json()["extra"][0]["key"] == "cursor"


@pytest.mark.parametrize(("path", "moment_field"), [
    ("/api/v1/ideas/{idea}/comments", "created_at"),
    ("/api/v1/moderation/log", "created_at"),
    ("/api/v1/moderation/hidden-ideas", "hidden_at"),
    ("/api/v1/me/notifications", None),
])
async def test_forged_cursors_are_400_naming_them(client, world, path, moment_field):
    url = path.format(**world)
    for cursor in _forged(moment_field):
        response = await client.get(url, params={"cursor": cursor},
                                    headers=bearer(world["token"]))
        assert response.status_code == 400, (cursor, response.text)
        assert response.json()["extra"][0]["key"] == "cursor"


@pytest.mark.parametrize(("path", "moment_field"), [
    ("/me?ideas={cursor}", "created_at"), ("/me?votes={cursor}", "created_at"),
    ("/me?follows={cursor}", "created_at"), ("/me?notifications={cursor}", None),
    ("/admin/users?cursor={cursor}", None), ("/admin/moderation?hidden={cursor}", "hidden_at"),
    ("/admin/moderation?log={cursor}", "created_at"),
    ("/ideas/{idea}?comments={cursor}", "created_at"),
])
async def test_forged_cursors_on_pages_are_400(client, db, world, path, moment_field):
    await make_user(db, role="admin", email="admin@example.dk")
    await sign_in(client, "admin@example.dk")
    for cursor in _forged(moment_field):
        response = await client.get(path.format(cursor=cursor, **world))
        assert response.status_code == 400, (cursor, response.text[:300])


OUT_OF_RANGE_MONTHS = ["0000-01", "0001-01", "1999-12", "9999-12"]


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
async def test_a_month_out_of_range_is_400_naming_it(client, world, month):
    asked = [
        (client.get(f"/api/v1/purposes/{world['slug']}/promotions/{month}"), "month"),
        (client.get("/api/v1/exports/top-ideas", params={"month": month},
                    headers=bearer(world["token"])), "month"),
        (client.post(f"/api/v1/purposes/{world['slug']}/promotions", json={"month": month},
                     headers=bearer(world["token"])), "month"),
    ]
    for request, field in asked:
        response = await request
        assert response.status_code == 400, (month, response.text)
        assert response.json()["extra"][0]["key"] == field


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
async def test_a_month_out_of_range_on_a_page_is_400(client, db, world, month):
    await make_user(db, role="admin", email="admin@example.dk")
    await sign_in(client, "admin@example.dk")
    for path in (f"/admin/promotions?month={month}", f"/admin/exports?month={month}"):
        response = await client.get(path)
        assert response.status_code == 400, (path, response.text[:300])
    # Typed into the form, the month is marked with what to write instead, in Danish.
    response = await submit(client, "/admin/promotions", {"purpose": world["slug"],
                                                          "month": month})
    assert response.status_code == 400
    assert "Skal være en måned fra 2000-01 til 9998-12." in response.text


# Line breaks and other control characters: C0, DEL and C1, and the Unicode line and
# paragraph separators, which mail headers and str.splitlines() break lines at too.
NOT_IN_A_LINE = ["\n", "\r", "\x1b", "\x7f", "\x85", "\u2028"]
NOT_IN_A_TEXT = ["\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"]


@pytest.fixture
async def writable(client, db, world):
    """An admin's idea and comment, and the paths that write every kind of text."""
    comment = await client.post(f"/api/v1/ideas/{world['idea']}/comments",
                                headers=bearer(world["token"]), json={"body": "En kommentar"})
    assert comment.status_code == 201
    # Promoted, so that the administration may answer it too.
    await db.execute("UPDATE ideas SET status = 'promoted' WHERE id = $1", world["idea"])
    return {**world, "comment": comment.json()["id"]}


# (method, path, the body around the text, the field the text goes in)
SINGLE_LINE = [
    ("POST", "/api/v1/purposes/{slug}/ideas", {"body": "Tekst."}, "title"),
    ("PATCH", "/api/v1/ideas/{idea}", {}, "title"),
    ("POST", "/api/v1/purposes", {"slug": "ny", "statement": "Hvorfor?"}, "title"),
    ("PATCH", "/api/v1/purposes/{slug}", {}, "title"),
    ("POST", "/api/v1/users", {"email": "ny@example.dk", "password": "et langt kodeord"},
     "display_name"),
]
MULTI_LINE = [
    ("POST", "/api/v1/purposes/{slug}/ideas", {"title": "En god titel"}, "body"),
    ("PATCH", "/api/v1/ideas/{idea}", {}, "body"),
    ("POST", "/api/v1/ideas/{idea}/comments", {}, "body"),
    ("PATCH", "/api/v1/comments/{comment}", {}, "body"),
    ("POST", "/api/v1/ideas/{idea}/responses", {"status": "accepted"}, "response"),
    ("POST", "/api/v1/ideas/{idea}/hide", {}, "reason"),
    ("POST", "/api/v1/purposes", {"slug": "ny", "title": "Et formål"}, "statement"),
    ("PATCH", "/api/v1/purposes/{slug}", {}, "statement"),
]


@pytest.mark.parametrize(("method", "path", "around", "field"), SINGLE_LINE)
async def test_control_characters_in_a_title_or_name_are_400(client, writable, method, path,
                                                             around, field):
    for character in NOT_IN_A_LINE:
        response = await client.request(
            method, path.format(**writable), headers=bearer(writable["token"]),
            json={**around, field: f"Hej{character}med dig"})
        assert response.status_code == 400, (repr(character), response.text)
        assert response.json()["extra"][0]["key"] == field


@pytest.mark.parametrize(("method", "path", "around", "field"), MULTI_LINE)
async def test_control_characters_in_a_text_are_400_but_line_ends_and_tabs_are_not(
        client, writable, method, path, around, field):
    url = path.format(**writable)
    for character in NOT_IN_A_TEXT:
        response = await client.request(method, url, headers=bearer(writable["token"]),
                                        json={**around, field: f"Første{character}linje"})
        assert response.status_code == 400, (repr(character), response.text)
        assert response.json()["extra"][0]["key"] == field
    written = await client.request(method, url, headers=bearer(writable["token"]),
                                   json={**around, field: "Første\tlinje\r\nanden\rtredje\n"})
    assert written.status_code in (200, 201), written.text
    assert "\\r" not in written.text  # a browser's CRLF line ends are kept as \n


# Each text's longest length: the table that would explode is made to fit it.
TEXT_LIMITS = {"body": 5_000, "response": 10_000, "reason": 1_000, "statement": 5_000}


@pytest.mark.parametrize(("method", "path", "around", "field"), MULTI_LINE)
async def test_markdown_that_would_render_too_large_is_400_naming_the_field(
        client, writable, method, path, around, field):
    response = await client.request(
        method, path.format(**writable), headers=bearer(writable["token"]),
        json={**around, field: exploding_table(TEXT_LIMITS[field])})
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    assert error["status_code"] == 400
    assert error["extra"] == [{"key": field, "source": "body",
                               "message": "is too large once formatted; make it shorter or "
                                          "its tables smaller",
                               "code": "markdown_too_large"}]
