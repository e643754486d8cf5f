"""An address no route matches: the HTML page in the reader's language for browsers, the
API's JSON error for /api/ and for clients that do not ask for HTML."""

from __future__ import annotations

import httpx

from tests.web.forms import CSRF_COOKIE, csrf_token

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_a_browser_gets_the_page_in_its_language(client: httpx.AsyncClient) -> None:
    danish = await client.get("/findes/slet/ikke", headers={"Accept": BROWSER})
    assert danish.status_code == 404
    assert danish.headers["content-type"].startswith("text/html")
    assert '<html lang="da">' in danish.text and "Siden findes ikke" in danish.text
    # The headers the pages' middleware gives every page, although no route matched.
    assert danish.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in danish.headers["content-security-policy"]

    english = await client.get("/nowhere", headers={"Accept": BROWSER,
                                                    "Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 404 and "Page not found" in english.text


async def test_the_language_switch_on_the_page_carries_the_browsers_token(
        client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    page = await client.get("/nowhere", headers={"Accept": BROWSER})
    assert f'name="_csrf_token" value="{token}"' in page.text
    assert client.cookies[CSRF_COOKIE] == token


async def test_a_method_a_page_does_not_take_is_a_page_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/signout", headers={"Accept": BROWSER})
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")


async def test_the_api_and_other_clients_get_json(client: httpx.AsyncClient) -> None:
    for path, accept in (("/api/v1/nothing-here", BROWSER), ("/api", BROWSER),
                         ("/nowhere", "application/json"), ("/nowhere", "*/*")):
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json"), (path, accept)
        assert response.json() == {"status_code": 404, "detail": "Not Found"}
