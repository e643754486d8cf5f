"""The ids in the webhook routes' paths, shared by the JSON and the HTML routes."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from ideabox.http.routing import EXACT_MAX_ID, MAX_ID

WebhookId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The webhook's id",
                                     schema_extra=EXACT_MAX_ID)]
DeliveryId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The delivery's id",
                                      schema_extra=EXACT_MAX_ID)]
