"""The administration's webhook pages, as a browser without JavaScript uses them, in
Danish and English: register an endpoint (its secret shown once), the delivery log, and
"Send igen"."""

from __future__ import annotations

import re

from tests.factories import make_purpose, make_user
from tests.web.forms import sign_in, submit
from tests.webhooks.helpers import deliver, deliveries

EN = {"Accept-Language": "en"}


async def test_an_admin_registers_an_endpoint_and_sends_a_delivery_again(client, app, db,
                                                                        receiver):
    purpose = await make_purpose(db, slug="havnen")
    await make_user(db, role="admin", email="admin@kommune.dk")
    await sign_in(client, "admin@kommune.dk")

    empty = await client.get("/admin/webhooks")
    assert empty.status_code == 200
    assert "Registrér et endepunkt" in empty.text
    assert "Register an endpoint" in (await client.get("/admin/webhooks", headers=EN)).text

    # Without events, and with a bad address: both marked, nothing made.
    refused = await submit(client, "/admin/webhooks", {"url": "sager.kommune.dk"})
    assert refused.status_code == 400
    assert 'id="f-events-error"' in refused.text and 'id="f-url-error"' not in refused.text
    refused = await submit(client, "/admin/webhooks",
                           {"url": "ftp://x", "events": "idea.published"})
    assert refused.status_code == 400 and 'id="f-url-error"' in refused.text
    assert await db.fetchval("SELECT count(*) FROM webhook_endpoints") == 0

    made = await submit(client, "/admin/webhooks", {
        "url": receiver.url, "description": "Sagssystemet", "purpose": purpose.slug,
        "events": ["idea.published", "idea.promoted"]})
    assert made.status_code == 200, made.text
    secret = re.search(r'<code id="webhook-secret">(whsec_[^<]+)</code>', made.text)
    assert secret is not None
    endpoint = await db.fetchrow("SELECT id, secret, event_types FROM webhook_endpoints")
    assert endpoint["secret"] == secret.group(1)
    assert endpoint["event_types"] == ["idea.promoted", "idea.published"]
    # The secret is shown that once.
    shown = await client.get(f"/admin/webhooks/{endpoint['id']}")
    assert shown.status_code == 200 and secret.group(1) not in shown.text
    assert "Der er ikke sendt noget til dette endepunkt endnu." in shown.text

    # A delivery that failed, then "Send igen".
    _, token = await make_user(db)
    response = await client.post(f"/api/v1/purposes/{purpose.slug}/ideas",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"title": "Flere bænke ved vandet", "body": "Tak."})
    assert response.status_code == 201
    receiver.answers = [500]
    await db.execute("UPDATE webhook_deliveries SET retry_from = retry_from - interval '2 days'")
    assert await deliver(app) == 1
    delivery = (await deliveries(db))[0]
    assert delivery["status"] == "failed"
    log = await client.get(f"/admin/webhooks/{endpoint['id']}")
    assert "Mislykkedes" in log.text and "HTTP 500" in log.text and "Send igen" in log.text
    assert "Send again" in (await client.get(f"/admin/webhooks/{endpoint['id']}",
                                             headers=EN)).text
    again = await submit(client, f"/admin/webhooks/deliveries/{delivery['id']}/retry", {})
    assert again.status_code == 303
    assert again.headers["location"] == (f"/admin/webhooks/{endpoint['id']}?done=retried"
                                         f"#delivery-{delivery['id']}")
    assert await deliver(app) == 1
    assert (await deliveries(db))[0]["status"] == "delivered"
    assert "Leveret" in (await client.get(f"/admin/webhooks/{endpoint['id']}")).text

    # Paused, resumed, a new secret, removed.
    paused = await submit(client, f"/admin/webhooks/{endpoint['id']}/active", {"active": "false"})
    assert paused.status_code == 303
    assert await db.fetchval("SELECT active FROM webhook_endpoints") is False
    rotated = await submit(client, f"/admin/webhooks/{endpoint['id']}/secret", {})
    assert rotated.status_code == 200
    new_secret = await db.fetchval("SELECT secret FROM webhook_endpoints")
    assert new_secret != secret.group(1) and new_secret in rotated.text
    removed = await submit(client, f"/admin/webhooks/{endpoint['id']}/delete", {})
    assert removed.status_code == 303 and removed.headers["location"] == "/admin/webhooks"
    assert await db.fetchval("SELECT count(*) FROM webhook_endpoints") == 0


async def test_the_pages_are_for_admins_only(client, db):
    await make_user(db, role="moderator", email="mod@kommune.dk")
    await sign_in(client, "mod@kommune.dk")
    assert (await client.get("/admin/webhooks")).status_code == 403
    posted = await submit(client, "/admin/webhooks", {"url": "https://a.dk/",
                                                      "events": "idea.published"})
    assert posted.status_code == 403
