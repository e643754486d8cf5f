"""A small, fixed history of two purposes, acted out through the JSON API with the clock
set to each moment, whose overview figures the tests know exactly.

September 2026 (Copenhagen): Anna posts two ideas in "havnen" and one in "skolen";
Bo, Cai, Dan and Sif (staff) vote, Sif comments. Dan's e-mail is confirmed only on
2 October. October: both havnen ideas are promoted on the 1st (answer within 10 days),
the first answered on the 5th; Anna posts a third idea, which Bo comments on, and a
fourth that waits for review. November, up to now (the 16th): Sif votes for the third.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import httpx

from ideabox.accounts.schemas import Viewer
from ideabox.platform.clock import FrozenClock
from tests.factories import backdate_people, bearer, make_purpose, make_user, post_idea
from tests.promotion.scene import LONG_AGO, cph


class Town:
    def __init__(self, client: httpx.AsyncClient, db: asyncpg.Connection,
                 clock: FrozenClock) -> None:
        self.client, self.db, self.clock = client, db, clock
        self.people: dict[str, tuple[Viewer, str]] = {}
        self.ideas: dict[str, int] = {}
        self.purposes: dict[str, int] = {}

    def token(self, name: str) -> str:
        return self.people[name][1]

    async def at(self, moment: datetime, method: str, url: str, who: str,
                 json: Any = None) -> httpx.Response:
        """A request made by ``who`` at ``moment`` (the clock is set there, then back)."""
        now = self.clock.now()
        self.clock.set(moment)
        try:
            response = await self.client.request(method, url, headers=bearer(self.token(who)),
                                                 json=json)
        finally:
            self.clock.set(now)
        assert response.status_code < 300, response.text
        return response

    async def post(self, moment: datetime, who: str, slug: str, name: str) -> None:
        now = self.clock.now()
        self.clock.set(moment)
        try:
            idea = await post_idea(self.client, self.token(who), slug, title=name)
        finally:
            self.clock.set(now)
        self.ideas[name] = idea["id"]

    async def vote(self, moment: datetime, who: str, idea: str) -> None:
        await self.at(moment, "PUT", f"/api/v1/ideas/{self.ideas[idea]}/vote", who)

    async def comment(self, moment: datetime, who: str, idea: str) -> None:
        await self.at(moment, "POST", f"/api/v1/ideas/{self.ideas[idea]}/comments", who,
                      {"body": "Godt tænkt.", "parent_id": None})

    async def build(self) -> Town:
        for slug, days in (("havnen", 10), ("skolen", 30)):
            purpose = await make_purpose(self.db, slug=slug, promote_top_n=2,
                                         answer_within_days=days)
            await self.db.execute("UPDATE purposes SET created_at = $2 WHERE id = $1",
                                  purpose.id, LONG_AGO)
            self.purposes[slug] = purpose.id
        for name, role in (("admin", "admin"), ("anna", "resident"), ("bo", "resident"),
                           ("cai", "resident"), ("dan", "resident"), ("sif", "staff")):
            self.people[name] = await make_user(self.db, role=role, display_name=name.title())
        await backdate_people(self.db, [viewer.id for viewer, _ in self.people.values()],
                              LONG_AGO)

        await self.post(cph(2026, 9, 5), "anna", "havnen", "Bænke ved vandet")
        await self.post(cph(2026, 9, 6), "anna", "havnen", "Flere skraldespande")
        await self.post(cph(2026, 9, 7), "anna", "skolen", "Cykelparkering ved skolen")
        await self.vote(cph(2026, 9, 8), "bo", "Cykelparkering ved skolen")
        await self.vote(cph(2026, 9, 10), "bo", "Bænke ved vandet")
        await self.vote(cph(2026, 9, 11), "cai", "Bænke ved vandet")
        await self.vote(cph(2026, 9, 12), "sif", "Flere skraldespande")
        await self.comment(cph(2026, 9, 13), "sif", "Bænke ved vandet")
        await self.vote(cph(2026, 9, 20), "dan", "Bænke ved vandet")
        await self.db.execute("UPDATE users SET verified_at = $2, email_verified_at = $2 "
                              "WHERE id = $1", self.people["dan"][0].id, cph(2026, 10, 2))

        await self.at(cph(2026, 10, 1, 10), "POST", "/api/v1/purposes/havnen/promotions",
                      "admin", {"month": "2026-09"})
        await self.at(cph(2026, 10, 5, 10), "POST",
                      f"/api/v1/ideas/{self.ideas['Bænke ved vandet']}/responses", "admin",
                      {"status": "under_review", "response": "Vi ser på det."})
        await self.post(cph(2026, 10, 8), "anna", "havnen", "Lys på molen")
        await self.comment(cph(2026, 10, 9), "bo", "Lys på molen")
        await self.post(cph(2026, 10, 10), "anna", "havnen", "Afventer en moderator")
        await self.db.execute("UPDATE ideas SET status = 'pending_review' WHERE id = $1",
                              self.ideas["Afventer en moderator"])
        await self.vote(cph(2026, 11, 3), "sif", "Lys på molen")
        return self


def figures(**given: Any) -> dict[str, Any]:
    """A month's figures: zero unless given."""
    base = dict(ideas=0, votes=0, comments=0, participants=0, residents=0, staff=0,
                verified=0, unverified=0, promotions=0, answers=0,
                median_days_to_answer=None, overdue=0)
    return {**base, **given}


HAVNEN = {
    "2026-09": figures(ideas=2, votes=4, comments=1, participants=5, residents=4, staff=1,
                       verified=4, unverified=1),
    "2026-10": figures(ideas=1, comments=1, participants=2, residents=2, verified=2,
                       promotions=2, answers=1, median_days_to_answer=4.0, overdue=1),
    "2026-11": figures(votes=1, participants=1, staff=1, verified=1, overdue=1),
}
SKOLEN = {
    "2026-09": figures(ideas=1, votes=1, participants=2, residents=2, verified=2),
    "2026-10": figures(),
    "2026-11": figures(),
}
# Bo took part in both purposes in September: one participant, not two.
OVERALL = {
    "2026-09": figures(ideas=3, votes=5, comments=1, participants=5, residents=4, staff=1,
                       verified=4, unverified=1),
    "2026-10": HAVNEN["2026-10"],
    "2026-11": HAVNEN["2026-11"],
}
