"""The JSON API fuzzed from its own OpenAPI description, with schemathesis.

Every operation of ``/schema/openapi.json`` is sent generated requests, valid and not,
anonymously and as an admin, after a purpose with ideas, votes, comments, a promoted
month and notifications has been made, so that slugs, ids and months in the requests
often name real things. Every answer must be no server error, have a status code and a
content type the description lists for the operation, and a body that matches it.

The seed is fixed and the examples are bounded (``IDEABOX_FUZZ_EXAMPLES`` random ones per
operation, 12 unless set, beside the cases schemathesis derives from the description's
bounds), so a run asks the same questions every time: about 3,500, in about a minute.

The app under test runs in-process: schemathesis calls it as an ASGI app on an event loop
of its own (in a thread), where it runs the app's lifespan too. The data is made first
through the ``client`` app, another instance on the same PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
import schemathesis
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ideabox.http.app import create_app
from ideabox.platform.clock import FrozenClock
from ideabox.platform.settings import Settings
from ideabox.votes.reconcile import Reconciler
from tests.factories import bearer, make_user, post_idea, vote_as
from tests.promotion.scene import Scene, cph

pytestmark = pytest.mark.fuzz

SEED = 20261116
EXAMPLES = int(os.environ.get("IDEABOX_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

@dataclass(frozen=True)
class World:
    """What was made before the fuzzing: the values path and query parameters are drawn
    from, half of the time, so that requests reach real resources."""

    admin_token: str
    path_values: dict[str, list[Any]]
    query_values: dict[str, list[Any]]


@pytest.fixture
async def world(client, db) -> World:
    scene = await Scene(client, db).build(slug="havnen", voters=3)
    admin, admin_token = await make_user(db, role="admin", display_name="Fuzz Admin")
    promoted = await scene.idea("Bænke langs havnefronten", cph(2026, 9, 2, 10, 15))
    await scene.votes(promoted, range(3), cph(2026, 9, 10))
    # The admin's own vote: the promotion then tells them (a notification to read).
    await vote_as(client, [admin_token], promoted)
    comments: list[int] = []
    for body in ("Gerne med ryglæn.", "Enig!", "Og en skraldespand."):
        response = await client.post(f"/api/v1/ideas/{promoted}/comments",
                                     headers=bearer(scene.author_token),
                                     json={"body": body, "parent_id": comments[0] if comments
                                           else None})
        assert response.status_code == 201, response.text
        comments.append(response.json()["id"])
    assert (await scene.promote("2026-09")).status_code == 200
    assert (await scene.respond(promoted, "accepted", "Vi sætter bænke op.")).status_code == 201
    open_ideas = [await scene.idea(f"Lys på stien nummer {n}", cph(2026, 11, 2 + n, 9))
                  for n in range(3)]
    await scene.votes(open_ideas[0], range(2), cph(2026, 11, 10))
    # An idea and a comment of the admin's own, for the routes only their author may use.
    own_idea = (await post_idea(client, admin_token, scene.slug,
                                title="Flere bænke ved stranden"))["id"]
    response = await client.post(f"/api/v1/ideas/{open_ideas[0]}/comments",
                                 headers=bearer(admin_token), json={"body": "Godt forslag."})
    assert response.status_code == 201, response.text
    comments.append(response.json()["id"])
    notifications = await client.get("/api/v1/me/notifications", headers=bearer(admin_token))
    notification_ids = [item["id"] for item in notifications.json()["items"]]
    assert notification_ids
    return World(admin_token=admin_token, path_values={
        "slug": [scene.slug],
        "idea_id": [promoted, *open_ideas, own_idea],
        "comment_id": comments,
        "notification_id": notification_ids,
        "user_id": [scene.author.id, scene.voters[0][0].id, admin.id],
        "month": ["2026-09"],
    }, query_values={"month": ["2026-09"], "purpose": [scene.slug]})


async def _trust_the_cache(app: Litestar) -> None:
    # What the `client` fixture does before its first request: wait for start-up, then
    # one round of the reconciler, after which this instance believes Redis.
    await asyncio.wait_for(app.state.schema_ready.wait(), 30)
    await Reconciler(app.state.services).tick()


def _half_real(generated: dict[str, Any] | None, real: dict[str, list[Any]]) -> Any:
    """Either the generated values, or the same with the known names set to real ones."""
    known = {name: st.sampled_from(real[name]) for name in generated or () if name in real}
    if not known:
        return st.just(generated)
    return st.one_of(st.just(generated),
                     st.fixed_dictionaries(known).map(lambda chosen: {**generated, **chosen}))


def _fuzzed_api(settings: Settings, clock: FrozenClock,
                world: World) -> Iterator[schemathesis.BaseSchema]:
    # One client makes every request: the limits on writes and sign-ups per person or
    # address would soon answer nothing but 429.
    app = create_app(msgspec.structs.replace(settings, writes_per_minute=1_000_000,
                                             signups_per_address=1_000_000), clock)
    app.on_startup.append(_trust_the_cache)
    try:
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        schema.config.seed = SEED
        # No example database: it would replay earlier failures and break the fixed seed.
        schema.config.generation.update(max_examples=EXAMPLES, database="none")

        @schema.hook
        def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
            return _half_real(path_parameters, world.path_values)

        @schema.hook
        def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
            return _half_real(query, world.query_values)

        yield schema
    finally:
        # The lifespan schemathesis started, ended before the test's database goes.
        shutdown_lifespans()


@pytest.fixture
def anonymous_api(settings: Settings, clock: FrozenClock,
                  world: World) -> Iterator[schemathesis.BaseSchema]:
    yield from _fuzzed_api(settings, clock, world)


@pytest.fixture
def admin_api(settings: Settings, clock: FrozenClock,
              world: World) -> Iterator[schemathesis.BaseSchema]:
    yield from _fuzzed_api(settings, clock, world)


anonymous = schemathesis.pytest.from_fixture("anonymous_api")
# Each of these ends (or may end) the credential the rest of the admin's run is made with
# (signing out ends only a session cookie, but is left out with them); the anonymous run
# sends them.
as_admin = (schemathesis.pytest.from_fixture("admin_api")
            .exclude(method="DELETE", path="/api/v1/tokens/current")
            .exclude(method="DELETE", path="/api/v1/tokens/{token_id}")
            .exclude(method="POST", path="/api/v1/me/sign-out-everywhere")
            .exclude(method="DELETE", path="/api/v1/me")
            .exclude(method="DELETE", path="/api/v1/session"))


@anonymous.parametrize()
def test_anonymous_requests_get_the_answers_the_schema_describes(case):
    case.call_and_validate(checks=CHECKS)


@as_admin.parametrize()
def test_an_admins_requests_get_the_answers_the_schema_describes(case, world):
    case.call_and_validate(headers=bearer(world.admin_token), checks=CHECKS)
