"""What a shared link shows: the Open Graph and Twitter card tags of idea and purpose
pages, read as a site reading them would (parsed HTML), built from public content only."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from ideabox.sharing.meta import EXCERPT_LIMIT, plain_excerpt
from tests.factories import bearer, make_purpose, make_user, post_idea

EN = {"Accept-Language": "en"}
BASE = "http://127.0.0.1:8000"  # IDEABOX_BASE_URL in the tests' settings


class _Head(HTMLParser):
    """The page's <meta> tags (by property or name) and its canonical link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.canonical: str | None = None
        self.share_fields: list[dict[str, str | None]] = []
        self.handlers: list[str] = []  # event handler attributes (onclick=…) anywhere

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "meta":
            key = found.get("property") or found.get("name")
            if key is not None and found.get("content") is not None:
                self.meta.setdefault(key, []).append(found["content"] or "")
        elif tag == "link" and found.get("rel") == "canonical":
            self.canonical = found.get("href")
        elif tag == "input" and found.get("id") == "share-link":
            self.share_fields.append(found)


def _head(response: httpx.Response) -> _Head:
    assert response.status_code == 200, response.text
    parsed = _Head()
    parsed.feed(response.text)
    return parsed


def _one(head: _Head, key: str) -> str:
    values = head.meta.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


async def test_an_idea_page_describes_itself_for_sharing(client, db):
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    _, token = await make_user(db)
    body = ("## Hvorfor\n\nFordi **cyklister** og [gående](https://example.dk) skal kunne "
            "komme frem.\n\n- bred\n- belyst\n\n" + "Og så videre. " * 40)
    idea = await post_idea(client, token, "havnen", title="Cykelsti langs vandet", body=body)
    url = f"{BASE}/ideas/{idea['id']}"

    danish = _head(await client.get(f"/ideas/{idea['id']}"))
    assert _one(danish, "og:title") == "Cykelsti langs vandet"
    assert _one(danish, "og:type") == "article"
    assert _one(danish, "og:url") == url and danish.canonical == url
    assert _one(danish, "og:site_name") == "ideabox"
    assert _one(danish, "og:locale") == "da_DK"
    assert _one(danish, "og:locale:alternate") == "en_GB"
    image = _one(danish, "og:image")
    assert image.startswith(f"{BASE}/static/share.png")
    assert _one(danish, "twitter:card") == "summary_large_image"
    assert _one(danish, "twitter:title") == "Cykelsti langs vandet"
    assert _one(danish, "twitter:image") == image
    description = _one(danish, "og:description")
    # Plain text: no Markdown left, words kept apart across blocks, and bounded.
    assert description.startswith("Hvorfor Fordi cyklister og gående skal kunne komme frem. "
                                  "bred belyst Og så videre.")
    assert not any(mark in description for mark in ("#", "**", "](", "<"))
    assert len(description) <= EXCERPT_LIMIT and description.endswith("…")
    assert _one(danish, "twitter:description") == description
    assert _one(danish, "description") == description
    # The share section offers the same canonical address.
    assert [f["value"] for f in danish.share_fields] == [url]
    assert all("readonly" in f for f in danish.share_fields)

    english = _head(await client.get(f"/ideas/{idea['id']}", headers=EN))
    assert _one(english, "og:locale") == "en_GB"

    # The image is there to fetch, from the service itself.
    picture = await client.get(image.removeprefix(BASE))
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")


async def test_a_purpose_page_describes_itself_for_sharing(client, db):
    await make_purpose(db, slug="havnen", title="En bedre havnefront",
                       statement="Hvad skal der til, for at **havnen** bliver et sted for alle?")
    head = _head(await client.get("/purposes/havnen"))
    assert _one(head, "og:title") == "En bedre havnefront"
    assert _one(head, "og:type") == "website"
    assert _one(head, "og:url") == f"{BASE}/purposes/havnen"
    assert _one(head, "og:description") == ("Hvad skal der til, for at havnen bliver et sted "
                                            "for alle?")
    # The query (a search, a filter) is not part of the shared address.
    searched = _head(await client.get("/purposes/havnen", params={"q": "bænke"}))
    assert _one(searched, "og:url") == f"{BASE}/purposes/havnen"


HOSTILE = ['"><script>alert(1)</script>', "Tom & Jerry's \"havn\" <b>", "' onmouseover='x"]


@pytest.mark.parametrize("title", HOSTILE)
async def test_hostile_titles_stay_text_in_every_tag(client, db, title):
    await make_purpose(db, slug="havnen")
    _, token = await make_user(db)
    padded = f"Idé: {title}"
    idea = await post_idea(client, token, "havnen", title=padded,
                           body=f"Tekst med {title} i.")
    response = await client.get(f"/ideas/{idea['id']}")
    head = _head(response)
    # Parsed back, the values are exactly what was written: nothing broke out of an
    # attribute, and no tag was made.
    assert _one(head, "og:title") == padded
    assert _one(head, "twitter:title") == padded
    assert _one(head, "og:description") == f"Tekst med {title} i."
    assert "<script>alert(1)</script>" not in response.text
    assert head.handlers == []


async def test_hidden_and_unpublished_ideas_are_not_described(client, db):
    """A hidden idea, or one awaiting review, is 404 for everyone else; its author, who
    still sees the page, gets no description to share either."""
    await make_purpose(db, slug="havnen")
    await make_purpose(db, slug="forslag", review_before_publishing=True)
    _, moderator = await make_user(db, role="moderator")
    _, token = await make_user(db)
    hidden = await post_idea(client, token, "havnen", title="En skjult idé med hemmelighed",
                             body="Hemmelig tekst om naboen.")
    response = await client.post(f"/api/v1/ideas/{hidden['id']}/hide",
                                 headers=bearer(moderator), json={"reason": "Nævner en nabo."})
    assert response.status_code == 200
    waiting = await post_idea(client, token, "forslag", title="En idé der venter på godkendelse",
                              body="Hemmelig tekst om ventetiden.")
    assert waiting["status"] == "pending_review"

    for idea in (hidden, waiting):
        anonymous = await client.get(f"/ideas/{idea['id']}")
        assert anonymous.status_code == 404
        assert "Hemmelig" not in anonymous.text and "og:title" not in anonymous.text
        as_author = await client.get(f"/ideas/{idea['id']}", headers=bearer(token))
        assert as_author.status_code == 200
        assert idea["title"] in as_author.text  # the author sees it ...
        head = _head(as_author)
        assert not [key for key in head.meta if key.startswith(("og:", "twitter:"))]
        assert "description" not in head.meta and head.canonical is None
        assert 'id="del-ideen"' not in as_author.text  # ... but is offered nothing to share


@pytest.mark.parametrize(("rendered", "expected"), [
    ("<p>Kort.</p>", "Kort."),
    ("<h2>Titel</h2><p>En <em>lille</em> tekst</p>", "Titel En lille tekst"),
    ("<p>a &amp; b &lt;c&gt;</p>", "a & b <c>"),
    ("<ul><li>et</li><li>to</li></ul><pre><code>x = 1\n</code></pre>", "et to x = 1"),
    ("<p>" + "ord " * 100 + "</p>", "ord " * 49 + "ord…"),
    ("<p>" + "x" * 300 + "</p>", "x" * 199 + "…"),
])
def test_the_excerpt_is_plain_bounded_text(rendered, expected):
    assert plain_excerpt(rendered) == expected
    assert len(plain_excerpt(rendered)) <= EXCERPT_LIMIT
