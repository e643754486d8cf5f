"""The JSON API of e-mail confirmation: follow a link's token, or ask for a new link."""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler

from ideabox.accounts import service as accounts
from ideabox.accounts.schemas import Me
from ideabox.http import ratelimit
from ideabox.http.pages.templating import language_of
from ideabox.http.routing import BEARER, AnyRequest, RequestDb, SignedIn, Svc, errors
from ideabox.http.security import NO_CSRF
from ideabox.identity import email, signup


class Confirmation(msgspec.Struct, forbid_unknown_fields=True):
    token: str


class LinkSent(msgspec.Struct):
    """A new confirmation link is on its way to ``email``; it lasts ``valid_hours``."""

    email: str
    valid_hours: int


class EmailVerificationController(Controller):
    tags = ("accounts",)

    @post("/email-verifications", status_code=200, opt=NO_CSRF,
          summary="Confirm an e-mail address", responses=errors(400, 409, 415, 429))
    async def confirm(self, db: RequestDb, data: JSONBody[Confirmation]) -> Me:
        """Use the token of a confirmation link (single use, valid 48 hours): the account
        answers with `email_verified: true`. An unknown, used or expired token is 400
        naming `token`; an address confirmed already is 409."""
        user_id = await email.confirm(db, data.token)
        return await accounts.get_account(db.conn, user_id)

    @post("/me/email-verification", status_code=202, security=BEARER,
          summary="Send me a new confirmation link", responses=errors(401, 409, 429))
    async def resend(self, request: AnyRequest, db: RequestDb, user: SignedIn,
                     services: Svc) -> LinkSent:
        """Mail a fresh confirmation link to my address (a few an hour); 409 if it is
        confirmed already."""
        await ratelimit.verification_mail(request, user.id)
        sent_to = await signup.send_new_link(db, services, user, language_of(request))
        return LinkSent(email=sent_to, valid_hours=email.VERIFICATION_HOURS)


routes: list[ControllerRouterHandler] = [EmailVerificationController]
