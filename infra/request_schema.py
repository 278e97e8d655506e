"""The API Gateway request models: each operation's pydantic request schema (the runtime's
catalog, models/operations.py), rewritten as JSON Schema draft 4 (the only draft API Gateway
models accept), `ImageRequest`'s narrowed to the models the deployment enables, so that API
Gateway rejects what the handler would reject; the job request (any enabled operation's
request, named by `operation`); and the upload request.

An image input (`image`, `mask`, ...) is a union: a base64 string, `{"upload_id"}` or
`{"s3_key"}`, an `anyOf` whose object branches are `$ref`s, inlined here. The gateway's
models accept all three: which one a request may use depends on where it comes from (an API
request may not name an `s3_key`), and the handler says so more precisely than a failed
`anyOf` would."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_apigateway as apigw
from imagegen.models.image_formats import CONTENT_TYPES
from imagegen.models.operations import IMAGES, Operation
from imagegen.models.request import ImageRequest

DRAFT4 = "http://json-schema.org/draft-04/schema#"
# The field of a job request that names its operation (absent: images).
OPERATION_FIELD = "operation"

_DRAFT4_KEYWORDS = frozenset(
    {
        "$schema", "id", "title", "description", "default", "format",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "items", "additionalItems", "maxItems", "minItems", "uniqueItems",
        "properties", "patternProperties", "additionalProperties", "required",
        "maxProperties", "minProperties", "dependencies",
        "enum", "type", "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
# Later-draft annotations with no effect on validation: dropped.
_ANNOTATIONS = frozenset({"examples", "readOnly", "writeOnly", "deprecated", "$comment"})
_SUBSCHEMA = ("items", "additionalItems", "additionalProperties", "not")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA_MAPS = ("properties", "patternProperties")
# pydantic writes a Field's bounds under their own names when the field's type carries a
# validator of its own (an Annotated integer with a BeforeValidator): they mean these.
_PYDANTIC_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword that draft 4 cannot express."""


def to_draft4(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a pydantic (draft 2020-12) schema as a self-contained draft-4 schema.

    `$ref`s to `$defs` are inlined (API Gateway resolves references only to other models),
    `const` becomes a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum`
    the draft-4 boolean form, and `integer` a number that is a multiple of 1. A keyword draft 4
    lacks raises UnsupportedSchema rather than being dropped, since dropping it would let API
    Gateway accept what the handler rejects.
    """
    definitions = schema.get("$defs", {})
    converted = _convert(schema, definitions, resolving=())
    return {"$schema": DRAFT4, **converted}


def _convert(node: dict[str, Any], definitions: dict[str, Any], resolving: tuple[str, ...]) -> dict[str, Any]:
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        if name not in definitions:
            raise UnsupportedSchema(f"cannot resolve $ref {node['$ref']!r}")
        if name in resolving:
            raise UnsupportedSchema(f"recursive $ref {name!r} cannot be inlined")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _convert({**definitions[name], **siblings}, definitions, (*resolving, name))

    out: dict[str, Any] = {}
    for bound, keyword in _PYDANTIC_BOUNDS.items():
        if bound in node and keyword not in node:
            node = {**{k: v for k, v in node.items() if k != bound}, keyword: node[bound]}
    if node.get("type") == "integer":
        # Draft 4's integer refuses 5.0, which the runtime (like JSON Schema since draft 6) takes
        # as 5: a number that is a multiple of 1 says the same in draft 4.
        node = {**node, "type": "number", "multipleOf": 1}
    for key, value in node.items():
        if key in _ANNOTATIONS or key == "$defs" or (key == "default" and value is None):
            continue  # `default: null` says nothing, and CDK's JsonSchema could not carry it
        if key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out[key.replace("exclusiveM", "m")] = value
            out[key] = True
        elif key not in _DRAFT4_KEYWORDS:
            raise UnsupportedSchema(f"JSON Schema draft 4 has no {key!r}")
        elif key in _SUBSCHEMA and isinstance(value, dict):
            out[key] = _convert(value, definitions, resolving)
        elif (key == "items" and isinstance(value, list)) or key in _SUBSCHEMA_LISTS:
            out[key] = [_convert(item, definitions, resolving) for item in value]
        elif key in _SUBSCHEMA_MAPS:
            out[key] = {name: _convert(item, definitions, resolving) for name, item in value.items()}
        else:
            out[key] = copy.deepcopy(value)
    return out


def request_model_schema(enabled_models: Sequence[str]) -> dict[str, Any]:
    """The draft-4 schema of `ImageRequest`, its `model` enum narrowed to `enabled_models`."""
    schema = to_draft4(ImageRequest.model_json_schema())
    model_property = schema["properties"]["model"]
    enums = list(_enums(model_property))
    if not enums:
        raise UnsupportedSchema("ImageRequest.model has no enum to narrow")
    for enum in enums:
        missing = [alias for alias in enabled_models if alias not in enum]
        if missing:
            raise UnsupportedSchema(f"ImageRequest.model does not accept the enabled models {missing}")
        enum[:] = list(enabled_models)
    return schema


def operation_request_schema(operation: Operation, enabled_models: Sequence[str]) -> dict[str, Any]:
    """The draft-4 schema of an operation's request (`images`: narrowed to `enabled_models`)."""
    if operation.name == IMAGES:
        return request_model_schema(enabled_models)
    return to_draft4(operation.request.model_json_schema())


def job_request_schema(operations: Sequence[Operation], enabled_models: Sequence[str]) -> dict[str, Any]:
    """The draft-4 schema of POST /jobs: the request of any of `operations`, with `operation`
    naming it (absent: `images`).

    Each operation's schema forbids unknown fields, so each becomes a branch of an `anyOf` that
    also declares `operation` as exactly its own name (required but for `images`); the branches
    exclude each other by that value, so `anyOf` says what `oneOf` would, and stops at the first
    match. The top level repeats `operation` as an enum of every enabled name: an unknown or
    disabled operation fails with the validator's enum message, naming the possible values.
    With `images` disabled, no branch takes a request without `operation`.
    """
    names = [operation.name for operation in operations]
    branches = []
    for operation in operations:
        branch = dict(operation_request_schema(operation, enabled_models))
        branch.pop("$schema", None)
        branch["properties"] = {**branch.get("properties", {}), OPERATION_FIELD: {"enum": [operation.name]}}
        if operation.name != IMAGES:
            branch["required"] = [*branch.get("required", []), OPERATION_FIELD]
        branches.append(branch)
    return {
        "$schema": DRAFT4,
        "title": "JobRequest",
        "description": "The request of an enabled operation, named by operation (absent: images)",
        "type": "object",
        "properties": {
            OPERATION_FIELD: {
                "type": "string",
                "enum": names,
                "description": "The operation: its path without the leading slash; absent: images",
            }
        },
        "anyOf": branches,
    }


def upload_request_schema() -> dict[str, Any]:
    """The draft-4 schema of POST /uploads: an optional body naming the image's content type.

    API Gateway validates a request without a body as `{}`, which this accepts (no `required`:
    draft 4 has no empty `required` list, and API Gateway refuses a model that has one)."""
    return {
        "$schema": DRAFT4,
        "title": "UploadRequest",
        "description": "Optional: the content type the upload will have; absent, any of them",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "content_type": {
                "type": "string",
                "enum": list(CONTENT_TYPES.values()),
                "description": "The content type of the image to upload",
            }
        },
    }


def _enums(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                yield value
            else:
                yield from _enums(value)
    elif isinstance(node, list):
        for item in node:
            yield from _enums(item)


# JSON Schema keyword -> CDK JsonSchema field, where the snake_case rule does not give it.
_CDK_FIELD = {"$schema": "schema", "$ref": "ref", "not": "not_"}


def to_cdk_json_schema(schema: dict[str, Any]) -> apigw.JsonSchema:
    """The same draft-4 schema as CDK's JsonSchema struct, which `RestApi.add_model` takes."""
    fields: dict[str, Any] = {}
    for key, value in schema.items():
        field = _CDK_FIELD.get(key) or _snake(key)
        if key == "$schema":
            value = apigw.JsonSchemaVersion.DRAFT4
        elif key == "type":
            value = [_json_type(item) for item in value] if isinstance(value, list) else _json_type(value)
        elif key in _SUBSCHEMA and isinstance(value, dict):
            value = to_cdk_json_schema(value)
        elif (key == "items" and isinstance(value, list)) or key in _SUBSCHEMA_LISTS:
            value = [to_cdk_json_schema(item) for item in value]
        elif key in _SUBSCHEMA_MAPS:
            value = {name: to_cdk_json_schema(item) for name, item in value.items()}
        fields[field] = value
    return apigw.JsonSchema(**fields)


def _snake(key: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in key)


def _json_type(name: str) -> apigw.JsonSchemaType:
    return apigw.JsonSchemaType[name.upper()]
