"""Two months of a purpose's promoted ideas, promoted and answered at chosen moments:
September's three (one answered in 5 days and implemented since, one declined after 19
days, one never answered and overdue), October's three (one accepted after a day, one
waiting, one hidden by a moderator since)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from litestar import Litestar

from ideabox.platform.clock import FrozenClock
from tests.conftest import NOW
from tests.factories import bearer
from tests.promotion.scene import Scene, cph


@dataclass
class TwoMonths:
    scene: Scene
    implemented: int
    declined: int
    overdue: int
    accepted: int
    waiting: int
    hidden: int


async def two_months(client: httpx.AsyncClient, db, clock: FrozenClock) -> TwoMonths:
    scene = await Scene(client, db).build(slug="havnen", promote_top_n=3, voters=3,
                                          title="En bedre havnefront")
    september = [await scene.idea(title, cph(2026, 9, 2 + n))
                 for n, title in enumerate(["Bænke med ryglæn", "Gratis parkering i havnen",
                                            "Flere skraldespande"])]
    october = [await scene.idea(title, cph(2026, 10, 2 + n))
               for n, title in enumerate(["Badetrappe ved kajen", "Lys på gangbroen",
                                          "En idé der blev skjult"])]
    for ideas, month in ((september, 9), (october, 10)):
        for n, idea in enumerate(ideas):
            await scene.votes(idea, range(3 - n), cph(2026, month, 20))

    async def respond(idea: int, status: str) -> None:
        answered = await scene.respond(idea, status, "Forvaltningens svar.")
        assert answered.status_code == 201, answered.text

    clock.set(cph(2026, 10, 1, 12))
    assert (await scene.promote("2026-09")).status_code == 200
    clock.set(cph(2026, 10, 6, 12))
    await respond(september[0], "accepted")
    clock.set(cph(2026, 10, 21, 9))
    await respond(september[1], "rejected")
    clock.set(cph(2026, 11, 2, 12))
    assert (await scene.promote("2026-10")).status_code == 200
    clock.set(cph(2026, 11, 3, 12))
    await respond(september[0], "implemented")
    await respond(october[0], "accepted")
    hidden = await client.post(f"/api/v1/ideas/{october[2]}/hide",
                               headers=bearer(scene.admin_token),
                               json={"reason": "Nævner en nabo ved navn."})
    assert hidden.status_code == 200, hidden.text
    clock.set(NOW)
    return TwoMonths(scene, implemented=september[0], declined=september[1],
                     overdue=september[2], accepted=october[0], waiting=october[1],
                     hidden=october[2])


def app_clock(app: Litestar) -> FrozenClock:
    clock = app.state.services.clock
    assert isinstance(clock, FrozenClock)
    return clock
