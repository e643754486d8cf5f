"""Liveness and readiness, including a Redis that has gone away."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import msgspec

from ideabox.http.app import create_app
from ideabox.platform.embedded import EmbeddedRedis
from ideabox.platform.settings import Settings
from tests.conftest import running, serving


async def test_healthz_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_both_services(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    # The background work is off in tests: no worker leads.
    assert response.json() == {"postgres": "ok", "redis": "ok", "schema": "ok",
                               "leader": False}
    assert response.headers["x-request-id"]


async def test_readyz_stays_200_with_redis_stopped(settings: Settings, tmp_path: Path):
    own_redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    url = own_redis.start()
    app = create_app(msgspec.structs.replace(settings, redis_url=url))
    try:
        async with serving(app) as client:
            assert (await client.get("/readyz")).json()["redis"] == "ok"
            own_redis.stop()
            started = time.monotonic()
            response = await client.get("/readyz")
            assert time.monotonic() - started < 1.5
            assert response.status_code == 200
            assert response.json() == {"postgres": "ok", "redis": "down", "schema": "ok",
                                       "leader": False}
            # And it notices when Redis is back.
            own_redis.start()
            assert (await client.get("/readyz")).json()["redis"] == "ok"
    finally:
        own_redis.stop()


async def test_readyz_is_503_while_postgres_is_unreachable(settings: Settings):
    unreachable = "postgresql://nobody:x@127.0.0.1:1/none"
    app = create_app(msgspec.structs.replace(settings, database_url=unreachable, db_timeout=0.5))
    async with running(app):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["postgres"] == "down"
        # The process itself is alive: it started and answers.
        assert (await client.get("/healthz")).status_code == 200


async def test_unknown_paths_answer_the_error_shape(client):
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "Not Found"}


async def test_openapi_schema_is_served(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert "/readyz" in schema["paths"]
