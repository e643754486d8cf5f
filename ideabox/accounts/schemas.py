"""The people who use ideabox, as the API shows them, and what they send us."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from ideabox.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from ideabox.platform.validation import EMAIL_PATTERN

Role = Literal["resident", "staff", "moderator", "admin"]
ROLES: tuple[Role, ...] = ("resident", "staff", "moderator", "admin")

Email = Annotated[str, msgspec.Meta(
    min_length=3, max_length=254, pattern=EMAIL_PATTERN,
    description="E-mail address; compared without regard to case.",
    examples=["anna@example.dk"],
)]
NewPassword = Annotated[str, msgspec.Meta(
    min_length=MIN_LENGTH, max_length=MAX_LENGTH,
    description=f"At least {MIN_LENGTH} characters; no other rule.",
)]
DISPLAY_NAME_MAX = 80
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=DISPLAY_NAME_MAX,
                                          examples=["Anna Jensen"])]


class Viewer(msgspec.Struct, frozen=True):
    """The signed-in person making a request, as the service functions see them."""

    id: int
    display_name: str
    role: Role
    # A verified person (e-mail confirmed, an OpenID provider's sign-in, or registered
    # by staff in person), and a verified resident: what purposes' eligibility asks.
    verified: bool = False
    resident: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")


class User(msgspec.Struct):
    """A user as anyone may see them."""

    id: int
    display_name: str
    role: Role


class Me(msgspec.Struct):
    """A user with their e-mail: shown only to the person themself and to admins."""

    id: int
    display_name: str
    role: Role
    # None for someone signed in only through an OpenID provider that gives no address
    # (MitID), or registered by staff.
    email: str | None
    created_at: datetime
    email_verified: bool = False
    residency_verified: bool = False
    # "password", and "oidc:<provider>" for each OpenID provider linked to the account.
    sign_in_methods: list[str] = msgspec.field(default_factory=list)


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: NewPassword
    display_name: DisplayName


class Credentials(msgspec.Struct, forbid_unknown_fields=True):
    # No length rule beyond the cap: a sign-in only ever compares.
    email: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_LENGTH)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    # Like a sign-in, the current password is only compared.
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_LENGTH)]
    new_password: NewPassword


class Token(msgspec.Struct):
    """A bearer token for API clients; shown once, only its hash is kept."""

    token: str


class SignIn(msgspec.Struct):
    """One of the person's sign-ins: a browser session or an API token, never its secret.
    ``current`` marks the one the request was made with."""

    id: int
    kind: Literal["api", "session"]
    created_at: datetime
    last_used_at: datetime
    # Null only for a token an older instance made during an upgrade, until it is used.
    expires_at: datetime | None
    current: bool


class RoleUpdate(msgspec.Struct, forbid_unknown_fields=True):
    role: Role


class Session(msgspec.Struct):
    """A new browser session: the secret for the cookie, and who it belongs to."""

    token: str
    user: Me


# What a person gets from GET /me/export: everything ideabox holds about them.

class ExportedIdea(msgspec.Struct):
    """An idea; ``assisted``: staff posted it for the person."""

    id: int
    purpose: str
    title: str
    body: str
    status: str
    created_at: datetime
    updated_at: datetime
    assisted: bool = False


class ExportedComment(msgspec.Struct):
    """A comment; ``assisted``: staff wrote it for the person."""

    id: int
    idea_id: int
    parent_id: int | None
    body: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    assisted: bool = False


class ExportedVote(msgspec.Struct):
    """A vote; ``idea_title`` is null for an idea hidden from the person (``hidden``);
    ``assisted``: staff cast it for the person."""

    idea_id: int
    idea_title: str | None
    created_at: datetime
    hidden: bool = False
    assisted: bool = False


class ExportedFollow(msgspec.Struct):
    """A follow; ``idea_title`` is null for an idea hidden from the person (``hidden``)."""

    idea_id: int
    idea_title: str | None
    created_at: datetime
    hidden: bool = False


class ExportedNotification(msgspec.Struct):
    id: int
    idea_id: int | None
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class ExportedStatusChange(msgspec.Struct):
    idea_id: int
    from_status: str | None
    to_status: str
    trigger: str
    response: str | None
    created_at: datetime


class ExportedModerationAction(msgspec.Struct):
    """Something the person did as a moderator (hide, unhide, delete_comment)."""

    action: str
    idea_id: int
    comment_id: int | None
    reason: str | None
    created_at: datetime


class ExportedReport(msgspec.Struct):
    """An idea (``comment_id`` null) or a comment the person reported, and why."""

    idea_id: int
    comment_id: int | None
    reason: str
    text: str | None
    created_at: datetime


class ExportedAssistance(msgspec.Struct):
    """An entry of the audit log: staff (``actor_id``) registering, or posting,
    commenting or voting for, a person without digital access (``subject_id``). The
    person gets the entries about them; the staff member those they made."""

    action: str
    actor_id: int
    subject_id: int | None
    idea_id: int | None
    comment_id: int | None
    detail: str | None
    created_at: datetime


class ExportedToken(msgspec.Struct):
    """A sign-in (browser session or API token); never the secret itself."""

    kind: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None


class ExportedIdentity(msgspec.Struct):
    """An OpenID provider the person signs in through (never their subject there)."""

    provider: str
    created_at: datetime
    last_used_at: datetime


class ExportedNotificationSettings(msgspec.Struct):
    email: bool
    language: str | None


class ExportedPreference(msgspec.Struct):
    """A choice per topic of notifications (``ideabox.notifications.preferences``)."""

    topic: str
    in_app: bool
    email: bool


class ExportedPurposeFollow(msgspec.Struct):
    purpose_slug: str
    created_at: datetime


class DataExport(msgspec.Struct):
    profile: Me
    ideas: list[ExportedIdea]
    comments: list[ExportedComment]
    votes: list[ExportedVote]
    follows: list[ExportedFollow]
    notifications: list[ExportedNotification]
    status_changes: list[ExportedStatusChange]
    sign_ins: list[ExportedToken]
    exported_at: datetime
    notification_settings: list[ExportedNotificationSettings] = msgspec.field(
        default_factory=list)
    moderation_actions: list[ExportedModerationAction] = msgspec.field(default_factory=list)
    identities: list[ExportedIdentity] = msgspec.field(default_factory=list)
    assistance: list[ExportedAssistance] = msgspec.field(default_factory=list)
    reports: list[ExportedReport] = msgspec.field(default_factory=list)
    notification_preferences: list[ExportedPreference] = msgspec.field(default_factory=list)
    purpose_follows: list[ExportedPurposeFollow] = msgspec.field(default_factory=list)
