"""One journey end to end, in Chromium: a resident posts an idea, another finds it,
votes (no reload) and replies; an admin sends the month on and answers; the author sees
the answer and a notification; the admin downloads the month as XLSX."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import asyncpg
import httpx
import openpyxl
from litestar import Litestar
from playwright.async_api import Browser, BrowserContext, Page, expect

from ideabox.platform.months import current_month, month_bounds, month_label, previous_month
from ideabox.votes.counts import recount
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.conftest import NOW
from tests.factories import DEFAULT_PASSWORD, make_purpose, make_user
from tests.mailbox import latest_link

TZ = "Europe/Copenhagen"
TITLE = "Flere bænke langs havnepromenaden"


async def _sign_up(page: Page, app: Litestar, base: str, name: str, email: str) -> None:
    """Sign up, then open the confirmation mail's link and press its button."""
    await page.goto(base + "/")
    await page.get_by_role("link", name="Opret profil").first.click()
    await page.get_by_label("Dit navn").fill(name)
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Opret profil").click()
    await expect(page.get_by_role("link", name="Min side")).to_be_visible()
    await expect(page.get_by_role("heading", name="Bekræft din e-mail")).to_be_visible()
    link = urlsplit(await latest_link(app, email))
    await page.goto(f"{base}{link.path}?{link.query}")
    await page.get_by_role("button", name="Bekræft min e-mailadresse").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Din e-mailadresse er bekræftet")


async def _csp_violations(context: BrowserContext) -> list[str]:
    found: list[str] = []
    context.on("console", lambda message: found.append(message.text)
               if "Content Security Policy" in message.text else None)
    return found


async def test_from_idea_to_answer(browser: Browser, live_server: str, app: Litestar,
                                   db: asyncpg.Connection) -> None:
    base = live_server
    purpose = await make_purpose(db, slug="havnen", title="En bedre havnefront",
                                 statement="Hvad skal der til, for at **havnen** bliver et "
                                           "sted for alle?")
    await make_user(db, role="admin", email="admin@kommune.dk", display_name="Forvaltningen")

    # A resident signs up and posts an idea; similar ideas show while the title is typed.
    author_ctx = await browser.new_context(locale="da-DK", timezone_id=TZ)
    csp_problems = await _csp_violations(author_ctx)
    author = await author_ctx.new_page()
    await _sign_up(author, app, base, "Anna Jensen", "anna@example.dk")
    await author.goto(f"{base}/purposes/havnen")
    await author.get_by_label("Titel").fill("Havnebad for alle")
    await author.get_by_label("Beskriv din idé").fill("Et havnebad ved Nordkajen.")
    await author.get_by_role("button", name="Del din idé").click()
    await expect(author.get_by_role("heading", level=1)).to_have_text("Havnebad for alle")
    await author.goto(f"{base}/purposes/havnen")
    await author.get_by_label("Titel").fill("Havnebade")
    await expect(author.locator("#similar")).to_contain_text("Havnebad for alle")
    await author.get_by_label("Titel").fill(TITLE)
    await author.get_by_label("Beskriv din idé").fill(
        "Der mangler steder at sidde.\n\nBænke med ryglæn hver 100 meter.")
    await author.get_by_role("button", name="Del din idé").click()
    await expect(author.get_by_role("heading", level=1)).to_have_text(TITLE)
    idea_url = author.url
    idea_id = int(idea_url.rsplit("/", 1)[1])
    await author.get_by_label("Din kommentar").fill("Gerne også i skyggen.")
    await author.get_by_role("button", name="Kommentér").click()
    await expect(author.locator(".comment")).to_contain_text("Gerne også i skyggen.")

    # A second resident finds it by searching, votes without a reload and replies.
    voter_ctx = await browser.new_context(locale="da-DK", timezone_id=TZ)
    csp_problems += await _csp_violations(voter_ctx)
    voter = await voter_ctx.new_page()
    await _sign_up(voter, app, base, "Bo Berg", "bo@example.dk")
    await voter.goto(f"{base}/purposes/havnen")
    await voter.get_by_label("Søg i idéerne").fill("bænke")
    await voter.get_by_role("button", name="Søg", exact=True).click()
    await voter.get_by_role("link", name=TITLE).click()
    await voter.evaluate("window.notReloaded = true")
    vote = voter.get_by_role("button", name="Stem", exact=True)
    await expect(vote).to_have_attribute("aria-pressed", "false")
    await vote.click()
    await expect(voter.locator(".vote__number")).to_have_text("1")
    await expect(vote).to_have_attribute("aria-pressed", "true")
    await expect(voter.locator(f"#vote-status-{idea_id}")).to_have_text(
        "Du har stemt. Idéen har nu 1 stemmer.")
    assert await voter.evaluate("window.notReloaded") is True
    await voter.locator("details.reply > summary").first.click()
    await voter.get_by_label("Dit svar").fill("Enig – og med læ for vinden.")
    await voter.get_by_role("button", name="Svar", exact=True).click()
    await expect(voter.locator(".thread--replies")).to_contain_text("med læ for vinden")
    assert await voter.evaluate("window.notReloaded") is True
    await screenshot(voter, "idea")

    # The month ends: the idea and its vote belong to last month.
    last = previous_month(current_month(TZ, NOW))
    moment = month_bounds(last, TZ)[0] + timedelta(days=14)
    await db.execute("UPDATE ideas SET created_at = $1 WHERE purpose_id = $2", moment,
                     purpose.id)
    await db.execute("UPDATE votes SET created_at = $1", moment)
    # So do the people: a vote counts only from someone verified by the month's end.
    await db.execute("UPDATE users SET created_at = least(created_at, $1), "
                     "verified_at = least(verified_at, $1)", moment)
    await recount(db, [r["id"] for r in await db.fetch("SELECT id FROM ideas")])

    # The administration sends the month on and answers.
    admin_ctx = await browser.new_context(locale="da-DK", timezone_id=TZ,
                                          accept_downloads=True)
    csp_problems += await _csp_violations(admin_ctx)
    admin = await admin_ctx.new_page()
    await admin.goto(f"{base}/signin")
    await admin.get_by_label("E-mail").fill("admin@kommune.dk")
    await admin.get_by_label("Adgangskode").fill(DEFAULT_PASSWORD)
    await admin.get_by_role("button", name="Log ind").click()
    await admin.get_by_role("link", name="Administration").click()
    await admin.get_by_role("link", name="Idéer sendt videre og svar").click()
    await admin.get_by_label("Måned (ÅÅÅÅ-MM)").fill(month_label(last))
    await admin.get_by_role("button", name="Vis").click()
    await admin.get_by_role("button", name=re.compile("videre til forvaltningen nu")).click()
    promoted = admin.locator(f"#idea-{idea_id}")
    await expect(promoted).to_contain_text(TITLE)
    await promoted.get_by_label("Ny status").select_option("accepted")
    await promoted.get_by_label("Forvaltningens svar").fill(
        "Vi sætter 40 bænke op i foråret.")
    await promoted.get_by_role("button", name=re.compile("Offentliggør svar")).click()
    await expect(admin.locator(f"#idea-{idea_id}")).to_contain_text("Vedtaget")
    await screenshot(admin, "admin-promotions")

    # The author sees the answer and a notification.
    await author.goto(idea_url)
    await expect(author.get_by_role("heading", name="Forvaltningens svar")).to_be_visible()
    await expect(author.locator(".answer")).to_contain_text("40 bænke")
    await expect(author.locator(".notice--promoted")).to_contain_text(
        "sendt videre til forvaltningen")
    await screenshot(author, "idea-answered")
    await author.get_by_role("link", name="Min side").click()
    await expect(author.locator("#my-notifications + *")).to_be_visible()
    await expect(author.get_by_text(f"Forvaltningen har svaret på “{TITLE}”: Vedtaget."))\
        .to_be_visible()

    # The administration downloads the month as XLSX.
    await admin.goto(f"{base}/admin/exports?month={month_label(last)}")
    async with admin.expect_download() as download_info:
        await admin.get_by_role("link", name="Eksportér Excel (XLSX)").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = ARTIFACTS / "downloads" / download.suggested_filename
    await download.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:13]) == ["month", "purpose", "rank", "idea_id", "title", "author",
                                  "posted_at", "votes_in_month", "total_votes", "comments",
                                  "status", "response", "url"]
    assert rows[1][4] == TITLE and rows[1][10] == "accepted"
    assert rows[1][7] == 1

    assert csp_problems == []
    for context in (author_ctx, voter_ctx, admin_ctx):
        await context.close()


async def test_every_form_works_with_javascript_off(browser: Browser, live_server: str,
                                                    app: Litestar,
                                                    db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    context = await browser.new_context(java_script_enabled=False, locale="da-DK")
    page = await context.new_page()
    base = live_server
    await _sign_up(page, app, base, "Uden Script", "noscript@example.dk")
    await page.goto(f"{base}/purposes/havnen")
    await page.get_by_role("button", name="Del din idé").click()
    await expect(page.locator(".error-summary")).to_contain_text("Titel")
    await page.get_by_label("Titel").fill("Drikkevand ved badestederne")
    await page.get_by_label("Beskriv din idé").fill("Vandposter, så man kan fylde flasken.")
    await page.get_by_role("button", name="Del din idé").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Drikkevand ved badestederne")
    await page.get_by_role("button", name="Stem", exact=True).click()
    await expect(page.locator(".vote__number")).to_have_text("1")
    await page.get_by_role("button", name="Fjern din stemme").click()
    await expect(page.locator(".vote__number")).to_have_text("0")
    await page.get_by_label("Din kommentar").fill("Godt tænkt.")
    await page.get_by_role("button", name="Kommentér").click()
    await expect(page.locator(".comment")).to_contain_text("Godt tænkt.")
    await page.get_by_role("button", name="Følg").click()
    await expect(page.get_by_text("Du følger denne idé.")).to_be_visible()
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("button", name="Vote", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    await context.close()


async def test_live_server_serves_pages_over_real_http(live_server: str) -> None:
    """The server the browser tests use answers real HTTP, with the page's headers."""
    async with httpx.AsyncClient(base_url=live_server) as http:
        response = await http.get("/signin")
    assert response.status_code == 200
    assert "ideabox_csrf=" in response.headers["set-cookie"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
