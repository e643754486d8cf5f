"""Webhook deliveries from real actions to a real HTTP receiver: each event type, the
signature as the README checks it, what hidden ideas leave out, order per idea, retries
with backoff on the one clock, giving up after a day, and "send again"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.promotion.scene import Scene, cph
from tests.webhooks.helpers import API, deliver, deliveries, register
from tests.webhooks.receiver import Received, verify


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=1)


async def test_each_event_from_real_actions_signed_and_shaped(scene, client, app, clock,
                                                              db, receiver):
    hook = await register(client, scene.admin_token, receiver.url)
    secret = hook["secret"]
    assert secret.startswith("whsec_")
    idea = await scene.idea("Flere bænke ved vandet", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    answered = await scene.respond(idea, "under_review", "Vi ser på det **nu**.")
    assert answered.status_code == 201

    assert await deliver(app) == 5
    assert receiver.types() == ["idea.published", "idea.promoted", "idea.status_changed",
                                "idea.answered", "idea.status_changed"]
    now = clock.now().timestamp()
    for request in receiver.requests:
        assert verify(secret, request.headers, request.body, now=now)
        # Signed with another secret, or a changed body, or too old: refused.
        assert not verify(secret + "x", request.headers, request.body, now=now)
        assert not verify(secret, request.headers, request.body + b" ", now=now)
        assert not verify(secret, request.headers, request.body, now=now + 301)
        body = request.json
        assert set(body) == {"id", "type", "created_at", "data"}
        assert request.headers["Ideabox-Webhook-Id"] == body["id"]
        assert request.headers["Ideabox-Webhook-Event"] == body["type"]
        assert request.headers["Ideabox-Webhook-Attempt"] == "1"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Ideabox-Webhook-Timestamp"] == str(int(now))
        assert body["data"]["idea_id"] == idea
        assert body["data"]["purpose"] == "havnen"
        assert body["data"]["title"] == "Flere bænke ved vandet"
        assert body["data"]["url"] == f"https://ideer.kommune.dk/ideas/{idea}"
    published, promoted, promoted_change, answer, answer_change = (
        r.json for r in receiver.requests)
    assert published["data"]["from_status"] is None
    assert published["data"]["to_status"] == "open"
    assert published["data"]["trigger"] == "posted"
    assert promoted["data"]["promotion"] == {"month": "2026-09", "rank": 1, "votes_in_month": 2}
    assert promoted_change["id"] != promoted["id"]
    assert (promoted_change["data"]["from_status"],
            promoted_change["data"]["to_status"]) == ("open", "promoted")
    assert answer["data"]["response"] == "Vi ser på det **nu**."
    assert answer["data"]["to_status"] == "under_review"
    assert answer_change["data"]["response"] == "Vi ser på det **nu**."
    assert answer["created_at"] == "2026-11-16T09:00:00Z"
    # Each delivered once; another round sends nothing.
    rows = await deliveries(db)
    assert [(r["status"], r["attempts"], r["last_status_code"]) for r in rows] == [
        ("delivered", 1, 200)] * 5
    assert await deliver(app) == 0
    assert len(receiver.requests) == 5


async def test_only_subscribed_events_and_purposes_are_recorded(scene, client, app, db,
                                                                receiver):
    await register(client, scene.admin_token, receiver.url, events=("idea.promoted",))
    other = await client.post(f"{API}/purposes", headers=bearer(scene.admin_token), json={
        "slug": "skolen", "title": "Skolen", "statement": "Hvad mangler skolen?"})
    assert other.status_code == 201
    await register(client, scene.admin_token, receiver.url, events=("idea.published",),
                   purpose="skolen")
    await scene.idea("En idé til havnen", cph(2026, 9, 2))  # neither endpoint wants it
    assert await deliver(app) == 0
    assert await db.fetchval("SELECT count(*) FROM webhook_events") == 0


async def test_a_hidden_idea_leaks_nothing(scene, client, app, db, receiver):
    hook = await register(client, scene.admin_token, receiver.url,
                          events=("idea.status_changed",))
    idea = await scene.idea("Naboen i nummer 7 larmer", cph(2026, 9, 2))
    hidden = await client.post(f"{API}/ideas/{idea}/hide", headers=bearer(scene.admin_token),
                               json={"reason": "Nævner en nabo ved navn."})
    assert hidden.status_code == 200, hidden.text
    shown = await client.post(f"{API}/ideas/{idea}/unhide", headers=bearer(scene.admin_token),
                              json={"reason": "Rettet af forfatteren."})
    assert shown.status_code == 200, shown.text
    assert await deliver(app) == 2
    hiding, showing = receiver.requests
    assert b"Naboen" not in hiding.body and b"nabo ved navn" not in hiding.body
    assert hiding.json["data"] == {
        "idea_id": idea, "purpose": "havnen", "title": None, "url": None, "posted_at": None,
        "from_status": "open", "to_status": "hidden", "trigger": "moderation",
        "changed_at": "2026-11-16T09:00:00Z", "response": None, "promotion": None}
    # Shown again, it is public again; the moderator's words never are.
    assert showing.json["data"]["title"] == "Naboen i nummer 7 larmer"
    assert showing.json["data"]["response"] is None
    assert b"Rettet af" not in showing.body
    assert hook["id"]


async def test_a_failing_receiver_is_retried_and_the_order_per_idea_kept(
        scene, client, app, clock, db, receiver):
    await register(client, scene.admin_token, receiver.url)
    first = await scene.idea("Den første idé", cph(2026, 9, 2))
    withdrawn = await client.post(f"{API}/ideas/{first}/withdraw",
                                  headers=bearer(scene.author_token))
    assert withdrawn.status_code == 200
    second = await scene.idea("Den anden idé", cph(2026, 9, 2))
    # The first idea's first event fails once; everything else is taken.
    def decide(request: Received) -> int:
        body = request.json
        once = (body["data"]["idea_id"] == first and body["type"] == "idea.published"
                and request.headers["Ideabox-Webhook-Attempt"] == "1")
        return 500 if once else 200

    receiver.decide = decide

    assert await deliver(app) == 2
    # The first idea's first event failed: its next waits; the other idea's went.
    assert sorted((r.json["data"]["idea_id"], r.json["type"]) for r in receiver.requests) == [
        (first, "idea.published"), (second, "idea.published")]
    rows = {(r["idea_id"], r["type"]): r for r in await deliveries(db)}
    failed = rows[(first, "idea.published")]
    assert (failed["status"], failed["attempts"], failed["last_status_code"],
            failed["last_error"]) == ("pending", 1, 500, "HTTP 500")
    wait = failed["next_attempt_at"] - clock.now()
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=33)
    assert rows[(first, "idea.status_changed")]["attempts"] == 0
    # Not due yet: nothing is sent.
    assert await deliver(app) == 0

    clock.advance(timedelta(seconds=34))
    assert await deliver(app) == 2
    assert [(r.json["type"], r.json["data"]["idea_id"]) for r in receiver.requests[2:]] == [
        ("idea.published", first), ("idea.status_changed", first)]
    failed_first = next(r for r in receiver.requests[:2]
                        if r.json["data"]["idea_id"] == first)
    assert receiver.requests[2].json["id"] == failed_first.json["id"]
    assert receiver.requests[2].headers["Ideabox-Webhook-Attempt"] == "2"
    assert {r["status"] for r in await deliveries(db)} == {"delivered"}


async def test_gives_up_after_a_day_then_sends_again_on_request(scene, client, app, clock, db,
                                                                receiver):
    hook = await register(client, scene.admin_token, receiver.url)
    started = clock.now()
    idea = await scene.idea("En idé til en modvillig modtager", cph(2026, 9, 2))
    withdrawn = await client.post(f"{API}/ideas/{idea}/withdraw",
                                  headers=bearer(scene.author_token))
    assert withdrawn.status_code == 200
    receiver.answers = [503] * 1000

    waits = []
    for _ in range(60):
        await deliver(app)
        row = (await deliveries(db))[0]
        if row["status"] == "failed":
            break
        waits.append(row["next_attempt_at"] - clock.now())
        clock.advance(row["next_attempt_at"] - clock.now())
    assert row["status"] == "failed"
    given_up_after = clock.now() - started
    assert timedelta(hours=22.5) <= given_up_after <= timedelta(hours=24)
    # The waits double from 30 s, at most an hour (with up to 10 % jitter).
    assert timedelta(seconds=30) <= waits[0] <= timedelta(seconds=33)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=66)
    assert max(waits) <= timedelta(hours=1.1)
    published = [r for r in receiver.requests if r.json["type"] == "idea.published"]
    assert row["attempts"] == len(published) == len(waits) + 1
    # Until it was given up, the idea's next event waited; then it went (in the same round).
    assert [r.json["type"] for r in receiver.requests] == (
        ["idea.published"] * len(published) + ["idea.status_changed"])

    receiver.answers = []
    clock.advance(timedelta(minutes=1))
    assert await deliver(app) == 1
    assert receiver.requests[-1].json["type"] == "idea.status_changed"

    # Send again: the same event, at once.
    listed = await client.get(f"{API}/webhooks/{hook['id']}/deliveries",
                              headers=bearer(scene.admin_token))
    assert listed.status_code == 200
    by_type = {d["event_type"]: d for d in listed.json()["items"]}
    assert by_type["idea.published"]["status"] == "failed"
    retried = await client.post(
        f"{API}/webhooks/deliveries/{by_type['idea.published']['id']}/retry",
        headers=bearer(scene.admin_token))
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    assert await deliver(app) == 1
    assert receiver.requests[-1].json["id"] == receiver.requests[0].json["id"]
    assert (await deliveries(db))[0]["status"] == "delivered"


async def test_a_paused_endpoint_keeps_its_deliveries_waiting(scene, client, app, db, receiver):
    hook = await register(client, scene.admin_token, receiver.url)
    await scene.idea("Mens den er sat på pause", cph(2026, 9, 2))
    paused = await client.patch(f"{API}/webhooks/{hook['id']}", json={"active": False},
                                headers=bearer(scene.admin_token))
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert await deliver(app) == 0
    resumed = await client.patch(f"{API}/webhooks/{hook['id']}", json={"active": True},
                                 headers=bearer(scene.admin_token))
    assert resumed.status_code == 200
    assert await deliver(app) == 1
    assert receiver.types() == ["idea.published"]


README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_verify(now: float) -> Callable[..., bool]:
    """The README's verification example, run as written, with its clock at ``now``."""
    code = re.search(r"```python\n(import hashlib, hmac, time\n.*?)```", README, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    namespace["time"] = SimpleNamespace(time=lambda: now)
    verify_function: Callable[..., bool] = namespace["verify"]
    return verify_function


async def test_the_readmes_example_verifies_a_real_delivery(client, app, clock, db, receiver):
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    purpose = await make_purpose(db, slug="havnen")
    hook = await register(client, admin, receiver.url)
    await post_idea(client, author, purpose.slug)
    assert await deliver(app) == 1
    (request,) = receiver.requests
    now = clock.now().timestamp()
    assert readme_verify(now)(hook["secret"], request.headers, request.body)
    assert not readme_verify(now)("whsec_other", request.headers, request.body)
    assert not readme_verify(now + 301)(hook["secret"], request.headers, request.body)
