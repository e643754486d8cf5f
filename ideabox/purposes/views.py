"""A purpose's page, as any controller that shows it renders it (its own route, and the
ideas' posting form, which shows it again with the form's errors)."""

from __future__ import annotations

from litestar.response import Template

from ideabox.categories.service import categories_of
from ideabox.digest.follows import follows
from ideabox.http.pages.render import page
from ideabox.http.routing import MaybeSignedIn, RequestDb, Svc
from ideabox.ideas import listing
from ideabox.ideas.schemas import Sort
from ideabox.identity.eligibility import missing
from ideabox.purposes import service
from ideabox.sharing.meta import for_purpose

PAGE_SIZE = 20


async def purpose_page(db: RequestDb, viewer: MaybeSignedIn, services: Svc, slug: str, *,
                        sort: Sort | None = None, q: str | None = None,
                        category: str | None = None,
                        cursor: str | None = None, errors: dict[str, str] | None = None,
                        values: dict[str, str] | None = None, status: int = 200) -> Template:
    purpose = await service.get_purpose(db, services.settings, slug)
    # A search lists by relevance unless a sort is chosen; otherwise the month's votes lead.
    shown_sort = sort if q and q.strip() else sort or "top_month"
    category = category.strip() if category and category.strip() else None
    ideas = await listing.list_ideas(db.conn, services, viewer, slug, sort=shown_sort,
                                     q=q, category=category, limit=PAGE_SIZE, cursor=cursor)
    every_category = await categories_of(db.conn, purpose.id, include_retired=True)
    # A retired category is no longer offered for new ideas, but the ideas filed under
    # it can still be shown.
    offered = [c for c in every_category if not c.retired]
    filters = [c for c in every_category
               if not c.retired or c.idea_count or c.slug == category]
    in_audience = viewer is not None and viewer.role in service.PARTICIPANTS[purpose.audience]
    # What the signed-in person still has to do to take part, said beside the form.
    lacking = missing(verified=viewer.verified, resident=viewer.resident,
                      eligibility=purpose.eligibility) if viewer is not None else None
    # Whether the signed-in person follows it (its new ideas in their weekly digest).
    following = viewer is not None and await follows(db.conn, viewer, purpose.id)
    return page("purposes/show.html", status=status, viewer=viewer, purpose=purpose,
                ideas=ideas, sort=shown_sort, q=q or "", cursor=cursor, following=following,
                category=category or "", categories=offered, category_filters=filters,
                share=for_purpose(purpose, services.settings.base_url),
                may_post=in_audience and lacking is None, in_audience=in_audience,
                lacking=lacking, errors=errors or {}, values=values or {})
