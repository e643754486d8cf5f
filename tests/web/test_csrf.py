"""CSRF: every unsafe form request made with the session cookie carries the token. The
few addresses exempt from the check are exempt exactly, never a page whose address
merely contains one of them (a purpose whose slug starts with "schema", say)."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.factories import DEFAULT_PASSWORD, make_purpose, make_user
from tests.web.forms import sign_in


@pytest.mark.parametrize("slug", ["schemaer", "healthzone", "readyz-plan"])
async def test_a_slug_that_looks_like_an_exempt_address_is_still_checked(
        client: httpx.AsyncClient, db: asyncpg.Connection, slug: str) -> None:
    purpose = await make_purpose(db, slug=slug)
    await make_user(db, email="anna@example.dk", role="admin")
    await sign_in(client, "anna@example.dk", DEFAULT_PASSWORD)
    forged = {"title": "Sneget ind ad bagdøren", "body": "Uden CSRF-token."}
    posted = await client.post(f"/purposes/{purpose.slug}/ideas", data=forged)
    assert posted.status_code == 403, posted.text
    edited = await client.post(f"/admin/purposes/{purpose.slug}/edit",
                               data={"title": "Overtaget", "statement": "Ændret udefra.",
                                     "audience": "everyone"})
    assert edited.status_code == 403, edited.text
    assert await db.fetchval("SELECT count(*) FROM ideas") == 0
    assert await db.fetchval("SELECT title FROM purposes WHERE slug = $1", slug) != "Overtaget"


async def test_the_exempt_addresses_answer_without_a_token(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "ideabox_csrf" not in response.headers.get("set-cookie", ""), path
