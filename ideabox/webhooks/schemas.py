"""Webhook endpoints and deliveries as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.platform.validation import ONE_LINE

EventType = Literal["idea.promoted", "idea.answered", "idea.status_changed", "idea.published"]
EVENT_TYPES: tuple[EventType, ...] = ("idea.promoted", "idea.answered", "idea.status_changed",
                                      "idea.published")
DeliveryStatus = Literal["pending", "delivered", "failed"]

Url = Annotated[str, msgspec.Meta(
    min_length=1, max_length=2000, extra_json_schema=ONE_LINE,
    description="Where deliveries are posted: https://, or http:// to a loopback or private "
                "address when IDEABOX_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on",
    examples=["https://sager.kommune.dk/ideabox"])]
Events = Annotated[list[EventType], msgspec.Meta(
    min_length=1, max_length=4, description="The event types the endpoint receives")]
Description = Annotated[str, msgspec.Meta(max_length=200, extra_json_schema=ONE_LINE,
                                          description="What the endpoint is, for people")]
PurposeFilter = Annotated[str | None, msgspec.Meta(
    description="Only this purpose's ideas (its slug); null: every purpose")]


class WebhookCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    events: Events
    description: Description = ""
    purpose: PurposeFilter = None
    active: bool = True


class WebhookUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Only the fields given change; ``purpose`` null means every purpose again."""

    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Events | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    purpose: PurposeFilter | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class Webhook(msgspec.Struct):
    """An endpoint. ``secret`` is given only when it was just made (creation, rotation)."""

    id: int
    url: str
    events: list[str]
    description: str
    purpose: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    pending: int
    failed: int
    secret: str | None = None


class Delivery(msgspec.Struct):
    """One event sent (or to be sent) to one endpoint, with its last attempt."""

    id: int
    webhook_id: int
    event_id: str
    event_type: str
    idea_id: int
    event_created_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
