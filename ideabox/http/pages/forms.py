"""HTML forms: read a posted form into the same msgspec Struct the JSON API takes, and
collect every field's error at once, so a form is re-rendered with all its mistakes
marked next to their fields (and summarised at the top)."""

from __future__ import annotations

import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, TypeVar

import msgspec

from ideabox.http.pages import messages
from ideabox.platform.db import Db
from ideabox.platform.errors import IdeaboxError
from ideabox.platform.validation import EMAIL_PATTERN

S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")


class FormInvalid(Exception):
    """The form cannot be used as it is; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class Refused(NamedTuple):
    """A form that was not taken: a message per field (``_form`` for the whole form),
    and the status to answer the form with again."""

    errors: dict[str, str]
    status: int


async def submit(db: Db, lang: str, form: Mapping[str, Any], struct: type[S],
                 act: Callable[[S], Awaitable[T]], *, fields: tuple[str, ...] | None = None,
                 passthrough: tuple[int, ...] = (401, 403, 404)) -> T | Refused:
    """Read ``form`` as ``struct`` and do ``act`` with it: what ``act`` answers, or, when
    the person can fix something (a field at fault, a refusal of the service), Refused,
    for the form to be shown again with it. Errors about the page itself (``passthrough``,
    see ``recover``) propagate."""
    try:
        data = parse(form, struct, lang, fields)
        return await act(data)
    except FormInvalid as exc:
        return Refused(exc.errors, 400)
    except IdeaboxError as exc:
        return Refused(await recover(db, lang, exc, passthrough=passthrough), exc.status_code)


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
                errors[name] = messages.text(lang, "blank")
            continue
        try:
            values[name] = msgspec.convert(raw, hint, strict=False)
        except msgspec.ValidationError:
            code, params = refusal(hint, raw)
            errors[name] = messages.text(lang, code, **params)
    if errors:
        raise FormInvalid(errors)
    return msgspec.convert(values, struct, strict=False)


def _unwrapped(info: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """The type under an ``Annotated[…, Meta(description=…)]``'s documentation."""
    return info.type if isinstance(info, msgspec.inspect.Metadata) else info


def refusal(hint: Any, raw: Any) -> tuple[str, dict[str, Any]]:
    """Why ``raw`` is not a ``hint``, as a message code and its values: read from the
    field's declared type and bounds, not from the converter's English."""
    info = _unwrapped(msgspec.inspect.type_info(hint))
    if isinstance(info, msgspec.inspect.UnionType):
        info = _unwrapped(next(
            (t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)), info))
    if isinstance(info, msgspec.inspect.StrType):
        text = str(raw)
        if info.min_length is not None and len(text) < info.min_length:
            return ("blank", {}) if not text.strip() else ("too_short", {"n": info.min_length})
        if info.max_length is not None and len(text) > info.max_length:
            return "too_long", {"n": info.max_length}
        if info.pattern is not None and not re.search(info.pattern, text):
            return ("not_an_email" if info.pattern == EMAIL_PATTERN else "wrong_form"), {}
        return "control_characters", {}
    if isinstance(info, msgspec.inspect.IntType):
        try:
            number = int(str(raw).strip())
        except ValueError:
            return "not_a_number", {}
        if info.ge is not None and number < info.ge:
            return "too_small", {"n": info.ge}
        if info.le is not None and number > info.le:
            return "too_big", {"n": info.le}
    return "choose_one", {}


def service_errors(lang: str, exc: IdeaboxError) -> dict[str, str]:
    """A service error as form errors: on its field if it names one, else on the form."""
    return {exc.field or "_form": messages.error_message(lang, exc)}


async def recover(db: Db, lang: str, exc: IdeaboxError,
                  passthrough: tuple[int, ...] = (401, 403, 404)) -> dict[str, str]:
    """Errors to show in the form for a service error the reader can fix. Whatever was
    written is rolled back first, so the page re-renders on a clean connection; errors
    that are about the page, not the form (sign-in, access, unknown), propagate."""
    if exc.status_code >= 500 or exc.status_code in passthrough:
        raise exc
    await db.rollback()
    return service_errors(lang, exc)
