"""The pages of e-mail confirmation: the link's page, whose one button confirms (a link
fetched by a mail scanner confirms nothing), and the banner's "send a new link"."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http import ratelimit
from ideabox.http.pages import messages
from ideabox.http.pages.render import form_of, lang, local_path, page
from ideabox.http.routing import AnyRequest, MaybeSignedIn, RequestDb, SignedIn, Svc
from ideabox.identity import email, signup
from ideabox.platform.errors import IdeaboxError

TokenParam = Annotated[str | None, QueryParameter(max_length=200)]


class EmailVerificationPages(Controller):
    @get("/verify-email")
    async def verify_form(self, viewer: MaybeSignedIn, token: TokenParam = None) -> Template:
        """The page a confirmation mail links to: it asks for one click."""
        return page("identity/verify.html", viewer=viewer, token=token or "", error=None,
                    confirmed=False)

    @post("/verify-email")
    async def verify(self, request: AnyRequest, db: RequestDb,
                     viewer: MaybeSignedIn) -> Template:
        form = await form_of(request)
        token = form.get("token", "")
        try:
            await email.confirm(db, token)
        except IdeaboxError as exc:
            if exc.status_code >= 500:
                raise
            await db.rollback()
            return page("identity/verify.html", status=exc.status_code, viewer=viewer,
                        token=token, error=messages.error_message(lang(request), exc),
                        confirmed=exc.code == "verification_already_done")
        # The banner goes at once: this page is drawn with the viewer as they are now.
        if viewer is not None:
            viewer = await signup.viewer_again(db, viewer)
        return page("identity/verify.html", viewer=viewer, token="", error=None,
                    confirmed=True)

    @post("/me/email-verification")
    async def resend(self, request: AnyRequest, db: RequestDb, user: SignedIn,
                     services: Svc) -> Template | Redirect:
        """The banner's button: mail a new link, and say so on the page it came from."""
        form = await form_of(request)
        back = local_path(form.get("next"))
        try:
            await ratelimit.verification_mail(request, user.id)
            sent_to = await signup.send_new_link(db, services, user, lang(request))
        except IdeaboxError as exc:
            if exc.status_code >= 500:
                raise
            await db.rollback()
            return page("identity/sent.html", status=exc.status_code, viewer=user,
                        email=None, error=messages.error_message(lang(request), exc),
                        back=back)
        return page("identity/sent.html", viewer=user, email=sent_to, error=None, back=back,
                    hours=email.VERIFICATION_HOURS)


routes: list[ControllerRouterHandler] = [EmailVerificationPages]
