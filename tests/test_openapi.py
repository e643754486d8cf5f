"""The OpenAPI description says what the routes check and what they answer."""

from __future__ import annotations

from typing import Any

import pytest

METHODS = ("get", "put", "post", "patch", "delete")


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


async def test_request_bodies_say_they_take_no_other_fields(description):
    schemas = description["components"]["schemas"]
    for method, path, operation in _operations(description):
        if "requestBody" in operation:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert schemas[ref.rsplit("/", 1)[1]]["additionalProperties"] is False, (method, path)
