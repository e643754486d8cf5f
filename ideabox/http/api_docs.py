"""The JSON API's documentation at ``/schema``: Swagger UI, served by ideabox itself.

Its script and stylesheet come from the ``swagger-ui-py`` package, a pinned dependency,
at ``/schema/assets/…``; nothing is loaded from another site. The page is ideabox's own,
with no inline script or style, so it is under the same Content-Security-Policy as
every page; ``static/api-docs.js`` starts Swagger UI on it.
"""

from __future__ import annotations

import html
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import File

from ideabox.http.pages.templating import static_url

YEAR = 365 * 24 * 3600

# The only files of the package the page needs (it also ships an editor, never served).
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "LICENSE": "text/plain; charset=utf-8",
}


def _assets_dir() -> Path:
    return Path(str(resources.files("swagger_ui") / "static"))


def _version() -> str:
    return metadata.version("swagger-ui-py")


@get("/assets/{name:str}", include_in_schema=False, sync_to_thread=False,
     cache_control=CacheControlHeader(public=True, max_age=YEAR, immutable=True))
def swagger_asset(name: FromPath[str]) -> File:
    """One of Swagger UI's files; their URLs carry the package's version."""
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFoundException(f"No asset {name!r}")
    return File(_assets_dir() / name, media_type=media_type, content_disposition_type="inline")


class SwaggerPage(OpenAPIRenderPlugin):
    """``/schema``: the page that shows Swagger UI, and the route of its assets."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def receive_router(self, router: Router) -> None:
        router.register(swagger_asset)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(f"{openapi_schema['info']['title']} API")
        version = _version()
        spec = html.escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{static_url('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="/schema/assets/swagger-ui.css?v={version}">
</head>
<body>
<main id="swagger" data-spec="{spec}"></main>
<script src="/schema/assets/swagger-ui-bundle.js?v={version}"></script>
<script src="{static_url('api-docs.js')}"></script>
</body>
</html>
""".encode()
