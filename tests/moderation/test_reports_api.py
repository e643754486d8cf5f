"""Reports through the JSON API: once per person, the threshold hides the item pending
review, the moderators' queue and its decisions, the author told, one second look."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from ideabox.platform.settings import Settings
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.mailbox import Inbox, smtp_server, text_of, with_smtp

API = "/api/v1"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return with_smtp(settings, inbox[1], "https://ideer.kommune.dk")


@pytest.fixture
async def scene(client, db) -> dict:
    purpose = await make_purpose(db, slug="havnen", report_threshold=2)
    author, author_token = await make_user(db, display_name="Anna Jensen")
    _, moderator_token = await make_user(db, role="moderator")
    readers = [await make_user(db) for _ in range(4)]
    idea = await post_idea(client, author_token, purpose.slug, title="Flere bænke ved vandet")
    return {"author": author, "author_token": author_token,
            "moderator_token": moderator_token, "tokens": [t for _, t in readers],
            "idea": idea["id"]}


async def _report(client, token: str, what: str, item: int, reason: str = "spam",
                  text: str | None = None) -> httpx.Response:
    data: dict = {"reason": reason}
    if text is not None:
        data["text"] = text
    return await client.post(f"{API}/{what}/{item}/reports", json=data, headers=bearer(token))


async def _comment(client, token: str, idea_id: int, body: str = "Godt forslag!") -> int:
    made = await client.post(f"{API}/ideas/{idea_id}/comments", json={"body": body},
                             headers=bearer(token))
    assert made.status_code == 201, made.text
    comment_id: int = made.json()["id"]
    return comment_id


async def _queue(client, token: str) -> list[dict]:
    answer = await client.get(f"{API}/moderation/queue", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    items: list[dict] = answer.json()["items"]
    return items


async def _decide(client, token: str, case_id: int, decision: str,
                  reason: str = "Set efter.") -> httpx.Response:
    return await client.post(f"{API}/moderation/queue/{case_id}/decision",
                             json={"decision": decision, "reason": reason},
                             headers=bearer(token))


async def test_a_report_is_201_and_the_same_person_again_409(client, scene):
    first = await _report(client, scene["tokens"][0], "ideas", scene["idea"], "offensive",
                          "Grimt sprog")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["idea_id"], body["comment_id"], body["reason"], body["text"],
            body["hidden"]) == (scene["idea"], None, "offensive", "Grimt sprog", False)
    again = await _report(client, scene["tokens"][0], "ideas", scene["idea"], "other")
    assert again.status_code == 409, again.text
    assert again.json()["detail"] == "You have reported this already"


@pytest.mark.parametrize("data", [{"reason": "boring"}, {}, {"reason": 3}])
async def test_a_bad_reason_is_400_naming_reason(client, scene, data):
    answer = await client.post(f"{API}/ideas/{scene['idea']}/reports", json=data,
                               headers=bearer(scene["tokens"][0]))
    assert answer.status_code == 400, answer.text
    assert "reason" in answer.text


async def test_a_text_with_control_characters_or_too_long_is_400_naming_text(client, scene):
    for text in ("Ring\x07", "x" * 1001):
        answer = await _report(client, scene["tokens"][0], "ideas", scene["idea"], text=text)
        assert answer.status_code == 400, answer.text
        assert "text" in answer.text


async def test_reporting_ones_own_idea_is_403_and_signing_in_is_needed(client, scene):
    own = await _report(client, scene["author_token"], "ideas", scene["idea"])
    assert own.status_code == 403
    anonymous = await client.post(f"{API}/ideas/{scene['idea']}/reports",
                                  json={"reason": "spam"})
    assert anonymous.status_code == 401
    assert (await _report(client, scene["tokens"][0], "ideas", 987654)).status_code == 404


async def test_the_threshold_of_distinct_reporters_hides_the_idea_with_trigger_reports(
        client, db, scene):
    idea = scene["idea"]
    assert (await _report(client, scene["tokens"][0], "ideas", idea)).status_code == 201
    # The same person again does not count twice.
    assert (await _report(client, scene["tokens"][0], "ideas", idea)).status_code == 409
    assert (await client.get(f"{API}/ideas/{idea}")).status_code == 200
    second = await _report(client, scene["tokens"][1], "ideas", idea, "personal_data")
    assert second.status_code == 201 and second.json()["hidden"] is True
    assert (await client.get(f"{API}/ideas/{idea}")).status_code == 404
    mine = await client.get(f"{API}/ideas/{idea}", headers=bearer(scene["author_token"]))
    assert mine.json()["status"] == "hidden"
    change = await db.fetchrow("SELECT from_status, to_status, trigger, changed_by "
                               "FROM idea_status_changes WHERE idea_id = $1 "
                               "ORDER BY id DESC LIMIT 1", idea)
    assert dict(change) == {"from_status": "open", "to_status": "hidden",
                            "trigger": "reports", "changed_by": None}
    # A report on a hidden idea is still kept, for the moderators.
    third = await _report(client, scene["tokens"][2], "ideas", idea, "other", "Enig")
    assert third.status_code == 201 and third.json()["hidden"] is True
    [case] = await _queue(client, scene["moderator_token"])
    assert (case["kind"], case["idea_id"], case["reporters"], case["hidden"]) == (
        "reports", idea, 3, True)
    assert [r["reason"] for r in case["reports"]] == ["spam", "personal_data", "other"]
    # The author is told it is hidden pending review.
    notes = await client.get(f"{API}/me/notifications", headers=bearer(scene["author_token"]))
    assert [n["kind"] for n in notes.json()["items"]] == ["hidden"]


async def test_two_reports_at_once_cross_the_threshold_once(app, db, scene):
    # Two requests at the same moment, each on its own connection.
    async def report(token: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await _report(c, token, "ideas", scene["idea"])

    answers = await asyncio.gather(report(scene["tokens"][0]), report(scene["tokens"][1]))
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert sorted(a.json()["hidden"] for a in answers) == [False, True]
    hidings = await db.fetchval("SELECT count(*) FROM idea_status_changes "
                                "WHERE idea_id = $1 AND trigger = 'reports'", scene["idea"])
    assert hidings == 1


async def test_a_reported_comment_is_hidden_keeping_its_place(client, scene):
    idea = scene["idea"]
    comment = await _comment(client, scene["author_token"], idea, "Ring til Jens på 12345678")
    reply = await client.post(f"{API}/ideas/{idea}/comments",
                              json={"body": "Svar", "parent_id": comment},
                              headers=bearer(scene["tokens"][3]))
    assert reply.status_code == 201
    for token in scene["tokens"][:2]:
        assert (await _report(client, token, "comments", comment,
                              "personal_data")).status_code == 201
    thread = (await client.get(f"{API}/ideas/{idea}/comments")).json()["items"]
    [hidden] = thread
    assert (hidden["id"], hidden["hidden"], hidden["body"], hidden["author"]) == (
        comment, True, "", None)
    assert [r["body"] for r in hidden["replies"]] == ["Svar"]
    # Its author still reads it.
    own = (await client.get(f"{API}/ideas/{idea}/comments",
                            headers=bearer(scene["author_token"]))).json()["items"]
    assert own[0]["body"] == "Ring til Jens på 12345678" and own[0]["hidden"] is True
    # Keep shows it again.
    [case] = await _queue(client, scene["moderator_token"])
    assert (case["comment_id"], case["text"]) == (comment, "Ring til Jens på 12345678")
    kept = await _decide(client, scene["moderator_token"], case["id"], "keep", "Et offentligt nr.")
    assert kept.status_code == 200, kept.text
    shown = (await client.get(f"{API}/ideas/{idea}/comments")).json()["items"]
    assert shown[0]["hidden"] is False and shown[0]["body"] == "Ring til Jens på 12345678"


async def test_the_queue_orders_by_distinct_reporters_then_the_oldest(client, db, clock, scene):
    from datetime import timedelta
    others = [await post_idea(client, scene["author_token"], "havnen") for _ in range(2)]
    first, second = others[0]["id"], others[1]["id"]
    await _report(client, scene["tokens"][0], "ideas", first)
    clock.advance(timedelta(minutes=5))
    await _report(client, scene["tokens"][0], "ideas", second)
    clock.advance(timedelta(minutes=5))
    await _report(client, scene["tokens"][0], "ideas", scene["idea"])
    await _report(client, scene["tokens"][1], "ideas", scene["idea"])
    order = [case["idea_id"] for case in await _queue(client, scene["moderator_token"])]
    assert order == [scene["idea"], first, second]
    # Paging goes on where it stopped.
    page = await client.get(f"{API}/moderation/queue?limit=2",
                            headers=bearer(scene["moderator_token"]))
    rest = await client.get(f"{API}/moderation/queue?limit=2&cursor="
                            f"{page.json()['next_cursor']}",
                            headers=bearer(scene["moderator_token"]))
    assert [c["idea_id"] for c in rest.json()["items"]] == [second]


async def test_only_moderators_read_the_queue_and_decide(client, scene):
    resident = scene["tokens"][0]
    assert (await client.get(f"{API}/moderation/queue",
                             headers=bearer(resident))).status_code == 403
    assert (await client.get(f"{API}/moderation/queue")).status_code == 401
    await _report(client, resident, "ideas", scene["idea"])
    [case] = await _queue(client, scene["moderator_token"])
    assert (await _decide(client, resident, case["id"], "keep")).status_code == 403
    assert (await _decide(client, scene["moderator_token"], 987654, "keep")).status_code == 404


async def _hidden_case(client, scene) -> dict:
    for token in scene["tokens"][:2]:
        await _report(client, token, "ideas", scene["idea"])
    [case] = await _queue(client, scene["moderator_token"])
    return case


async def test_keep_shows_the_idea_again_logs_and_tells_the_author(client, scene, inbox, app):
    case = await _hidden_case(client, scene)
    kept = await _decide(client, scene["moderator_token"], case["id"], "keep",
                         "Ingen regler er brudt.")
    assert kept.status_code == 200, kept.text
    assert (kept.json()["decision"], kept.json()["reason"]) == ("keep", "Ingen regler er brudt.")
    assert (await client.get(f"{API}/ideas/{scene['idea']}")).json()["status"] == "open"
    assert await _queue(client, scene["moderator_token"]) == []
    log = (await client.get(f"{API}/moderation/log",
                            headers=bearer(scene["moderator_token"]))).json()["items"]
    assert (log[0]["action"], log[0]["reason"], log[0]["case_id"]) == (
        "keep", "Ingen regler er brudt.", case["id"])
    notes = (await client.get(f"{API}/me/notifications",
                              headers=bearer(scene["author_token"]))).json()["items"]
    assert (notes[0]["kind"], notes[0]["response"], notes[0]["to_status"]) == (
        "kept", "Ingen regler er brudt.", "open")
    await app.state.services.background.drain()
    box, _ = inbox
    [mail] = [m for m in box.messages if "Flere bænke" in m["Subject"]]
    assert "Ingen regler er brudt." in text_of(mail)
    # Kept: the count starts afresh, one new report does not hide it.
    again = await _report(client, scene["tokens"][2], "ideas", scene["idea"])
    assert again.json()["hidden"] is False
    # A second decision on the closed case is 409.
    assert (await _decide(client, scene["moderator_token"], case["id"],
                          "hide")).status_code == 409


async def test_hide_keeps_it_hidden_and_the_author_may_ask_once_for_a_second_look(
        client, scene):
    case = await _hidden_case(client, scene)
    url = f"{API}/ideas/{scene['idea']}/second-look"
    author = bearer(scene["author_token"])
    # Nothing decided yet: the case is open.
    assert (await client.post(url, json={}, headers=author)).status_code == 409
    hidden = await _decide(client, scene["moderator_token"], case["id"], "hide", "Reklame.")
    assert hidden.json()["idea_status"] == "hidden"
    notes = (await client.get(f"{API}/me/notifications", headers=author)).json()["items"]
    assert (notes[0]["kind"], notes[0]["response"]) == ("hidden", "Reklame.")
    # Only the author asks.
    assert (await client.post(url, json={}, headers=bearer(scene["tokens"][0]))
            ).status_code in (403, 404)
    asked = await client.post(url, json={"message": "Det er ikke reklame."}, headers=author)
    assert asked.status_code == 201, asked.text
    assert (asked.json()["kind"], asked.json()["message"], asked.json()["reports"]) == (
        "second_look", "Det er ikke reklame.", [])
    [looking] = await _queue(client, scene["moderator_token"])
    assert looking["id"] == asked.json()["id"]
    assert (await _decide(client, scene["moderator_token"], looking["id"], "hide",
                          "Stadig reklame.")).status_code == 200
    twice = await client.post(url, json={}, headers=author)
    assert twice.status_code == 409
    assert twice.json()["detail"] == "You have asked for a second look at this once already"


async def test_edit_request_shows_the_idea_and_tells_the_author_what_to_change(client, scene):
    case = await _hidden_case(client, scene)
    asked = await _decide(client, scene["moderator_token"], case["id"], "edit_request",
                          "Fjern naboens navn.")
    assert asked.status_code == 200
    assert (await client.get(f"{API}/ideas/{scene['idea']}")).json()["status"] == "open"
    notes = (await client.get(f"{API}/me/notifications",
                              headers=bearer(scene["author_token"]))).json()["items"]
    assert (notes[0]["kind"], notes[0]["response"]) == ("edit_requested", "Fjern naboens navn.")


async def test_a_decision_the_case_does_not_take_is_400_naming_decision(client, scene):
    case = await _hidden_case(client, scene)
    answer = await _decide(client, scene["moderator_token"], case["id"], "approve")
    assert answer.status_code == 400
    assert "decision" in answer.text
    blank = await _decide(client, scene["moderator_token"], case["id"], "keep", "  ")
    assert blank.status_code == 400 and "reason" in blank.text


async def test_ones_reports_are_in_ones_data_export(client, scene):
    await _report(client, scene["tokens"][0], "ideas", scene["idea"], "off_topic", "Forkert")
    data = (await client.get(f"{API}/me/export", headers=bearer(scene["tokens"][0]))).json()
    assert [(r["idea_id"], r["comment_id"], r["reason"], r["text"]) for r in data["reports"]] \
        == [(scene["idea"], None, "off_topic", "Forkert")]
