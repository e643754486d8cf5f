"""The JSON API takes JSON only: an unsafe request to /api/v1 whose body is not declared
JSON is refused with 415, whichever route it is for. The pages keep taking forms."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.web.forms import submit

API = "/api/v1"
SIGN_UP = b'{"email": "anna@example.dk", "password": "et langt kodeord", "display_name": "Anna"}'


@pytest.mark.parametrize("content_type", [
    # What a page on any other site may send without asking first (a CORS "simple"
    # request), and what names no type at all.
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", None,
])
async def test_a_sign_up_that_is_not_json_is_415(client: httpx.AsyncClient, db,
                                                 content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(f"{API}/users", content=SIGN_UP, headers=headers)
    assert response.status_code == 415, response.text
    assert response.json() == {
        "status_code": 415,
        "detail": "Send the body as JSON (Content-Type: application/json)",
        "extra": [{"key": "Content-Type", "source": "header",
                   "message": "must be application/json or application/*+json",
                   "code": "not_json"}]}
    assert await db.fetchval("SELECT count(*) FROM users") == 0


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON",
    "application/merge-patch+json",
])
async def test_json_in_any_of_its_names_is_taken(client: httpx.AsyncClient,
                                                 content_type: str) -> None:
    response = await client.post(f"{API}/users", content=SIGN_UP,
                                 headers={"content-type": content_type})
    assert response.status_code == 201, response.text


async def test_every_unsafe_api_route_with_a_body_needs_json(client: httpx.AsyncClient,
                                                             db) -> None:
    purpose = await make_purpose(db)
    _, token = await make_user(db, role="admin")
    idea = await post_idea(client, token, purpose.slug)
    form = {**bearer(token), "content-type": "application/x-www-form-urlencoded"}
    for method, path in (("POST", f"/purposes/{purpose.slug}/ideas"),
                         ("PATCH", f"/ideas/{idea['id']}"),
                         ("POST", f"/ideas/{idea['id']}/comments"),
                         ("PUT", f"/ideas/{idea['id']}/vote"),
                         ("POST", "/tokens")):
        response = await client.request(method, API + path, headers=form,
                                        content=b"title=x&body=y")
        assert response.status_code == 415, (method, path, response.text)
    # Nothing was changed on the way.
    assert (await client.get(f"{API}/ideas/{idea['id']}")).json()["title"] == idea["title"]


async def test_an_unsafe_request_without_a_body_needs_no_type(client: httpx.AsyncClient,
                                                              db) -> None:
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    voted = await client.put(f"{API}/ideas/{idea['id']}/vote", headers=bearer(token))
    assert voted.status_code == 200
    typed = await client.delete(f"{API}/ideas/{idea['id']}/vote",
                                headers={**bearer(token), "content-type": "text/plain"})
    assert typed.status_code == 200


async def test_the_pages_keep_taking_forms(client: httpx.AsyncClient) -> None:
    response = await submit(client, "/signup", {"email": "anna@example.dk", "next": "/",
                                                "display_name": "Anna",
                                                "password": "et langt kodeord"})
    assert response.status_code == 303
