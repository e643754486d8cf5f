"""The OpenAPI description says what the routes check and what they answer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ideabox.months import FIRST_YEAR, LAST_YEAR, MONTH_PATTERN
from ideabox.routing import MAX_ID

METHODS = ("get", "put", "post", "patch", "delete")
# Their routes are being changed elsewhere; tests/test_fuzz.py lists what they lack.
NOT_YET = frozenset({"accounts"})


@pytest.fixture
async def description(client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def _operations(description: dict[str, Any], *,
                skip: frozenset[str] = frozenset()) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of the JSON API, but those tagged with one of ``skip``."""
    return [(method.upper(), path, operation)
            for path, item in description["paths"].items() if path.startswith("/api/")
            for method, operation in item.items()
            if method in METHODS and not skip & set(operation.get("tags", []))]


async def test_every_error_is_described_in_the_one_error_shape(description):
    for method, path, operation in _operations(description, skip=NOT_YET):
        answers = operation["responses"]
        # Any route answers 503 when PostgreSQL is out of reach.
        assert "503" in answers, (method, path)
        for code, answer in answers.items():
            if int(code) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)
        if operation.get("security"):
            assert "401" in answers, (method, path)
    body = description["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["detail", "status_code"]
    assert set(body["properties"]) == {"status_code", "detail", "extra"}


async def test_request_bodies_say_they_take_no_other_fields(description):
    schemas = description["components"]["schemas"]
    for method, path, operation in _operations(description):
        if "requestBody" in operation:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert schemas[ref.rsplit("/", 1)[1]]["additionalProperties"] is False, (method, path)


async def test_ids_are_bounded_by_the_exact_bigint(description):
    """Litestar writes bounds as floats, which would round 2**63 - 1 up to an id the route
    refuses."""
    for method, path, operation in _operations(description, skip=NOT_YET):
        for parameter in operation.get("parameters", []):
            if parameter["name"].endswith("_id"):
                assert parameter["schema"]["maximum"] == MAX_ID, (method, path)
                assert isinstance(parameter["schema"]["maximum"], int)


def test_the_month_pattern_accepts_the_months_parse_month_accepts():
    for year in range(10_000):
        assert bool(re.match(MONTH_PATTERN, f"{year:04d}-07")) \
            == (FIRST_YEAR <= year <= LAST_YEAR), year
    for month in range(100):
        assert bool(re.match(MONTH_PATTERN, f"2026-{month:02d}")) == (1 <= month <= 12), month
