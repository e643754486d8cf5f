"""Categories made through the JSON API, as an administrator would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import bearer


async def add_category(client: httpx.AsyncClient, token: str, purpose: str, slug: str,
                       name_da: str, name_en: str, **more: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/purposes/{purpose}/categories", headers=bearer(token),
                                 json={"slug": slug, "name_da": name_da, "name_en": name_en,
                                       **more})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made
