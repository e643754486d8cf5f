"""The webhook endpoints through the JSON API: administrators only, the secret shown once,
changes, and bad input answered with 400 naming the field."""

from __future__ import annotations

import pytest

from ideabox.platform.errors import Invalid
from ideabox.webhooks.addresses import AddressRefused, checked_url, ensure_public
from tests.factories import bearer, make_purpose, make_user
from tests.webhooks.helpers import API, register


@pytest.fixture
async def admin(db) -> str:
    _, token = await make_user(db, role="admin")
    return token


async def test_an_admin_registers_reads_changes_and_removes_an_endpoint(client, db, admin):
    await make_purpose(db, slug="havnen")
    made = await register(client, admin, "https://sager.kommune.dk/ideabox",
                          events=("idea.answered", "idea.promoted"),
                          description="Sagssystemet", purpose="havnen")
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    # In the documented order, whatever order they were given in.
    assert made["events"] == ["idea.promoted", "idea.answered"]
    assert (made["purpose"], made["active"], made["pending"]) == ("havnen", True, 0)
    stored = await db.fetchval("SELECT secret FROM webhook_endpoints WHERE id = $1", made["id"])
    assert stored == made["secret"]

    one = await client.get(f"{API}/webhooks/{made['id']}", headers=bearer(admin))
    assert one.status_code == 200 and one.json()["secret"] is None
    listed = await client.get(f"{API}/webhooks", headers=bearer(admin))
    assert [w["id"] for w in listed.json()["items"]] == [made["id"]]
    assert listed.json()["items"][0]["secret"] is None

    changed = await client.patch(f"{API}/webhooks/{made['id']}", headers=bearer(admin),
                                 json={"purpose": None, "events": ["idea.published"]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["purpose"], changed.json()["events"]) == (None, ["idea.published"])

    rotated = await client.post(f"{API}/webhooks/{made['id']}/secret", headers=bearer(admin))
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (None, made["secret"])

    removed = await client.delete(f"{API}/webhooks/{made['id']}", headers=bearer(admin))
    assert removed.status_code == 204
    gone = await client.get(f"{API}/webhooks/{made['id']}", headers=bearer(admin))
    assert gone.status_code == 404
    again = await client.delete(f"{API}/webhooks/{made['id']}", headers=bearer(admin))
    assert again.status_code == 404


async def test_only_admins_manage_webhooks(client, db, admin):
    made = await register(client, admin, "https://sager.kommune.dk/ideabox")
    for role in ("resident", "staff", "moderator"):
        _, token = await make_user(db, role=role)
        for method, path, body in (
                ("POST", "/webhooks", {"url": "https://a.dk/", "events": ["idea.promoted"]}),
                ("GET", "/webhooks", None), ("GET", f"/webhooks/{made['id']}", None),
                ("PATCH", f"/webhooks/{made['id']}", {"active": False}),
                ("DELETE", f"/webhooks/{made['id']}", None),
                ("POST", f"/webhooks/{made['id']}/secret", None),
                ("GET", f"/webhooks/{made['id']}/deliveries", None),
                ("POST", "/webhooks/deliveries/1/retry", None)):
            response = await client.request(method, API + path, headers=bearer(token),
                                            json=body)
            assert response.status_code == 403, (role, method, path, response.text)
    anonymous = await client.get(f"{API}/webhooks")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "not a url", "events": ["idea.promoted"]}, "url"),
    ({"url": "ftp://sager.kommune.dk/", "events": ["idea.promoted"]}, "url"),
    ({"url": "https://user:pw@sager.kommune.dk/", "events": ["idea.promoted"]}, "url"),
    ({"url": "https://sager.kommune.dk/", "events": ["idea.deleted"]}, "events"),
    ({"url": "https://sager.kommune.dk/", "events": []}, "events"),
    ({"url": "https://sager.kommune.dk/"}, "events"),
    ({"url": "https://sager.kommune.dk/", "events": ["idea.promoted"],
      "purpose": "no-such-purpose"}, "purpose"),
    ({"url": "https://sager.kommune.dk/", "events": ["idea.promoted"], "colour": "red"},
     "colour"),
])
async def test_bad_input_is_a_400_naming_the_field(client, admin, body, field):
    response = await client.post(f"{API}/webhooks", headers=bearer(admin), json=body)
    assert response.status_code == 400, response.text
    assert field in response.text
    keys = [item.get("key") for item in response.json()["extra"]]
    assert field in keys or any(field in str(k) for k in keys), response.json()


async def test_unknown_ids_are_404(client, admin):
    for method, path in (("GET", "/webhooks/987"), ("PATCH", "/webhooks/987"),
                         ("GET", "/webhooks/987/deliveries"),
                         ("POST", "/webhooks/deliveries/987/retry")):
        response = await client.request(method, API + path, headers=bearer(admin),
                                         json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.text)


def test_production_takes_https_to_public_addresses_only():
    def refused(url: str) -> str:
        with pytest.raises(Invalid) as caught:
            checked_url(url, allow_private=False)
        assert caught.value.field == "url"
        return caught.value.code

    assert checked_url("https://sager.kommune.dk/hook", allow_private=False)
    assert refused("http://sager.kommune.dk/hook") == "webhook_url_https"
    for private in ("https://127.0.0.1/", "https://localhost:8443/", "https://10.1.2.3/",
                    "https://192.168.0.10/", "https://[::1]/", "https://169.254.169.254/",
                    "https://api.localhost/"):
        assert refused(private) == "webhook_url_private", private
    # With the setting on: a case system inside the municipality's network.
    assert checked_url("http://10.1.2.3:8080/hook", allow_private=True)


async def test_before_each_delivery_the_host_must_resolve_to_public_addresses():
    for url in ("http://127.0.0.1:9/hook", "https://localhost/hook", "https://[::1]/"):
        with pytest.raises(AddressRefused):
            await ensure_public(url)
