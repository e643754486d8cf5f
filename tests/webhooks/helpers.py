"""What the webhook tests share: an endpoint registered through the API, one delivery
round run as the worker runs it, and the delivery rows as the database holds them."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from litestar import Litestar

from ideabox.webhooks.delivery import deliver_due
from ideabox.webhooks.schemas import EVENT_TYPES
from tests.factories import bearer

API = "/api/v1"


async def register(client: httpx.AsyncClient, token: str, url: str,
                   events: tuple[str, ...] = EVENT_TYPES, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/webhooks", headers=bearer(token),
                                 json={"url": url, "events": list(events), **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def deliver(app: Litestar) -> int:
    """One round of the worker: every due delivery sent."""
    async with httpx.AsyncClient() as http:
        return await deliver_due(app.state.services, http)


async def deliveries(db: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every delivery, in the order of the events."""
    return await db.fetch(
        "SELECT d.*, ev.type, ev.public_id::text AS event_id FROM webhook_deliveries d "
        "JOIN webhook_events ev ON ev.id = d.event_id ORDER BY d.event_id, d.endpoint_id")
