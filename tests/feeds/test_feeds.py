"""The Atom feeds: a purpose's new ideas and answers, an idea's history; public content
only, in the reader's language, cacheable; and the pages that link to them."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from email.utils import format_datetime
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.factories import backdate_idea, bearer, make_user, post_idea
from tests.promotion.scene import Scene, change_status, cph

NS = {"a": "http://www.w3.org/2005/Atom"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TAG = "tag:127.0.0.1,2026:"  # the tests' IDEABOX_BASE_URL is the default, 127.0.0.1:8000
SITE = "http://127.0.0.1:8000"
NASTY = "Cykler & <script>alert(1)</script> ved havnen"


def parse(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return root


def text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall("a:entry", NS)


def titles(root: ET.Element) -> list[str]:
    return [text(entry, "a:title") for entry in entries(root)]


def ids(root: ET.Element) -> list[str]:
    return [text(entry, "a:id") for entry in entries(root)]


def link(element: ET.Element, rel: str) -> str:
    found = [e for e in element.findall("a:link", NS) if e.get("rel") == rel]
    assert len(found) == 1, rel
    return found[0].get("href") or ""


class Ideas:
    """A purpose with ideas in every state a feed must tell apart."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    async def build(self, app) -> Ideas:
        scene = self.scene
        self.answered = await scene.idea("Flere bænke ved havnen", cph(2026, 9, 2))
        await scene.votes(self.answered, range(2), cph(2026, 9, 3))
        assert (await scene.promote("2026-09")).status_code == 200
        nasty = await post_idea(scene.client, scene.author_token, scene.slug,
                                title="Cykelparkering ved færgen", body=NASTY)
        self.nasty = nasty["id"]
        await backdate_idea(scene.db, self.nasty, cph(2026, 10, 5))
        self.withdrawn = await scene.idea("Trukket tilbage igen", cph(2026, 10, 6))
        withdrawn = await scene.client.post(f"/api/v1/ideas/{self.withdrawn}/withdraw",
                                            headers=bearer(scene.author_token))
        assert withdrawn.status_code == 200, withdrawn.text
        self.hidden = await scene.idea("Skjult af en moderator", cph(2026, 10, 7))
        await change_status(app, self.hidden, "open", "hidden", by=scene.admin.id,
                            trigger="moderation")
        self.pending = await scene.idea("Venter på godkendelse", cph(2026, 10, 8))
        await change_status(app, self.pending, "open", "pending_review", by=None,
                            trigger="review")
        answered = await scene.respond(self.answered, "accepted",
                                       "Vi sætter **tre** bænke op & maler dem.")
        assert answered.status_code == 201, answered.text
        self.answer_change = answered.json()["id"]
        return self


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=1, title="Havnen")


@pytest.fixture
async def ideas(scene, app) -> Ideas:
    return await Ideas(scene).build(app)


async def test_the_purpose_feed_holds_public_ideas_and_answers_newest_first(ideas, client):
    scene = ideas.scene
    purpose_id = await scene.db.fetchval("SELECT id FROM purposes WHERE slug = $1", scene.slug)
    root = parse(await client.get(f"/purposes/{scene.slug}/feed.atom"))
    assert text(root, "a:id") == f"{TAG}purpose/{purpose_id}"
    assert text(root, "a:title") == "Havnen: nye idéer og forvaltningens svar"
    assert root.get(XML_LANG) == "da"
    assert link(root, "self") == f"{SITE}/purposes/havnen/feed.atom"
    assert link(root, "alternate") == f"{SITE}/purposes/havnen"
    # The answer (given now) first, then the ideas by when they were shared; the
    # withdrawn, hidden and waiting ideas are not there.
    assert ids(root) == [f"{TAG}status-change/{ideas.answer_change}",
                         f"{TAG}idea/{ideas.nasty}", f"{TAG}idea/{ideas.answered}"]
    assert titles(root) == ["Forvaltningens svar: Flere bænke ved havnen",
                            "Cykelparkering ved færgen", "Flere bænke ved havnen"]
    answer, _, first = entries(root)
    assert text(root, "a:updated") == text(answer, "a:updated") == "2026-11-16T09:00:00Z"
    assert text(first, "a:published") == "2026-09-02T10:00:00Z"
    assert text(first, "a:author/a:name") == "Anna Jensen"
    assert text(answer, "a:author/a:name") == "Forvaltningen"
    assert link(answer, "alternate") == f"{SITE}/ideas/{ideas.answered}"
    assert answer.find("a:content", NS).get("type") == "html"  # type: ignore[union-attr]
    assert text(answer, "a:content") == (
        "<p>Vi sætter <strong>tre</strong> bænke op &amp; maler dem.</p>\n")
    category = answer.find("a:category", NS)
    assert category is not None and category.get("term") == "accepted"
    assert category.get("label") == "Vedtaget"


async def test_user_text_is_escaped(ideas, client):
    scene = ideas.scene
    response = await client.get(f"/purposes/{scene.slug}/feed.atom")
    nasty = next(e for e in entries(parse(response)) if text(e, "a:id").endswith(
        f"idea/{ideas.nasty}"))
    content = text(nasty, "a:content")
    # The sanitised HTML, as a string inside the XML: a feed reader shows the script as text.
    assert "&lt;script&gt;" in content and "&amp;" in content and "<script>" not in content
    assert b"<script>" not in response.content and b"&lt;script" not in response.content
    assert b"&amp;lt;script&amp;gt;" in response.content
    assert b"example.dk" not in response.content  # nobody's e-mail address


async def test_kind_chooses_ideas_or_answers(ideas, client):
    slug = ideas.scene.slug
    only_ideas = parse(await client.get(f"/purposes/{slug}/feed.atom?kind=ideas"))
    assert ids(only_ideas) == [f"{TAG}idea/{ideas.nasty}", f"{TAG}idea/{ideas.answered}"]
    assert text(only_ideas, "a:title") == "Havnen: nye idéer"
    assert link(only_ideas, "self") == f"{SITE}/purposes/havnen/feed.atom?kind=ideas"
    only_answers = parse(await client.get(f"/purposes/{slug}/feed.atom?kind=answers"))
    assert ids(only_answers) == [f"{TAG}status-change/{ideas.answer_change}"]
    assert text(only_answers, "a:title") == "Havnen: forvaltningens svar"
    assert text(only_answers, "a:id") != text(only_ideas, "a:id")
    wrong = await client.get(f"/purposes/{slug}/feed.atom?kind=comments")
    assert wrong.status_code == 400
    assert "kind" in wrong.text


async def test_english_by_parameter_or_accept_language(ideas, client):
    slug = ideas.scene.slug
    by_parameter = await client.get(f"/purposes/{slug}/feed.atom?lang=en")
    by_header = await client.get(f"/purposes/{slug}/feed.atom",
                                 headers={"Accept-Language": "en-GB,en;q=0.8"})
    for response in (by_parameter, by_header):
        root = parse(response)
        assert root.get(XML_LANG) == "en"
        assert text(root, "a:title") == "Havnen: new ideas and the administration's answers"
        assert titles(root)[0] == "The administration's answer: Flere bænke ved havnen"
        assert text(entries(root)[0], "a:author/a:name") == "The administration"
    assert link(parse(by_parameter), "self") == f"{SITE}/purposes/havnen/feed.atom?lang=en"
    assert "vary" not in by_parameter.headers
    assert by_header.headers["vary"] == "Accept-Language, Cookie"
    danish = parse(await client.get(f"/purposes/{slug}/feed.atom?lang=da",
                                    headers={"Accept-Language": "en"}))
    assert danish.get(XML_LANG) == "da"
    wrong = await client.get(f"/purposes/{slug}/feed.atom?lang=fr")
    assert wrong.status_code == 400 and "lang" in wrong.text


async def test_the_idea_feed_is_its_public_history(ideas, client):
    idea = ideas.answered
    root = parse(await client.get(f"/ideas/{idea}/feed.atom"))
    assert text(root, "a:id") == f"{TAG}idea/{idea}/history"
    assert text(root, "a:title") == "Flere bænke ved havnen: sådan gik det"
    assert link(root, "alternate") == f"{SITE}/ideas/{idea}"
    assert titles(root) == ["Forvaltningens svar: Vedtaget", "Sendt videre til forvaltningen",
                            "Delt: Flere bænke ved havnen"]
    answer, promoted, posted = entries(root)
    assert text(answer, "a:id") == f"{TAG}status-change/{ideas.answer_change}"
    assert "<strong>tre</strong>" in text(answer, "a:content")
    assert text(posted, "a:author/a:name") == "Anna Jensen"
    assert text(posted, "a:published") == "2026-09-02T10:00:00Z"
    assert text(posted, "a:content") == "<p>Sådan kunne det gøres.</p>\n"
    assert text(promoted, "a:content") == "Sendt videre til forvaltningen"
    english = parse(await client.get(f"/ideas/{idea}/feed.atom?lang=en"))
    assert titles(english) == ["The administration's answer: Accepted",
                               "Sent to the administration", "Shared: Flere bænke ved havnen"]


async def test_hidden_withdrawn_and_waiting_ideas_have_no_feed(ideas, client):
    for idea in (ideas.withdrawn, ideas.hidden, ideas.pending, 999_999):
        response = await client.get(f"/ideas/{idea}/feed.atom")
        assert response.status_code == 404, idea
    assert (await client.get("/purposes/ingen-her/feed.atom")).status_code == 404


async def test_a_hidden_answered_idea_takes_its_answer_along(ideas, client, app):
    await change_status(app, ideas.answered, "accepted", "hidden", by=ideas.scene.admin.id,
                        trigger="moderation")
    root = parse(await client.get(f"/purposes/{ideas.scene.slug}/feed.atom"))
    assert ids(root) == [f"{TAG}idea/{ideas.nasty}"]


async def test_shown_again_without_the_moderators_reason(scene, client, db):
    idea = await scene.idea("Gadelys på molen", cph(2026, 10, 1))
    _, moderator = await make_user(db, role="moderator")
    for action in ("hide", "unhide"):
        done = await client.post(f"/api/v1/ideas/{idea}/{action}", headers=bearer(moderator),
                                 json={"reason": f"Navnet Hemmeligsen ({action})"})
        assert done.status_code == 200, done.text
    response = await client.get(f"/ideas/{idea}/feed.atom")
    assert titles(parse(response)) == ["Vist igen af en moderator: Åben for stemmer",
                                       "Skjult af moderator", "Delt: Gadelys på molen"]
    assert "Hemmeligsen" not in response.text


async def test_an_empty_feed_dates_from_the_purpose(scene, client):
    root = parse(await client.get(f"/purposes/{scene.slug}/feed.atom"))
    assert entries(root) == []
    assert text(root, "a:updated") == "2025-12-31T23:00:00Z"  # the scene's LONG_AGO


async def test_a_deleted_account_shows_as_the_pages_show_it(scene, client):
    idea = await scene.idea("Idé fra en der gik", cph(2026, 10, 1))
    gone = await client.delete("/api/v1/me", headers=bearer(scene.author_token))
    assert gone.status_code == 204, gone.text
    page = await client.get(f"/ideas/{idea}")
    shown = re.search(r"By (.+?), |Af (.+?), ", page.text)
    assert shown is not None
    name = shown.group(1) or shown.group(2)
    root = parse(await client.get(f"/purposes/{scene.slug}/feed.atom"))
    assert [text(e, "a:author/a:name") for e in entries(root)] == [name]
    assert name != "Anna Jensen"


async def test_etag_and_last_modified_answer_304(ideas, client):
    url = f"/purposes/{ideas.scene.slug}/feed.atom"
    first = await client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "public, max-age=300"
    assert modified == "Mon, 16 Nov 2026 09:00:00 GMT"
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    since = await client.get(url, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    earlier = format_datetime(cph(2026, 11, 1).astimezone(UTC), usegmt=True)
    assert (await client.get(url, headers={"If-Modified-Since": earlier})).status_code == 200
    assert (await client.get(url, headers={"If-Modified-Since": "yesterday"})).status_code == 200
    # Another language is another document.
    english = await client.get(url + "?lang=en", headers={"If-None-Match": etag})
    assert english.status_code == 200 and english.headers["etag"] != etag


async def test_a_new_idea_changes_the_etag(ideas, client, clock):
    url = f"/purposes/{ideas.scene.slug}/feed.atom"
    etag = (await client.get(url)).headers["etag"]
    clock.advance(timedelta(minutes=5))
    await post_idea(client, ideas.scene.author_token, ideas.scene.slug,
                    title="Endnu en idé om havnen")
    fresh = await client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert titles(parse(fresh))[0] == "Endnu en idé om havnen"
    assert fresh.headers["last-modified"] == "Mon, 16 Nov 2026 09:05:00 GMT"


async def test_the_feeds_need_no_sign_in_and_set_no_cookie(ideas, client):
    response = await client.get(f"/ideas/{ideas.answered}/feed.atom")
    assert response.status_code == 200 and "set-cookie" not in response.headers


ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" '
                       r'href="([^"]+)">')


async def test_the_pages_link_to_their_feeds(ideas, client):
    slug = ideas.scene.slug
    purpose = await client.get(f"/purposes/{slug}")
    assert ALTERNATE.findall(purpose.text) == [
        ("Havnen: nye idéer og forvaltningens svar", f"/purposes/{slug}/feed.atom?lang=da")]
    assert f'<a href="/purposes/{slug}/feed.atom?lang=da" type="application/atom+xml">' \
           "Følg med i et feed</a>" in purpose.text
    client.cookies.set("lang", "en")
    idea = await client.get(f"/ideas/{ideas.answered}")
    assert ALTERNATE.findall(idea.text) == [
        ("Flere bænke ved havnen: what happened", f"/ideas/{ideas.answered}/feed.atom?lang=en")]
    assert "Subscribe to the feed</a>" in idea.text
    # Each link leads to a feed.
    for page in (purpose, idea):
        href = ALTERNATE.findall(page.text)[0][1]
        parse(await client.get(href))


async def test_a_hidden_idea_page_links_to_no_feed(ideas, client):
    page = await client.get(f"/ideas/{ideas.hidden}", headers=bearer(ideas.scene.author_token))
    assert page.status_code == 200
    assert "application/atom+xml" not in page.text
    assert "feed.atom" not in page.text
