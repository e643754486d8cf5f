"""A webhook delivery in flight when ``ideabox serve`` is killed (SIGKILL to its whole
process group, as the OOM killer or a pulled plug stops it) is neither lost nor sent
more than again: its claim on the delivery goes with the killed process's connection,
so the next ``serve`` on the same database sends it (a repeat the receiver tells by its
Ideabox-Webhook-Id), and the idea's later events wait for it, in order."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import ideabox_env
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.faults.harness import eventually, serve
from tests.webhooks.helpers import API, register
from tests.webhooks.receiver import Received, receiving, verify

pytestmark = pytest.mark.slow

WEBHOOK_SETTINGS = {
    # The receiver is on this machine's loopback address.
    "IDEABOX_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "IDEABOX_BACKGROUND_TASKS": "true",
    # Longer than the test takes: the held attempt is still in flight when serve is
    # killed, never given up on by serve itself.
    "IDEABOX_WEBHOOK_TIMEOUT": "120",
    # The next serve looks for due deliveries often, so that a claim released a moment
    # after it started is seen at once.
    "IDEABOX_WEBHOOK_POLL_SECONDS": "0.2",
    "IDEABOX_WEBHOOK_RETRY_SECONDS": "0.2",
}


async def _lock_free(conn: asyncpg.Connection, delivery_id: int) -> bool:
    """Whether nobody holds the delivery's row lock (its claim by a worker)."""
    async with conn.transaction():
        row = await conn.fetchrow("SELECT id FROM webhook_deliveries WHERE id = $1 "
                                  "FOR UPDATE SKIP LOCKED", delivery_id)
    return row is not None


async def test_a_delivery_in_flight_survives_a_killed_serve(
        database_url, redis_url, redis_prefix, tmp_path: Path):
    env = {**ideabox_env(database_url, redis_url, redis_prefix, tmp_path / "data"),
           **WEBHOOK_SETTINGS}
    log_path = tmp_path / "serve.log"
    conn = await asyncpg.connect(database_url)
    with receiving() as receiver:
        in_hand = threading.Event()  # the first request has arrived and is held
        killed = threading.Event()   # set once serve is dead: answer 2xx from then on

        def decide(request: Received) -> int:
            with receiver.lock:
                first = not in_hand.is_set()
                in_hand.set()
            if first:
                killed.wait(120)  # never answers while the serve that sent it lives
            return 204

        receiver.decide = decide
        try:
            purpose = await make_purpose(conn)
            _, admin = await make_user(conn, role="admin")
            _, author = await make_user(conn)

            async with serve(env, log_path) as first_serve:
                async with httpx.AsyncClient(base_url=first_serve.url, timeout=30) as http:
                    hook = await register(http, admin, receiver.url)
                    held_idea = await post_idea(http, author, purpose.slug)
                    await eventually(in_hand.is_set, timeout=20,
                                     what="the first delivery reaches the receiver")
                    # While it hangs: more events, of other ideas (sent meanwhile) and of
                    # the held one (waiting behind it).
                    others = [await post_idea(http, author, purpose.slug) for _ in range(3)]
                    withdrawn = await http.post(f"{API}/ideas/{held_idea['id']}/withdraw",
                                                headers=bearer(author))
                    assert withdrawn.status_code == 200, withdrawn.text
                    other_ids = [idea["id"] for idea in others]

                    async def others_delivered() -> bool:
                        n = await conn.fetchval(
                            "SELECT count(*) FROM webhook_deliveries WHERE idea_id = ANY($1)"
                            " AND status = 'delivered'", other_ids)
                        return bool(n == len(other_ids))

                    await eventually(others_delivered, timeout=30,
                                     what="the other ideas' deliveries are made")
                # The held delivery: claimed (its row locked) by the serve that sends it.
                held = await conn.fetchrow(
                    "SELECT d.id, ev.public_id::text AS event_id FROM webhook_deliveries d "
                    "JOIN webhook_events ev ON ev.id = d.event_id "
                    "WHERE d.idea_id = $1 AND ev.type = 'idea.published'", held_idea["id"])
                assert not await _lock_free(conn, held["id"]), first_serve.log()
                received_before = Counter(r.headers["Ideabox-Webhook-Id"]
                                          for r in receiver.requests)
                first_serve.kill()
                assert first_serve.process.returncode == -9
                killed.set()

            # The killed process's connection is gone, and its claim with it: at once,
            # not after a timeout of the receiver's or of PostgreSQL's.
            released = await eventually(lambda: _lock_free(conn, held["id"]), timeout=5,
                                        what="the killed serve's claim is released")
            before = {r["status"]: r["n"] for r in await conn.fetch(
                "SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status")}
            # Nothing recorded the attempt cut short: the delivery is pending as it was,
            # and so is the idea's later event, waiting for it.
            state = await conn.fetchrow("SELECT status, attempts FROM webhook_deliveries "
                                        "WHERE id = $1", held["id"])
            assert (state["status"], state["attempts"]) == ("pending", 0)
            assert before == {"pending": 2, "delivered": len(others)}, before

            async with serve(env, log_path) as second_serve:
                async def all_delivered() -> bool:
                    statuses = await conn.fetch("SELECT status FROM webhook_deliveries")
                    return all(row["status"] == "delivered" for row in statuses)

                await eventually(all_delivered, timeout=30,
                                 what=f"every delivery is made:\n{second_serve.log()}")
        finally:
            killed.set()
            events = await conn.fetch(
                "SELECT ev.public_id::text AS id, ev.idea_id, ev.type, d.attempts "
                "FROM webhook_events ev JOIN webhook_deliveries d ON d.event_id = ev.id "
                "ORDER BY ev.id")
            await conn.close()

    requests = list(receiver.requests)
    received = Counter(r.headers["Ideabox-Webhook-Id"] for r in requests)
    summary = f"events: {events}\nreceived: {received}"
    # Every committed event: the three ideas' publication and the withdrawal of the held
    # one, each received (no loss).
    assert len(events) == 1 + len(others) + 1, summary
    assert all(received[event["id"]] >= 1 for event in events), summary
    # Repeated: only the delivery that was in flight when serve was killed, and that
    # once; everything received before the kill apart from it was recorded delivered.
    assert {event_id: n for event_id, n in received.items() if n > 1} == \
        {held["event_id"]: 2}, summary
    assert received_before == Counter({held["event_id"]: 1,
                                       **{e["id"]: 1 for e in events
                                          if e["idea_id"] in other_ids}}), summary
    # The attempt cut short was never recorded: each delivery made in one attempt.
    assert [event["attempts"] for event in events] == [1] * len(events), summary
    # Per idea, the receiver saw the events in the order they happened (a repeat comes
    # before anything later).
    for idea_id in {event["idea_id"] for event in events}:
        happened = [event["id"] for event in events if event["idea_id"] == idea_id]
        seen = [r.headers["Ideabox-Webhook-Id"] for r in requests
                if r.json["data"]["idea_id"] == idea_id]
        firsts = list(dict.fromkeys(seen))
        assert firsts == happened, summary
        assert seen == sorted(seen, key=happened.index), summary
    # Each request (the repeat too) signed with the endpoint's secret.
    assert all(verify(hook["secret"], r.headers, r.body) for r in requests), summary
    print(f"claim released {released:.2f} s after the kill; {len(requests)} requests "
          f"for {len(events)} events")
