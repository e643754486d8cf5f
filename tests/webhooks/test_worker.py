"""The delivery worker as ideabox runs it: woken by the commit that writes the outbox, and
surviving a restart mid-delivery without losing a delivery (a repeat is allowed: at
least once)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import msgspec

from ideabox.http.app import background_tasks, create_app
from ideabox.platform.clock import FrozenClock
from ideabox.platform.settings import Settings
from ideabox.services import open_services
from ideabox.webhooks.delivery import attempt_one, deliver_webhooks_forever
from tests.conftest import running
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.webhooks.helpers import API, deliveries, register
from tests.webhooks.receiver import Receiver


async def _arrived(receiver: Receiver, count: int) -> None:
    """Wait (at most 20 s) until the receiver has had ``count`` requests."""
    for _ in range(400):
        if len(receiver.requests) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(receiver.requests)} requests arrived, not {count}")


@contextlib.asynccontextmanager
async def _worker(settings: Settings, clock: FrozenClock) -> AsyncIterator[None]:
    """A delivery worker with services of its own, as one ideabox process has; leaving
    the block stops it wherever it is."""
    async with open_services(settings, clock) as services:
        task = asyncio.create_task(deliver_webhooks_forever(services))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def test_the_worker_is_one_of_the_background_tasks():
    assert deliver_webhooks_forever in background_tasks()


async def test_a_commit_wakes_the_worker(client, db, settings, clock, receiver):
    # Polling only every ten minutes: what sends the delivery at once is the commit.
    settings = msgspec.structs.replace(settings, webhook_poll_seconds=600)
    purpose = await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await register(client, admin, receiver.url, events=("idea.published",))
    async with _worker(settings, clock):
        await post_idea(client, author, purpose.slug)
        await _arrived(receiver, 1)
        await post_idea(client, author, purpose.slug)
        await _arrived(receiver, 2)
    assert receiver.types() == ["idea.published"] * 2


async def test_a_restart_mid_delivery_loses_nothing(client, db, settings, clock, receiver):
    settings = msgspec.structs.replace(settings, webhook_poll_seconds=600)
    purpose = await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await register(client, admin, receiver.url)
    first = await post_idea(client, author, purpose.slug, title="Den første idé")

    # The receiver holds the first request: the worker is stopped while it waits for the
    # answer, its transaction (and the claim on the delivery) gone with it.
    receiver.hold.set()
    async with _worker(settings, clock):
        await _arrived(receiver, 1)
    # While no worker runs, more happens.
    withdrawn = await client.post(f"{API}/ideas/{first['id']}/withdraw",
                                  headers=bearer(author))
    assert withdrawn.status_code == 200
    second = await post_idea(client, author, purpose.slug, title="Den anden idé")
    receiver.hold.clear()
    receiver.release.set()

    # ideabox again: the app, with its background tasks.
    app = create_app(msgspec.structs.replace(settings, background_tasks=True), clock)
    async with running(app):
        for _ in range(400):
            rows = await deliveries(db)
            if all(r["status"] == "delivered" for r in rows):
                break
            await asyncio.sleep(0.05)
    rows = await deliveries(db)
    assert [(r["idea_id"], r["type"], r["status"]) for r in rows] == [
        (first["id"], "idea.published", "delivered"),
        (first["id"], "idea.status_changed", "delivered"),
        (second["id"], "idea.published", "delivered")]
    # The first delivery came twice (the receiver tells by its id); nothing was lost, and
    # the first idea's events came in order.
    ids = [r.json["id"] for r in receiver.requests]
    assert ids.count(rows[0]["event_id"]) == 2
    assert ids.count(rows[1]["event_id"]) == ids.count(rows[2]["event_id"]) == 1
    firsts = [r.json["type"] for r in receiver.requests
              if r.json["data"]["idea_id"] == first["id"]]
    assert firsts == ["idea.published", "idea.published", "idea.status_changed"]
    # The attempt cut short was never recorded: each row says one attempt.
    assert [r["attempts"] for r in rows] == [1, 1, 1]


async def test_a_receiver_that_does_not_answer_is_a_failed_attempt(client, db, settings, clock,
                                                                   receiver):
    settings = msgspec.structs.replace(settings, webhook_timeout=0.5)
    purpose = await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await register(client, admin, receiver.url)
    await post_idea(client, author, purpose.slug)
    receiver.hold.set()
    async with open_services(settings, clock) as services, httpx.AsyncClient() as http:
        assert await attempt_one(services, http)
    (row,) = await deliveries(db)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, None)
    assert row["last_error"]
    assert row["next_attempt_at"] > clock.now()
