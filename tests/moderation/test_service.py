"""The moderation service against real PostgreSQL and Redis: hiding keeps the status the
idea had, showing it again restores exactly that one, and every action is on record."""

from __future__ import annotations

import pytest

from ideabox.comments.schemas import CommentCreate
from ideabox.comments.service import add_comment, delete_comment
from ideabox.moderation import service
from ideabox.notifications.service import follow_idea
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.votes.service import cast_vote
from tests.factories import make_user
from tests.moderation.helpers import STATUSES, Scene, committed


@pytest.fixture
async def scene(db, services) -> Scene:
    return await Scene(db, services).build()


async def _history(db, idea_id: int) -> list[tuple]:
    rows = await db.fetch("SELECT from_status, to_status, changed_by, trigger, response "
                          "FROM idea_status_changes WHERE idea_id = $1 ORDER BY id", idea_id)
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("status", STATUSES)
async def test_showing_again_restores_exactly_the_status_before_hiding(scene, db, status):
    idea = await scene.idea(status)
    assert await scene.hide(idea, "Nævner en nabo ved navn.") == "hidden"
    assert await db.fetchval("SELECT status FROM ideas WHERE id = $1", idea) == "hidden"
    assert await scene.unhide(idea, "Navnet er fjernet.") == status
    assert await db.fetchval("SELECT status FROM ideas WHERE id = $1", idea) == status
    history = await _history(db, idea)
    assert history[-2:] == [
        (status, "hidden", scene.moderator.id, "moderation", "Nævner en nabo ved navn."),
        ("hidden", status, scene.moderator.id, "moderation", "Navnet er fjernet."),
    ]


async def test_hidden_twice_over_it_comes_back_as_it_was_before_the_latest_hiding(scene, db):
    idea = await scene.idea("accepted")
    await scene.hide(idea)
    await scene.unhide(idea)
    await scene.hide(idea, by=scene.admin)
    assert await scene.unhide(idea, by=scene.admin) == "accepted"


async def test_hiding_a_hidden_idea_and_showing_a_visible_one_are_refused(scene, db):
    idea = await scene.idea()
    with pytest.raises(Conflict, match="not hidden"):
        await scene.unhide(idea)
    await scene.hide(idea)
    with pytest.raises(Conflict, match="already hidden"):
        await scene.hide(idea)
    # The refusals wrote nothing.
    assert len(await _history(db, idea)) == 2
    assert await db.fetchval("SELECT count(*) FROM moderation_actions") == 1


@pytest.mark.parametrize("role", ["resident", "staff"])
async def test_only_moderators_and_administrators_moderate(scene, db, role):
    idea = await scene.idea()
    other, _ = await make_user(db, role=role)
    with pytest.raises(Forbidden):
        await scene.hide(idea, by=other)
    with pytest.raises(Forbidden):
        await committed(db, lambda d: service.moderation_log(d.conn, other, limit=10))
    with pytest.raises(Forbidden):
        await committed(db, lambda d: service.list_hidden_ideas(d.conn, other, limit=10))
    assert await scene.hide(idea, by=scene.admin) == "hidden"
    with pytest.raises(Forbidden):
        await scene.unhide(idea, by=other)


async def test_an_unknown_idea_is_not_found(scene):
    with pytest.raises(NotFound):
        await scene.hide(987654)
    with pytest.raises(NotFound):
        await scene.unhide(987654)


@pytest.mark.parametrize("reason", ["   ", "x" * 1001, "nul\x00tegn"])
async def test_a_bad_reason_names_the_field(scene, db, reason):
    idea = await scene.idea()
    with pytest.raises(Invalid) as refused:
        await scene.hide(idea, reason)
    assert refused.value.field == "reason"
    assert await db.fetchval("SELECT status FROM ideas WHERE id = $1", idea) == "open"


async def test_the_reason_is_kept_without_the_spaces_around_it(scene, db):
    idea = await scene.idea()
    await scene.hide(idea, "  Nævner en nabo.  ")
    assert (await _history(db, idea))[-1][-1] == "Nævner en nabo."


async def test_an_idea_hidden_outside_ideabox_is_not_given_a_guessed_status(scene, db):
    idea = await scene.idea("promoted")
    await db.execute("UPDATE ideas SET status = 'hidden' WHERE id = $1", idea)
    with pytest.raises(Conflict, match="not on record"):
        await scene.unhide(idea)
    page = await committed(db, lambda d: service.list_hidden_ideas(d.conn, scene.moderator,
                                                                   limit=10))
    assert [(i.id, i.previous_status, i.hidden_by) for i in page.items] == [(idea, None, None)]


async def _notifications(db, idea_id: int) -> list[tuple]:
    rows = await db.fetch(
        "SELECT n.user_id, n.kind, sc.response FROM notifications n "
        "JOIN idea_status_changes sc ON sc.id = n.status_change_id "
        "WHERE n.idea_id = $1 ORDER BY n.id", idea_id)
    return [tuple(row) for row in rows]


async def test_the_author_alone_is_told_with_the_reason(scene, db, services):
    idea = await scene.idea()
    voter, _ = await make_user(db)
    await committed(db, lambda d: cast_vote(d, services, voter, idea))
    await committed(db, lambda d: follow_idea(d, voter, idea))
    await scene.hide(idea, "Nævner en nabo ved navn.")
    await scene.unhide(idea, "Navnet er fjernet.")
    assert await _notifications(db, idea) == [
        (scene.author.id, "hidden", "Nævner en nabo ved navn."),
        (scene.author.id, "unhidden", "Navnet er fjernet."),
    ]


async def test_a_moderator_who_hides_their_own_idea_is_not_told(scene, db):
    own = await scene.idea(author=scene.moderator)
    await scene.hide(own)
    assert await _notifications(db, own) == []


async def test_the_log_holds_every_action_newest_first_and_pages(scene, db, services):
    idea = await scene.idea()
    comment = await committed(db, lambda d: add_comment(
        d, services, scene.author, idea, CommentCreate(body="Mit eget indlæg.")))
    own = await committed(db, lambda d: add_comment(
        d, services, scene.moderator, idea, CommentCreate(body="Moderatorens eget indlæg.")))
    await committed(db, lambda d: delete_comment(d, services, scene.moderator, own.id))
    await committed(db, lambda d: delete_comment(d, services, scene.moderator, comment.id))
    # Deleting a deleted comment changes nothing, and is not logged again.
    await committed(db, lambda d: delete_comment(d, services, scene.admin, comment.id))
    await scene.hide(idea, "Skjult.")
    await scene.unhide(idea, "Vist igen.", by=scene.admin)

    first = await committed(db, lambda d: service.moderation_log(d.conn, scene.moderator,
                                                                 limit=2))
    assert [(e.action, e.moderator.id, e.reason, e.from_status, e.to_status)
            for e in first.items] == [
        ("unhide", scene.admin.id, "Vist igen.", "hidden", "open"),
        ("hide", scene.moderator.id, "Skjult.", "open", "hidden"),
    ]
    assert first.next_cursor is not None
    rest = await committed(db, lambda d: service.moderation_log(
        d.conn, scene.moderator, limit=2, cursor=first.next_cursor))
    # The moderator's own comment is not in the log: deleting one's own words is no
    # moderation.
    assert [(e.action, e.comment_id, e.idea_id, e.reason) for e in rest.items] == [
        ("delete_comment", comment.id, idea, None)]
    assert rest.next_cursor is None


async def test_the_hidden_ideas_latest_first_with_what_they_come_back_as(scene, db):
    first = await scene.idea("promoted", title="Først skjulte idé")
    second = await scene.idea("open", title="Senest skjulte idé")
    shown = await scene.idea("open", title="Vist igen")
    await scene.hide(first, "Grund et.")
    await scene.hide(second, "Grund to.", by=scene.admin)
    await scene.hide(shown)
    await scene.unhide(shown)
    page = await committed(db, lambda d: service.list_hidden_ideas(d.conn, scene.moderator,
                                                                   limit=1))
    [latest] = page.items
    assert (latest.id, latest.title, latest.previous_status, latest.reason,
            latest.hidden_by.id, latest.author.id) == (
        second, "Senest skjulte idé", "open", "Grund to.", scene.admin.id, scene.author.id)
    older = await committed(db, lambda d: service.list_hidden_ideas(
        d.conn, scene.moderator, limit=1, cursor=page.next_cursor))
    assert [(i.id, i.previous_status) for i in older.items] == [(first, "promoted")]
    assert older.next_cursor is None
