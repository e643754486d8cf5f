"""The mail ideabox sent, read as a person reads it: from the outbox folder (no SMTP
server is configured in the tests), or from a real SMTP server's inbox."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from urllib.parse import unquote, urlsplit

import httpx
import msgspec
from aiosmtpd.controller import Controller
from litestar import Litestar

from ideabox.platform.postbox import outbox_dir
from ideabox.platform.settings import Settings


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    """The plain-text body, with the line ends SMTP gave it made plain again."""
    body: str = message.get_content()
    return body.replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def with_smtp(settings: Settings, port: int, base_url: str) -> Settings:
    """``settings`` sending mail to the test SMTP server on ``port``."""
    return msgspec.structs.replace(settings, smtp_host="127.0.0.1", smtp_port=port,
                                   smtp_starttls=False, smtp_from="ideabox <ideer@kommune.dk>",
                                   base_url=base_url)


def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, and its inbox."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


LINK = re.compile(r"https?://\S+/verify-email\?token=(\S+)")


def app_of(client: httpx.AsyncClient) -> Litestar:
    """The app an in-process test client talks to."""
    app = client._transport.app  # type: ignore[attr-defined]
    assert isinstance(app, Litestar)
    return app


async def outbox(app: Litestar) -> list[EmailMessage]:
    """Every message written to the outbox so far, oldest first (once the background
    work that sends them is done)."""
    await app.state.services.background.drain()
    folder = outbox_dir(app.state.services.settings)
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in files]  # type: ignore[misc]


def link_in(message: EmailMessage) -> str:
    """The confirmation link of a mail, from its plain-text part."""
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    found = LINK.search(text.get_content())
    assert found, text.get_content()
    return found.group(0)


def token_of(link: str) -> str:
    return unquote(urlsplit(link).query.removeprefix("token="))


async def latest_link(app: Litestar, address: str) -> str:
    """The newest confirmation link mailed to ``address``."""
    mails = [m for m in await outbox(app) if m["To"] == address]
    assert mails, f"no mail to {address}"
    return link_in(mails[-1])
