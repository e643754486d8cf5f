"""How HTML routes are mounted: one router that gives them the HTML error pages and the
CSRF rule, the static files, and the language switcher."""

from __future__ import annotations

from litestar import Router, post
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.errors import HTML_EXCEPTION_HANDLERS
from ideabox.http.pages.render import form_of, local_path, see_other
from ideabox.http.pages.templating import STATIC_DIR
from ideabox.http.routing import AnyRequest, MaybeSignedIn, RequestDb
from ideabox.http.security import CSRF_ALWAYS
from ideabox.notifications.service import remember_language
from ideabox.platform.i18n import LANG_COOKIE, LANGUAGES

YEAR = 365 * 24 * 3600


def pages_router(handlers: list[ControllerRouterHandler]) -> Router:
    """Every HTML route. Each page sets the CSRF cookie, and every form post is checked,
    signed in or not: sign-up, sign-in and the language switch included."""
    return Router("/", route_handlers=[switch_language, *handlers], request_class=HTMXRequest,
                  opt={CSRF_ALWAYS: True}, exception_handlers=HTML_EXCEPTION_HANDLERS,
                  include_in_schema=False)


def static_router() -> Router:
    """The stylesheet, scripts and icons. Their URLs carry a digest of the files
    (``static()`` in the templates), so browsers may keep them for a year."""
    return create_static_files_router(
        path="/static", directories=[STATIC_DIR], include_in_schema=False,
        cache_control=CacheControlHeader(public=True, max_age=YEAR, immutable=True),
    )


@post("/language", status_code=303)
async def switch_language(request: AnyRequest, db: RequestDb,
                          viewer: MaybeSignedIn) -> Redirect:
    """Remember the reader's choice of language (for the e-mails too, when signed in)
    and go back to where they were."""
    form = await form_of(request)
    chosen = form.get("lang")
    back = local_path(form.get("next"))
    if chosen not in LANGUAGES:
        return see_other(back)
    if viewer is not None:
        await remember_language(db.conn, viewer, chosen)
    settings = request.app.state.settings
    cookie = Cookie(key=LANG_COOKIE, value=chosen, path="/", max_age=YEAR, httponly=True,
                    samesite="lax", secure=settings.secure_cookies)
    return see_other(back, cookies=[cookie])
