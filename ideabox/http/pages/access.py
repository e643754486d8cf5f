"""Who may open the administration's pages. The service functions check every action
again; this only keeps the forms from being shown to people who cannot use them."""

from __future__ import annotations

from ideabox.accounts.schemas import Viewer
from ideabox.platform.errors import Forbidden


def require_admin(viewer: Viewer) -> Viewer:
    if not viewer.is_admin:
        raise Forbidden("admins_only_page")
    return viewer
