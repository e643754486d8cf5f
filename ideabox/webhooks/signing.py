"""What a delivery looks like on the wire: its JSON body and its signed headers
(README, "Webhooks"). The body is made from the outbox row alone, so every attempt of
one event sends the same bytes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from ideabox import __version__

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label in front of the random part


def new_secret() -> str:
    """A fresh endpoint secret (shown to the administrator once)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def instant(moment: datetime) -> str:
    """UTC to the second, as the events' own instants are written (sql/0015)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body(event_id: str, event_type: str, created_at: datetime, data: dict[str, Any],
         base_url: str) -> bytes:
    """The JSON a receiver gets: ``{"id", "type", "created_at", "data"}``; ``data.url`` is
    the idea's public page while the idea is public, else null."""
    public = data.get("title") is not None
    url = f"{base_url.rstrip('/')}/ideas/{data['idea_id']}" if public else None
    return msgspec.json.encode({"id": event_id, "type": event_type,
                                "created_at": instant(created_at),
                                "data": {**data, "url": url}})


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``"{timestamp}.{body}"`` keyed with the secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def headers(event_id: str, event_type: str, attempt: int, secret: str, timestamp: int,
            payload: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"ideabox-webhooks/{__version__}",
        "Ideabox-Webhook-Id": event_id,
        "Ideabox-Webhook-Event": event_type,
        "Ideabox-Webhook-Attempt": str(attempt),
        "Ideabox-Webhook-Timestamp": str(timestamp),
        "Ideabox-Webhook-Signature": signature(secret, timestamp, payload),
    }
