"""HTML forms: read a posted form into the same msgspec Struct the JSON API takes, and
collect every field's error at once, so a form is re-rendered with all its mistakes
marked next to their fields (and summarised at the top)."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from ideabox.http.pages import messages
from ideabox.platform.db import Db
from ideabox.platform.errors import IdeaboxError

S = TypeVar("S", bound=msgspec.Struct)


class FormInvalid(Exception):
    """The form cannot be used as it is; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def _hints(struct: type[msgspec.Struct]) -> dict[str, Any]:
    hints = typing.get_type_hints(struct, include_extras=True)
    return {name: hints[name] for name in struct.__struct_fields__}


def parse(form: Mapping[str, Any], struct: type[S], lang: str,
          fields: tuple[str, ...] | None = None) -> S:
    """``form`` as ``struct``; empty optional fields count as not given. Raises
    FormInvalid with a translated message for every field at fault."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    defaults = dict(zip(struct.__struct_fields__[-len(struct.__struct_defaults__):]
                        if struct.__struct_defaults__ else (),
                        struct.__struct_defaults__, strict=True))
    for name, hint in _hints(struct).items():
        if fields is not None and name not in fields:
            continue
        raw = form.get(name)
        if isinstance(raw, str) and raw.strip() == "" and name in defaults:
            continue
        if raw is None:
            if name not in defaults:
                errors[name] = messages.field_message(lang, "must not be blank")
            continue
        try:
            values[name] = msgspec.convert(raw, hint, strict=False)
        except msgspec.ValidationError as exc:
            errors[name] = messages.field_message(lang, str(exc))
    if errors:
        raise FormInvalid(errors)
    return msgspec.convert(values, struct, strict=False)


def service_errors(lang: str, exc: IdeaboxError) -> dict[str, str]:
    """A service error as form errors: on its field if it names one, else on the form."""
    field = messages.field_of(exc)
    return {field or "_form": messages.error_message(lang, exc)}


async def recover(db: Db, lang: str, exc: IdeaboxError,
                  passthrough: tuple[int, ...] = (401, 403, 404)) -> dict[str, str]:
    """Errors to show in the form for a service error the reader can fix. Whatever was
    written is rolled back first, so the page re-renders on a clean connection; errors
    that are about the page, not the form (sign-in, access, unknown), propagate."""
    if exc.status_code >= 500 or exc.status_code in passthrough:
        raise exc
    await db.rollback()
    return service_errors(lang, exc)
