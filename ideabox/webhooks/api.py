"""JSON routes for webhooks (administrators): register endpoints, read their delivery log,
send a delivery again. What a delivery looks like: README, "Webhooks"."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler

from ideabox.http.routing import (
    BEARER,
    Cursor,
    Limit,
    RequestDb,
    SignedIn,
    Svc,
    Writer,
    errors,
)
from ideabox.platform.pagination import Page
from ideabox.webhooks import service
from ideabox.webhooks.paths import DeliveryId, WebhookId
from ideabox.webhooks.schemas import Delivery, Webhook, WebhookCreate, WebhookUpdate


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]
    security = BEARER

    @post("/", status_code=201, summary="Register a webhook endpoint (admin)",
          responses=errors(400, 401, 403, 415, 429))
    async def create(self, db: RequestDb, writer: Writer, services: Svc,
                     data: JSONBody[WebhookCreate]) -> Webhook:
        """The answer holds the endpoint's `secret`, which signs every delivery; it is not
        shown again (a new one: `POST /api/v1/webhooks/{id}/secret`)."""
        return await service.create_webhook(db, services.settings, writer, data)

    @get("/", summary="The webhook endpoints (admin)", responses=errors(401, 403))
    async def list_all(self, db: RequestDb, user: SignedIn) -> Page[Webhook]:
        return await service.list_webhooks(db.conn, user)

    @get("/{webhook_id:int}", summary="One webhook endpoint (admin)",
         responses=errors(400, 401, 403, 404))
    async def get_one(self, db: RequestDb, user: SignedIn, webhook_id: WebhookId) -> Webhook:
        return await service.get_webhook(db.conn, user, webhook_id)

    @patch("/{webhook_id:int}", summary="Change a webhook endpoint (admin)",
           responses=errors(400, 401, 403, 404, 415, 429))
    async def update(self, db: RequestDb, writer: Writer, services: Svc,
                     webhook_id: WebhookId, data: JSONBody[WebhookUpdate]) -> Webhook:
        """`active: false` pauses it: its pending deliveries wait, and events meanwhile are
        not recorded for it."""
        return await service.update_webhook(db, services.settings, writer, webhook_id, data)

    @delete("/{webhook_id:int}", status_code=204, summary="Remove a webhook endpoint (admin)",
            responses=errors(400, 401, 403, 404, 429))
    async def remove(self, db: RequestDb, writer: Writer, webhook_id: WebhookId) -> None:
        await service.delete_webhook(db, writer, webhook_id)

    @post("/{webhook_id:int}/secret", status_code=200,
          summary="Give a webhook endpoint a new secret (admin)",
          responses=errors(400, 401, 403, 404, 429))
    async def rotate(self, db: RequestDb, writer: Writer, webhook_id: WebhookId) -> Webhook:
        """The old secret stops at once; the answer holds the new one, shown only here."""
        return await service.rotate_secret(db, writer, webhook_id)

    @get("/{webhook_id:int}/deliveries", summary="A webhook's delivery log, newest first (admin)",
         responses=errors(400, 401, 403, 404))
    async def deliveries(self, db: RequestDb, user: SignedIn, webhook_id: WebhookId,
                         limit: Limit = 20, cursor: Cursor = None) -> Page[Delivery]:
        return await service.list_deliveries(db.conn, user, webhook_id, limit=limit,
                                             cursor=cursor)

    @post("/deliveries/{delivery_id:int}/retry", status_code=200,
          summary="Send a delivery again (admin)", responses=errors(400, 401, 403, 404, 429))
    async def retry(self, db: RequestDb, writer: Writer, delivery_id: DeliveryId) -> Delivery:
        """Due at once, retried for another day if it fails; the receiver gets the same
        event id again."""
        return await service.retry_delivery(db, writer, delivery_id)


routes: list[ControllerRouterHandler] = [WebhooksController]
