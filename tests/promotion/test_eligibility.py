"""The promotion counts the votes of people eligible at the month's end, under the
purpose's rule, and none held when it runs; ``promote --verify`` recounts by the rule
recorded with the run, from the votes as they stood then."""

from __future__ import annotations

from datetime import date, datetime

from ideabox.accounts.schemas import Viewer
from ideabox.moderation.holds import hold_votes, release_votes
from ideabox.moderation.schemas import VoteHoldChange
from ideabox.platform.db import Db
from ideabox.promotion.service import promote_on_own
from ideabox.promotion.verify import verify_purpose
from ideabox.services import Services
from tests.factories import backdate_votes, bearer, make_user, record_residency, vote_as
from tests.promotion.scene import LONG_AGO, Scene, cph

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
AFTER_SEPTEMBER, AFTER_OCTOBER = cph(2026, 10, 1, 0, 10), cph(2026, 11, 1, 0, 10)


async def _promote(services: Services, slug: str, month: date, at: datetime):  # type: ignore[no-untyped-def]
    return await promote_on_own(services, slug, month, trigger="promotion:cli", now=at)


async def _verify(db, slug: str, month: date):  # type: ignore[no-untyped-def]
    purpose = await db.fetchrow("SELECT id, slug, timezone FROM purposes WHERE slug = $1", slug)
    return await verify_purpose(db, purpose, month)


async def _votes_at(scene: Scene, idea_id: int, voters: list[tuple[Viewer, str]],
                    cast_at: datetime) -> None:
    """Votes by people of any scene, cast at ``cast_at``."""
    await vote_as(scene.client, [token for _, token in voters], idea_id)
    await backdate_votes(scene.db, idea_id, [viewer.id for viewer, _ in voters], cast_at)


async def test_residency_lost_before_the_months_end_counts_only_where_residency_is_not_asked(
        services, client, db) -> None:
    residents = await Scene(client, db).build(slug="kun-borgere", voters=3,
                                              eligibility="verified_residency")
    everyone = await Scene(client, db).build(slug="alle", voters=0)
    for person in [residents.author, *(viewer for viewer, _ in residents.voters)]:
        await record_residency(db, person.id, True, LONG_AGO)
    local = await residents.idea("Bænke langs åen", cph(2026, 9, 2))
    anywhere = await everyone.idea("Bænke langs søen", cph(2026, 9, 2))
    await residents.votes(local, range(3), cph(2026, 9, 10))
    await _votes_at(everyone, anywhere, residents.voters, cph(2026, 9, 10))
    moved, moved_later, _ = (viewer for viewer, _ in residents.voters)
    # One voter moved away before September ended, one after.
    await record_residency(db, moved.id, False, cph(2026, 9, 20))
    await record_residency(db, moved_later.id, False, cph(2026, 10, 5))

    only_residents = await _promote(services, "kun-borgere", SEPTEMBER, AFTER_SEPTEMBER)
    assert [(i.idea_id, i.votes_in_month, i.total_votes) for i in only_residents.items] == [
        (local, 2, 2)]
    assert (only_residents.eligibility, only_residents.votes_not_counted) == (
        "verified_residency", 1)
    all_confirmed = await _promote(services, "alle", SEPTEMBER, AFTER_SEPTEMBER)
    assert [(i.idea_id, i.votes_in_month, i.total_votes) for i in all_confirmed.items] == [
        (anywhere, 3, 3)]
    assert (all_confirmed.eligibility, all_confirmed.votes_not_counted) == ("verified_email", 0)

    shown = (await client.get("/api/v1/purposes/kun-borgere/promotions/2026-09")).json()
    assert (shown["eligibility"], shown["votes_not_counted"]) == ("verified_residency", 1)
    assert shown["items"][0]["votes_in_month"] == 2
    for slug in ("kun-borgere", "alle"):
        assert (await _verify(db, slug, SEPTEMBER)).ok

    # Votes taken back after the run, by the one who did not count and one who did: the
    # recount still sees them as they stood, each counted by its person.
    for _, token in (residents.voters[0], residents.voters[2]):
        assert (await client.delete(f"/api/v1/ideas/{local}/vote",
                                    headers=bearer(token))).status_code == 200
    assert await db.fetchval("SELECT count(*) FROM vote_retractions "
                             "WHERE idea_id = $1 AND voter_id IS NOT NULL", local) == 2
    assert (await _verify(db, "kun-borgere", SEPTEMBER)).ok
    # A retraction recorded before retractions kept the voter counts, as every vote then
    # did: harmless for an eligible voter's vote …
    third = residents.voters[2][0].id
    await db.execute("UPDATE vote_retractions SET voter_id = NULL WHERE voter_id = $1", third)
    assert (await _verify(db, "kun-borgere", SEPTEMBER)).ok
    # … and for one that did not count, the recount cannot know better.
    await db.execute("UPDATE vote_retractions SET voter_id = NULL WHERE voter_id = $1",
                     moved.id)
    assert [d.message for d in (await _verify(db, "kun-borgere", SEPTEMBER)).differences] == [
        f"idea {local} was recorded with 2 votes in the month, 2 in all; recomputed: 3 votes "
        f"in the month, 3 in all",
        "1 vote(s) were recorded as not counted; recomputed: 0"]


async def test_a_deleted_accounts_votes_stop_counting_from_its_deletion(
        services, client, db, clock) -> None:
    scene = await Scene(client, db).build(slug="slettet", voters=3, promote_top_n=1)
    september = await scene.idea("Lys på stien", cph(2026, 9, 2))
    october = await scene.idea("Flere skraldespande", cph(2026, 9, 3))
    await scene.votes(september, range(3), cph(2026, 9, 10))
    await scene.votes(october, [1, 2], cph(2026, 10, 3))
    for voter, deleted_at in ((scene.voters[0], cph(2026, 9, 25)),
                              (scene.voters[1], cph(2026, 10, 20))):
        clock.set(deleted_at)
        assert (await client.delete("/api/v1/me", headers=bearer(voter[1]))).status_code == 204

    first = await _promote(services, scene.slug, SEPTEMBER, AFTER_SEPTEMBER)
    assert [(i.idea_id, i.votes_in_month, i.total_votes) for i in first.items] == [
        (september, 2, 2)]
    assert first.votes_not_counted == 1
    second = await _promote(services, scene.slug, OCTOBER, AFTER_OCTOBER)
    assert [(i.idea_id, i.votes_in_month, i.total_votes) for i in second.items] == [
        (october, 1, 1)]
    assert second.votes_not_counted == 1
    # The administration's page says what was counted, and what not.
    page = (await client.get("/admin/promotions", params={"purpose": scene.slug,
                                                          "month": "2026-10"},
                             headers=bearer(scene.admin_token))).text
    assert ("Talt med: stemmer fra dem, der kunne være med ved månedens udgang (alle med en "
            "bekræftet e-mail), og ingen, som en moderator holder tilbage.") in page
    assert "1 stemme i måneden på de idéer, der var med, talte ikke med." in page
    for month in (SEPTEMBER, OCTOBER):
        assert (await _verify(db, scene.slug, month)).ok


async def test_held_votes_do_not_count_while_held_and_count_again_once_released(
        services, client, db) -> None:
    scene = await Scene(client, db).build(slug="holdt", voters=5, promote_top_n=1)
    moderator, _ = await make_user(db, role="moderator")
    crowded = await scene.idea("Skaterbane i parken", cph(2026, 9, 2))
    quiet = await scene.idea("Bænk ved kirken", cph(2026, 9, 3))
    await scene.votes(crowded, range(3), cph(2026, 9, 10))
    await scene.votes(quiet, [3, 4], cph(2026, 9, 11))
    burst = VoteHoldChange(user_ids=[scene.voters[0][0].id, scene.voters[1][0].id],
                           reason="Tre nye profiler fra samme adresse.")
    held = await hold_votes(Db(db, cph(2026, 9, 30)), moderator, burst)
    assert held.changed == sorted(burst.user_ids)

    first = await _promote(services, scene.slug, SEPTEMBER, AFTER_SEPTEMBER)
    assert [(i.idea_id, i.votes_in_month) for i in first.items] == [(quiet, 2)]
    assert first.votes_not_counted == 2

    await release_votes(Db(db, cph(2026, 10, 15)), moderator,
                        VoteHoldChange(user_ids=burst.user_ids, reason="Det var en skoleklasse."))
    later = await scene.idea("Skaterbane ved skolen", cph(2026, 10, 2))
    await scene.votes(later, [0, 1], cph(2026, 10, 20))
    second = await _promote(services, scene.slug, OCTOBER, AFTER_OCTOBER)
    assert [(i.idea_id, i.votes_in_month, i.total_votes) for i in second.items] == [
        (later, 2, 2)]
    assert second.votes_not_counted == 0
    # Each month is recounted with the holds as they were when it ran.
    for month in (SEPTEMBER, OCTOBER):
        assert (await _verify(db, scene.slug, month)).ok


async def test_a_run_recorded_before_eligibility_counts_every_vote(
        services, client, db, clock) -> None:
    scene = await Scene(client, db).build(slug="foer", voters=3)
    idea = await scene.idea("Træer på torvet", cph(2026, 9, 2))
    await scene.votes(idea, range(3), cph(2026, 9, 10))
    result = await _promote(services, scene.slug, SEPTEMBER, AFTER_SEPTEMBER)
    assert result.items[0].votes_in_month == 3
    # The voter's account was deleted in September, which a promotion made before
    # eligibility paid no heed to: the run says so by recording no rule.
    clock.set(cph(2026, 9, 25))
    assert (await client.delete("/api/v1/me",
                                headers=bearer(scene.voters[0][1]))).status_code == 204
    await db.execute("UPDATE promotion_runs SET eligibility = NULL, votes_not_counted = NULL")
    assert (await _verify(db, scene.slug, SEPTEMBER)).ok
    # With the rule recorded, the same record would not verify.
    await db.execute("UPDATE promotion_runs SET eligibility = 'verified_email'")
    assert not (await _verify(db, scene.slug, SEPTEMBER)).ok
