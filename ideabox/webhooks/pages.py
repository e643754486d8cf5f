"""The administration's webhook pages: the endpoints with a form to register one, and
each endpoint's delivery log with "Send igen". Plain posts with the CSRF token; no
JavaScript needed. The services check every action again."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.accounts.schemas import Viewer
from ideabox.http.pages import forms, messages
from ideabox.http.pages.access import require_admin
from ideabox.http.pages.render import lang, page, see_other
from ideabox.http.routing import AnyRequest, RequestDb, SignedIn, Svc, Writer
from ideabox.platform.errors import IdeaboxError
from ideabox.purposes.service import list_purposes
from ideabox.webhooks import service
from ideabox.webhooks.paths import DeliveryId, WebhookId
from ideabox.webhooks.schemas import EVENT_TYPES, Webhook, WebhookCreate, WebhookUpdate

CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
DoneParam = Annotated[str | None, QueryParameter(max_length=20)]

# What the endpoint's page confirms after a form came back (``?done=``).
DONE = ("retried", "paused", "resumed")
DELIVERIES_PER_PAGE = 25


async def _form(request: AnyRequest) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    events = [e for e in form.getall("events", []) if isinstance(e, str)]
    return values, events


class WebhookPages(Controller):
    path = "/admin/webhooks"

    @get("/")
    async def index(self, db: RequestDb, user: SignedIn, services: Svc) -> Template:
        """The endpoints, and the form to register one."""
        return await _index(db, services, require_admin(user))

    @post("/")
    async def create(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc) -> Template:
        """Register an endpoint; the page then shows its secret, this once."""
        require_admin(writer)
        values, events = await _form(request)
        errors: dict[str, str] = {}
        if not values.get("url", "").strip():
            errors["url"] = messages.text(lang(request), "blank")
        if not events:
            errors["events"] = messages.text(lang(request), "choose_events")
        if not errors:
            data = WebhookCreate(url=values["url"], events=[e for e in EVENT_TYPES
                                                            if e in events],
                                 description=values.get("description", ""),
                                 purpose=values.get("purpose") or None)
            try:
                made = await service.create_webhook(db, services.settings, writer, data)
            except IdeaboxError as exc:
                errors = await forms.recover(db, lang(request), exc)
            else:
                return await _endpoint_page(db, writer, made.id, secret=made.secret)
        return await _index(db, services, writer, errors=errors, values=values, events=events,
                            status=400)

    @get("/{webhook_id:int}")
    async def endpoint(self, db: RequestDb, user: SignedIn, webhook_id: WebhookId,
                       cursor: CursorParam = None, done: DoneParam = None) -> Template:
        """One endpoint: pause or resume it, a new secret, remove it; its delivery log."""
        return await _endpoint_page(db, require_admin(user), webhook_id, cursor=cursor,
                                    done=done)

    @post("/{webhook_id:int}/active")
    async def set_active(self, request: AnyRequest, db: RequestDb, writer: Writer,
                         services: Svc, webhook_id: WebhookId) -> Redirect:
        values, _ = await _form(request)
        active = values.get("active") == "true"
        await service.update_webhook(db, services.settings, writer, webhook_id,
                                     WebhookUpdate(active=active))
        done = "resumed" if active else "paused"
        return see_other(f"/admin/webhooks/{webhook_id}?done={done}")

    @post("/{webhook_id:int}/secret")
    async def rotate(self, db: RequestDb, writer: Writer, webhook_id: WebhookId) -> Template:
        """A new secret, shown this once."""
        made = await service.rotate_secret(db, writer, webhook_id)
        return await _endpoint_page(db, writer, webhook_id, secret=made.secret)

    @post("/{webhook_id:int}/delete")
    async def remove(self, db: RequestDb, writer: Writer, webhook_id: WebhookId) -> Redirect:
        await service.delete_webhook(db, writer, webhook_id)
        return see_other("/admin/webhooks")

    @post("/deliveries/{delivery_id:int}/retry")
    async def retry(self, db: RequestDb, writer: Writer, delivery_id: DeliveryId) -> Redirect:
        """Send igen: the delivery is due at once; back to the log."""
        delivery = await service.retry_delivery(db, writer, delivery_id)
        return see_other(f"/admin/webhooks/{delivery.webhook_id}?done=retried"
                         f"#delivery-{delivery.id}")


async def _index(db: RequestDb, services: Svc, viewer: Viewer, *, status: int = 200,
                 errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                 events: list[str] | None = None) -> Template:
    webhooks = await service.list_webhooks(db.conn, viewer)
    purposes = await list_purposes(db, services.settings)
    return page("admin/webhooks.html", status=status, viewer=viewer, webhooks=webhooks.items,
                purposes=purposes, event_types=EVENT_TYPES, errors=errors or {},
                values=values or {},
                chosen_events=events if events is not None else list(EVENT_TYPES))


async def _endpoint_page(db: RequestDb, viewer: Viewer, webhook_id: int, *,
                         secret: str | None = None, cursor: str | None = None,
                         done: str | None = None) -> Template:
    webhook: Webhook = await service.get_webhook(db.conn, viewer, webhook_id)
    deliveries = await service.list_deliveries(db.conn, viewer, webhook_id,
                                               limit=DELIVERIES_PER_PAGE, cursor=cursor)
    context: dict[str, Any] = {"secret": secret, "done": done if done in DONE else None}
    return page("admin/webhook.html", viewer=viewer, webhook=webhook, deliveries=deliveries,
                cursor=cursor, **context)


routes: list[ControllerRouterHandler] = [WebhookPages]
