"""The accounts JSON API: sign-up, tokens, the browser session, roles, the person's data.

Routes only translate HTTP to service calls; the rules live in ``service``.
"""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler

from ideabox.accounts import service, sign_ins
from ideabox.accounts.auth import (
    ends_this_browsers_session,
    expired_session_cookie,
    session_cookie,
)
from ideabox.accounts.schemas import (
    Credentials,
    DataExport,
    Me,
    PasswordChange,
    RoleUpdate,
    SignIn,
    Token,
    UserCreate,
)
from ideabox.accounts.tokens import SESSION_COOKIE
from ideabox.http import ratelimit
from ideabox.http.pages.templating import language_of
from ideabox.http.routing import (
    BEARER,
    AnyRequest,
    Cursor,
    Limit,
    RequestDb,
    SignedIn,
    SignInId,
    Svc,
    UserId,
    Writer,
    errors,
)
from ideabox.http.security import CSRF_ALWAYS, NO_CSRF
from ideabox.identity import signup
from ideabox.platform.pagination import Page
from ideabox.platform.settings import Settings

# Signing in is checked even though the browser brings no session yet: otherwise a
# hostile page could sign a visitor in to the attacker's account (login CSRF).
CHECK_CSRF = {CSRF_ALWAYS: True}
# These answer 204 with no body (and an expired session cookie where one ends); their
# return type would otherwise describe a JSON body.
ENDED = {204: ResponseSpec(None, description="Done; nothing follows")}


class AccountController(Controller):
    tags = ("accounts",)

    @post("/users", status_code=201, opt=NO_CSRF, summary="Sign up",
          responses=errors(400, 409, 415, 429))
    async def sign_up(self, request: AnyRequest, db: RequestDb, services: Svc,
                      data: JSONBody[UserCreate]) -> Me:
        """Create an account (role `resident`); 409 if the e-mail is already registered.
        A link to confirm the address is mailed (in the language of `Accept-Language`,
        Danish by default); until it is followed, the account may read and follow ideas
        but not vote, post or comment (`email_verified: false`)."""
        await ratelimit.signup(request)
        return await signup.sign_up(db, services, data, language_of(request),
                                    signup_address=ratelimit.signup_address(request))

    @post("/tokens", status_code=201, opt=NO_CSRF, summary="Create an API token",
          responses=errors(400, 401, 415, 429))
    async def create_token(self, request: AnyRequest, db: RequestDb,
                           data: JSONBody[Credentials]) -> Token:
        """Exchange e-mail and password for a bearer token; it lasts until revoked or
        until it has not been used for `IDEABOX_API_TOKEN_DAYS` days."""
        async with ratelimit.signin_attempt(request, data.email):
            viewer = await service.authenticate(db.conn, data)
        settings: Settings = request.app.state.settings
        return await service.create_api_token(db, viewer, days=settings.api_token_days)

    @delete("/tokens/current", status_code=204, security=BEARER,
            summary="Revoke the token of this request", responses=errors(401))
    async def revoke_current_token(self, request: AnyRequest, db: RequestDb,
                                   writer: Writer) -> None:
        """Revoke the credential this request was made with; it answers 401 from now on."""
        await service.revoke_token(db.conn, writer, request.state.auth_token_id)

    @get("/tokens", security=BEARER, summary="My sign-ins: API tokens and browser sessions",
         responses=errors(400, 401))
    async def list_tokens(self, request: AnyRequest, db: RequestDb, user: SignedIn,
                          limit: Limit = 20, cursor: Cursor = None) -> Page[SignIn]:
        """Every token and session of mine still valid, newest first; `current` marks the
        one this request was made with. Never a secret."""
        return await sign_ins.list_sign_ins(db, user, current=request.state.auth_token_id,
                                            limit=limit, cursor=cursor)

    @delete("/tokens/{token_id:int}", status_code=204, security=BEARER,
            summary="End one of my sign-ins",
            responses={**errors(400, 401, 403, 404), **ENDED})
    async def revoke_token(self, request: AnyRequest, db: RequestDb, writer: Writer,
                           token_id: SignInId) -> Response[None]:
        """Revoke one of my tokens or sessions by its id (404 for anyone else's). Ending
        the session of this browser expires its cookie too."""
        await service.revoke_token(db.conn, writer, token_id)
        cookies = []
        if ends_this_browsers_session(request, token_id):
            cookies.append(expired_session_cookie(request.app.state.settings))
        return Response(None, status_code=204, cookies=cookies)

    @get("/me", security=BEARER, summary="The signed-in user", responses=errors(401))
    async def me(self, db: RequestDb, user: SignedIn) -> Me:
        return await service.get_me(db.conn, user)

    @patch("/users/{user_id:int}", security=BEARER, summary="Set a user's role (admin)",
           responses=errors(400, 401, 403, 404, 409, 415, 429))
    async def set_role(self, db: RequestDb, writer: Writer, services: Svc, user_id: UserId,
                       data: JSONBody[RoleUpdate]) -> Me:
        return await service.set_role(db, services, writer, user_id, data.role)

    @get("/me/export", security=BEARER, summary="Everything ideabox holds about me",
         responses=errors(401))
    async def export_my_data(self, db: RequestDb, user: SignedIn) -> DataExport:
        return await service.export_my_data(db, user)

    @delete("/me", status_code=204, security=BEARER, summary="Delete my account",
            responses={**errors(401, 403, 429), **ENDED})
    async def delete_my_account(self, request: AnyRequest, db: RequestDb, writer: Writer,
                                services: Svc) -> Response[None]:
        """Anonymise the account and end every sign-in; ideas and comments stay."""
        await service.delete_my_account(db, services, writer)
        return Response(None, status_code=204,
                        cookies=[expired_session_cookie(request.app.state.settings)])

    @post("/me/password", status_code=204, security=BEARER, summary="Change my password",
          responses=errors(400, 401, 403, 415, 429))
    async def change_password(self, request: AnyRequest, db: RequestDb, writer: Writer,
                              data: JSONBody[PasswordChange]) -> None:
        """Check the current password (400 naming `current_password` if wrong, counted as a
        failed sign-in), set the new one, and end every other session and token of mine;
        the one this request was made with goes on."""
        me = await service.get_me(db.conn, writer)
        async with ratelimit.signin_attempt(request, me.email or f"user:{me.id}"):
            await service.change_password(db, writer, data, keep=request.state.auth_token_id)

    @post("/me/sign-out-everywhere", status_code=204, security=BEARER,
          summary="Sign out everywhere", responses={**errors(401, 403, 429), **ENDED})
    async def sign_out_everywhere(self, request: AnyRequest, db: RequestDb,
                                  writer: Writer) -> Response[None]:
        """End every session and token of mine, this one included, and expire the
        browser's cookie."""
        await sign_ins.end_sign_ins(db.conn, writer)
        return Response(None, status_code=204,
                        cookies=[expired_session_cookie(request.app.state.settings)])

    @post("/session", status_code=200, opt=CHECK_CSRF, summary="Sign in (browser)",
          responses=errors(400, 401, 403, 415, 429))
    async def sign_in(self, request: AnyRequest, db: RequestDb,
                      data: JSONBody[Credentials]) -> Response[Me]:
        """Set the session cookie, a new one at every sign-in."""
        settings: Settings = request.app.state.settings
        async with ratelimit.signin_attempt(request, data.email):
            viewer = await service.authenticate(db.conn, data)
        session = await service.start_session(db, viewer, days=settings.session_days,
                                              replaces=request.cookies.get(SESSION_COOKIE))
        return Response(session.user, cookies=[session_cookie(settings, session.token)])

    @delete("/session", status_code=204, summary="Sign out (browser)",
            responses={**errors(403), **ENDED})
    async def sign_out(self, request: AnyRequest, db: RequestDb) -> Response[None]:
        """End the session on the server and expire the cookie (204 even if none)."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.revoke_session(db.conn, token)
        return Response(None, status_code=204,
                        cookies=[expired_session_cookie(request.app.state.settings)])


routes: list[ControllerRouterHandler] = [AccountController]
