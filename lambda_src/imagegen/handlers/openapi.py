"""The OpenAPI document of the API: Powertools describes the routes and their answers; this
adds what the routes read themselves (request bodies, the Idempotency-Key header, the job id's
limit), the deployment's server URL and security schemes, and drops what the API never answers."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from imagegen.handlers.routes import JOB, JOB_ID_MAX_LENGTH, JOBS, UPLOADS, openapi_path
from imagegen.models.image_inputs import UploadRequest
from imagegen.models.operations import OPERATIONS, job_request_schema

TITLE = "Image generation API"
VERSION = "1.0.0"
SUMMARY = "Stability AI image models on Amazon Bedrock, stored in S3, returned as presigned URLs"

# The request body of each operation of the catalog: its own request model.
REQUEST_BODIES: dict[tuple[str, str], type[BaseModel]] = {
    (operation.path, "post"): operation.request for operation in OPERATIONS.values()
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Same key and body give the same job; same key with another body is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
}

# GET /jobs reads its own query parameters.
PAGE_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Jobs per page, 1 to 100; default 20",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "next_cursor of the previous page",
        "schema": {"type": "string", "minLength": 1, "maxLength": 2048},
    },
]

# A deployment uses one of these (imagegen:authMode): SigV4 (IAM, the default) or an API key.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "sigv4": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "AWS Signature Version 4 (service execute-api) by a principal allowed execute-api:Invoke",
        "x-amazon-apigateway-authtype": "awsSigv4",
    },
    "api_key": {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
        "description": "An API key of the deployment's usage plan (imagegen:authMode=api_key)",
    },
}


# What API Gateway answers itself on every operation, before the function runs.
GATEWAY_ERRORS = {
    "403": "forbidden: the request is not signed with SigV4 by an allowed principal (or has no valid API key)",
    "429": "throttled or quota_exceeded: the stage's rate limit or the API key's quota; see Retry-After",
}


def _request_body(schema_name: str, *, required: bool = True) -> dict[str, Any]:
    return {
        "required": required,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def complete(
    document: dict[str, Any], *, server_url: str, enabled_operations: tuple[str, ...] = tuple(OPERATIONS)
) -> dict[str, Any]:
    """Powertools' document of the routes, completed as the module docstring says. Only the
    `enabled_operations` are listed."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, operation in OPERATIONS.items():
        if name not in enabled_operations:
            document["paths"].pop(operation.path, None)
    for (path, method), model in REQUEST_BODIES.items():
        if openapi_path(path) not in document["paths"]:
            continue
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        document["paths"][openapi_path(path)][method]["requestBody"] = _request_body(model.__name__)
    jobs = job_request_schema(enabled_operations, ref_template="#/components/schemas/{model}")
    schemas.update(jobs.pop("$defs"))
    schemas["JobRequest"] = jobs
    document["paths"][JOBS]["post"]["requestBody"] = _request_body("JobRequest")
    document["paths"][JOBS]["post"]["parameters"] = [IDEMPOTENCY_KEY]
    document["paths"][JOBS]["get"]["parameters"] = PAGE_PARAMETERS
    schemas["UploadRequest"] = UploadRequest.model_json_schema()
    document["paths"][UPLOADS]["post"]["requestBody"] = _request_body("UploadRequest", required=False)
    for parameter in document["paths"][openapi_path(JOB)]["get"].get("parameters", []):
        if parameter["name"] == "job_id":
            parameter["schema"]["maxLength"] = JOB_ID_MAX_LENGTH
    # Powertools lists its own 422 validation error on routes with parameters; this API answers
    # a request that fails validation with a 400 in the contract's error shape instead.
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                del responses["422"]
            for status, description in GATEWAY_ERRORS.items():
                responses.setdefault(status, {"description": description, "content": _ERROR_CONTENT})
    _drop_unreferenced_schemas(document)
    # The URL the caller used, stage path included, so a client generated from the document
    # calls the same deployment.
    document["servers"] = [{"url": server_url}]
    components["securitySchemes"] = SECURITY_SCHEMES
    document["security"] = [{name: []} for name in SECURITY_SCHEMES]
    return document


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}


def _drop_unreferenced_schemas(document: dict[str, Any]) -> None:
    """Removes the component schemas that nothing left refers to, directly or through others."""
    components = document.get("components", {})
    schemas = components.get("schemas", {})
    while True:
        # Everything that may refer to a schema: the paths, the other components, the schemas.
        text = json.dumps([document.get("paths"), {k: v for k, v in components.items() if k != "schemas"}, schemas])
        unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]
