"""Take the README's screenshots of the demo, in Chromium.

    python3 dev.py demo                              # in one terminal
    .venv/bin/python docs/screenshots.py             # in another

Signs in with the accounts ``ideabox seed --demo`` printed (read from
``.ideabox/demo-accounts.txt``, or the file given) and writes docs/screenshot-*.png:
the front page, a purpose, an idea that was sent on and answered, and the
administration's page for last month's promoted ideas.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

DOCS = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("IDEABOX_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 1400  # the top of each page: what a reader sees first
HARBOUR = "en-bedre-havnefront"
ANSWERED_IDEA = "Havnebad ved Nordkajen"


def accounts(path: Path) -> dict[str, tuple[str, str]]:
    """role → (e-mail, password), from the lines the seed printed."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and "@" in parts[1]:
            found[parts[0]] = (parts[1], parts[2])
    return found


async def idea_id(page: Page, base: str, slug: str, title: str) -> int:
    answer = await page.request.get(f"{base}/api/v1/purposes/{slug}/ideas",
                                    params={"q": title, "limit": 5})
    items = (await answer.json())["items"]
    return next(int(item["id"]) for item in items if item["title"] == title)


async def signed_in(browser: Browser, base: str, who: tuple[str, str] | None) -> Page:
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen",
                                        viewport={"width": WIDTH, "height": HEIGHT})
    page = await context.new_page()
    if who is not None:
        await page.goto(f"{base}/signin")
        await page.get_by_label("E-mail").fill(who[0])
        await page.get_by_label("Adgangskode").fill(who[1])
        await page.get_by_role("button", name="Log ind").click()
        await page.wait_for_url(re.compile(r".*/$"))
    return page


async def shoot(page: Page, url: str, name: str) -> None:
    await page.goto(url)
    path = DOCS / f"screenshot-{name}.png"
    await page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": WIDTH,
                                                "height": HEIGHT})
    print(f"wrote {path.relative_to(DOCS.parent)}")


async def main(base: str, accounts_file: Path) -> None:
    people = accounts(accounts_file)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=["--no-sandbox"])
        visitor = await signed_in(browser, base, None)
        answered = await idea_id(visitor, base, HARBOUR, ANSWERED_IDEA)
        await shoot(visitor, f"{base}/", "front")
        resident = await signed_in(browser, base, people["resident"])
        await shoot(resident, f"{base}/purposes/{HARBOUR}", "purpose")
        await shoot(resident, f"{base}/ideas/{answered}", "idea")
        admin = await signed_in(browser, base, people["administrator"])
        await shoot(admin, f"{base}/admin/promotions?purpose={HARBOUR}", "administration")
        await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--accounts", type=Path, default=Path(".ideabox/demo-accounts.txt"))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.base.rstrip("/"), arguments.accounts))
