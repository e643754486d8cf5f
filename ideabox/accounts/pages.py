"""HTML pages for people: sign up, sign in and out, my page (my ideas, votes, follows
and notifications; my data; deleting my account) and the administration's user list.

The session cookie is the one the JSON API sets, made by the same helpers."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox import ratelimit
from ideabox.accounts import directory, mine, service
from ideabox.accounts.auth import expired_session_cookie, session_cookie
from ideabox.accounts.schemas import ROLES, Credentials, RoleUpdate, UserCreate, Viewer
from ideabox.accounts.tokens import SESSION_COOKIE
from ideabox.errors import IdeaboxError
from ideabox.notifications.service import list_notifications
from ideabox.routing import AnyRequest, MaybeSignedIn, RequestDb, SignedIn
from ideabox.settings import Settings
from ideabox.votes.reading import tallies_of
from ideabox.web import forms, messages
from ideabox.web.access import require_admin
from ideabox.web.render import form_of, lang, local_path, page, see_other

NextParam = Annotated[str | None, QueryParameter(name="next", max_length=500)]
QueryParam = Annotated[str | None, QueryParameter(max_length=200)]
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]
NOTIFICATIONS_SHOWN = 10
LIST_SHOWN = 8


def _settings(request: AnyRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


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
    async def signup(self, request: AnyRequest, db: RequestDb,
                     viewer: MaybeSignedIn) -> Template | Redirect:
        """Create a resident's account and sign them in."""
        form = await form_of(request)
        back = local_path(form.get("next"))
        status = 400
        try:
            data = forms.parse(form, UserCreate, lang(request))
            await ratelimit.signup(request)
            me = await service.register_user(db, data)
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc, passthrough=())
            status = exc.status_code
        else:
            new = Viewer(id=me.id, display_name=me.display_name, role=me.role)
            return await _signed_in(request, db, new, back)
        form.pop("password", None)  # never sent back to the browser
        return page("accounts/signup.html", status=status, viewer=viewer, errors=errors,
                    values=form, next=back)

    @get("/signin")
    async def signin_form(self, viewer: MaybeSignedIn, next_url: NextParam = None) -> Template:
        return page("accounts/signin.html", viewer=viewer, errors={}, values={},
                    next=local_path(next_url))

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
                    values=form, next=back)

    @get("/goodbye")
    async def goodbye(self, viewer: MaybeSignedIn) -> Template:
        """Shown once an account has been deleted."""
        return page("accounts/goodbye.html", viewer=viewer)

    @post("/signout")
    async def signout(self, request: AnyRequest, db: RequestDb) -> Redirect:
        """End the session on the server and forget the cookie."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.revoke_session(db.conn, token)
        return see_other("/", cookies=[expired_session_cookie(_settings(request))])


class MyPages(Controller):
    path = "/me"

    @get("/")
    async def my_page(self, db: RequestDb, user: SignedIn, notifications: CursorParam = None,
                      ideas: CursorParam = None, votes: CursorParam = None,
                      follows: CursorParam = None) -> Template:
        """My notifications, ideas, votes and follows, newest first; each list pages on
        by its own cursor, the others stay on their first page."""
        cursors = {"notifications": notifications, "ideas": ideas, "votes": votes,
                   "follows": follows}
        return page(
            "accounts/me.html", viewer=user, me=await service.get_me(db.conn, user),
            notifications=await list_notifications(db.conn, user, limit=NOTIFICATIONS_SHOWN,
                                                   cursor=notifications),
            ideas=await mine.my_ideas(db.conn, user, limit=LIST_SHOWN, cursor=ideas),
            votes=await mine.my_votes(db.conn, user, limit=LIST_SHOWN, cursor=votes),
            follows=await mine.my_follows(db.conn, user, limit=LIST_SHOWN, cursor=follows),
            cursors=cursors)

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
    async def delete(self, request: AnyRequest, db: RequestDb,
                     user: SignedIn) -> Template | Redirect:
        """Anonymise my account, once I have confirmed that I mean it."""
        form = await form_of(request)
        if form.get("confirm") != "yes":
            return page("accounts/delete.html", status=400, viewer=user,
                        errors={"confirm": messages.field_message(
                            lang(request), "Tick the box to confirm")})
        await service.delete_my_account(db, tallies_of(request.app.state), user)
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
    async def set_role(self, request: AnyRequest, db: RequestDb, user: SignedIn,
                       user_id: FromPath[int]) -> Template | Redirect:
        form = await form_of(request)
        back = local_path(form.get("next"), "/admin/users")
        try:
            data = forms.parse(form, RoleUpdate, lang(request))
            await service.set_role(db, tallies_of(request.app.state), user, user_id, data.role)
        except forms.FormInvalid as exc:
            errors = exc.errors
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc, passthrough=(401, 403, 404))
        else:
            return see_other(back)
        found = await directory.search_users(db.conn, user, None)
        return page("admin/users.html", status=400, viewer=user, users=found, q="",
                    roles=ROLES, errors=errors)


routes: list[ControllerRouterHandler] = [SignPages, MyPages, UserAdminPages]
