"""One-click unsubscribe (RFC 8058) for every notification e-mail and the digest.

Each mail carries ``List-Unsubscribe: <https://…/unsubscribe/TOKEN>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; a mail program then offers an
"unsubscribe" button that POSTs ``List-Unsubscribe=One-Click`` to that address, without
a session and without a CSRF token. So the token alone says who and what: it names the
person and the topic and is signed with the app's secret key (HMAC-SHA256), so nobody
can make one for somebody else, or change the topic of their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage

from ideabox.notifications.preferences import TOPICS, Topic
from ideabox.platform.errors import Invalid
from ideabox.platform.settings import Settings

ONE_CLICK = "List-Unsubscribe=One-Click"
# What the signature is over begins with this, so a signature made with the same key for
# another purpose can never pass for an unsubscribe token.
_PURPOSE = b"ideabox-unsubscribe"


def _signature(secret: str, user_id: int, topic: str) -> str:
    mac = hmac.new(secret.encode(), b"%s:%d:%s" % (_PURPOSE, user_id, topic.encode()),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def make_token(secret: str, user_id: int, topic: Topic) -> str:
    """The token that turns ``topic``'s e-mails off for the person ``user_id``."""
    return f"{user_id}.{topic}.{_signature(secret, user_id, topic)}"


def read_token(secret: str | None, token: str) -> tuple[int, Topic]:
    """The person and topic a token names; ``Invalid`` if it was not made by us."""
    parts = token.split(".")
    if secret and len(parts) == 3 and parts[0].isdigit() and parts[1] in TOPICS:
        user_id, topic = int(parts[0]), parts[1]
        if hmac.compare_digest(parts[2], _signature(secret, user_id, topic)):
            return user_id, topic
    raise Invalid("token", "unsubscribe_token_invalid", source="path")


def unsubscribe_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/unsubscribe/{token}"


def add_headers(message: EmailMessage, settings: Settings, user_id: int,
                topic: Topic) -> str | None:
    """Give a notification e-mail its one-click unsubscribe headers; the address, for the
    mail's text (None without a secret key to sign with)."""
    if not settings.secret_key:
        return None
    url = unsubscribe_url(settings, make_token(settings.secret_key, user_id, topic))
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = ONE_CLICK
    return url
