"""HTML pages for people: sign up, sign in and out, my page (my ideas, votes, follows
and notifications; where I am signed in, my password; my data; deleting my account) and
the administration's user list.

The session cookie is the one the JSON API sets, made by the same helpers."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.accounts import directory, mine, service, sign_ins
from ideabox.accounts.auth import (
    ends_this_browsers_session,
    expired_session_cookie,
    session_cookie,
)
from ideabox.accounts.schemas import (
    ROLES,
    Credentials,
    PasswordChange,
    RoleUpdate,
    UserCreate,
    Viewer,
)
from ideabox.accounts.tokens import SESSION_COOKIE
from ideabox.http import ratelimit
from ideabox.http.pages import forms, messages
from ideabox.http.pages.access import require_admin
from ideabox.http.pages.render import form_of, lang, local_path, page, see_other
from ideabox.http.routing import (
    AnyRequest,
    MaybeSignedIn,
    RequestDb,
    SignedIn,
    SignInId,
    Svc,
    UserId,
    Writer,
)
from ideabox.identity import signup
from ideabox.notifications.service import list_notifications
from ideabox.platform.errors import IdeaboxError
from ideabox.platform.settings import Settings

NextParam = Annotated[str | None, QueryParameter(name="next", max_length=500)]
QueryParam = Annotated[str | None, QueryParameter(max_length=200)]
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
SignInsCursor = Annotated[str | None, QueryParameter(name="sign_ins", max_length=512)]
ChangedParam = Annotated[str | None, QueryParameter(max_length=20)]
NOTIFICATIONS_SHOWN = 10
LIST_SHOWN = 8


def _settings(request: AnyRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _providers(request: AnyRequest) -> list[dict[str, str]]:
    """The OpenID providers the sign-in page offers, one button each."""
    return [{"name": p.name, "label": p.label} for p in _settings(request).oidc_providers]


async def _signed_in(request: AnyRequest, db: RequestDb, viewer: Viewer, back: str) -> Redirect:
    """Start a browser session (a new secret; the one the browser brought is ended)."""
    settings = _settings(request)
    session = await service.start_session(db, viewer, days=settings.session_days,
                                          replaces=request.cookies.get(SESSION_COOKIE))
    return see_other(back, cookies=[session_cookie(settings, session.token)])


class SignPages(Controller):
    @get("/signup")
    async def signup_form(self, viewer: MaybeSignedIn, next_url: NextParam = None) -> Template:
        return page("accounts/signup.html", viewer=viewer, errors={}, values={},
                    next=local_path(next_url))

    @post("/signup")
    async def signup(self, request: AnyRequest, db: RequestDb, services: Svc,
                     viewer: MaybeSignedIn) -> Template | Redirect:
        """Create a resident's account, mail the link that confirms its address, and sign
        them in (the pages then show a banner until the address is confirmed)."""
        form = await form_of(request)
        back = local_path(form.get("next"))
        status = 400
        try:
            data = forms.parse(form, UserCreate, lang(request))
            await ratelimit.signup(request)
            me = await signup.sign_up(db, services, data, lang(request),
                                      signup_address=ratelimit.signup_address(request))
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc, passthrough=())
            status = exc.status_code
        else:
            return await _signed_in(request, db, await service.get_viewer(db.conn, me.id), back)
        form.pop("password", None)  # never sent back to the browser
        return page("accounts/signup.html", status=status, viewer=viewer, errors=errors,
                    values=form, next=back)

    @get("/signin")
    async def signin_form(self, request: AnyRequest, viewer: MaybeSignedIn,
                          next_url: NextParam = None) -> Template:
        return page("accounts/signin.html", viewer=viewer, errors={}, values={},
                    next=local_path(next_url), providers=_providers(request))

    @post("/signin")
    async def signin(self, request: AnyRequest, db: RequestDb,
                     viewer: MaybeSignedIn) -> Template | Redirect:
        form = await form_of(request)
        back = local_path(form.get("next"))
        status = 400
        try:
            data = forms.parse(form, Credentials, lang(request))
            async with ratelimit.signin_attempt(request, data.email):
                found = await service.authenticate(db.conn, data)
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            status = exc.status_code
            errors = {"_form": (await forms.recover(db, lang(request), exc,
                                                    passthrough=())).popitem()[1]}
        else:
            return await _signed_in(request, db, found, back)
        form.pop("password", None)
        return page("accounts/signin.html", status=status, viewer=viewer, errors=errors,
                    values=form, next=back, providers=_providers(request))

    @get("/goodbye")
    async def goodbye(self, viewer: MaybeSignedIn) -> Template:
        """Shown once an account has been deleted."""
        return page("accounts/goodbye.html", viewer=viewer)

    @post("/signout")
    async def signout(self, request: AnyRequest, db: RequestDb) -> Redirect:
        """End the session on the server and forget the cookie; a session an OpenID
        provider started goes on to sign out there too."""
        token = request.cookies.get(SESSION_COOKIE)
        provider = await service.revoke_session(db.conn, token) if token else None
        settings = _settings(request)
        # Only for a provider still configured (its page finds out whether it has a
        # sign-out of its own).
        known = {p.name for p in settings.oidc_providers}
        target = f"/signout/oidc/{provider}" if provider in known else "/"
        return see_other(target, cookies=[expired_session_cookie(settings)])


# The lists of my page, each paged by a cursor of the same name.
MY_LISTS = ("notifications", "ideas", "votes", "follows", "sign_ins")


async def _my_page(request: AnyRequest, db: RequestDb, user: Viewer,
                   cursors: dict[str, str | None] | None = None, *, status: int = 200,
                   password_errors: dict[str, str] | None = None,
                   changed: str | None = None) -> Template:
    """My page, each list on the page its cursor says (none: the first)."""
    cursors = {name: (cursors or {}).get(name) for name in MY_LISTS}
    return page(
        "accounts/me.html", status=status, viewer=user, me=await service.get_me(db.conn, user),
        notifications=await list_notifications(db.conn, user, limit=NOTIFICATIONS_SHOWN,
                                               cursor=cursors["notifications"]),
        ideas=await mine.my_ideas(db.conn, user, limit=LIST_SHOWN, cursor=cursors["ideas"]),
        votes=await mine.my_votes(db.conn, user, limit=LIST_SHOWN, cursor=cursors["votes"]),
        follows=await mine.my_follows(db.conn, user, limit=LIST_SHOWN,
                                      cursor=cursors["follows"]),
        sign_ins=await sign_ins.list_sign_ins(db, user, current=request.state.auth_token_id,
                                              limit=LIST_SHOWN, cursor=cursors["sign_ins"]),
        cursors=cursors, password_errors=password_errors or {}, changed=changed)


class MyPages(Controller):
    path = "/me"

    @get("/")
    async def my_page(self, request: AnyRequest, db: RequestDb, user: SignedIn,
                      notifications: CursorParam = None, ideas: CursorParam = None,
                      votes: CursorParam = None, follows: CursorParam = None,
                      sign_ins_cursor: SignInsCursor = None,
                      changed: ChangedParam = None) -> Template:
        """My notifications, ideas, votes, follows and sign-ins, newest first; each list
        pages on by its own cursor, the others stay on their first page."""
        cursors = {"notifications": notifications, "ideas": ideas, "votes": votes,
                   "follows": follows, "sign_ins": sign_ins_cursor}
        return await _my_page(request, db, user, cursors, changed=changed)

    @post("/sign-ins/{sign_in_id:int}/end")
    async def end_sign_in(self, request: AnyRequest, db: RequestDb, writer: Writer,
                          sign_in_id: SignInId) -> Redirect:
        """End one of my sessions or tokens (404 for anyone else's); ending this
        browser's own signs it out."""
        await service.revoke_token(db.conn, writer, sign_in_id)
        if ends_this_browsers_session(request, sign_in_id):
            return see_other("/", cookies=[expired_session_cookie(_settings(request))])
        return see_other("/me#my-sign-ins")

    @post("/password")
    async def change_password(self, request: AnyRequest, db: RequestDb,
                              writer: Writer) -> Template | Redirect:
        """Change my password once the current one is checked (a wrong one counts as a
        failed sign-in); every other session and token of mine ends."""
        form = await form_of(request)
        status = 400
        try:
            data = forms.parse(form, PasswordChange, lang(request))
            me = await service.get_me(db.conn, writer)
            async with ratelimit.signin_attempt(request, me.email or f"user:{me.id}"):
                await service.change_password(db, writer, data,
                                              keep=request.state.auth_token_id)
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            status = exc.status_code
        else:
            return see_other("/me?changed=password#my-password")
        return await _my_page(request, db, writer, status=status, password_errors=errors)

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, request: AnyRequest, db: RequestDb,
                                  writer: Writer) -> Redirect:
        """End every session and token of mine, this browser's included."""
        await sign_ins.end_sign_ins(db.conn, writer)
        return see_other("/", cookies=[expired_session_cookie(_settings(request))])

    @get("/data")
    async def download(self, db: RequestDb, user: SignedIn) -> Response[bytes]:
        """Everything ideabox holds about me, as the JSON API gives it, to keep."""
        data = await service.export_my_data(db, user)
        return Response(msgspec.json.format(msgspec.json.encode(data)),
                        media_type="application/json",
                        headers={"Content-Disposition":
                                 'attachment; filename="ideabox-mine-data.json"'})

    @get("/delete")
    async def delete_form(self, user: SignedIn) -> Template:
        return page("accounts/delete.html", viewer=user, errors={})

    @post("/delete")
    async def delete(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc) -> Template | Redirect:
        """Anonymise my account, once I have confirmed that I mean it."""
        form = await form_of(request)
        if form.get("confirm") != "yes":
            return page("accounts/delete.html", status=400, viewer=writer,
                        errors={"confirm": messages.text(lang(request), "confirm_needed")})
        await service.delete_my_account(db, services, writer)
        return see_other("/goodbye", cookies=[expired_session_cookie(_settings(request))])


class UserAdminPages(Controller):
    path = "/admin/users"

    @get("/")
    async def users(self, db: RequestDb, user: SignedIn, q: QueryParam = None,
                    cursor: CursorParam = None) -> Template:
        """Find people by name or e-mail, and change their role."""
        require_admin(user)
        found = await directory.search_users(db.conn, user, q, cursor=cursor)
        return page("admin/users.html", viewer=user, users=found, q=q or "", roles=ROLES,
                    errors={})

    @post("/{user_id:int}/role")
    async def set_role(self, request: AnyRequest, db: RequestDb, writer: Writer,
                       services: Svc, user_id: UserId) -> Template | Redirect:
        form = await form_of(request)
        back = local_path(form.get("next"), "/admin/users")
        done = await forms.submit(db, lang(request), form, RoleUpdate,
                                  lambda data: service.set_role(db, services, writer, user_id,
                                                                data.role))
        if not isinstance(done, forms.Refused):
            return see_other(back)
        found = await directory.search_users(db.conn, writer, None)
        return page("admin/users.html", status=400, viewer=writer, users=found, q="",
                    roles=ROLES, errors=done.errors)


routes: list[ControllerRouterHandler] = [SignPages, MyPages, UserAdminPages]
