"""Driving the HTML pages as a browser without JavaScript would: plain form posts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.factories import DEFAULT_PASSWORD
from tests.mailbox import app_of, latest_link, token_of

CSRF_COOKIE = "ideabox_csrf"


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The CSRF cookie every page sets (fetching a page first if there is none yet)."""
    if CSRF_COOKIE not in client.cookies:
        response = await client.get("/signin")
        assert response.status_code == 200
    return client.cookies[CSRF_COOKIE]


async def submit(client: httpx.AsyncClient, url: str, data: dict[str, Any],
                 **kwargs: Any) -> httpx.Response:
    """Post a form as the page's <form> does: urlencoded, with the hidden CSRF field."""
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client)},
                             **kwargs)


async def sign_up(client: httpx.AsyncClient, email: str, name: str = "Anna Jensen",
                  password: str = DEFAULT_PASSWORD, *, confirm: bool = True) -> httpx.Response:
    """Sign up through the form; then, unless not ``confirm``, follow the link of the
    confirmation mail and press its button, as the person would."""
    response = await submit(client, "/signup", {"email": email, "display_name": name,
                                                "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    if confirm:
        await confirm_email(client, email)
    return response


async def confirm_email(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """Open the newest confirmation link mailed to ``email`` and press its button."""
    link = await latest_link(app_of(client), email)
    address = urlsplit(link)
    shown = await client.get(f"{address.path}?{address.query}")
    assert shown.status_code == 200, shown.text
    confirmed = await submit(client, "/verify-email", {"token": token_of(link)})
    assert confirmed.status_code == 200, confirmed.text
    return confirmed


async def sign_in(client: httpx.AsyncClient, email: str,
                  password: str = DEFAULT_PASSWORD) -> httpx.Response:
    response = await submit(client, "/signin", {"email": email, "password": password,
                                                "next": "/"})
    assert response.status_code == 303, response.text
    return response


def another_browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app: its own cookies, the same server."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
