"""Categories as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from ideabox.platform.validation import ONE_LINE
from ideabox.purposes.schemas import SLUG_PATTERN

CategorySlug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=60,
                                           description="lower-case letters, digits and "
                                                       "dashes; unique within the purpose")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80, extra_json_schema=ONE_LINE)]
Department = Annotated[str, msgspec.Meta(max_length=120, extra_json_schema=ONE_LINE,
                                         description="who handles the category's ideas; "
                                                     "empty: nobody in particular")]
Position = Annotated[int, msgspec.Meta(ge=0, le=10_000,
                                       description="lists show lower positions first")]
# How an idea names its category when it is posted or edited: the category's slug.
CategoryChoice = Annotated[str, msgspec.Meta(
    max_length=60, description="the slug of one of the purpose's categories (not retired); "
                               "null or \"\": none")]


class CategoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: CategorySlug
    name_da: Name
    name_en: Name
    department: Department = ""
    # Unset: after the purpose's other categories.
    position: Position | msgspec.UnsetType = msgspec.UNSET


class CategoryUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change. The slug stays: ideas and links name it.
    ``retired: true`` retires the category (no longer offered; its ideas keep it);
    ``false`` brings it back."""

    name_da: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: Name | msgspec.UnsetType = msgspec.UNSET
    department: Department | msgspec.UnsetType = msgspec.UNSET
    position: Position | msgspec.UnsetType = msgspec.UNSET
    retired: bool | msgspec.UnsetType = msgspec.UNSET


class Category(msgspec.Struct):
    id: int
    purpose: str
    slug: str
    name_da: str
    name_en: str
    department: str | None
    position: int
    retired: bool
    idea_count: int
    created_at: datetime
    retired_at: datetime | None = None


class IdeaCategory(msgspec.Struct, frozen=True):
    """An idea's category, as the idea carries it."""

    id: int
    slug: str
    name_da: str
    name_en: str
    retired: bool = False

    def name(self, language: str) -> str:
        """The name in the reader's language (Danish unless English is asked for)."""
        return self.name_en if language == "en" else self.name_da
