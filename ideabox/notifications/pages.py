"""Following an idea, reading one's notifications, choosing them and unsubscribing from
their e-mails, in the browser."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.render import form_of, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, MaybeSignedIn, RequestDb, SignedIn, Writer
from ideabox.http.security import NO_CSRF
from ideabox.notifications import preferences, service, unsubscribe
from ideabox.notifications.preferences import Channels, NotificationPreferences
from ideabox.platform.errors import Invalid
from ideabox.platform.settings import Settings


@post("/ideas/{idea_id:int}/follow")
async def follow(request: AnyRequest, db: RequestDb, writer: Writer, idea_id: IdeaId) -> Redirect:
    """Follow an idea (notifications when its status changes), or stop following it."""
    if (await form_of(request)).get("action") == "unfollow":
        await service.unfollow_idea(db.conn, writer, idea_id)
    else:
        await service.follow_idea(db, writer, idea_id)
    return see_other(f"/ideas/{idea_id}#follow")


@post("/me/notifications/read")
async def read_all(db: RequestDb, writer: Writer) -> Redirect:
    """Mark every notification read."""
    await service.mark_all_read(db, writer)
    return see_other("/me#my-notifications")


@get("/me/notification-preferences")
async def preferences_page(db: RequestDb, user: SignedIn,
                           saved: Annotated[str | None, QueryParameter(max_length=5)] = None
                           ) -> Template:
    """Per kind of notification: in the app, by e-mail."""
    return page("notifications/preferences.html", viewer=user, topics=preferences.TOPICS,
                mail_only=preferences.MAIL_ONLY, saved=saved is not None,
                chosen=await preferences.get_preferences(db.conn, user))


@post("/me/notification-preferences")
async def save_preferences(request: AnyRequest, db: RequestDb, writer: Writer) -> Redirect:
    """Keep the choices of the form: a box left unticked is a channel turned off."""
    form = await form_of(request)
    chosen = NotificationPreferences(**{
        topic: Channels(in_app=topic not in preferences.MAIL_ONLY
                        and form.get(f"{topic}-in_app") == "on",
                        email=form.get(f"{topic}-email") == "on")
        for topic in preferences.TOPICS})
    await preferences.put_preferences(db, writer, chosen)
    return see_other("/me/notification-preferences?saved=1")


Token = Annotated[str, Parameter(max_length=200, description="The signed unsubscribe token")]


@get("/unsubscribe/{token:str}")
async def unsubscribe_page(request: AnyRequest, viewer: MaybeSignedIn, token: Token) -> Template:
    """What the link of a mail would stop, with a button. Looking changes nothing: mail
    scanners follow links."""
    _, topic = unsubscribe.read_token(_settings(request).secret_key, token)
    return page("notifications/unsubscribe.html", viewer=viewer, topic=topic, token=token,
                done=False)


# A mail program posts with no session and no CSRF token (RFC 8058): the signed token is
# the authority, so this one address is exempt from the CSRF check.
@post("/unsubscribe/{token:str}", opt=NO_CSRF, status_code=200)
async def unsubscribe_now(request: AnyRequest, db: RequestDb, viewer: MaybeSignedIn,
                          token: Token) -> Template:
    """Turn the token's topic off by e-mail (one click, RFC 8058); again: no change."""
    user_id, topic = unsubscribe.read_token(_settings(request).secret_key, token)
    if (await form_of(request)).get("List-Unsubscribe") != "One-Click":
        raise Invalid("List-Unsubscribe", "unsubscribe_one_click")
    await preferences.set_channels(db.conn, user_id, topic, email=False)
    return page("notifications/unsubscribe.html", viewer=viewer, topic=topic, token=token,
                done=True)


def _settings(request: AnyRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


routes: list[ControllerRouterHandler] = [follow, read_all, preferences_page, save_preferences,
                                         unsubscribe_page, unsubscribe_now]
