"""Signals for moderators through the JSON API: the sign-up address kept as a keyed hash,
bursts of new accounts voting alike, holding and releasing their votes (with the audit
log), and who may do it."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import httpx
import msgspec
import pytest

from ideabox.accounts.schemas import Viewer
from ideabox.platform.settings import Settings
from tests.conftest import NOW, SECRET
from tests.factories import backdate_people, bearer, make_purpose, make_user, post_idea, vote_as
from tests.promotion.scene import Scene, cph
from tests.web.forms import csrf_token, submit

API = "/api/v1/moderation/signals"
REASON = "Mange nye profiler stemmer på det samme."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Smaller bursts than production's, so that a test makes fewer accounts."""
    return msgspec.structs.replace(settings, signal_accounts=4, signal_window_minutes=60,
                                   signal_address_accounts=3)


def _address(text: str) -> bytes:
    """An address's keyed hash, as sign-up keeps it."""
    return hmac.new(SECRET.encode(), b"signup-address\0" + text.encode(),
                    hashlib.sha256).digest()


async def _people(db, n: int, **fields: object) -> list[tuple[Viewer, str]]:
    return [await make_user(db, **fields) for _ in range(n)]  # type: ignore[arg-type]


@pytest.fixture
async def stage(client, db) -> dict:
    purpose = await make_purpose(db, slug="havnen")
    author, author_token = await make_user(db, display_name="Anna Jensen")
    _, moderator_token = await make_user(db, role="moderator", display_name="Mads Moderator")
    ideas = [(await post_idea(client, author_token, purpose.slug,
                              title=f"Idé nummer {n} ved havnen"))["id"] for n in range(3)]
    return {"ideas": ideas, "moderator": moderator_token, "author": author}


async def _bursts(client, token: str, **params: object) -> list[dict]:
    response = await client.get(API, params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def test_sign_up_keeps_a_keyed_hash_of_the_address_by_its_slash_64(client, db) -> None:
    async def sign_up(email: str, forwarded: str) -> None:
        response = await client.post("/api/v1/users", headers={"X-Forwarded-For": forwarded},
                                     json={"email": email, "password": "correct horse battery",
                                           "display_name": "Anna"})
        assert response.status_code == 201, response.text

    await sign_up("a@example.dk", "2001:db8:1:2::17")
    await sign_up("b@example.dk", "2001:db8:1:2:ffff::1")  # the same /64
    await sign_up("c@example.dk", "2001:db8:1:3::17")
    await sign_up("d@example.dk", "192.0.2.7")
    kept = {r["email"]: r["signup_address"] for r in await db.fetch(
        "SELECT email, signup_address FROM users WHERE email LIKE '%@example.dk'")}
    assert kept["a@example.dk"] == kept["b@example.dk"] == _address("2001:db8:1:2::/64")
    assert kept["c@example.dk"] != kept["a@example.dk"]
    assert kept["d@example.dk"] == _address("192.0.2.7")
    # Nothing of the address itself is stored.
    columns = await db.fetchval("SELECT string_agg(u::text, ' ') FROM users u")
    assert "192.0.2.7" not in columns and "2001:db8" not in columns

    # The sign-up page keeps it too; deleting the account forgets it.
    page = await submit(client, "/signup", {"email": "e@example.dk", "display_name": "Emil",
                                            "password": "correct horse battery", "next": "/"},
                        headers={"X-Forwarded-For": "192.0.2.7"})
    assert page.status_code == 303, page.text
    assert await db.fetchval("SELECT signup_address FROM users WHERE email = 'e@example.dk'") \
        == _address("192.0.2.7")
    deleted = await client.delete("/api/v1/me",
                                  headers={"X-CSRFToken": await csrf_token(client)})
    assert deleted.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM users WHERE signup_address IS NOT NULL "
                             "AND deleted_at IS NOT NULL") == 0


async def test_accounts_from_one_address_voting_for_the_same_idea_are_a_burst(
        client, db, stage) -> None:
    library = _address("198.51.100.1")
    same = await _people(db, 3, signup_address=library)
    elsewhere = await _people(db, 2, signup_address=_address("198.51.100.2"))
    loner = (await _people(db, 1, signup_address=library))[0]
    # Made hours apart: no burst of accounts made within a short while.
    for n, (viewer, _) in enumerate(same + elsewhere + [loner]):
        await backdate_people(db, [viewer.id], NOW - timedelta(hours=2 * n))
    first, second, third = stage["ideas"]
    await vote_as(client, [t for _, t in same + elsewhere], first)
    await vote_as(client, [t for _, t in same[:2]], second)  # two of them only: not shared
    await vote_as(client, [loner[1]], third)

    [burst] = await _bursts(client, stage["moderator"])
    assert burst["kind"] == "address"
    assert [a["id"] for a in burst["accounts"]] == [v.id for v, _ in reversed(same)]
    assert [(i["id"], i["voters"]) for i in burst["ideas"]] == [(first, 3)]
    assert burst["accounts"][0]["display_name"] == same[2][0].display_name
    assert not any(a["held"] for a in burst["accounts"])
    assert (burst["first_created_at"], burst["last_created_at"]) == (
        "2026-11-16T05:00:00Z", "2026-11-16T09:00:00Z")


async def test_many_accounts_made_within_the_window_voting_alike_are_one_burst(
        client, db, stage) -> None:
    wave = await _people(db, 4)
    slow = await _people(db, 3)
    old = await _people(db, 4)
    # The slow ones were made two hours apart from each other; the old ones 40 days ago.
    for n, (viewer, _) in enumerate(slow):
        await backdate_people(db, [viewer.id], NOW - timedelta(hours=2 * (n + 1)))
    await backdate_people(db, [v.id for v, _ in old], NOW - timedelta(days=40))
    first, second, third = stage["ideas"]
    await vote_as(client, [t for _, t in wave + slow + old], first)
    await vote_as(client, [t for _, t in wave], second)
    await vote_as(client, [t for _, t in wave[:3] + old], third)

    [burst] = await _bursts(client, stage["moderator"])
    assert burst["kind"] == "window"
    assert sorted(a["id"] for a in burst["accounts"]) == sorted(v.id for v, _ in wave)
    assert [(i["id"], i["voters"]) for i in burst["ideas"]] == [(first, 4), (second, 4)]
    # Looking further back, the old accounts are a burst of their own.
    bursts = await _bursts(client, stage["moderator"], days=60)
    assert [sorted(a["id"] for a in b["accounts"]) for b in bursts] == [
        sorted(v.id for v, _ in wave), sorted(v.id for v, _ in old)]
    assert [(i["id"], i["voters"]) for i in bursts[1]["ideas"]] == [(first, 4), (third, 4)]
    # A page at a time, the latest first.
    response = await client.get(API, params={"days": 60, "limit": 1},
                                headers=bearer(stage["moderator"]))
    assert response.json()["items"] == bursts[:1]
    more = await client.get(API, params={"days": 60, "limit": 1,
                                         "cursor": response.json()["next_cursor"]},
                            headers=bearer(stage["moderator"]))
    assert more.json() == {"items": bursts[1:], "next_cursor": None}


async def test_holding_and_releasing_are_decided_once_and_logged(client, db, stage) -> None:
    people = await _people(db, 3, signup_address=_address("203.0.113.9"))
    await vote_as(client, [t for _, t in people], stage["ideas"][0])
    ids = [v.id for v, _ in people]
    moderator = stage["moderator"]

    held = await client.post(f"{API}/holds", headers=bearer(moderator),
                             json={"user_ids": ids[:2] + ids[:1], "reason": f"  {REASON} "})
    assert held.status_code == 200, held.text
    assert held.json() == {"changed": ids[:2], "unchanged": []}
    again = await client.post(f"{API}/holds", headers=bearer(moderator),
                              json={"user_ids": ids, "reason": "Igen."})
    assert again.json() == {"changed": ids[2:], "unchanged": ids[:2]}
    [burst] = await _bursts(client, moderator)
    assert [a["held"] for a in burst["accounts"]] == [True, True, True]
    listed = (await client.get(f"{API}/holds", headers=bearer(moderator))).json()["items"]
    assert sorted(h["account"]["id"] for h in listed) == ids
    first = next(h for h in listed if h["account"]["id"] == ids[0])
    assert (first["reason"], first["held_by"]["display_name"]) == (REASON, "Mads Moderator")

    released = await client.post(f"{API}/holds/release", headers=bearer(moderator),
                                 json={"user_ids": ids[1:], "reason": "En skoleklasse."})
    assert released.json() == {"changed": ids[1:], "unchanged": []}
    twice = await client.post(f"{API}/holds/release", headers=bearer(moderator),
                              json={"user_ids": ids[1:], "reason": "En skoleklasse."})
    assert twice.json() == {"changed": [], "unchanged": ids[1:]}
    listed = (await client.get(f"{API}/holds", headers=bearer(moderator))).json()["items"]
    assert [h["account"]["id"] for h in listed] == ids[:1]

    log = (await client.get(f"{API}/decisions", headers=bearer(moderator))).json()["items"]
    assert [(e["action"], e["account"]["id"], e["reason"]) for e in log] == [
        ("release_votes", ids[2], "En skoleklasse."), ("release_votes", ids[1], "En skoleklasse."),
        ("hold_votes", ids[2], "Igen."), ("hold_votes", ids[1], REASON),
        ("hold_votes", ids[0], REASON)]
    assert {e["moderator"]["display_name"] for e in log} == {"Mads Moderator"}
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 5


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"user_ids": [], "reason": REASON}, "user_ids", 400),
    ({"user_ids": [0], "reason": REASON}, "user_ids", 400),
    ({"user_ids": [1], "reason": "   "}, "reason", 400),
    ({"user_ids": [1], "reason": "x" * 1001}, "reason", 400),
    ({"user_ids": [1]}, "reason", 400),
    ({"user_ids": [1], "reason": "Bell\x07"}, "reason", 400),
    ({"user_ids": [1, 999999], "reason": REASON}, "user_ids", 404),
])
async def test_bad_input_names_the_field_and_writes_nothing(client, db, stage, body, field,
                                                            status) -> None:
    for path in ("holds", "holds/release"):
        response = await client.post(f"{API}/{path}", headers=bearer(stage["moderator"]),
                                     json=body)
        assert response.status_code == status, response.text
        assert field in response.text
    assert await db.fetchval("SELECT count(*) FROM vote_holds") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


@pytest.mark.parametrize("role", ["resident", "staff"])
async def test_only_moderators_and_admins(client, db, role) -> None:
    _, token = await make_user(db, role=role)
    _, admin = await make_user(db, role="admin")
    body = {"user_ids": [1], "reason": REASON}
    requests = [("GET", API, None), ("GET", f"{API}/holds", None),
                ("POST", f"{API}/holds", body), ("POST", f"{API}/holds/release", body),
                ("GET", f"{API}/decisions", None)]
    for method, url, json in requests:
        refused = await client.request(method, url, json=json, headers=bearer(token))
        assert refused.status_code == 403, (url, refused.text)
        assert refused.json()["extra"] == {"code": "moderators_only"}
        anonymous = await client.request(method, url, json=json)
        assert anonymous.status_code == 401, url
        allowed = await client.request(method, url, json=json, headers=bearer(admin))
        assert allowed.status_code == 200, (url, allowed.text)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE actor_id IN "
                             "(SELECT id FROM users WHERE role <> 'admin')") == 0


async def test_a_hold_changes_the_promotion(client, db) -> None:
    _, moderator = await make_user(db, role="moderator")
    crowd = Scene(client, db)
    await crowd.build(slug="maaned", voters=5, promote_top_n=1)
    rushed = await crowd.idea("Skaterbane i parken", cph(2026, 9, 2))
    steady = await crowd.idea("Bænk ved kirken", cph(2026, 9, 3))
    await crowd.votes(rushed, range(3), cph(2026, 9, 10))
    await crowd.votes(steady, [3, 4], cph(2026, 9, 11))
    held = await client.post(f"{API}/holds", headers=bearer(moderator),
                             json={"user_ids": [v.id for v, _ in crowd.voters[:2]],
                                   "reason": REASON})
    assert held.status_code == 200
    promoted = (await crowd.promote("2026-09")).json()
    assert [(i["idea_id"], i["votes_in_month"]) for i in promoted["items"]] == [(steady, 2)]
    assert promoted["votes_not_counted"] == 2


async def test_the_operations_are_described(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert set(paths[API]["get"]["responses"]) == {"200", "400", "401", "403", "503"}
    assert set(paths[f"{API}/holds"]["post"]["responses"]) == {
        "200", "400", "401", "403", "404", "415", "429", "503"}
    assert {f"{API}/holds", f"{API}/holds/release", f"{API}/decisions"} <= set(paths)
