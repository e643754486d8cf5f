"""Where the OpenAPI description Litestar derives would say less than the service checks.

The description at ``/schema/openapi.json`` is a contract clients and the fuzz test read:
a request it allows must not be refused for a rule it does not state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

# Litestar's own description of msgspec Structs, which this one extends; it is not part
# of Litestar's public API, so tests/test_openapi.py checks that the extension holds.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema
    from litestar.typing import FieldDefinition


class ClosedStructsPlugin(StructSchemaPlugin):
    """Request bodies are Structs with ``forbid_unknown_fields``: msgspec refuses a field
    they do not declare (400 naming it), so their schema says
    ``additionalProperties: false``."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return (super().is_plugin_supported_field(field_definition)
                and _forbids_unknown_fields(field_definition.type_))

    def to_openapi_schema(self, field_definition: FieldDefinition,
                          schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


def _forbids_unknown_fields(struct: type[msgspec.Struct]) -> bool:
    return bool(struct.__struct_config__.forbid_unknown_fields)
