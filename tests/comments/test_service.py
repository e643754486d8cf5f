"""Threads of any depth: replies nest at most MAX_DEPTH deep, and a thread made deeper
(before the bound, or outside ideabox) still lists and renders, whole."""

from __future__ import annotations

from typing import Any

from ideabox.comments.schemas import CommentCreate
from ideabox.comments.service import MAX_DEPTH, add_comment
from ideabox.platform.db import Db
from tests.conftest import NOW
from tests.factories import make_purpose, make_user, post_idea

CHAIN = 600


def _levels(items: list[dict[str, Any]]) -> dict[int, int]:
    """Each listed comment's id and the level it is nested at (1: top), without recursion."""
    levels: dict[int, int] = {}
    stack = [(item, 1) for item in items]
    while stack:
        item, level = stack.pop()
        assert item["id"] not in levels, "a comment listed twice"
        levels[item["id"]] = level
        stack.extend((reply, level + 1) for reply in item["replies"])
    return levels


async def _depth_in_database(db, idea_id: int) -> int:
    depth: int = await db.fetchval(
        """WITH RECURSIVE thread AS (
               SELECT id, 1 AS depth FROM comments WHERE idea_id = $1 AND parent_id IS NULL
               UNION ALL
               SELECT c.id, t.depth + 1 FROM comments c JOIN thread t ON c.parent_id = t.id
           ) SELECT max(depth) FROM thread""", idea_id)
    return depth


async def _thread_reads_whole(client, idea_id: int, comment_ids: list[int]) -> dict[int, int]:
    response = await client.get(f"/api/v1/ideas/{idea_id}/comments")
    assert response.status_code == 200, response.text[:300]
    levels = _levels(response.json()["items"])
    assert sorted(levels) == sorted(comment_ids)
    assert max(levels.values()) == MAX_DEPTH
    page = await client.get(f"/ideas/{idea_id}")
    assert page.status_code == 200, page.text[:300]
    assert f'id="comment-{comment_ids[-1]}"' in page.text
    return levels


async def test_a_reply_beyond_the_deepest_level_attaches_to_the_deepest_allowed(client, db,
                                                                               services):
    purpose = await make_purpose(db)
    writer, token = await make_user(db)
    idea = (await post_idea(client, token, purpose.slug))["id"]
    chain: list[int] = []
    for n in range(CHAIN):
        # Each a reply to the one before, as a long back-and-forth would be.
        comment = await add_comment(Db(db, NOW), services, writer, idea, CommentCreate(
            body=f"Svar {n}", parent_id=chain[-1] if chain else None))
        chain.append(comment.id)
    assert await _depth_in_database(db, idea) == MAX_DEPTH
    parents = dict(await db.fetch("SELECT id, parent_id FROM comments WHERE idea_id = $1", idea))
    # The first MAX_DEPTH form a chain; every later reply went beside the deepest one,
    # under its parent, in the order written.
    assert [parents[c] for c in chain[1:MAX_DEPTH]] == chain[:MAX_DEPTH - 1]
    assert {parents[c] for c in chain[MAX_DEPTH:]} == {chain[MAX_DEPTH - 2]}
    levels = await _thread_reads_whole(client, idea, chain)
    assert {levels[c] for c in chain[MAX_DEPTH - 1:]} == {MAX_DEPTH}


async def test_a_thread_deeper_than_the_bound_in_the_database_still_reads_whole(client, db):
    purpose = await make_purpose(db)
    writer, token = await make_user(db)
    idea = (await post_idea(client, token, purpose.slug))["id"]
    # Made outside ideabox, as a thread from before the bound would be.
    chain: list[int] = []
    parent = None
    for n in range(CHAIN):
        parent = await db.fetchval(
            "INSERT INTO comments (idea_id, parent_id, author_id, body, body_html) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            idea, parent, writer.id, f"Gammelt svar {n}", f"<p>Gammelt svar {n}</p>")
        chain.append(parent)
    assert await _depth_in_database(db, idea) == CHAIN
    levels = await _thread_reads_whole(client, idea, chain)
    # Listed as if the bound had held when they were written: the deeper replies beside
    # the deepest allowed, under its parent.
    assert [levels[c] for c in chain[:MAX_DEPTH]] == list(range(1, MAX_DEPTH + 1))
    assert {levels[c] for c in chain[MAX_DEPTH:]} == {MAX_DEPTH}
