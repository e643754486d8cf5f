"""Every error the service raises carries a code with a text, so the API can name it and
the pages and mails can translate it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ideabox
from ideabox.platform.errors import Conflict, Invalid, NotFound
from ideabox.platform.messages import MESSAGES

PACKAGE = Path(ideabox.__file__).parent
ERRORS = {"IdeaboxError", "Invalid", "Unauthorized", "Forbidden", "NotFound", "Conflict",
          "UnsupportedMediaType", "TooManyRequests", "Unavailable", "BadGateway",
          "GatewayTimeout"}


def _raised_codes() -> list[tuple[str, str]]:
    """(where, code) of every error built with literal arguments in the package."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ERRORS):
                continue
            # Invalid(field, code, …); the others (code, …)
            index = 1 if node.func.id == "Invalid" else 0
            if len(node.args) > index and isinstance(node.args[index], ast.Constant):
                found.append((f"{path.relative_to(PACKAGE)}:{node.lineno}",
                              node.args[index].value))
    return found


def test_the_package_raises_errors_by_code() -> None:
    assert len(_raised_codes()) > 50  # the walk finds the raise sites


@pytest.mark.parametrize(("where", "code"), _raised_codes())
def test_every_raised_code_has_a_message(where: str, code: str) -> None:
    assert code in MESSAGES, f"{where}: {code!r} has no text in ideabox.platform.messages"


def test_an_error_says_its_code_to_the_api() -> None:
    missing = NotFound("idea_not_found", id=7)
    assert missing.extra == {"code": "idea_not_found"}
    assert "7" in missing.detail
    bad = Invalid("title", "too_long", n=140)
    assert bad.extra == [{"key": "title", "message": "must be at most 140 characters",
                          "source": "body", "code": "too_long"}]
    assert bad.detail == "Invalid title: must be at most 140 characters"
    assert Conflict("idea_hidden").message == MESSAGES["idea_hidden"]
