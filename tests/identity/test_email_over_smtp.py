"""The confirmation mail through a real SMTP server (aiosmtpd), its link followed in the
browser's way: open the page, press its button."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from ideabox.platform.postbox import outbox_dir
from ideabox.platform.settings import Settings
from tests.mailbox import Inbox, app_of, link_in, smtp_server, text_of, token_of, with_smtp
from tests.web.forms import submit

PASSWORD = "correct horse battery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return with_smtp(settings, inbox[1], "http://ideer.kommune.dk:8000")


async def test_the_mail_reaches_the_smtp_server_and_its_link_confirms(client, inbox, db):
    handler, _ = inbox
    signed_up = await submit(client, "/signup", {"email": "karen@example.dk",
                                                 "display_name": "Karen", "password": PASSWORD,
                                                 "next": "/"})
    assert signed_up.status_code == 303
    app = app_of(client)
    await app.state.services.background.drain()
    [mail] = handler.to("karen@example.dk")
    assert mail["From"] == "ideabox <ideer@kommune.dk>"
    assert mail.is_multipart() and mail.get_body(preferencelist=("html",)) is not None
    link = link_in(mail)
    assert link.startswith("http://ideer.kommune.dk:8000/verify-email?token=ibx_")
    assert "48" in text_of(mail.get_body(preferencelist=("plain",)))
    # With a mail server, nothing is written to the outbox folder.
    assert not outbox_dir(app.state.services.settings).exists()

    address = urlsplit(link)
    page = await client.get(f"{address.path}?{address.query}")
    assert page.status_code == 200 and "Bekræft min e-mailadresse" in page.text
    assert await db.fetchval("SELECT email_verified_at FROM users") is None
    confirmed = await submit(client, "/verify-email", {"token": token_of(link)})
    assert confirmed.status_code == 200
    assert await db.fetchval("SELECT email_verified_via FROM users") == "link"
    assert "Bekræft din e-mail<" not in (await client.get("/")).text
