"""The OpenAPI 3.1 document, generated from the operation table and its msgspec types."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from elektromail.http.schemas import MESSAGE_ID_PATTERN

if TYPE_CHECKING:
    from elektromail.http.operations import Operation

REF_TEMPLATE = "#/components/schemas/{name}"
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def _query_parameters(query: type[msgspec.Struct]) -> list[dict[str, Any]]:
    """One ``in: query`` parameter per field of a query struct."""
    (schema,), components = msgspec.json.schema_components([query], ref_template=REF_TEMPLATE)
    struct_schema = components[schema["$ref"].rsplit("/", 1)[1]]
    required = set(struct_schema.get("required", ()))
    parameters: list[dict[str, Any]] = []
    for name, field_schema in struct_schema["properties"].items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        # Documentation tools show a parameter's own description, not the one inside its schema.
        if "description" in field_schema:
            parameter["description"] = field_schema.pop("description")
        parameter["schema"] = field_schema
        parameters.append(parameter)
    return parameters


# The schema of each path parameter, by name.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "uid": {"type": "integer", "minimum": 1, "maximum": 2**32 - 1},
    "id": {"type": "string", "pattern": MESSAGE_ID_PATTERN},
    "name": {"type": "string", "minLength": 1},
}


def openapi_document(operations: Sequence[Operation], version: str) -> dict[str, Any]:
    body_types: list[Any] = []
    for operation in operations:
        if operation.body is not None:
            body_types.append(operation.body)
        for response in operation.responses.values():
            if response.type is not None:
                body_types.append(response.type)
    schemas, components = msgspec.json.schema_components(body_types, ref_template=REF_TEMPLATE)
    schema_of = {id(kind): schema for kind, schema in zip(body_types, schemas, strict=True)}

    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        item: dict[str, Any] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "responses": {},
        }
        if operation.description:
            item["description"] = operation.description
        parameters: list[dict[str, Any]] = []
        for name in _PATH_PARAMETER.findall(operation.path):
            parameters.append({"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]})
        if operation.query is not None:
            parameters.extend(_query_parameters(operation.query))
        if parameters:
            item["parameters"] = parameters
        if operation.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of[id(operation.body)]}},
            }
        for status, response in sorted(operation.responses.items()):
            answer: dict[str, Any] = {"description": response.description}
            if response.type is not None:
                answer["content"] = {"application/json": {"schema": schema_of[id(response.type)]}}
            elif response.media_type is not None:
                answer["content"] = {response.media_type: {"schema": {"type": "string"}}}
            item["responses"][str(status)] = answer
        paths.setdefault(operation.path, {})[operation.method.lower()] = item

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "elektromail HTTP control plane",
            "version": version,
            "description": "Set up and inspect the state of an elektromail test mail server.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
    }
