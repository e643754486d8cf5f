"""The OpenAPI description says what the routes check and what they answer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ideabox.http.routing import MAX_ID
from ideabox.platform.errors import Invalid
from ideabox.platform.months import FIRST_YEAR, LAST_YEAR, MONTH_PATTERN
from ideabox.platform.validation import LINE_PATTERN, TEXT_PATTERN, trimmed

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


async def test_every_error_is_described_in_the_one_error_shape(description):
    for method, path, operation in _operations(description):
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
    for method, path, operation in _operations(description):
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


def _accepted(text: str, *, multiline: bool) -> bool:
    try:
        trimmed(text, "text", 1, 100, multiline=multiline)
    except Invalid:
        return False
    return True


def test_the_text_patterns_allow_the_characters_the_checks_allow():
    for code in [*range(0x00, 0xA1), 0x2028, 0x2029]:
        text = f"a{chr(code)}b"  # inside the text: what trimming does not take away
        assert bool(re.match(LINE_PATTERN, text)) == _accepted(text, multiline=False), code
        assert bool(re.match(TEXT_PATTERN, text)) == _accepted(text, multiline=True), code


async def test_texts_people_write_state_the_characters_they_may_hold(description):
    schemas = description["components"]["schemas"]
    for struct, field, pattern in [
        ("IdeaCreate", "title", LINE_PATTERN), ("IdeaCreate", "body", TEXT_PATTERN),
        ("CommentCreate", "body", TEXT_PATTERN), ("PurposeCreate", "title", LINE_PATTERN),
        ("PurposeCreate", "statement", TEXT_PATTERN), ("ModerationReason", "reason", TEXT_PATTERN),
        ("ResponseCreate", "response", TEXT_PATTERN),
    ]:
        assert schemas[struct]["properties"][field]["pattern"] == pattern, (struct, field)
