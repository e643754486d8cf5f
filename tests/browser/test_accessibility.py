"""axe-core on every kind of page (WCAG 2.1 A and AA): no serious or critical
violations. Screenshots of each page, wide and 320 px narrow, go to test-artifacts/."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import asyncpg
import httpx
from litestar import Litestar
from playwright.async_api import Browser, Page, expect

from ideabox.notifications.unsubscribe import make_token
from ideabox.overview.counting import refresh_overview
from ideabox.platform.clock import FrozenClock
from tests.browser.conftest import AxeCheck, axe_violations
from tests.factories import (
    DEFAULT_PASSWORD,
    backdate_idea,
    backdate_people,
    backdate_votes,
    bearer,
    make_assisted_person,
    make_purpose,
    make_user,
    post_idea,
    vote_as,
)
from tests.promotion.scene import cph


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/signin")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
    await expect(page.get_by_role("link", name="Min side")).to_be_visible()


async def test_every_page_type_passes_axe(browser: Browser, live_server: str, axe_source: str,
                                          db: asyncpg.Connection, clock: FrozenClock,
                                          app: Litestar) -> None:
    base = live_server
    # An answer due at once, so that the promoted idea below is overdue a minute later
    # and the pages show the mark.
    purpose = await make_purpose(db, slug="havnen", title="En bedre havnefront",
                                 statement="Hvad skal der til, for at havnen bliver et sted "
                                           "for alle?", answer_within_days=0)
    admin, admin_token = await make_user(db, role="admin", email="admin@kommune.dk",
                                         display_name="Forvaltningen")
    person = await make_assisted_person(db, admin, display_name="Karen Hansen")
    anna, token = await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    async with httpx.AsyncClient(base_url=base) as api:
        # A webhook endpoint first, so the ideas below give it a delivery log.
        response = await api.post("/api/v1/webhooks", headers=bearer(admin_token), json={
            "url": "https://sager.kommune.dk/ideabox", "description": "Sagssystemet",
            "events": ["idea.published", "idea.status_changed"]})
        assert response.status_code == 201, response.text
        webhook_id = response.json()["id"]
        idea = await post_idea(api, token, purpose.slug, title="Flere bænke ved vandet",
                               body="Med **ryglæn**, hver 100 meter.")
        response = await api.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(token),
                                  json={"body": "Gerne i skyggen."})
        assert response.status_code == 201
        await api.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token))
        # A hidden idea, so the moderation page has a row in each of its tables.
        hidden = await post_idea(api, token, purpose.slug, title="En idé, der er skjult")
        response = await api.post(f"/api/v1/ideas/{hidden['id']}/hide",
                                  headers=bearer(admin_token),
                                  json={"reason": "Nævner en nabo ved navn."})
        assert response.status_code == 200
        # An idea staff shared for someone, with a vote, so the acting page lists both.
        helped = await post_idea(api, admin_token, purpose.slug,
                                 title="Bænke ved busstoppestedet", on_behalf_of=person.id)
        response = await api.put(f"/api/v1/ideas/{helped['id']}/vote",
                                 headers=bearer(admin_token),
                                 params={"on_behalf_of": person.id})
        assert response.status_code == 200
        # Three accounts from one address voting alike, one of them held: a burst, a
        # hold and a decision on the signals page.
        address = hashlib.sha256(b"198.51.100.1").digest()
        people = [await make_user(db, display_name=f"Ny borger {n}", signup_address=address)
                  for n in range(3)]
        await vote_as(api, [t for _, t in people], idea["id"])
        response = await api.post("/api/v1/moderation/signals/holds",
                                  headers=bearer(admin_token),
                                  json={"user_ids": [people[0][0].id], "reason": "Ens stemmer."})
        assert response.status_code == 200
        # The idea and Anna's vote moved to October, and October promoted: the idea page
        # shows its answer deadline, and "What happened" has a month to show.
        await backdate_people(db, [anna.id], cph(2026, 1, 1))
        await backdate_idea(db, idea["id"], cph(2026, 10, 2))
        await backdate_votes(db, idea["id"], [anna.id], cph(2026, 10, 5))
        response = await api.post("/api/v1/purposes/havnen/promotions",
                                  headers=bearer(admin_token), json={"month": "2026-10"})
        assert response.status_code == 200
        assert [item["idea_id"] for item in response.json()["items"]] == [idea["id"]]
        clock.advance(timedelta(minutes=1))

    # The overview's figures, counted as the background refresh would.
    services = app.state.services
    await refresh_overview(services.pool, services.clock.now())

    pages = {
        "front": "/", "purpose": "/purposes/havnen", "purpose-new": "/purposes/havnen?sort=new",
        "idea": f"/ideas/{idea['id']}", "signin": "/signin", "signup": "/signup",
        "not-found": "/ideas/987654", "no-route": "/no/such/address", "me": "/me",
        "delete": "/me/delete",
        "admin": "/admin", "admin-users": "/admin/users", "admin-purpose": "/admin/purposes/new",
        "admin-edit": "/admin/purposes/havnen/edit", "admin-promotions": "/admin/promotions",
        "admin-exports": "/admin/exports", "admin-moderation": "/admin/moderation",
        "staff-assisted": "/staff/assisted", "staff-acting": f"/staff/assisted/{person.id}",
        "admin-signals": "/admin/signals", "admin-webhooks": "/admin/webhooks",
        "admin-webhook": f"/admin/webhooks/{webhook_id}",
        "what-happened": "/purposes/havnen/what-happened",
        "admin-overview": "/admin/overview",
        "admin-overview-purpose": "/admin/overview?purpose=havnen&months=6",
        "me-preferences": "/me/notification-preferences?saved=1",
        "unsubscribe": "/unsubscribe/"
                       + make_token(app.state.settings.secret_key, anna.id, "replies"),
    }
    # One delivery given up on, so the log shows its "Send igen" button.
    await db.execute("UPDATE webhook_deliveries SET status = 'failed', attempts = 24, "
                     "last_status_code = 503, last_error = 'HTTP 503' WHERE id = "
                     "(SELECT min(id) FROM webhook_deliveries)")
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = await context.new_page()
    # axe must be able to fail: a page with an unlabelled image and field does.
    await page.set_content('<html lang="da"><title>t</title><main><img src="x.png">'
                           '<input type="text"></main></html>')
    assert {v["id"] for v in await axe_violations(page, axe_source)} >= {"image-alt", "label"}
    check = AxeCheck(page, axe_source)
    found = check.found

    for name in ("front", "purpose", "idea", "signin", "signup", "not-found", "no-route",
                 "what-happened", "unsubscribe"):
        await page.goto(base + pages[name])
        await check(name)
    # A form with its errors shown.
    await page.goto(f"{base}/signup")
    await page.get_by_role("button", name="Opret profil").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("signup-errors")

    await _sign_in(page, base, "admin@kommune.dk")
    for name in ("idea", "purpose-new", "me", "delete", "admin", "admin-users",
                 "admin-purpose", "admin-edit", "admin-promotions", "admin-exports",
                 "admin-moderation", "staff-assisted", "staff-acting", "admin-signals",
                 "admin-webhooks", "admin-webhook", "admin-overview", "admin-overview-purpose",
                 "me-preferences"):
        await page.goto(base + pages[name])
        await check(name + ("-signed-in" if name == "idea" else ""))
    # The idea's edit form, opened in place.
    await page.goto(base + pages["idea"])
    await page.get_by_text("Ret idéen").click()
    await expect(page.get_by_label("Titel")).to_be_visible()
    await check("idea-edit")
    # The moderator's form to hide it, opened in place.
    await page.goto(base + pages["idea"])
    await page.locator("#moderation summary").click()
    await expect(page.get_by_label("Begrundelse")).to_be_visible()
    await check("idea-moderation")
    # The signals page's form with its errors shown.
    await page.goto(base + pages["admin-signals"])
    await page.get_by_role("button", name="Hold deres stemmer tilbage").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("admin-signals-errors")
    # My page's password form with its errors shown.
    await page.goto(base + pages["me"])
    await page.get_by_label("Nuværende adgangskode").fill("not my password")
    await page.get_by_label("Ny adgangskode").fill("et helt nyt kodeord")
    await page.get_by_role("button", name="Skift adgangskode").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("me-password-errors")
    # Registering a person with the form's errors shown.
    await page.goto(base + pages["staff-assisted"])
    await page.get_by_role("button", name="Registrér borgeren").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("staff-assisted-errors")
    # Registering a webhook endpoint with the form's errors shown.
    await page.goto(base + pages["admin-webhooks"])
    for box in await page.get_by_role("checkbox").all():
        await box.uncheck()
    await page.get_by_role("button", name="Registrér endepunktet").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("admin-webhooks-errors")
    # Stopping e-mails by the link of one: the answer after the button.
    await page.goto(base + pages["unsubscribe"])
    await page.get_by_role("button", name="Stop disse e-mails").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await check("unsubscribed")

    # The narrowest phone the brief names: 320 CSS pixels, nothing cut off.
    await page.set_viewport_size({"width": 320, "height": 640})
    for name in ("front", "idea", "purpose", "me", "me-preferences", "admin-promotions",
                 "admin-users",
                 "admin-moderation", "staff-assisted", "staff-acting", "admin-webhooks",
                 "admin-webhook", "admin-overview"):
        await page.goto(base + pages[name])
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} scrolls sideways at 320 px ({width} px wide)"
        await check(f"{name}-320")
    await context.close()
    assert found == {}


async def test_reports_review_and_the_queue_pass_axe(browser: Browser, live_server: str,
                                                     axe_source: str,
                                                     db: asyncpg.Connection) -> None:
    base = live_server
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    await make_purpose(db, slug="forslag", title="Borgerforslag", review_before_publishing=True)
    await make_user(db, role="moderator", email="mads@kommune.dk", display_name="Mads")
    _, token = await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    _, reader = await make_user(db, email="rie@example.dk", display_name="Rie")
    async with httpx.AsyncClient(base_url=base) as api:
        idea = await post_idea(api, token, "havnen", title="Flere bænke ved vandet")
        comment = await api.post(f"/api/v1/ideas/{idea['id']}/comments",
                                 headers=bearer(token), json={"body": "Gerne i skyggen."})
        assert comment.status_code == 201
        reported = await post_idea(api, token, "havnen", title="En anmeldt idé")
        response = await api.post(f"/api/v1/ideas/{reported['id']}/reports",
                                  headers=bearer(reader),
                                  json={"reason": "spam", "text": "Reklame for en butik"})
        assert response.status_code == 201
        pending = await post_idea(api, token, "forslag", title="Gratis bus for ældre")

    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = await context.new_page()
    check = AxeCheck(page, axe_source)
    found = check.found

    # A reader: the report forms on an idea and a comment, opened, then with errors.
    await _sign_in(page, base, "rie@example.dk")
    await page.goto(f"{base}/ideas/{idea['id']}")
    await page.locator("#report-idea summary").click()
    await expect(page.get_by_text("Hvorfor anmelder du den?").first).to_be_visible()
    await check("idea-report")
    await page.locator("#report-idea").get_by_role("button", name="Anmeld").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("idea-report-errors")
    await page.goto(f"{base}/ideas/{idea['id']}")
    await page.locator("#report-idea summary").click()
    await page.locator("#report-idea").get_by_label("Spam eller reklame").check()
    await page.locator("#report-idea").get_by_role("button", name="Anmeld").click()
    await expect(page.get_by_text("Tak. En moderator ser på det.")).to_be_visible()
    await check("idea-reported")
    await page.context.clear_cookies()

    # The author: an idea awaiting review, with the expected time.
    await _sign_in(page, base, "anna@example.dk")
    await page.goto(f"{base}/ideas/{pending['id']}")
    await expect(page.get_by_text("Forventes godkendt senest", exact=False)).to_be_visible()
    await check("idea-pending-review")
    await page.context.clear_cookies()

    # A moderator: the queue, and a decision with its errors.
    await _sign_in(page, base, "mads@kommune.dk")
    await page.goto(f"{base}/admin/moderation/queue")
    await check("admin-queue")
    await page.get_by_role("button", name="Afgør").first.click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("admin-queue-errors")
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto(f"{base}/admin/moderation/queue")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the queue scrolls sideways at 320 px ({width} px wide)"
    await check("admin-queue-320")
    # English.
    await page.context.add_cookies([{"name": "lang", "value": "en", "url": base}])
    await page.goto(f"{base}/admin/moderation/queue")
    await expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    await check("admin-queue-en")
    await context.close()
    assert found == {}


async def test_categories_and_sharing_pass_axe(browser: Browser, live_server: str,
                                               axe_source: str,
                                               db: asyncpg.Connection) -> None:
    """The category filter, the idea's category and share section, and the
    administration's categories page (with its errors), wide and narrow; the share
    section with and without JavaScript."""
    base = live_server
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    _, admin_token = await make_user(db, role="admin", email="admin@kommune.dk")
    _, token = await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    async with httpx.AsyncClient(base_url=base) as api:
        for slug, da, en in [("trafik", "Trafik", "Traffic"),
                             ("groent", "Grønne områder", "Green spaces")]:
            response = await api.post("/api/v1/purposes/havnen/categories",
                                       headers=bearer(admin_token),
                                       json={"slug": slug, "name_da": da, "name_en": en,
                                             "department": "Teknik og Miljø"})
            assert response.status_code == 201, response.text
        response = await api.post("/api/v1/purposes/havnen/ideas", headers=bearer(token),
                                  json={"title": "Cykelsti langs vandet",
                                        "body": "En **bred** sti.", "category": "trafik"})
        assert response.status_code == 201, response.text
        idea_id = response.json()["id"]
    pages = {"purpose": "/purposes/havnen", "purpose-category": "/purposes/havnen?category=trafik",
             "idea": f"/ideas/{idea_id}", "categories": "/admin/purposes/havnen/categories"}
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = await context.new_page()
    check = AxeCheck(page, axe_source)
    found = check.found

    for name in ("purpose", "purpose-category", "idea"):
        await page.goto(base + pages[name])
        await check(name)
    # The copy button appears with JavaScript, and says what it did.
    await page.goto(base + pages["idea"])
    copy = page.get_by_role("button", name="Kopiér link")
    await expect(copy).to_be_visible()
    await copy.click()
    await expect(page.get_by_role("status").filter(has_text="Linket er kopieret.")).to_be_visible()
    await check("idea-share-copied")

    await _sign_in(page, base, "admin@kommune.dk")
    # The forms to share and to edit an idea, with their category lists.
    await page.goto(base + pages["purpose"])
    await expect(page.get_by_label("Kategori", exact=True).last).to_be_visible()
    await check("purpose-categories-signed-in")
    await page.goto(base + pages["idea"])
    await page.get_by_text("Ret idéen").click()
    await expect(page.locator("#edit-category")).to_be_visible()
    await check("idea-edit-category")
    await page.goto(base + pages["categories"])
    await check("admin-categories")
    await page.get_by_role("button", name="Tilføj kategorien").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("admin-categories-errors")
    await page.get_by_text("Ret “Trafik”").click()
    await expect(page.locator("#f-trafik-name_da")).to_be_visible()
    await check("admin-categories-edit")
    await page.set_viewport_size({"width": 320, "height": 640})
    for name in ("purpose", "idea", "categories"):
        await page.goto(base + pages[name])
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} scrolls sideways at 320 px ({width} px wide)"
        await check(f"{name}-categories-320")
    await context.close()

    # Without JavaScript: the link and the e-mail link are there, the buttons are not.
    plain = await browser.new_context(locale="da-DK", java_script_enabled=False)
    page = await plain.new_page()
    await page.goto(base + pages["idea"])
    await expect(page.get_by_role("button", name="Kopiér link")).to_be_hidden()
    await expect(page.get_by_role("link", name="Send linket på e-mail")).to_be_visible()
    # The canonical address, from IDEABOX_BASE_URL.
    await expect(page.get_by_label("Link til idéen")).to_have_value(
        f"http://127.0.0.1:8000/ideas/{idea_id}")
    await plain.close()
    assert found == {}


async def test_an_idea_with_pictures_passes_axe(browser: Browser, live_server: str,
                                                axe_source: str,
                                                db: asyncpg.Connection) -> None:
    """The idea's pictures (ideabox.pictures): the page as readers see it, and as its
    author does, with the form to add one open and with its errors shown."""
    from tests.pictures.files import photo_with_gps, png, upload

    base = live_server
    purpose = await make_purpose(db, slug="havnen", title="En bedre havnefront")
    _, token = await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    async with httpx.AsyncClient(base_url=base) as api:
        idea = await post_idea(api, token, purpose.slug, title="Flere bænke ved vandet")
        for data, alt in ((photo_with_gps(1600, 1200), "Bænken ved havnen med knækkede "
                           "brædder"), (png(900, 600, "RGB"), "Kort over havnefronten")):
            assert (await upload(api, token, idea["id"], data, alt=alt)).status_code == 201
    url = f"{base}/ideas/{idea['id']}"
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = await context.new_page()
    check = AxeCheck(page, axe_source)
    found = check.found

    await page.goto(url)
    thumbnails = page.get_by_role("link", name="Kort over havnefronten")
    await expect(thumbnails).to_be_visible()
    await check("idea-pictures")
    await _sign_in(page, base, "anna@example.dk")
    await page.goto(url)
    await page.get_by_text("Tilføj et billede").click()
    await expect(page.get_by_label("Hvad billedet viser")).to_be_visible()
    await check("idea-pictures-author")
    await page.get_by_role("button", name="Tilføj billedet").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await check("idea-pictures-errors")
    await page.set_viewport_size({"width": 320, "height": 640})
    # The idea with its pictures, and the form to post one with its file input.
    for name, address in (("idea-pictures-320", url),
                          ("purpose-picture-input-320", f"{base}/purposes/havnen")):
        await page.goto(address)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} scrolls sideways at 320 px ({width} px)"
        await check(name)
    await context.close()
    assert found == {}

