"""Moderation in the browser: the forms to hide an idea and show it again (on the
idea's page, in disclosures, so they work without JavaScript), the moderators' page
with the ideas hidden now and the log, and the signals page: bursts of new accounts
voting alike, the accounts whose votes are held, and the log of those decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from litestar import get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages import forms
from ideabox.http.pages.messages import text
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, SignedIn, Svc, Writer
from ideabox.ideas.views import idea_page
from ideabox.moderation import holds, queue_pages, service, signals
from ideabox.moderation.schemas import ModerationReason, VoteHoldChange
from ideabox.platform.errors import Forbidden, IdeaboxError

PER_PAGE = 25
BURSTS_PER_PAGE = 10
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
DaysParam = Annotated[int, QueryParameter(ge=1, le=365)]
DAYS = 30


async def _moderate(request: AnyRequest, db: RequestDb, user: SignedIn, services: Svc,
                    idea_id: int, hide: bool) -> Template | Redirect:
    form = await form_of(request)
    act = service.hide_idea if hide else service.unhide_idea
    done = await forms.submit(db, lang(request), form, ModerationReason,
                              lambda data: act(db, services, user, idea_id, data))
    if not isinstance(done, forms.Refused):
        return see_other(f"/ideas/{idea_id}#moderation")
    return await idea_page(db, user, services, idea_id, status=done.status,
                           moderation_action="hide" if hide else "unhide",
                           moderation_errors=done.errors, moderation_values=form)


@post("/ideas/{idea_id:int}/hide")
async def hide(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
               idea_id: IdeaId) -> Template | Redirect:
    """Hide the idea with a reason for its author; the form again with what to fix."""
    return await _moderate(request, db, writer, services, idea_id, hide=True)


@post("/ideas/{idea_id:int}/unhide")
async def unhide(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                 idea_id: IdeaId) -> Template | Redirect:
    """Show the hidden idea again, with the status it had, and a reason for its author."""
    return await _moderate(request, db, writer, services, idea_id, hide=False)


@get("/admin/moderation")
async def moderation_page(db: RequestDb, user: SignedIn, log: CursorParam = None,
                          hidden: CursorParam = None) -> Template:
    """The ideas hidden now and the moderation log, each paging on by its own cursor."""
    if not user.is_moderator:
        raise Forbidden("moderators_only_page")
    return page("admin/moderation.html", viewer=user,
                hidden=await service.list_hidden_ideas(db.conn, user, limit=PER_PAGE,
                                                       cursor=hidden),
                log=await service.moderation_log(db.conn, user, limit=PER_PAGE, cursor=log),
                cursors={"hidden": hidden, "log": log})


@get("/admin/signals")
async def signals_page(db: RequestDb, user: SignedIn, services: Svc, days: DaysParam = DAYS,
                       bursts: CursorParam = None, held: CursorParam = None,
                       log: CursorParam = None) -> Template:
    """Bursts of new accounts voting alike, the accounts held now and the decisions made,
    each list paging on by its own cursor."""
    if not user.is_moderator:
        raise Forbidden("moderators_only_page")
    return await _signals(db, user, services, days,
                          cursors={"bursts": bursts, "held": held, "log": log})


async def _signals(db: RequestDb, user: SignedIn, services: Svc, days: int, *,
                   cursors: dict[str, str | None], form: str = "",
                   errors: dict[str, str] | None = None,
                   values: Mapping[str, object] | None = None, status: int = 200) -> Template:
    return page("admin/signals.html", status=status, viewer=user, days=days,
                settings=services.settings,
                bursts=await signals.find_bursts(db, services.settings, user, days=days,
                                                 limit=BURSTS_PER_PAGE,
                                                 cursor=cursors.get("bursts")),
                held=await holds.list_holds(db.conn, user, limit=PER_PAGE,
                                            cursor=cursors.get("held")),
                log=await holds.hold_decisions(db.conn, user, limit=PER_PAGE,
                                               cursor=cursors.get("log")),
                cursors=cursors, form=form, errors=errors or {}, values=values or {})


def _decision_form(fields: dict[str, list[str]], language: str) -> VoteHoldChange:
    """The accounts ticked and the reason, as the JSON API takes them."""
    errors: dict[str, str] = {}
    ids = []
    for raw in fields.get("user_id", []):
        try:
            ids.append(int(raw))
        except ValueError:
            errors["user_ids"] = text(language, "not_a_number")
    if not ids and "user_ids" not in errors:
        errors["user_ids"] = text(language, "choose_accounts")
    reason = (fields.get("reason") or [""])[-1]
    if not reason.strip():
        errors["reason"] = text(language, "blank")
    if errors:
        raise forms.FormInvalid(errors)
    return VoteHoldChange(user_ids=ids, reason=reason)


async def _decide(request: AnyRequest, db: RequestDb, user: SignedIn, services: Svc,
                  *, hold: bool) -> Template | Redirect:
    posted = await request.form()
    fields = {key: [v for v in posted.getall(key) if isinstance(v, str)]
              for key in posted}
    back = (fields.get("form") or [""])[-1]
    try:
        days = max(1, min(365, int((fields.get("days") or [str(DAYS)])[-1])))
    except ValueError:
        days = DAYS
    status = 400
    try:
        data = _decision_form(fields, lang(request))
        await (holds.hold_votes if hold else holds.release_votes)(db, user, data)
    except forms.FormInvalid as exc:
        errors = exc.errors
    except IdeaboxError as exc:
        errors = await forms.recover(db, lang(request), exc, passthrough=(401, 403))
        status = exc.status_code
    else:
        return see_other(f"/admin/signals?days={days}#{back or 'held-votes'}")
    values = {"reason": (fields.get("reason") or [""])[-1],
              "user_ids": set(fields.get("user_id", []))}
    return await _signals(db, user, services, days, cursors={}, form=back, errors=errors,
                          values=values, status=status)


@post("/admin/signals/hold")
async def hold_votes(request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc) -> Template | Redirect:
    """Hold the ticked accounts' votes out of the count, with the reason; the page again
    with what to fix."""
    return await _decide(request, db, writer, services, hold=True)


@post("/admin/signals/release")
async def release_votes(request: AnyRequest, db: RequestDb, writer: Writer,
                        services: Svc) -> Template | Redirect:
    """Let the ticked accounts' votes count again, with the reason."""
    return await _decide(request, db, writer, services, hold=False)


routes: list[ControllerRouterHandler] = [hide, unhide, moderation_page, signals_page,
                                         hold_votes, release_votes, *queue_pages.routes]
