"""Review before publishing through the JSON API: a new idea waits, seen by its author and
moderators only, takes no votes or comments, and is published (or not) by a moderator."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea

API = "/api/v1"


@pytest.fixture
async def scene(client, db) -> dict:
    purpose = await make_purpose(db, slug="forslag", review_before_publishing=True)
    author, author_token = await make_user(db, display_name="Anna Jensen")
    _, moderator_token = await make_user(db, role="moderator")
    _, reader_token = await make_user(db)
    idea = await post_idea(client, author_token, purpose.slug,
                           title="Gratis bus for ældre", body="Bussen bør være gratis.")
    return {"author": author, "author_token": author_token, "moderator": moderator_token,
            "reader": reader_token, "idea": idea}


def test_a_new_idea_waits_for_review(scene):
    assert scene["idea"]["status"] == "pending_review"
    # No review decided before: the stated default of two days.
    expected = datetime.fromisoformat(scene["idea"]["review_expected_at"].replace("Z", "+00:00"))
    posted = datetime.fromisoformat(scene["idea"]["created_at"].replace("Z", "+00:00"))
    assert expected - posted == timedelta(days=2)


async def test_only_the_author_and_moderators_see_an_idea_awaiting_review(client, scene):
    idea = scene["idea"]["id"]
    for token in (scene["author_token"], scene["moderator"]):
        seen = await client.get(f"{API}/ideas/{idea}", headers=bearer(token))
        assert seen.status_code == 200 and seen.json()["status"] == "pending_review"
    assert (await client.get(f"{API}/ideas/{idea}")).status_code == 404
    assert (await client.get(f"{API}/ideas/{idea}",
                             headers=bearer(scene["reader"]))).status_code == 404
    assert (await client.get(f"{API}/ideas/{idea}/comments")).status_code == 404
    assert (await client.get(f"{API}/ideas/{idea}/history")).status_code == 404
    for sort in ("top_month", "top", "hot", "new"):
        listed = await client.get(f"{API}/purposes/forslag/ideas?sort={sort}",
                                  headers=bearer(scene["moderator"]))
        assert listed.json()["items"] == [], sort
    found = await client.get(f"{API}/purposes/forslag/ideas?q=bus")
    assert found.json()["items"] == []
    status = await client.get(f"{API}/purposes/forslag/ideas?status=pending_review")
    assert status.status_code == 400
    assert (await client.get(f"{API}/purposes/forslag")).json()["idea_count"] == 0


async def test_no_votes_comments_or_reports_before_publication(client, scene):
    idea = scene["idea"]["id"]
    own_vote = await client.put(f"{API}/ideas/{idea}/vote", headers=bearer(scene["author_token"]))
    assert own_vote.status_code == 409
    assert "awaiting review" in own_vote.json()["detail"]
    assert (await client.put(f"{API}/ideas/{idea}/vote",
                             headers=bearer(scene["reader"]))).status_code == 404
    comment = await client.post(f"{API}/ideas/{idea}/comments", json={"body": "Hej"},
                                headers=bearer(scene["author_token"]))
    assert comment.status_code == 409
    report = await client.post(f"{API}/ideas/{idea}/reports", json={"reason": "spam"},
                               headers=bearer(scene["reader"]))
    assert report.status_code == 404


async def test_approval_publishes_and_the_idea_counts_from_then(client, db, clock, scene):
    idea = scene["idea"]["id"]
    [case] = (await client.get(f"{API}/moderation/queue",
                               headers=bearer(scene["moderator"]))).json()["items"]
    assert (case["kind"], case["idea_id"], case["text"]) == (
        "review", idea, "Bussen bør være gratis.")
    clock.advance(timedelta(hours=30))
    refused = await client.post(f"{API}/moderation/queue/{case['id']}/decision",
                                json={"decision": "keep", "reason": "Fint"},
                                headers=bearer(scene["moderator"]))
    assert refused.status_code == 400 and "decision" in refused.text
    approved = await client.post(f"{API}/moderation/queue/{case['id']}/decision",
                                 json={"decision": "approve", "reason": "Velkommen."},
                                 headers=bearer(scene["moderator"]))
    assert approved.status_code == 200, approved.text
    shown = (await client.get(f"{API}/ideas/{idea}")).json()
    assert shown["status"] == "open" and shown["review_expected_at"] is None
    # Published now: "new" and the month count from the approval, not the submission.
    assert shown["created_at"] == approved.json()["closed_at"]
    assert [i["id"] for i in (await client.get(
        f"{API}/purposes/forslag/ideas?sort=new")).json()["items"]] == [idea]
    vote = await client.put(f"{API}/ideas/{idea}/vote", headers=bearer(scene["reader"]))
    assert vote.status_code == 200 and vote.json()["votes"] == 1
    history = (await client.get(f"{API}/ideas/{idea}/history")).json()["items"]
    assert [(h["from_status"], h["to_status"], h["trigger"]) for h in history] == [
        (None, "pending_review", "posted"), ("pending_review", "open", "published")]
    notes = (await client.get(f"{API}/me/notifications",
                              headers=bearer(scene["author_token"]))).json()["items"]
    assert notes[0]["kind"] == "published"
    # The next idea's expected review time is what this one took: 30 hours.
    later = await post_idea(client, scene["author_token"], "forslag")
    expected = later["review_expected_at"]
    assert expected is not None
    waited = (datetime.fromisoformat(expected.replace("Z", "+00:00"))
              - datetime.fromisoformat(later["created_at"].replace("Z", "+00:00")))
    assert waited == timedelta(hours=30)


async def test_rejection_hides_the_idea_and_tells_the_author_why(client, scene):
    idea = scene["idea"]["id"]
    [case] = (await client.get(f"{API}/moderation/queue",
                               headers=bearer(scene["moderator"]))).json()["items"]
    rejected = await client.post(f"{API}/moderation/queue/{case['id']}/decision",
                                 json={"decision": "reject", "reason": "Ikke kommunens sag."},
                                 headers=bearer(scene["moderator"]))
    assert rejected.status_code == 200, rejected.text
    assert (await client.get(f"{API}/ideas/{idea}")).status_code == 404
    mine = await client.get(f"{API}/ideas/{idea}/history", headers=bearer(scene["author_token"]))
    last = mine.json()["items"][-1]
    assert (last["to_status"], last["trigger"], last["response"]) == (
        "hidden", "review", "Ikke kommunens sag.")
    notes = (await client.get(f"{API}/me/notifications",
                              headers=bearer(scene["author_token"]))).json()["items"]
    assert (notes[0]["kind"], notes[0]["response"]) == ("not_published", "Ikke kommunens sag.")
    # A second look that keeps it publishes it.
    asked = await client.post(f"{API}/ideas/{idea}/second-look", json={},
                              headers=bearer(scene["author_token"]))
    assert asked.status_code == 201, asked.text
    kept = await client.post(f"{API}/moderation/queue/{asked.json()['id']}/decision",
                             json={"decision": "keep", "reason": "Vi har set igen."},
                             headers=bearer(scene["moderator"]))
    assert kept.status_code == 200, kept.text
    assert (await client.get(f"{API}/ideas/{idea}")).json()["status"] == "open"


async def test_a_purpose_without_review_publishes_at_once(client, db):
    purpose = await make_purpose(db, slug="aaben")
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    assert idea["status"] == "open" and idea["review_expected_at"] is None


async def test_the_author_may_correct_an_idea_awaiting_review(client, scene):
    idea = scene["idea"]["id"]
    edited = await client.patch(f"{API}/ideas/{idea}", json={"body": "Bussen bør være gratis "
                                                                   "for alle over 65."},
                                headers=bearer(scene["author_token"]))
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "pending_review"
