"""Liveness and readiness, as a load balancer needs them.

``/readyz`` is 200 whenever PostgreSQL answers and the schema is current: a Redis outage
degrades the service (reads come from PostgreSQL) but does not take it out of rotation.
"""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.services import Services

CHECK_TIMEOUT = 2.0


class Liveness(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    postgres: str
    redis: str
    schema: str
    # Whether this worker leads the shared background work (ideabox.election); says
    # nothing of readiness, but it is where an operator or a test looks.
    leader: bool


@get("/healthz", tags=["health"], summary="Liveness: the process answers")
async def healthz() -> Liveness:
    return Liveness(status="ok")


async def _postgres_ok(services: Services) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            async with services.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
    except CONNECTION_ERRORS:
        return False
    return True


@get("/readyz", tags=["health"],
     summary="Readiness: PostgreSQL answers and the schema is current",
     responses={503: ResponseSpec(data_container=Readiness,
                                  description="PostgreSQL is down or migrations are pending")})
async def readyz(state: State) -> Response[Readiness]:
    services: Services = state.services
    postgres, redis = await asyncio.gather(_postgres_ok(services), services.cache.ping())
    schema_ready: bool = state.schema_ready.is_set()
    body = Readiness(
        postgres="ok" if postgres else "down",
        redis="ok" if redis else "down",
        schema="ok" if schema_ready else "pending",
        leader=state.elector is not None and state.elector.leading,
    )
    return Response(body, status_code=200 if postgres and schema_ready else 503)
