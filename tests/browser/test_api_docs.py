"""The API documentation at /schema: served by ideabox itself, under the site's CSP,
and it works — in a real browser, with nothing loaded from elsewhere."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Request, expect

from tests.browser.conftest import screenshot


async def test_the_api_documentation_works_under_the_sites_csp(browser: Browser,
                                                               live_server: str) -> None:
    context = await browser.new_context()
    refused: list[str] = []
    context.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)
    elsewhere: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith((live_server, "data:")):
            elsewhere.append(request.url)

    context.on("request", note)
    page = await context.new_page()
    response = await page.goto(f"{live_server}/schema")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await expect(page.get_by_role("heading", name="ideabox")).to_be_visible()
    # An operation opens and shows its parameters.
    await page.get_by_role("button", name="GET /api/v1/purposes/{slug}/ideas", exact=False) \
        .first.click()
    await expect(page.get_by_text("cursor").first).to_be_visible()
    await screenshot(page, "api-docs")
    assert refused == [] and elsewhere == []
    await context.close()


async def test_only_the_viewer_s_own_files_are_served(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        script = await http.get("/schema/assets/swagger-ui-bundle.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert "immutable" in script.headers["cache-control"]
        for name in ("swagger-editor-bundle.js", "..%2F__init__.py", "index.html"):
            assert (await http.get(f"/schema/assets/{name}")).status_code == 404, name
