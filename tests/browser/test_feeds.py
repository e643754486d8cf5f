"""In Chromium: the purpose's and the idea's pages offer their feeds, in the page's
language, to the browser (``<link rel="alternate">``) and to the reader (a link)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import asyncpg
import httpx
from playwright.async_api import Browser, Page, expect

from tests.factories import make_purpose, make_user, post_idea

ATOM = "{http://www.w3.org/2005/Atom}"


async def _feed_of(page: Page, base: str, link_text: str) -> ET.Element:
    """Follow the page's feed link as the browser would fetch it; the feed, parsed."""
    link = page.get_by_role("link", name=link_text)
    await expect(link).to_be_visible()
    href = await link.get_attribute("href")
    alternate = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert await alternate.get_attribute("href") == href
    assert href is not None
    response = await page.request.get(base + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(await response.body())


async def test_the_feeds_in_danish_and_english(browser: Browser, live_server: str,
                                              db: asyncpg.Connection) -> None:
    base = live_server
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    _, token = await make_user(db, display_name="Anna Jensen")
    async with httpx.AsyncClient(base_url=base) as api:
        idea = await post_idea(api, token, "havnen", title="Flere bænke ved vandet")
    context = await browser.new_context(locale="da-DK")
    page = await context.new_page()

    await page.goto(f"{base}/purposes/havnen")
    feed = await _feed_of(page, base, "Følg med i et feed")
    assert feed.findtext(f"{ATOM}title") == ("En bedre havnefront: nye idéer og "
                                             "forvaltningens svar")
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [
        "Flere bænke ved vandet"]

    await page.goto(f"{base}/ideas/{idea['id']}")
    feed = await _feed_of(page, base, "Følg med i et feed")
    assert feed.findtext(f"{ATOM}title") == "Flere bænke ved vandet: sådan gik det"

    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("button", name="Dansk")).to_be_visible()
    feed = await _feed_of(page, base, "Subscribe to the feed")
    assert feed.findtext(f"{ATOM}title") == "Flere bænke ved vandet: what happened"
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [
        "Shared: Flere bænke ved vandet"]
    await context.close()
