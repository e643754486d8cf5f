"""Two ``ideabox serve`` instances on one PostgreSQL and one Redis, as compose.yaml runs
them: people vote and take votes back through both at once, and right after the last
answer both instances (and Redis itself) show ``count(*)`` — never more, never less,
never negative. What is read is read at once: exact means exact at the first read, not
healed by the reconciler a second or two later."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import ideabox_env
from tests.factories import bearer, make_user, post_idea
from tests.faults.harness import (
    LOAD_SETTINGS,
    make_scene,
    redis_tallies,
    serve,
    tally_differences,
)

pytestmark = pytest.mark.slow

RACES = 17
VOTERS = 24
IDEAS = 3


async def test_both_instances_show_count_right_after_the_last_answer(
        database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> None:
    env = {**ideabox_env(database_url, redis_url, redis_prefix, tmp_path / "data"),
           **LOAD_SETTINGS}
    async with serve(env, tmp_path / "a.log", workers=2) as first, \
            serve(env, tmp_path / "b.log", workers=2) as second:
        conn = await asyncpg.connect(database_url)
        try:
            scene = await make_scene(conn, first.url, voters=VOTERS, ideas=0)
            _, author = await make_user(conn)
            rng = random.Random(24)
            async with httpx.AsyncClient(base_url=first.url, timeout=30) as via_first, \
                    httpx.AsyncClient(base_url=second.url, timeout=30) as via_second, \
                    redis_tallies(redis_url, redis_prefix) as tallies:
                instances = (via_first, via_second)
                for race in range(RACES):
                    # New ideas, then everybody votes for all of them at once, each vote
                    # through either instance; then everybody takes them back at once.
                    ideas = [(await post_idea(rng.choice(instances), author,
                                              scene.slug))["id"] for _ in range(IDEAS)]
                    scene = dataclasses.replace(scene, ideas=ideas)
                    for method, expected in (("PUT", VOTERS), ("DELETE", 0)):
                        calls = [rng.choice(instances).request(
                                     method, f"/api/v1/ideas/{idea}/vote", headers=bearer(token))
                                 for _, token in scene.voters for idea in scene.ideas]
                        rng.shuffle(calls)
                        answers = await asyncio.gather(*calls)
                        assert {a.status_code for a in answers} == {200}, race
                        where = (race, method)
                        for served in (first, second):
                            differences = await tally_differences(served.url, conn, tallies,
                                                                  scene)
                            assert differences == {}, (where, served.url, differences)
                        for http in instances:
                            shown = [(await http.get(f"/api/v1/ideas/{idea}")).json()["votes"]
                                     for idea in scene.ideas]
                            assert shown == [expected] * IDEAS, where
                            listed = (await http.get(f"/api/v1/purposes/{scene.slug}/ideas",
                                                     params={"sort": "top_month"})).json()
                            assert {i["id"]: i["votes"] for i in listed["items"]
                                    if i["id"] in scene.ideas} == dict.fromkeys(
                                        scene.ideas, expected), where
        finally:
            await conn.close()
