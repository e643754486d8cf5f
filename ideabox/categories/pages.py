"""The administration's page for a purpose's categories: the list in its order, a form
to add one, and for each a form to change it, retire it (or bring it back) or delete
it. Plain posts with the CSRF token; no JavaScript needed. The service checks every
action again."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.accounts.schemas import Viewer
from ideabox.categories import service
from ideabox.categories.paths import CategoryParam
from ideabox.categories.schemas import CategoryCreate, CategoryUpdate
from ideabox.http.pages import forms, messages
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, RequestDb, SignedIn, Svc, Writer
from ideabox.platform.errors import IdeaboxError
from ideabox.purposes.service import get_purpose

DoneParam = Annotated[str | None, QueryParameter(max_length=20)]
# What the page confirms after a form came back (``?done=``).
DONE = ("added", "changed", "retired", "restored", "deleted")


def _base(slug: str) -> str:
    return f"/admin/purposes/{slug}/categories"


class CategoryPages(Controller):
    path = "/admin/purposes/{slug:str}/categories"

    @get("/")
    async def index(self, db: RequestDb, user: SignedIn, services: Svc, slug: FromPath[str],
                    done: DoneParam = None) -> Template:
        """The purpose's categories, retired ones too, and the form to add one."""
        service.ensure_may_manage(user)
        return await _index(db, services, user, slug, done=done)

    @post("/")
    async def create(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc, slug: FromPath[str]) -> Template | Redirect:
        form = await form_of(request)
        made = await forms.submit(db, lang(request), form, CategoryCreate,
                                  lambda data: service.create_category(db, writer, slug, data))
        if not isinstance(made, forms.Refused):
            return see_other(f"{_base(slug)}?done=added#category-{made.slug}")
        return await _index(db, services, writer, slug, status=made.status,
                            errors=made.errors, values=form)

    @post("/{category:str}/edit")
    async def edit(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                   slug: FromPath[str], category: CategoryParam) -> Template | Redirect:
        """Names, department and position; an emptied department means none."""
        form = await form_of(request)
        form.setdefault("department", "")
        fields = ("name_da", "name_en", "department", "position")
        # The form always sends both names, so an emptied one is a mistake to point out,
        # not a field left unchanged (as ``forms.parse`` takes empty optional fields).
        blank = {name: messages.text(lang(request), "blank") for name in ("name_da", "name_en")
                 if not form.get(name, "").strip()}
        if blank:
            try:
                forms.parse(form, CategoryUpdate, lang(request), fields=fields)
            except forms.FormInvalid as exc:
                blank = {**exc.errors, **blank}
            return await _index(db, services, writer, slug, status=400,
                                edit_errors={category: blank}, edit_values={category: form})

        async def change(data: CategoryUpdate) -> Any:
            if form["department"].strip() == "":
                data.department = ""  # the form's empty field: no department
            return await service.update_category(db, writer, slug, category, data,
                                                 ideas=services.ideas)

        done = await forms.submit(db, lang(request), form, CategoryUpdate, change,
                                  fields=fields)
        if not isinstance(done, forms.Refused):
            return see_other(f"{_base(slug)}?done=changed#category-{category}")
        return await _index(db, services, writer, slug, status=done.status,
                            edit_errors={category: done.errors}, edit_values={category: form})

    @post("/{category:str}/retire")
    async def retire(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                     slug: FromPath[str], category: CategoryParam) -> Redirect:
        """Retire the category (``retired=true``) or bring it back (``false``)."""
        form = await form_of(request)
        retired = form.get("retired") != "false"
        await service.update_category(db, writer, slug, category,
                                      CategoryUpdate(retired=retired), ideas=services.ideas)
        done = "retired" if retired else "restored"
        return see_other(f"{_base(slug)}?done={done}#category-{category}")

    @post("/{category:str}/delete")
    async def remove(self, request: AnyRequest, db: RequestDb, writer: Writer,
                     services: Svc, slug: FromPath[str],
                     category: CategoryParam) -> Template | Redirect:
        try:
            await service.delete_category(db, writer, slug, category)
        except IdeaboxError as exc:
            errors = await forms.recover(db, lang(request), exc)
            return await _index(db, services, writer, slug, status=exc.status_code,
                                edit_errors={category: errors})
        return see_other(f"{_base(slug)}?done=deleted")


async def _index(db: RequestDb, services: Svc, viewer: Viewer, slug: str, *,
                 status: int = 200, done: str | None = None,
                 errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                 edit_errors: dict[str, dict[str, str]] | None = None,
                 edit_values: dict[str, dict[str, str]] | None = None) -> Template:
    purpose = await get_purpose(db, services.settings, slug)
    categories = await service.list_categories(db.conn, slug, include_retired=True)
    return page("categories/admin.html", status=status, viewer=viewer, purpose=purpose,
                categories=categories, done=done if done in DONE else None,
                errors=errors or {}, values=values or {}, edit_errors=edit_errors or {},
                edit_values=edit_values or {})


routes: list[ControllerRouterHandler] = [CategoryPages]
