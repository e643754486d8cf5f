"""Assisted participation as the API reads and writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.accounts.schemas import DisplayName, Role, User
from ideabox.platform.validation import LINES

OnBehalfOf = Annotated[int, msgspec.Meta(
    ge=1, le=2**63 - 1,
    description="Staff only: the id of a person registered for assisted participation "
                "(`POST /api/v1/assisted-people`) to act for. The act is theirs, marked "
                "`assisted`, and the audit log names the staff member.",
)]
NOTE_LIMITS = (1, 1000)
Note = Annotated[str, msgspec.Meta(
    min_length=NOTE_LIMITS[0], max_length=NOTE_LIMITS[1], extra_json_schema=LINES,
    description="How the person's identity was checked in person, e.g. the card shown",
    examples=["Sundhedskort vist ved borgerservice"],
)]

AuditAction = Literal["register_assisted", "post_idea_for", "comment_for", "vote_for",
                      "retract_vote_for"]
# What staff do for a person, as the audit log names it (its other actions are the
# moderators' decisions on held votes).
AUDIT_ACTIONS: tuple[AuditAction, ...] = ("register_assisted", "post_idea_for",
                                          "comment_for", "vote_for", "retract_vote_for")


class AssistedPersonCreate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: DisplayName
    note: Note
    # Staff saw proof of address in person: the person counts as a verified resident.
    resident: bool = False


class AssistedPerson(msgspec.Struct):
    """A person registered by staff: no e-mail, no password; staff act for them."""

    id: int
    display_name: str
    role: Role
    assisted: bool
    registered_by: User
    registered_at: datetime
    note: str
    resident: bool


class AuditEntry(msgspec.Struct):
    """Something a staff member did for a person. ``idea_title`` is null for an idea
    hidden since, unless the reader moderates."""

    id: int
    action: AuditAction
    actor: User
    subject_id: int | None
    idea_id: int | None
    idea_title: str | None
    comment_id: int | None
    detail: str | None
    created_at: datetime
