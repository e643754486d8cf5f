"""Who may open the administration's pages. The service functions check every action
again; this only keeps the forms from being shown to people who cannot use them."""

from __future__ import annotations

from ideabox.accounts.schemas import Viewer
from ideabox.http.pages.i18n import N_
from ideabox.platform.errors import Forbidden

ADMINS_ONLY = N_("Only administrators can open this page")


def require_admin(viewer: Viewer) -> Viewer:
    if not viewer.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return viewer
