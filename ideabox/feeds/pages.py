"""The feeds' addresses, beside the pages they follow: ``/purposes/{slug}/feed.atom`` and
``/ideas/{id}/feed.atom``.

Public and the same for everybody, whoever is signed in: no session is read and no CSRF
cookie is set, so a shared cache may keep them a few minutes. A reader polling often
gets 304 for the ETag (a digest of the document) or the Last-Modified it was given.
The language is ``?lang=da|en`` when given (the pages link to their own language), else
the reader's, as the pages choose it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated
from urllib.parse import urlencode

from litestar import Response, get
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from litestar.types import ControllerRouterHandler

from ideabox.feeds import atom, service
from ideabox.feeds.schemas import Feed, FeedLang, Kind
from ideabox.http.pages.render import lang as reader_lang
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, Svc
from ideabox.http.security import NO_CSRF

MAX_AGE = 300
"""Seconds a cache may keep a feed without asking again."""

LangParam = Annotated[FeedLang | None, QueryParameter(
    description="The feed's language: da or en (unset: the reader's)")]
KindParam = Annotated[Kind, QueryParameter(
    description="all (default), ideas (only new ideas) or answers (only the "
                "administration's answers)")]


@get("/purposes/{slug:str}/feed.atom", opt=NO_CSRF, include_in_schema=False,
     name="purpose_feed")
async def purpose_feed(request: AnyRequest, db: RequestDb, services: Svc, slug: FromPath[str],
                       kind: KindParam = "all", lang: LangParam = None) -> Response[bytes]:
    """The purpose's new ideas and the administration's answers, newest first."""
    feed = await service.purpose_feed(db, slug, lang or _lang(request), kind)
    query = {"kind": kind} if kind != "all" else {}
    return _answer(request, services, feed, query, lang)


@get("/ideas/{idea_id:int}/feed.atom", opt=NO_CSRF, include_in_schema=False,
     name="idea_feed")
async def idea_feed(request: AnyRequest, db: RequestDb, services: Svc, idea_id: IdeaId,
                    lang: LangParam = None) -> Response[bytes]:
    """What happened to the idea: its public status history, newest first."""
    feed = await service.idea_feed(db, idea_id, lang or _lang(request))
    return _answer(request, services, feed, {}, lang)


def _lang(request: AnyRequest) -> FeedLang:
    return "en" if reader_lang(request) == "en" else "da"


def _answer(request: AnyRequest, services: Svc, feed: Feed, given: Mapping[str, str],
            lang: FeedLang | None) -> Response[bytes]:
    """The feed, or 304 when the reader has it already."""
    query = dict(given)
    if lang is not None:
        query["lang"] = lang
    site = services.settings.base_url.rstrip("/")
    self_url = site + request.url.path + (f"?{urlencode(query)}" if query else "")
    body = atom.render(feed, services.settings.base_url, self_url)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    modified = feed.updated.astimezone(UTC).replace(microsecond=0)
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
               "Cache-Control": f"public, max-age={MAX_AGE}"}
    if lang is None:
        # Without ?lang the language comes from these, so a cache must tell them apart.
        headers["Vary"] = "Accept-Language, Cookie"
    if _unchanged(request, etag, feed.updated):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=atom.MEDIA_TYPE, headers=headers)


def _unchanged(request: AnyRequest, etag: str, updated: datetime) -> bool:
    """Whether the reader's copy is current (RFC 9110 13.1: If-None-Match decides when
    sent; If-Modified-Since only without it)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # not a date: ignored, as RFC 9110 says
    if since.tzinfo is None:
        return False
    return updated.replace(microsecond=0) <= since


routes: list[ControllerRouterHandler] = [purpose_feed, idea_feed]
