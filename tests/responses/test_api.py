"""Public responses and the status history through the JSON API."""

from __future__ import annotations

import pytest

from ideabox.responses.service import TRANSITIONS
from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, change_status, cph

ANSWERS = ("under_review", "accepted", "implemented", "rejected")
# How to bring a promoted idea into each status, by answers.
PATHS = {
    "promoted": [],
    "under_review": ["under_review"],
    "accepted": ["accepted"],
    "implemented": ["accepted", "implemented"],
    "rejected": ["rejected"],
}


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=1)


async def _promoted_idea(scene: Scene) -> int:
    idea = await scene.idea("Færre blanketter ved byggesager", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    return idea


@pytest.mark.parametrize("start", list(PATHS))
async def test_the_transition_table_is_enforced(scene, start):
    idea = await _promoted_idea(scene)
    for step in PATHS[start]:
        assert (await scene.respond(idea, step, "Et skridt på vejen.")).status_code == 201
    allowed = TRANSITIONS.get(start, ())
    for answer in ANSWERS:
        # A refused answer changes nothing, so every answer can be tried from the same start;
        # an allowed one is tried last (it would move the idea on).
        if answer in allowed:
            continue
        refused = await scene.respond(idea, answer, "Ikke tilladt.")
        assert refused.status_code == 409, (start, answer, refused.text)
        assert refused.json()["extra"][0]["key"] == "status"
    for answer in allowed[:1]:
        made = await scene.respond(idea, answer, "Tilladt.")
        assert made.status_code == 201, (start, answer, made.text)
        assert made.json()["from_status"] == start and made.json()["to_status"] == answer


def test_the_documented_transitions():
    assert TRANSITIONS == {
        "promoted": ("under_review", "accepted", "rejected"),
        "under_review": ("under_review", "accepted", "rejected"),
        "accepted": ("accepted", "implemented", "rejected"),
    }


async def test_an_open_idea_cannot_be_answered(scene):
    idea = await scene.idea("Endnu ikke udvalgt idé", cph(2026, 9, 2))
    response = await scene.respond(idea, "accepted", "For tidligt.")
    assert response.status_code == 409


async def test_the_history_shows_who_when_why_and_the_response(scene, client):
    idea = await _promoted_idea(scene)
    answered = await scene.respond(idea, "under_review",
                                   "Vi ser på det **nu**.\n\n<script>alert(1)</script>")
    assert answered.status_code == 201, answered.text
    entry = answered.json()
    assert entry["changed_by"] == {"id": scene.admin.id, "display_name": "Forvaltningen",
                                   "role": "admin"}
    assert entry["trigger"] == "response"
    assert entry["response_html"] == ("<p>Vi ser på det <strong>nu</strong>.</p>\n"
                                      "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")

    history = await client.get(f"/api/v1/ideas/{idea}/history")  # no sign-in needed
    assert history.status_code == 200
    body = history.json()
    assert body["next_cursor"] is None
    assert [(h["from_status"], h["to_status"], h["trigger"]) for h in body["items"]] == [
        (None, "open", "posted"), ("open", "promoted", "promotion:api"),
        ("promoted", "under_review", "response")]
    assert body["items"][0]["changed_by"]["id"] == scene.author.id
    assert body["items"][1]["changed_by"]["id"] == scene.admin.id
    assert body["items"][2] == entry
    idea_now = (await client.get(f"/api/v1/ideas/{idea}")).json()
    assert idea_now["status"] == "under_review"


async def test_only_admins_answer(scene, client, db):
    idea = await _promoted_idea(scene)
    for role in ("resident", "staff", "moderator"):
        _, token = await make_user(db, role=role)
        response = await client.post(f"/api/v1/ideas/{idea}/responses", headers=bearer(token),
                                     json={"status": "accepted", "response": "Ja."})
        assert response.status_code == 403, role
    anonymous = await client.post(f"/api/v1/ideas/{idea}/responses",
                                  json={"status": "accepted", "response": "Ja."})
    assert anonymous.status_code == 401
    assert len((await client.get(f"/api/v1/ideas/{idea}/history")).json()["items"]) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "accepted", "response": ""}, "response"),
    ({"status": "accepted", "response": "   "}, "response"),
    ({"status": "accepted", "response": "x" * 10_001}, "response"),
    ({"status": "promoted", "response": "Ja."}, "status"),
    ({"status": "done", "response": "Ja."}, "status"),
    ({"response": "Ja."}, "status"),
])
async def test_bad_input_names_the_field(scene, body, field):
    idea = await _promoted_idea(scene)
    response = await scene.client.post(f"/api/v1/ideas/{idea}/responses", json=body,
                                       headers=bearer(scene.admin_token))
    assert response.status_code == 400, response.text
    assert field in str(response.json()["extra"])


async def test_a_long_response_is_accepted(scene):
    idea = await _promoted_idea(scene)
    response = await scene.respond(idea, "accepted", "æ" * 10_000)
    assert response.status_code == 201


async def test_unknown_and_hidden_ideas_are_404(scene, client, app):
    assert (await client.get("/api/v1/ideas/999999/history")).status_code == 404
    missing = await scene.respond(999999, "accepted", "Ja.")
    assert missing.status_code == 404
    idea = await scene.idea("Skjult af en moderator", cph(2026, 9, 2))
    await change_status(app, idea, "open", "hidden", by=scene.admin.id, trigger="hidden")
    assert (await client.get(f"/api/v1/ideas/{idea}/history")).status_code == 404
    own = await client.get(f"/api/v1/ideas/{idea}/history", headers=bearer(scene.author_token))
    assert own.status_code == 200
