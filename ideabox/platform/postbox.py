"""Where an e-mail goes: the SMTP server when one is configured (IDEABOX_SMTP_HOST);
otherwise a file in ``IDEABOX_DATA_DIR/outbox/``, one ``.eml`` per message, which any
mail program opens. So a newcomer's ``python3 dev.py serve`` on a machine without mail
still gets its confirmation links (the caller logs them too)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib
import asyncpg

from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.settings import Settings

log = logging.getLogger(__name__)


def outbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


def stamp(message: EmailMessage, settings: Settings) -> EmailMessage:
    """Give a message its sender, date and id."""
    message["From"] = settings.smtp_from
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ideabox")
    return message


async def deliver(settings: Settings, message: EmailMessage) -> str:
    """Hand one message to the SMTP server, or write it to the outbox folder when there
    is none; where it went, for the log. SMTP errors are raised for the caller to log."""
    if settings.smtp_host is not None:
        await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port,
                              start_tls=settings.smtp_starttls, username=settings.smtp_user,
                              password=settings.smtp_password, timeout=30)
        return f"smtp://{settings.smtp_host}:{settings.smtp_port}"
    folder = outbox_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "-").replace("/", "-")
    path = folder / f"{name}.eml"
    # Written under a temporary name and renamed: whoever watches the folder never
    # reads half a message.
    partial = path.with_suffix(".part")
    partial.write_bytes(bytes(message))
    os.replace(partial, path)
    return str(path)


async def deliver_each(pool: asyncpg.Pool, settings: Settings, recipients: str,
                       ids: Sequence[int],
                       compose: Callable[[asyncpg.Record, Settings], EmailMessage],
                       what: str) -> int:
    """Mail one message per row of ``recipients`` (a query over ``ids``, the
    notifications to mail); how many went. Failures are logged as ``what`` e-mails, never
    raised: one refused address must not cost the others their mail."""
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch(recipients, ids)
    except CONNECTION_ERRORS as exc:
        log.warning("%s e-mails not sent, the database is unreachable: %s", what, exc)
        return 0
    sent = 0
    for row in rows:
        try:
            await deliver(settings, compose(row, settings))
            sent += 1
        except Exception:
            log.warning("%s e-mail %d could not be sent", what, row["id"], exc_info=True)
    return sent
