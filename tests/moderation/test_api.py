"""Moderation through the JSON API: the rules, the cache (a hidden idea leaves anonymous
reads and lists at once and comes back on unhide), notifications, history and the log."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.promotion.scene import Scene, cph

API = "/api/v1"


@pytest.fixture
async def people(client, db) -> dict:
    purpose = await make_purpose(db, slug="havnen")
    author, author_token = await make_user(db, display_name="Anna Jensen")
    moderator, moderator_token = await make_user(db, role="moderator",
                                                 display_name="Mads Moderator")
    _, admin_token = await make_user(db, role="admin")
    idea = await post_idea(client, author_token, purpose.slug, title="Flere bænke ved vandet")
    return {"purpose": purpose, "author": author, "author_token": author_token,
            "moderator": moderator, "moderator_token": moderator_token,
            "admin_token": admin_token, "idea": idea["id"]}


async def _act(client, action: str, idea_id: int, token: str | None,
               json: object = None) -> httpx.Response:
    return await client.post(f"{API}/ideas/{idea_id}/{action}",
                             json={"reason": "Nævner en nabo ved navn."} if json is None else json,
                             headers=bearer(token) if token else {})


async def test_a_moderator_hides_and_shows_again_answering_the_idea(client, people):
    hidden = await _act(client, "hide", people["idea"], people["moderator_token"])
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["id"] == people["idea"] and hidden.json()["status"] == "hidden"
    shown = await _act(client, "unhide", people["idea"], people["admin_token"],
                       {"reason": "Navnet er fjernet."})
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "open"


@pytest.mark.parametrize("role", ["resident", "staff"])
async def test_other_roles_are_refused(client, db, people, role):
    _, token = await make_user(db, role=role)
    for action in ("hide", "unhide"):
        refused = await _act(client, action, people["idea"], token)
        assert refused.status_code == 403, (action, refused.text)
    for path in ("log", "hidden-ideas"):
        assert (await client.get(f"{API}/moderation/{path}",
                                 headers=bearer(token))).status_code == 403
    # Nor may the author hide their own idea away from the lists.
    assert (await _act(client, "hide", people["idea"],
                       people["author_token"])).status_code == 403


async def test_without_a_sign_in_it_is_401(client, people):
    assert (await _act(client, "hide", people["idea"], None)).status_code == 401
    assert (await client.get(f"{API}/moderation/log")).status_code == 401


async def test_an_unknown_idea_is_404(client, people):
    for action in ("hide", "unhide"):
        assert (await _act(client, action, 987654,
                           people["moderator_token"])).status_code == 404


async def test_hiding_twice_or_showing_a_visible_idea_is_409(client, people):
    token = people["moderator_token"]
    assert (await _act(client, "unhide", people["idea"], token)).status_code == 409
    assert (await _act(client, "hide", people["idea"], token)).status_code == 200
    again = await _act(client, "hide", people["idea"], token)
    assert again.status_code == 409
    assert again.json()["detail"] == "The idea is already hidden"


@pytest.mark.parametrize(("body", "key"), [
    ({}, "reason"),
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 1001}, "reason"),
    ({"reason": 17}, "reason"),
    ({"reason": "Ok.", "status": "open"}, "status"),
])
async def test_bad_input_names_the_field(client, db, people, body, key):
    refused = await _act(client, "hide", people["idea"], people["moderator_token"], body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["extra"][0]["key"] == key
    assert await db.fetchval("SELECT status FROM ideas") == "open"


async def test_a_reason_of_1000_characters_is_enough(client, people):
    hidden = await _act(client, "hide", people["idea"], people["moderator_token"],
                        {"reason": "æ" * 1000})
    assert hidden.status_code == 200, hidden.text


async def _anonymous(client, idea_id: int) -> int:
    return (await client.get(f"{API}/ideas/{idea_id}")).status_code


async def _listed(client, slug: str) -> dict[str, list[int]]:
    found = {}
    for sort in ("top_month", "top", "hot", "new"):
        response = await client.get(f"{API}/purposes/{slug}/ideas?sort={sort}")
        assert response.status_code == 200
        found[sort] = [idea["id"] for idea in response.json()["items"]]
    return found


async def _on_boards(app, purpose_id: int, idea_id: int) -> list[bool]:
    tallies = app.state.services.tallies
    boards = tallies.keys(purpose_id).boards(tallies.month("Europe/Copenhagen"))

    async def scores(client) -> list[bool]:
        return [await client.zscore(board, idea_id) is not None for board in boards]

    return await tallies.cache.read(scores)


async def test_a_hidden_idea_leaves_reads_lists_and_leaderboards_at_once(client, app, people):
    idea, slug, purpose_id = people["idea"], people["purpose"].slug, people["purpose"].id
    await client.put(f"{API}/ideas/{idea}/vote", headers=bearer(people["author_token"]))
    # Read and listed once, so the document is cached and the leaderboards are built.
    assert await _anonymous(client, idea) == 200
    assert all(idea in ids for ids in (await _listed(client, slug)).values())
    assert await _on_boards(app, purpose_id, idea) == [True, True, True]

    assert (await _act(client, "hide", idea, people["moderator_token"])).status_code == 200
    assert await _anonymous(client, idea) == 404
    assert await _listed(client, slug) == {"top_month": [], "top": [], "hot": [], "new": []}
    assert await _on_boards(app, purpose_id, idea) == [False, False, False]
    # Still there for its author and the moderators.
    own = await client.get(f"{API}/ideas/{idea}", headers=bearer(people["author_token"]))
    assert own.status_code == 200 and own.json()["status"] == "hidden"

    assert (await _act(client, "unhide", idea, people["moderator_token"])).status_code == 200
    back = await client.get(f"{API}/ideas/{idea}")
    assert back.status_code == 200
    assert (back.json()["status"], back.json()["votes"]) == ("open", 1)
    assert all(ids == [idea] for ids in (await _listed(client, slug)).values())
    assert await _on_boards(app, purpose_id, idea) == [True, True, True]


async def test_the_author_is_told_why_and_voters_and_followers_are_not(client, db, people):
    _, voter_token = await make_user(db)
    idea = people["idea"]
    await client.put(f"{API}/ideas/{idea}/vote", headers=bearer(voter_token))
    await client.put(f"{API}/ideas/{idea}/follow", headers=bearer(voter_token))
    await _act(client, "hide", idea, people["moderator_token"],
               {"reason": "Nævner en nabo ved navn."})
    await _act(client, "unhide", idea, people["moderator_token"],
               {"reason": "Navnet er fjernet."})

    mine = (await client.get(f"{API}/me/notifications",
                             headers=bearer(people["author_token"]))).json()
    assert mine["unread"] == 2
    assert [(n["kind"], n["from_status"], n["to_status"], n["response"])
            for n in mine["items"]] == [
        ("unhidden", "hidden", "open", "Navnet er fjernet."),
        ("hidden", "open", "hidden", "Nævner en nabo ved navn."),
    ]
    theirs = (await client.get(f"{API}/me/notifications", headers=bearer(voter_token))).json()
    assert theirs == {"items": [], "next_cursor": None, "unread": 0}
    moderator = (await client.get(f"{API}/me/notifications",
                                  headers=bearer(people["moderator_token"]))).json()
    assert moderator["items"] == []


async def test_the_history_of_a_hidden_idea_is_for_its_author_and_moderators(client, db,
                                                                              people):
    idea, url = people["idea"], f"{API}/ideas/{people['idea']}/history"
    _, other_token = await make_user(db)
    await _act(client, "hide", idea, people["moderator_token"])
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=bearer(other_token))).status_code == 404
    for token in (people["author_token"], people["moderator_token"]):
        seen = await client.get(url, headers=bearer(token))
        assert seen.status_code == 200
        hiding = seen.json()["items"][-1]
        assert (hiding["from_status"], hiding["to_status"], hiding["trigger"],
                hiding["response"]) == ("open", "hidden", "moderation",
                                        "Nævner en nabo ved navn.")
        assert hiding["changed_by"]["id"] == people["moderator"].id


async def test_once_shown_again_the_public_sees_that_it_was_hidden_not_why(client, people):
    idea, url = people["idea"], f"{API}/ideas/{people['idea']}/history"
    await _act(client, "hide", idea, people["moderator_token"])
    await _act(client, "unhide", idea, people["moderator_token"], {"reason": "Rettet."})
    public = (await client.get(url)).json()["items"]
    assert [(c["to_status"], c["trigger"], c["response"], c["response_html"])
            for c in public] == [("open", "posted", None, None),
                                 ("hidden", "moderation", None, None),
                                 ("open", "moderation", None, None)]
    own = (await client.get(url, headers=bearer(people["author_token"]))).json()["items"]
    assert [c["response"] for c in own[1:]] == ["Nævner en nabo ved navn.", "Rettet."]


async def test_the_log_pages_newest_first_and_records_comment_deletions(client, db, people):
    idea, moderator_token = people["idea"], people["moderator_token"]
    made = await client.post(f"{API}/ideas/{idea}/comments", json={"body": "Hmm."},
                             headers=bearer(people["author_token"]))
    comment = made.json()["id"]
    assert (await client.delete(f"{API}/comments/{comment}",
                                headers=bearer(moderator_token))).status_code == 204
    await _act(client, "hide", idea, moderator_token, {"reason": "Første grund."})
    await _act(client, "unhide", idea, moderator_token, {"reason": "Anden grund."})

    first = await client.get(f"{API}/moderation/log?limit=2", headers=bearer(moderator_token))
    assert first.status_code == 200
    page = first.json()
    assert [(e["action"], e["reason"], e["idea_id"], e["comment_id"])
            for e in page["items"]] == [("unhide", "Anden grund.", idea, None),
                                        ("hide", "Første grund.", idea, None)]
    entry = page["items"][0]
    assert entry["moderator"] == {"id": people["moderator"].id,
                                  "display_name": "Mads Moderator", "role": "moderator"}
    assert (entry["idea_title"], entry["from_status"], entry["to_status"]) == (
        "Flere bænke ved vandet", "hidden", "open")
    rest = await client.get(f"{API}/moderation/log?limit=2&cursor={page['next_cursor']}",
                            headers=bearer(people["admin_token"]))
    assert [(e["action"], e["comment_id"], e["reason"]) for e in rest.json()["items"]] == [
        ("delete_comment", comment, None)]
    assert rest.json()["next_cursor"] is None
    bad = await client.get(f"{API}/moderation/log?cursor=nonsense",
                           headers=bearer(moderator_token))
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "cursor"


async def test_the_hidden_ideas_list(client, people):
    token = people["moderator_token"]
    assert (await client.get(f"{API}/moderation/hidden-ideas",
                             headers=bearer(token))).json() == {"items": [],
                                                                "next_cursor": None}
    await _act(client, "hide", people["idea"], token)
    [item] = (await client.get(f"{API}/moderation/hidden-ideas",
                               headers=bearer(token))).json()["items"]
    assert (item["id"], item["purpose"], item["previous_status"], item["reason"],
            item["hidden_by"]["id"], item["author"]["display_name"]) == (
        people["idea"], "havnen", "open", "Nævner en nabo ved navn.",
        people["moderator"].id, "Anna Jensen")


async def test_a_promoted_and_answered_idea_comes_back_promoted_and_answered(client, db):
    scene = await Scene(client, db).build(promote_top_n=1)
    _, moderator_token = await make_user(db, role="moderator")
    idea = await scene.idea("Færre blanketter ved byggesager", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    assert (await scene.respond(idea, "under_review", "Vi ser på det.")).status_code == 201
    assert (await _act(client, "hide", idea, moderator_token,
                       {"reason": "Skjult et øjeblik."})).status_code == 200
    shown = await _act(client, "unhide", idea, moderator_token, {"reason": "Tilbage igen."})
    assert shown.json()["status"] == "under_review"
    assert shown.json()["promoted_month"] == "2026-09"
    # The export's answer is the administration's, never a moderator's reason.
    export = await client.get(f"{API}/exports/top-ideas?month=2026-09&format=json",
                              headers=bearer(scene.admin_token))
    [row] = export.json()["items"]
    assert (row["status"], row["response"]) == ("under_review", "Vi ser på det.")


async def test_a_moderators_own_data_includes_what_they_moderated(client, people):
    token = people["moderator_token"]
    await _act(client, "hide", people["idea"], token, {"reason": "Nævner en nabo."})
    mine = (await client.get(f"{API}/me/export", headers=bearer(token))).json()
    assert [(a["action"], a["idea_id"], a["reason"]) for a in mine["moderation_actions"]] == [
        ("hide", people["idea"], "Nævner en nabo.")]
    theirs = (await client.get(f"{API}/me/export",
                               headers=bearer(people["author_token"]))).json()
    assert theirs["moderation_actions"] == []


async def test_two_moderators_hiding_at_once_hide_it_once(client, db, people):
    _, second_token = await make_user(db, role="moderator")
    answers = await asyncio.gather(
        _act(client, "hide", people["idea"], people["moderator_token"]),
        _act(client, "hide", people["idea"], second_token))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await db.fetchval("SELECT count(*) FROM idea_status_changes "
                             "WHERE trigger = 'moderation'") == 1
    assert await db.fetchval("SELECT count(*) FROM moderation_actions") == 1
    assert await db.fetchval("SELECT count(*) FROM notifications") == 1


async def test_the_openapi_schema_documents_moderation(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/v1/ideas/{idea_id}/hide", "/api/v1/ideas/{idea_id}/unhide",
                 "/api/v1/moderation/log", "/api/v1/moderation/hidden-ideas"):
        assert path in paths
