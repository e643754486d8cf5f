"""JSON routes for a purpose's categories: anyone reads them; staff and administrators
keep them. Each route calls one service function."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromQuery, JSONBody
from litestar.types import ControllerRouterHandler

from ideabox.categories import service
from ideabox.categories.paths import CategoryParam
from ideabox.categories.schemas import Category, CategoryCreate, CategoryUpdate
from ideabox.http.routing import BEARER, PurposeSlug, RequestDb, Svc, Writer, errors
from ideabox.platform.pagination import Page


class CategoriesController(Controller):
    path = "/purposes/{slug:str}/categories"
    tags = ["categories"]

    @get("/", summary="A purpose's categories, in their order", responses=errors(400, 404))
    async def list_all(self, db: RequestDb, slug: PurposeSlug,
                       include_retired: FromQuery[bool] = False) -> Page[Category]:
        """Retired categories (kept for the ideas filed under them, no longer offered) are
        left out unless `include_retired=true`."""
        return Page(items=await service.list_categories(db.conn, slug,
                                                        include_retired=include_retired))

    @post("/", summary="Add a category to a purpose (staff, admin)", security=BEARER,
          responses=errors(400, 401, 403, 404, 409, 415, 429))
    async def create(self, db: RequestDb, writer: Writer, slug: PurposeSlug,
                     data: JSONBody[CategoryCreate]) -> Category:
        return await service.create_category(db, writer, slug, data)

    @get("/{category:str}", summary="One category", responses=errors(400, 404))
    async def get_one(self, db: RequestDb, slug: PurposeSlug,
                      category: CategoryParam) -> Category:
        return await service.get_category(db.conn, slug, category)

    @patch("/{category:str}", summary="Rename, reorder or retire a category (staff, admin)",
           security=BEARER, responses=errors(400, 401, 403, 404, 415, 429))
    async def update(self, db: RequestDb, writer: Writer, services: Svc, slug: PurposeSlug,
                     category: CategoryParam, data: JSONBody[CategoryUpdate]) -> Category:
        """`retired: true` stops offering it; the ideas filed under it keep it."""
        return await service.update_category(db, writer, slug, category, data,
                                             ideas=services.ideas)

    @delete("/{category:str}", status_code=204,
            summary="Delete a category no idea is filed under (staff, admin)", security=BEARER,
            responses=errors(400, 401, 403, 404, 409, 429))
    async def remove(self, db: RequestDb, writer: Writer, slug: PurposeSlug,
                     category: CategoryParam) -> None:
        """409 while ideas are filed under it: retire it instead."""
        await service.delete_category(db, writer, slug, category)


routes: list[ControllerRouterHandler] = [CategoriesController]
