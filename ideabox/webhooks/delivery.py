"""Delivering the webhook outbox: at least once, in order per endpoint and idea.

Each attempt claims one due delivery with ``FOR UPDATE SKIP LOCKED`` and keeps that row
lock while it posts, recording the result in the same transaction. So two workers (or
instances) never send one delivery at once, and a worker that dies mid-way leaves
nothing behind but a rolled-back transaction: the delivery is still pending and the
next worker sends it again (a duplicate the receiver recognises by its
``Ideabox-Webhook-Id``, never a loss).

A delivery waits while an older delivery of the same endpoint and idea is pending (being
retried), so a receiver sees an idea's events in the order they happened; one that has
failed for good no longer holds the others back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx

from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.services import Services
from ideabox.webhooks import signing
from ideabox.webhooks.addresses import AddressRefused, ensure_public

log = logging.getLogger(__name__)

CHANNEL = "ideabox_webhooks"
# Attempts sent at once by one worker.
CONCURRENCY = 4
# The wait between attempts doubles from IDEABOX_WEBHOOK_RETRY_SECONDS up to this.
LONGEST_WAIT = timedelta(hours=1)
ERROR_LENGTH = 500

_CLAIM = """
SELECT d.id, d.attempts, d.retry_from, ev.public_id, ev.type, ev.created_at, ev.data,
       e.url, e.secret
FROM webhook_deliveries d
JOIN webhook_events ev ON ev.id = d.event_id
JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.active
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o
                  WHERE o.endpoint_id = d.endpoint_id AND o.idea_id = d.idea_id
                    AND o.status = 'pending' AND o.event_id < d.event_id)
ORDER BY d.next_attempt_at, d.id
LIMIT 1
FOR UPDATE OF d SKIP LOCKED
"""

_DELIVERED = """
UPDATE webhook_deliveries
SET status = 'delivered', attempts = attempts + 1, last_attempt_at = $2,
    last_status_code = $3, last_error = NULL, delivered_at = $2
WHERE id = $1
"""

_FAILED = """
UPDATE webhook_deliveries
SET status = $4, attempts = attempts + 1, last_attempt_at = $2, last_status_code = $3,
    last_error = $5, next_attempt_at = $6
WHERE id = $1
"""


def wait_before(attempts: int, first: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: ``first`` seconds,
    doubling each time, at most an hour; up to 10 % more, so receivers coming back from
    an outage are not met by every retry at once."""
    seconds = min(first * 2 ** min(attempts - 1, 30), LONGEST_WAIT.total_seconds())
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


async def _post(services: Services, client: httpx.AsyncClient, row: asyncpg.Record,
                now: datetime) -> tuple[int | None, str | None]:
    """Send one attempt: (status code, None) when the receiver answered, (code or None,
    error) when it failed."""
    settings = services.settings
    data: dict[str, Any] = row["data"]
    event_id = str(row["public_id"])
    payload = signing.body(event_id, row["type"], row["created_at"], data, settings.base_url)
    headers = signing.headers(event_id, row["type"], row["attempts"] + 1, row["secret"],
                              int(now.timestamp()), payload)
    try:
        # The whole attempt, the name's look-up included, within the timeout: the row
        # stays locked meanwhile.
        async with asyncio.timeout(settings.webhook_timeout):
            if not settings.webhook_allow_private_addresses:
                await ensure_public(row["url"])
            async with client.stream("POST", row["url"], content=payload, headers=headers,
                                     timeout=settings.webhook_timeout) as response:
                code = response.status_code
    except AddressRefused as exc:
        return None, str(exc)[:ERROR_LENGTH]
    except TimeoutError:
        return None, f"no answer within {settings.webhook_timeout:g} s"
    except httpx.HTTPError as exc:
        return None, (f"{type(exc).__name__}: {exc}" if str(exc)
                      else type(exc).__name__)[:ERROR_LENGTH]
    if 200 <= code < 300:
        return code, None
    return code, f"HTTP {code}"


async def attempt_one(services: Services, client: httpx.AsyncClient) -> bool:
    """Send the delivery that is due first, if any; whether there was one."""
    settings = services.settings
    async with services.pool.acquire() as conn, conn.transaction():
        now = services.now()
        row = await conn.fetchrow(_CLAIM, now)
        if row is None:
            return False
        code, error = await _post(services, client, row, now)
        finished = services.now()
        if error is None:
            await conn.execute(_DELIVERED, row["id"], finished, code)
            return True
        attempts = row["attempts"] + 1
        later = finished + wait_before(attempts, settings.webhook_retry_seconds)
        give_up_at = row["retry_from"] + timedelta(hours=settings.webhook_give_up_hours)
        status = "failed" if later > give_up_at else "pending"
        await conn.execute(_FAILED, row["id"], finished, code, status, error, later)
        log.info("webhook delivery %s failed (attempt %s, %s): %s", row["id"], attempts,
                 "given up" if status == "failed" else f"again at {later.isoformat()}", error)
    return True


async def deliver_due(services: Services, client: httpx.AsyncClient) -> int:
    """Send every delivery that is due, a few at a time; the number of attempts made."""

    async def sender() -> int:
        sent = 0
        while await attempt_one(services, client):
            sent += 1
        return sent

    return sum(await asyncio.gather(*(sender() for _ in range(CONCURRENCY))))


async def deliver_webhooks_forever(services: Services) -> None:
    """Deliver the outbox as it fills: at once when a transaction that wrote to it commits
    (LISTEN/NOTIFY), and every IDEABOX_WEBHOOK_POLL_SECONDS for the retries.

    Each of the CONCURRENCY senders goes on by itself: a receiver that keeps one of them
    waiting (up to IDEABOX_WEBHOOK_TIMEOUT) holds back only that attempt, not the
    deliveries committed meanwhile to other endpoints and ideas."""
    wakes = [asyncio.Event() for _ in range(CONCURRENCY)]

    def notified(*_: object) -> None:
        for wake in wakes:
            wake.set()

    async def sender(client: httpx.AsyncClient, wake: asyncio.Event) -> None:
        while True:
            wake.clear()
            while await attempt_one(services, client):
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), services.settings.webhook_poll_seconds)

    async with (httpx.AsyncClient(follow_redirects=False) as client,
                services.pool.acquire() as listener):
        await listener.add_listener(CHANNEL, notified)
        try:
            async with asyncio.TaskGroup() as senders:
                for wake in wakes:
                    senders.create_task(sender(client, wake))
        finally:
            with contextlib.suppress(*CONNECTION_ERRORS, asyncpg.exceptions.InterfaceError):
                await listener.remove_listener(CHANNEL, notified)
