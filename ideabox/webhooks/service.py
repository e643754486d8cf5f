"""Webhook endpoints (administrators register, change, pause and remove them) and their
delivery log, with "send again". The events themselves are written by the database
(sql/0015_webhooks.sql) and sent by ``delivery``."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.platform.db import Db
from ideabox.platform.errors import Forbidden, Invalid, NotFound
from ideabox.platform.pagination import Page, RowId, decode_cursor, page_of
from ideabox.platform.settings import Settings
from ideabox.platform.validation import trimmed
from ideabox.webhooks.addresses import checked_url
from ideabox.webhooks.schemas import (
    EVENT_TYPES,
    Delivery,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
)
from ideabox.webhooks.signing import new_secret

_ENDPOINT = """
SELECT e.id, e.url, e.event_types, e.description, p.slug AS purpose, e.active, e.created_at,
       e.updated_at,
       (SELECT count(*) FROM webhook_deliveries d
        WHERE d.endpoint_id = e.id AND d.status = 'pending')::int AS pending,
       (SELECT count(*) FROM webhook_deliveries d
        WHERE d.endpoint_id = e.id AND d.status = 'failed')::int AS failed
FROM webhook_endpoints e LEFT JOIN purposes p ON p.id = e.purpose_id
"""

_DELIVERY = """
SELECT d.id, d.endpoint_id, ev.public_id, ev.type, d.idea_id, ev.created_at AS event_created_at,
       d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status_code,
       d.last_error, d.delivered_at
FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
"""


class _After(msgspec.Struct):
    id: RowId


def ensure_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise Forbidden("admins_only_webhooks")


def _webhook(row: asyncpg.Record, secret: str | None = None) -> Webhook:
    return Webhook(id=row["id"], url=row["url"], events=list(row["event_types"]),
                   description=row["description"], purpose=row["purpose"],
                   active=row["active"], created_at=row["created_at"],
                   updated_at=row["updated_at"], pending=row["pending"], failed=row["failed"],
                   secret=secret)


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(id=row["id"], webhook_id=row["endpoint_id"], event_id=str(row["public_id"]),
                    event_type=row["type"], idea_id=row["idea_id"],
                    event_created_at=row["event_created_at"], status=row["status"],
                    attempts=row["attempts"],
                    next_attempt_at=row["next_attempt_at"] if row["status"] == "pending"
                    else None,
                    last_attempt_at=row["last_attempt_at"],
                    last_status_code=row["last_status_code"], last_error=row["last_error"],
                    delivered_at=row["delivered_at"])


def _events(events: list[str]) -> list[str]:
    # In the documented order, each once.
    return [t for t in EVENT_TYPES if t in events]


async def _purpose_id(conn: asyncpg.Connection, slug: str | None) -> int | None:
    if slug is None:
        return None
    found: int | None = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1", slug)
    if found is None:
        raise Invalid("purpose", "webhook_purpose_unknown", slug=slug)
    return found


async def _one(conn: asyncpg.Connection, webhook_id: int, secret: str | None = None) -> Webhook:
    row = await conn.fetchrow(_ENDPOINT + "WHERE e.id = $1", webhook_id)
    if row is None:
        raise NotFound("webhook_not_found", id=webhook_id)
    return _webhook(row, secret)


async def create_webhook(db: Db, settings: Settings, viewer: Viewer,
                         data: WebhookCreate) -> Webhook:
    """Register an endpoint; the answer holds its secret, which is not shown again."""
    ensure_admin(viewer)
    url = checked_url(data.url, allow_private=settings.webhook_allow_private_addresses)
    description = trimmed(data.description, "description", 0, 200)
    purpose_id = await _purpose_id(db.conn, data.purpose)
    secret = new_secret()
    webhook_id: int = await db.conn.fetchval(
        """
        INSERT INTO webhook_endpoints (url, description, event_types, purpose_id, secret,
                                       active, created_by, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id
        """,
        url, description, _events(list(data.events)), purpose_id, secret, data.active,
        viewer.id, db.now)
    return await _one(db.conn, webhook_id, secret)


async def list_webhooks(conn: asyncpg.Connection, viewer: Viewer) -> Page[Webhook]:
    """Every endpoint, oldest first (a handful: one page)."""
    ensure_admin(viewer)
    rows = await conn.fetch(_ENDPOINT + "ORDER BY e.id")
    return Page(items=[_webhook(r) for r in rows], next_cursor=None)


async def get_webhook(conn: asyncpg.Connection, viewer: Viewer, webhook_id: int) -> Webhook:
    ensure_admin(viewer)
    return await _one(conn, webhook_id)


async def update_webhook(db: Db, settings: Settings, viewer: Viewer, webhook_id: int,
                         data: WebhookUpdate) -> Webhook:
    """Change what is given. Pausing (``active`` false) keeps the deliveries waiting;
    events that happen while paused are not recorded for the endpoint."""
    ensure_admin(viewer)
    await _one(db.conn, webhook_id)
    changes: dict[str, Any] = {}
    if isinstance(data.url, str):
        changes["url"] = checked_url(data.url,
                                     allow_private=settings.webhook_allow_private_addresses)
    if isinstance(data.description, str):
        changes["description"] = trimmed(data.description, "description", 0, 200)
    if isinstance(data.events, list):
        changes["event_types"] = _events(list(data.events))
    if data.purpose is not msgspec.UNSET:
        changes["purpose_id"] = await _purpose_id(db.conn, data.purpose)
    if isinstance(data.active, bool):
        changes["active"] = data.active
    if changes:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        # Column names are this function's own; values go as $n.
        update = (f"UPDATE webhook_endpoints SET {assignments}, "  # noqa: S608
                  f"updated_at = ${len(changes) + 2} WHERE id = $1")
        await db.conn.execute(update, webhook_id, *changes.values(), db.now)
        await wake_workers(db)
    return await _one(db.conn, webhook_id)


async def rotate_secret(db: Db, viewer: Viewer, webhook_id: int) -> Webhook:
    """A new secret for the endpoint, in force for every delivery from now on (retries of
    older events too); the answer holds it, once."""
    ensure_admin(viewer)
    secret = new_secret()
    done = await db.conn.execute(
        "UPDATE webhook_endpoints SET secret = $2, updated_at = $3 WHERE id = $1",
        webhook_id, secret, db.now)
    if done == "UPDATE 0":
        raise NotFound("webhook_not_found", id=webhook_id)
    return await _one(db.conn, webhook_id, secret)


async def delete_webhook(db: Db, viewer: Viewer, webhook_id: int) -> None:
    """Remove the endpoint with its delivery log; nothing more is sent to it."""
    ensure_admin(viewer)
    done = await db.conn.execute("DELETE FROM webhook_endpoints WHERE id = $1", webhook_id)
    if done == "DELETE 0":
        raise NotFound("webhook_not_found", id=webhook_id)


async def list_deliveries(conn: asyncpg.Connection, viewer: Viewer, webhook_id: int, *,
                          limit: int = 20, cursor: str | None = None) -> Page[Delivery]:
    """The endpoint's deliveries, newest first."""
    ensure_admin(viewer)
    await _one(conn, webhook_id)
    after = decode_cursor(cursor, _After)
    rows = await conn.fetch(
        _DELIVERY + "WHERE d.endpoint_id = $1 AND ($2::bigint IS NULL OR d.id < $2) "
                    "ORDER BY d.id DESC LIMIT $3",
        webhook_id, after.id if after else None, limit + 1)
    return page_of(rows, limit, _delivery, lambda d: _After(id=d.id))


async def retry_delivery(db: Db, viewer: Viewer, delivery_id: int) -> Delivery:
    """Send a delivery again ("Send igen"): due now, with a fresh day of retries. It keeps
    its place among the idea's events: newer ones for the endpoint wait for it."""
    ensure_admin(viewer)
    done = await db.conn.execute(
        """
        UPDATE webhook_deliveries
        SET status = 'pending', next_attempt_at = $2, retry_from = $2
        WHERE id = $1
        """, delivery_id, db.now)
    if done == "UPDATE 0":
        raise NotFound("webhook_delivery_not_found", id=delivery_id)
    await wake_workers(db)
    row = await db.conn.fetchrow(_DELIVERY + "WHERE d.id = $1", delivery_id)
    assert row is not None
    return _delivery(row)


async def wake_workers(db: Db) -> None:
    """Tell the delivery workers (when this transaction commits) to look for work."""
    await db.conn.execute("SELECT pg_notify('ideabox_webhooks', '')")
