"""An idea's cached document: anonymous readers get it from Redis alone, and every change
to the idea shows at once."""

from __future__ import annotations

import dataclasses
import time

from ideabox.ideas import cache as documents
from ideabox.ideas.cache import IdeaCache
from ideabox.platform.db import create_pool
from ideabox.votes.tallies import Entry
from tests.factories import bearer, make_purpose, make_user, post_idea


async def _anonymous(client, idea_id: int) -> dict:
    response = await client.get(f"/api/v1/ideas/{idea_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def _cached(app, purpose_id: int, idea_id: int) -> Entry | None:
    [entry] = await app.state.services.tallies.read_entries([(purpose_id, idea_id)])
    return entry


async def test_an_anonymous_read_needs_no_postgresql_once_cached(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug, title="Læs mig uden database")
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token))
    first = await _anonymous(client, idea["id"])  # read from PostgreSQL, then cached
    real = app.state.services
    nowhere = await create_pool("postgresql://nobody:x@127.0.0.1:1/none", timeout=0.2)
    app.state.services = dataclasses.replace(real, pool=nowhere)
    try:
        again = await _anonymous(client, idea["id"])
    finally:
        app.state.services = real
        await nowhere.close()
    assert again == first
    assert (again["votes"], again["voted_by_me"]) == (1, False)


async def test_every_change_shows_at_once(client, db, app):
    purpose = await make_purpose(db)
    author, token = await make_user(db, display_name="Anna")
    _, admin = await make_user(db, role="admin")
    idea = await post_idea(client, token, purpose.slug, title="Første titel")
    url = f"/api/v1/ideas/{idea['id']}"
    await _anonymous(client, idea["id"])

    await client.patch(url, headers=bearer(token), json={"title": "Anden titel"})
    assert (await _anonymous(client, idea["id"]))["title"] == "Anden titel"

    comment = await client.post(f"{url}/comments", headers=bearer(admin), json={"body": "Ja"})
    assert (await _anonymous(client, idea["id"]))["comment_count"] == 1
    await client.delete(f"/api/v1/comments/{comment.json()['id']}", headers=bearer(admin))
    assert (await _anonymous(client, idea["id"]))["comment_count"] == 0

    await client.patch(f"/api/v1/users/{author.id}", headers=bearer(admin),
                       json={"role": "staff"})
    assert (await _anonymous(client, idea["id"]))["author"]["role"] == "staff"

    await client.post(f"{url}/withdraw", headers=bearer(token))
    assert (await _anonymous(client, idea["id"]))["status"] == "withdrawn"


async def test_a_deleted_author_is_anonymous_on_cached_ideas(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db, display_name="Bo Berg")
    idea = await post_idea(client, token, purpose.slug)
    assert (await _anonymous(client, idea["id"]))["author"]["display_name"] == "Bo Berg"
    assert (await client.delete("/api/v1/me", headers=bearer(token))).status_code == 204
    assert (await _anonymous(client, idea["id"]))["author"]["display_name"] == "Slettet bruger"


async def test_a_document_read_before_a_change_is_not_stored_after_it(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug, title="Den gamle titel")
    await _anonymous(client, idea["id"])
    tallies = app.state.services.tallies
    before = await _cached(app, purpose.id, idea["id"])
    assert before is not None and before.doc is not None
    # A reader reads the old text from PostgreSQL (version seen: before.version) …
    old = documents.from_row(await db.fetchrow(
        documents.SELECT + "WHERE i.id = $1", idea["id"]))
    # … the idea changes and its document is dropped …
    await client.patch(f"/api/v1/ideas/{idea['id']}", headers=bearer(token),
                       json={"title": "Den nye titel"})
    # … and the reader's late attempt to store the old text is refused.
    await tallies.fill_documents(purpose.id, [(idea["id"], documents.encode(old),
                                               before.version)])
    assert (await _anonymous(client, idea["id"]))["title"] == "Den nye titel"


async def test_a_document_is_trusted_for_a_while_only(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await _anonymous(client, idea["id"])
    entry = await _cached(app, purpose.id, idea["id"])
    assert entry is not None
    assert documents.cached(entry) is not None
    later = time.time() + documents.DOCUMENT_SECONDS + 1
    assert documents.cached(entry, now=later) is None


async def test_a_cached_hidden_idea_is_never_shown_to_the_public(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    idea = await post_idea(client, token, purpose.slug)
    await db.execute("UPDATE ideas SET status = 'hidden' WHERE id = $1", idea["id"])
    await app.state.services.ideas.refresh(db, [idea["id"]])
    # A moderator's read caches the document, hidden status and all …
    url = f"/api/v1/ideas/{idea['id']}"
    assert (await client.get(url, headers=bearer(moderator))).status_code == 200
    entry = await _cached(app, purpose.id, idea["id"])
    assert entry is not None and documents.cached(entry).status == "hidden"
    # … which the public path does not serve.
    assert (await client.get(url)).status_code == 404


async def test_inside_a_write_the_cache_is_neither_read_nor_filled(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    response = await client.post(f"/api/v1/purposes/{purpose.slug}/ideas",
                                 headers=bearer(token),
                                 json={"title": "Ny idé her", "body": "tekst"})
    idea_id = response.json()["id"]
    entry = await _cached(app, purpose.id, idea_id)
    # Read inside the posting's transaction, then refreshed after its commit: the
    # counts are cached, the document (uncommitted when read) was not.
    assert entry is not None and entry.doc is None


async def test_the_cache_is_skipped_while_redis_is_not_believed(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug, title="Titel før")
    await _anonymous(client, idea["id"])
    await db.execute("UPDATE ideas SET title = 'Titel efter' WHERE id = $1", idea["id"])
    app.state.services.cache.trusted = False
    assert (await _anonymous(client, idea["id"]))["title"] == "Titel efter"


async def test_a_worker_learns_every_ideas_purpose_at_start(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    started = IdeaCache(app.state.services.tallies)  # a worker's, just started
    assert started.known_purpose(idea["id"]) is None
    await started.learn_purposes(app.state.services.pool)
    assert started.known_purpose(idea["id"]) == purpose.id
