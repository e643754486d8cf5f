"""The signals page in the browser, as plain forms without JavaScript: a burst with its
accounts and ideas, holding their votes with a required reason, releasing them, the log,
and who may open it."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest

from tests.factories import make_purpose, make_user, post_idea, vote_as
from tests.moderation.test_signals import _address
from tests.web.forms import sign_in, submit

REASON = "Tre nye profiler fra samme adresse stemmer ens."


@pytest.fixture
async def burst(client: httpx.AsyncClient, db: asyncpg.Connection) -> list[int]:
    """Three accounts made from one address that voted for the same idea, and a moderator
    (Mads) signed in in ``client``."""
    await make_purpose(db, slug="havnen")
    _, author = await make_user(db, display_name="Anna Jensen")
    idea = await post_idea(client, author, "havnen", title="Flere bænke ved vandet")
    people = [await make_user(db, display_name=f"Ny borger {n}",
                              signup_address=_address("198.51.100.1")) for n in range(3)]
    await vote_as(client, [token for _, token in people], idea["id"])
    await make_user(db, role="moderator", email="mads@example.dk", display_name="Mads")
    await sign_in(client, "mads@example.dk")
    return [viewer.id for viewer, _ in people]


def _form_id(page: str) -> str:
    found = re.search(r'<input type="hidden" name="form" value="(burst-address-\d+)">', page)
    assert found, page
    return found.group(1)


async def test_a_moderator_holds_a_bursts_votes_and_releases_them(client, db, burst) -> None:
    page = (await client.get("/admin/signals")).text
    assert "<h1>Signaler</h1>" in page
    assert "3 profiler oprettet fra én adresse" in page
    assert "Flere bænke ved vandet" in page and "3 af profilerne" in page
    fid = _form_id(page)
    for account in burst:
        assert (f'<input type="checkbox" id="{fid}-u{account}" name="user_id" '
                f'value="{account}" checked>') in page
        assert f'<label for="{fid}-u{account}">' in page

    # Only two of the three: the moderator unticks one they know.
    held = await submit(client, "/admin/signals/hold",
                        {"form": fid, "days": "30", "user_id": [str(i) for i in burst[:2]],
                         "reason": REASON})
    assert held.status_code == 303
    assert held.headers["location"] == f"/admin/signals?days=30#{fid}"
    assert sorted(await db.fetch("SELECT user_id FROM vote_holds WHERE released_at IS NULL")) \
        == [(i,) for i in burst[:2]]
    page = (await client.get("/admin/signals")).text
    assert "Stemmer, der holdes tilbage nu" in page and REASON in page
    assert page.count("stemmer holdt tilbage") == 2
    assert "Holdt stemmerne tilbage for Ny borger 0" in page

    released = await submit(client, "/admin/signals/release",
                            {"form": "held", "days": "30", "user_id": [str(burst[0])],
                             "reason": "Kendt borger."})
    assert released.status_code == 303
    assert await db.fetchval("SELECT user_id FROM vote_holds WHERE released_at IS NULL") \
        == burst[1]
    page = (await client.get("/admin/signals")).text
    assert "Frigav stemmerne for Ny borger 0" in page and "Kendt borger." in page
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 3


async def test_a_missing_reason_or_no_account_comes_back_next_to_its_field(
        client, db, burst) -> None:
    fid = _form_id((await client.get("/admin/signals")).text)
    refused = await submit(client, "/admin/signals/hold",
                           {"form": fid, "days": "30", "user_id": [str(burst[0])],
                            "reason": "  "})
    assert refused.status_code == 400
    assert f'id="{fid}-reason-error"' in refused.text
    assert f'href="#{fid}-reason"' in refused.text  # the summary leads to the field
    # What was ticked stays ticked; the others are not.
    assert f'id="{fid}-u{burst[0]}" name="user_id" value="{burst[0]}" checked>' in refused.text
    assert f'id="{fid}-u{burst[1]}" name="user_id" value="{burst[1]}">' in refused.text

    none = await submit(client, "/admin/signals/hold", {"form": fid, "reason": REASON})
    assert none.status_code == 400
    assert f'id="{fid}-accounts-error"' in none.text and "Vælg mindst én profil." in none.text
    assert f'href="#{fid}-accounts"' in none.text
    assert await db.fetchval("SELECT count(*) FROM vote_holds") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_others_are_refused(client, db, burst) -> None:
    for role in ("resident", "staff"):
        await make_user(db, role=role, email=f"{role}@example.dk")
        client.cookies.clear()
        await sign_in(client, f"{role}@example.dk")
        assert (await client.get("/admin/signals")).status_code == 403
        refused = await submit(client, "/admin/signals/hold",
                               {"form": "x", "user_id": [str(burst[0])], "reason": REASON})
        assert refused.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM vote_holds") == 0
