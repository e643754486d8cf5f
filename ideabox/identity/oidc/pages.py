"""The browser's side of signing in through an OpenID provider: the address that sends it
there, the one it comes back to, and the stop on the way out to the provider's sign-out.

A sign-in that fails shows a page saying why, in the reader's language, with the way to
start again; never a 500.
"""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import Cookie
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.accounts import service as accounts
from ideabox.accounts.auth import session_cookie
from ideabox.accounts.tokens import SESSION_COOKIE
from ideabox.http.pages.messages import error_message
from ideabox.http.pages.render import lang, local_path, page, see_other
from ideabox.http.routing import AnyRequest, MaybeSignedIn, RequestDb, Svc
from ideabox.identity.oidc import flow
from ideabox.identity.oidc import pending as pending_sign_ins
from ideabox.platform.errors import IdeaboxError
from ideabox.platform.settings import Settings

log = logging.getLogger(__name__)

ProviderName = Annotated[str, Parameter(max_length=40, description="The provider's name")]
NextParam = Annotated[str | None, QueryParameter(name="next", max_length=500)]
# Bounds well above what providers send, so that nothing absurd is read.
Code = Annotated[str | None, QueryParameter(max_length=4096)]
# "state" is the name of Litestar's own state: the parameter is read under another.
State = Annotated[str | None, QueryParameter(name="state", max_length=200)]
ErrorCode = Annotated[str | None, QueryParameter(max_length=200)]
ErrorText = Annotated[str | None, QueryParameter(max_length=2000)]
Issuer = Annotated[str | None, QueryParameter(max_length=2000)]


def _pending_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    # Lax, so that the browser sends it when the provider sends it back here (a top-level
    # GET from another site); HttpOnly, as no script needs it.
    return Cookie(key=pending_sign_ins.COOKIE, value=value, path=pending_sign_ins.COOKIE_PATH,
                  httponly=True, samesite="lax", secure=settings.secure_cookies,
                  max_age=max_age, expires=0 if max_age == 0 else None)


def _failed(request: AnyRequest, viewer: object, exc: IdeaboxError, back: str) -> Template:
    return page("accounts/oidc_failed.html", status=exc.status_code, viewer=viewer,
                message=error_message(lang(request), exc), next=back)


class OidcPages(Controller):
    path = "/"

    @get("/signin/oidc/{name:str}")
    async def begin(self, request: AnyRequest, services: Svc, viewer: MaybeSignedIn,
                    name: ProviderName, next_url: NextParam = None) -> Redirect | Template:
        """Send the browser to the provider to sign in; it comes back to the callback."""
        back = local_path(next_url)
        try:
            url, pending = await flow.start(services, name, back, lang(request))
        except IdeaboxError as exc:
            return _failed(request, viewer, exc, back)
        settings = services.settings
        assert settings.secret_key
        cookie = _pending_cookie(settings, pending_sign_ins.seal(settings.secret_key, pending),
                                 int(pending_sign_ins.LIFETIME.total_seconds()))
        return see_other(url, cookies=[cookie])

    @get("/signin/oidc/{name:str}/callback")
    async def callback(self, request: AnyRequest, db: RequestDb, services: Svc,
                       viewer: MaybeSignedIn, name: ProviderName, code: Code = None,
                       oauth_state: State = None, error: ErrorCode = None,
                       error_description: ErrorText = None,
                       iss: Issuer = None) -> Redirect | Template:
        """Finish the sign-in the provider sends the browser back from: sign the person
        in and send them where they were going."""
        settings = services.settings
        assert settings.secret_key
        pending = pending_sign_ins.unseal(settings.secret_key,
                                          request.cookies.get(pending_sign_ins.COOKIE), db.now)
        answer = flow.Callback(code=code, state=oauth_state, error=error,
                               error_description=error_description, iss=iss)
        # Whatever happens, this sign-in is over: its cookie goes.
        spent = _pending_cookie(settings, "", 0)
        try:
            person, provider, back = await flow.finish(db, services, name, pending, answer)
            session = await accounts.start_session(
                db, person, days=settings.session_days,
                replaces=request.cookies.get(SESSION_COOKIE), provider=provider.name)
        except IdeaboxError as exc:
            await db.rollback()
            failed = _failed(request, viewer, exc, pending.next if pending else "/")
            failed.cookies.append(spent)
            return failed
        return see_other(back, cookies=[session_cookie(settings, session.token), spent])

    @get("/signout/oidc/{name:str}")
    async def sign_out_there(self, services: Svc, viewer: MaybeSignedIn,
                             name: ProviderName) -> Template | Redirect:
        """On the way out of ideabox, on to the provider's sign-out. A page of its own
        rather than a redirect from the sign-out form: the pages' CSP lets a form lead
        only to this site (form-action 'self'), redirects included."""
        url = await flow.end_session_url(services, name)
        if url is None:
            return see_other("/")
        return page("accounts/oidc_signed_out.html", viewer=viewer, url=url,
                    provider=services.oidc.providers[name].label)


routes: list[ControllerRouterHandler] = [OidcPages]
