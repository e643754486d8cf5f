"""Signing in through an OpenID provider in Chromium: the button on the sign-in page, the
real ``oidc-provider-mock``'s form, back on ideabox signed in; and out again, through the
provider's sign-out.

The provider sends the browser back to IDEABOX_BASE_URL, so here the app's base URL is
the address it is really served at: its socket is bound before the app is made.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import msgspec
import pytest
import uvicorn
from litestar import Litestar
from playwright.async_api import Browser, BrowserContext, Route, expect

from ideabox.platform.clock import FrozenClock
from ideabox.platform.oidc import OidcProvider
from ideabox.platform.settings import Settings
from ideabox.votes.reconcile import Reconciler
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import running
from tests.identity.providers import MockProvider


@pytest.fixture
def app_socket() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield sock
    sock.close()


@pytest.fixture
def settings(settings: Settings, oidc_mock: MockProvider, app_socket: socket.socket,
             clock: FrozenClock) -> Settings:
    # The mock stamps its tokens with the machine's clock: the app's starts there too.
    clock.set(datetime.now(UTC))
    mitid = OidcProvider(name="mitid", label="MitID", issuer=oidc_mock.issuer,
                         client_id="ideabox", client_secret="mitid-secret",
                         residence_claim="kommunekode", residence_values=("751",))
    return msgspec.structs.replace(
        settings, base_url=f"http://127.0.0.1:{app_socket.getsockname()[1]}",
        oidc_providers=(mitid,))


@pytest.fixture
async def served(app: Litestar, app_socket: socket.socket,
                 settings: Settings) -> AsyncIterator[str]:
    """The app on its socket (as ``live_server``, on a socket bound beforehand)."""
    async with running(app):
        await asyncio.wait_for(app.state.schema_ready.wait(), 30)
        await Reconciler(app.state.services).tick()
        server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning",
                                               access_log=False))
        task = asyncio.create_task(server.serve(sockets=[app_socket]))
        try:
            yield settings.base_url
        finally:
            server.should_exit = True
            await task


async def _loopback_only(context: BrowserContext) -> None:
    """The mock's pages link a stylesheet on a CDN; nothing leaves the machine."""
    async def route(request: Route) -> None:
        host = urlsplit(request.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            await request.continue_()
        else:
            await request.abort()

    await context.route("**/*", route)


async def test_signing_in_and_out_through_the_provider(browser: Browser, served: str,
                                                       oidc_mock: MockProvider) -> None:
    await oidc_mock.set_claims("anna-mitid", {"name": "Anna Jensen", "kommunekode": "751"})
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    await _loopback_only(context)
    page = await context.new_page()

    await page.goto(f"{served}/signin?next=/me")
    button = page.get_by_role("link", name="Log ind med MitID")
    await expect(button).to_be_visible()
    await screenshot(page, "oidc-signin")
    await button.click()

    # The provider's own page: who signs in.
    await expect(page).to_have_url(re.compile(re.escape(f"{oidc_mock.issuer}/oauth2/authorize?")))
    await page.get_by_placeholder("sub").fill("anna-mitid")
    await page.get_by_role("button", name="Authorize").click()

    # Back on ideabox, signed in, on the page the sign-in started from.
    await expect(page).to_have_url(f"{served}/me")
    await expect(page.get_by_role("link", name="Min side")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Anna Jensen")
    await screenshot(page, "oidc-signed-in")

    # Signing out ends ideabox's session and goes on to the provider's sign-out.
    await page.get_by_role("button", name="Log ud", exact=True).click()
    await expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    await page.get_by_role("button", name="End session").click()
    await expect(page).to_have_url(f"{served}/")
    await expect(page.get_by_role("link", name="Log ind")).to_be_visible()
    await context.close()


async def test_the_provider_pages_pass_axe(browser: Browser, served: str,
                                           axe_source: str) -> None:
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    await _loopback_only(context)
    page = await context.new_page()
    found = {}
    for name, path in {"signin-providers": "/signin",
                       "oidc-failed": "/signin/oidc/mitid/callback?state=x&code=y",
                       "oidc-unknown": "/signin/oidc/nowhere"}.items():
        await page.goto(served + path)
        found[name] = await axe_violations(page, axe_source)
        await screenshot(page, name)
    assert found == {name: [] for name in found}
    await context.close()
