"""The export's vote counts agree with the promotion's: the month's votes as the promotion
recorded them, and the votes in all by the rule the promotion counts by."""

from __future__ import annotations

from ideabox.moderation.holds import hold_votes, release_votes
from ideabox.moderation.schemas import VoteHoldChange
from ideabox.platform.db import Db
from tests.conftest import NOW
from tests.exports.scenarios import MONTH
from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, cph

URL = "/api/v1/exports/top-ideas"


async def test_votes_that_did_not_count_in_the_promotion_are_not_in_the_export(
        client, db, clock) -> None:
    scene = await Scene(client, db).build(slug="havnen", voters=4)
    moderator, _ = await make_user(db, role="moderator")
    idea = await scene.idea("Bænke langs havnefronten", cph(2026, 9, 2, 10, 15))
    await scene.votes(idea, range(4), cph(2026, 9, 10))
    clock.set(cph(2026, 9, 25))
    assert (await client.delete("/api/v1/me",
                                headers=bearer(scene.voters[0][1]))).status_code == 204
    clock.set(NOW)
    held = VoteHoldChange(user_ids=[scene.voters[1][0].id], reason="Samme adresse som andre.")
    await hold_votes(Db(db, NOW), moderator, held)

    promoted = (await scene.promote(MONTH)).json()
    assert [(i["votes_in_month"], i["total_votes"]) for i in promoted["items"]] == [(2, 2)]
    assert promoted["votes_not_counted"] == 2

    async def exported() -> tuple[int, int]:
        response = await client.get(URL, params={"month": MONTH, "format": "json"},
                                    headers=bearer(scene.admin_token))
        assert response.status_code == 200, response.text
        [row] = response.json()["items"]
        return row["votes_in_month"], row["total_votes"]

    assert await exported() == (2, 2)
    # Released, the held votes count again from now: the idea's votes in all now say so,
    # the month's recorded result does not change.
    await release_votes(Db(db, NOW), moderator,
                        VoteHoldChange(user_ids=held.user_ids, reason="Ingen fare."))
    assert await exported() == (2, 3)
