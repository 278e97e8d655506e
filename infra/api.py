"""The REST API: every route proxied to the API function, authenticated (IAM by default),
validated against the request schema, throttled, logged and traced, and answering its own
errors in the same JSON shape as the handler: a known path with a method it does not have
gets 405 with `Allow` from API Gateway itself, without invoking the function.

Logging: one access log entry per request, in a log group of the stack's. Execution logging
is off: API Gateway would write it to `API-Gateway-Execution-Logs_{apiId}/{stage}`, a group it
creates itself, outside the stack, kept forever and left behind by `cdk destroy`, and it needs
an account-wide CloudWatch role (AWS::ApiGateway::Account) that a stack should not own. The
access log carries what ERROR-level execution logs would add: the error type and message, and
the integration's status and error."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct
from imagegen.contract import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS
from imagegen.models.operations import Operation
from imagegen.models.request import ImageRequest

from infra.config import StackConfig
from infra.request_schema import (
    job_request_schema,
    operation_request_schema,
    to_cdk_json_schema,
    upload_request_schema,
)

STAGE_NAME = "v1"
JSON = "application/json"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    # The name of the request model that validates the body; None: no body to validate.
    model: str | None = None
    # method.request.* parameter -> required
    parameters: Mapping[str, bool] = field(default_factory=dict)


JOB_REQUEST = "JobRequest"
UPLOAD_REQUEST = "UploadRequest"


def request_model_name(operation: Operation) -> str:
    """An operation's API Gateway model name: its request class's (alphanumeric, as API Gateway
    requires), e.g. ImageRequest, FastUpscaleRequest."""
    return operation.request.__name__


def api_routes(operations: Sequence[Operation]) -> tuple[Route, ...]:
    """The API's routes: one POST per enabled operation at its catalog path (nested resources
    such as /upscale/fast), jobs, uploads, health and the OpenAPI document. A disabled
    operation has no route: API Gateway answers it as any unknown path (403)."""
    return (
        *(Route("POST", operation.path, model=request_model_name(operation)) for operation in operations),
        Route("POST", "/jobs", model=JOB_REQUEST, parameters={"method.request.header.Idempotency-Key": False}),
        Route(
            "GET",
            "/jobs",
            parameters={"method.request.querystring.limit": False, "method.request.querystring.cursor": False},
        ),
        Route("GET", "/jobs/{job_id}", parameters={"method.request.path.job_id": True}),
        Route("POST", "/uploads", model=UPLOAD_REQUEST),
        Route("GET", "/health"),
        Route("GET", "/openapi.json"),
    )


# API Gateway substitutes these verbatim: messageString arrives as a quoted JSON string;
# validationErrorString arrives escaped but unquoted.
GATEWAY_MESSAGE = "$context.error.messageString"
VALIDATOR_ERRORS = "$context.error.validationErrorString"


@dataclass(frozen=True)
class GatewayError:
    """An answer API Gateway gives itself, in the handler's error shape."""

    response_type: apigw.ResponseType
    code: str
    # None keeps API Gateway's status (the DEFAULT_* families) or its own message.
    status: str | None = None
    message: str | None = None
    validator_details: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)

    def template(self) -> str:
        message = GATEWAY_MESSAGE if self.message is None else json.dumps(self.message)
        # The handler's shape: one entry per failing field; the validator's message names the paths.
        entry = f'{{"field": "body", "message": "{VALIDATOR_ERRORS}"}}'
        details = f', "details": {{"errors": [{entry}]}}' if self.validator_details else ""
        return f'{{"error": {{"code": {json.dumps(self.code)}, "message": {message}{details}}}}}'


RT = apigw.ResponseType
GATEWAY_ERRORS: tuple[GatewayError, ...] = (
    GatewayError(
        RT.BAD_REQUEST_BODY, "validation_error", "400", "The request body does not match the request schema", True
    ),
    GatewayError(RT.BAD_REQUEST_PARAMETERS, "validation_error", "400", "A required request parameter is missing", True),
    # API Gateway also gives this answer for a route that does not exist.
    GatewayError(RT.MISSING_AUTHENTICATION_TOKEN, "forbidden", "403", "Missing authentication token or unknown route"),
    GatewayError(RT.ACCESS_DENIED, "forbidden", "403"),
    GatewayError(RT.UNAUTHORIZED, "unauthorized", "401"),
    GatewayError(RT.INVALID_SIGNATURE, "forbidden", "403"),
    GatewayError(RT.EXPIRED_TOKEN, "forbidden", "403"),
    GatewayError(RT.INVALID_API_KEY, "forbidden", "403"),
    GatewayError(RT.THROTTLED, "throttled", "429", "Too many requests; retry later", headers={"Retry-After": "1"}),
    GatewayError(RT.QUOTA_EXCEEDED, "quota_exceeded", "429", "The API key's request quota is used up"),
    GatewayError(RT.REQUEST_TOO_LARGE, "payload_too_large", "413", "The request is too large"),
    GatewayError(RT.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "415", "Send the body as application/json"),
    GatewayError(RT.INTEGRATION_TIMEOUT, "model_timeout", "504", "The request took too long; try POST /jobs instead"),
    GatewayError(RT.DEFAULT_4_XX, "client_error"),
    GatewayError(RT.DEFAULT_5_XX, "internal_error"),
)

# One JSON object per request in the access log.
ACCESS_LOG_FIELDS: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "user": "$context.identity.user",
    "apiKeyId": "$context.identity.apiKeyId",
    "requestTime": "$context.requestTime",
    "method": "$context.httpMethod",
    "path": "$context.path",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integration.latency",
    "errorType": "$context.error.responseType",
    # messageString arrives quoted and escaped, so a message with quotes keeps the line valid JSON.
    "errorMessage": "$context.error.messageString",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "xrayTraceId": "$context.xrayTraceId",
}

# Request body types the 405 answer maps (API Gateway treats a request without Content-Type as
# JSON). A mock integration cannot pass a body through, so any other type is refused with 415.
MOCK_CONTENT_TYPES = (
    JSON,
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/octet-stream",
    "application/xml",
    "text/xml",
)


def access_log_format() -> str:
    def value(variable: str) -> str:
        return variable if variable.endswith("messageString") else f'"{variable}"'

    return "{" + ",".join(f'"{name}":{value(variable)}' for name, variable in ACCESS_LOG_FIELDS.items()) + "}"


def allowed_methods(routes: Sequence[Route], *, preflight: bool) -> dict[str, tuple[str, ...]]:
    """Path -> the methods it answers, as a 405's `Allow` lists them (OPTIONS with CORS)."""
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, {"OPTIONS"} if preflight else set()).add(route.method)
    return {path: tuple(sorted(names)) for path, names in methods.items()}


def method_not_allowed_template(path: str, allowed: Sequence[str]) -> str:
    """The 405 body in the handler's error shape; API Gateway fills in the request's method."""
    message = f"Method $context.httpMethod is not allowed on {path}; allowed: {', '.join(allowed)}"
    return json.dumps({"error": {"code": "method_not_allowed", "message": message}})


def gateway_cors_headers(origins: Sequence[str]) -> dict[str, str]:
    """CORS headers of API Gateway's own answers, as mapping expressions.

    A gateway response takes only static values or request parameters, no template logic:
    one origin (or "*") is named as is; with several, the request's own Origin is echoed, so
    that a browser on any of them can read the error, and so can one on an origin that is not
    configured. These answers carry no credentials (no Allow-Credentials) and nothing but the
    error of the request itself.
    """
    if not origins:
        return {}
    allow_origin = f"'{origins[0]}'" if len(origins) == 1 else "method.request.header.Origin"
    return {
        "Access-Control-Allow-Origin": allow_origin,
        "Access-Control-Expose-Headers": f"'{','.join(CORS_EXPOSE_HEADERS)}'",
        "Vary": "'Origin'",
    }


class ImageApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, handler: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=config.log_retention, removal_policy=RemovalPolicy.RETAIN
        )
        origins = list(config.cors_allow_origins)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{Stack.of(self).stack_name}-api",
            description="Image generation on Amazon Bedrock",
            # Regional: the only kind whose integration timeout can be raised past 29 s.
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # No execution logging (see the module's docstring), so no account-wide role.
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=config.throttle_rate_limit,
                throttling_burst_limit=config.throttle_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(access_log_format()),
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.OFF,
                data_trace_enabled=False,
            ),
            default_method_options=(
                apigw.MethodOptions(authorization_type=apigw.AuthorizationType.IAM)
                if config.auth_mode == "iam"
                else apigw.MethodOptions(api_key_required=True)
            ),
            default_cors_preflight_options=(
                apigw.CorsOptions(
                    allow_origins=origins,
                    allow_methods=["GET", "POST", "OPTIONS"],
                    allow_headers=list(CORS_ALLOW_HEADERS),
                    max_age=Duration.seconds(CORS_MAX_AGE_SECONDS),
                )
                if origins
                else None
            ),
        )
        # The stack has its own ApiUrl output.
        self.api.node.try_remove_child("Endpoint")
        self.validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        self.request_models = self._add_request_models(config)
        # POST /images' model (construct id ImageRequestModel) when images is enabled.
        self.request_model = self.request_models.get(ImageRequest.__name__)
        self.routes = api_routes(config.operations)
        self.methods = self._add_routes(self.routes, handler, Duration.seconds(config.api_timeout_seconds))
        self.method_not_allowed = self._add_method_not_allowed(self.routes, origins)
        self._add_gateway_responses(GATEWAY_ERRORS, origins)
        self.api_key: apigw.IApiKey | None = None
        if config.auth_mode == "api_key":
            self.api_key = self._add_usage_plan(config)

    @property
    def url(self) -> str:
        return self.api.url

    def _add_request_models(self, config: StackConfig) -> dict[str, apigw.Model]:
        """One model per enabled operation, the job request's and the upload request's, by name."""
        schemas = {
            request_model_name(operation): (
                operation_request_schema(operation, config.enabled_models),
                f"{operation.summary} (the runtime's {operation.request.__name__} model)",
            )
            for operation in config.operations
        }
        schemas[JOB_REQUEST] = (
            job_request_schema(config.operations, config.enabled_models),
            "A job: the request of any enabled operation, named by its operation field (absent: images)",
        )
        schemas[UPLOAD_REQUEST] = (upload_request_schema(), "An upload request: the image's content type, optional")
        return {
            name: self.api.add_model(
                f"{name}Model",
                content_type=JSON,
                model_name=name,
                description=description,
                schema=to_cdk_json_schema(schema),
            )
            for name, (schema, description) in schemas.items()
        }

    def _add_routes(self, routes: Sequence[Route], handler: lambda_.IFunction, timeout: Duration) -> list[apigw.Method]:
        # The function's own timeout is derived from the same setting (imagegen:apiTimeoutSeconds).
        integration = apigw.LambdaIntegration(handler, allow_test_invoke=False, timeout=timeout)
        return [
            self.api.root.resource_for_path(route.path).add_method(
                route.method,
                integration,
                request_validator=self.validator,
                request_models={JSON: self.request_models[route.model]} if route.model else None,
                request_parameters=dict(route.parameters) or None,
            )
            for route in routes
        ]

    def _add_method_not_allowed(self, routes: Sequence[Route], origins: Sequence[str]) -> list[apigw.Method]:
        """An ANY method on each route's resource, answering 405 with `Allow` from API Gateway.

        A resource's explicitly declared methods take precedence over its ANY method, which
        catches only the others. It is authorized like the real methods, so a caller who may
        not call the API learns nothing more from it.
        """
        cors = gateway_cors_headers(origins)
        methods = []
        for path, allowed in allowed_methods(routes, preflight=bool(origins)).items():
            headers = {"Allow": f"'{', '.join(allowed)}'", **cors}
            if len(origins) > 1:
                # An integration response can choose: the first origin unless the request's is another allowed one.
                headers["Access-Control-Allow-Origin"] = f"'{origins[0]}'"
            template = _choose_origin_template(origins) + method_not_allowed_template(path, allowed)
            parameters = {f"method.response.header.{name}": value for name, value in headers.items()}
            integration = apigw.MockIntegration(
                passthrough_behavior=apigw.PassthroughBehavior.NEVER,
                request_templates=dict.fromkeys(MOCK_CONTENT_TYPES, '{"statusCode": 405}'),
                integration_responses=[
                    apigw.IntegrationResponse(
                        status_code="405",
                        response_parameters=parameters,
                        response_templates={JSON: template},
                    )
                ],
            )
            methods.append(
                self.api.root.resource_for_path(path).add_method(
                    "ANY",
                    integration,
                    method_responses=[
                        apigw.MethodResponse(
                            status_code="405",
                            response_parameters=dict.fromkeys(parameters, True),
                        )
                    ],
                )
            )
        return methods

    def _add_gateway_responses(self, errors: Sequence[GatewayError], origins: Sequence[str]) -> None:
        cors = gateway_cors_headers(origins)
        for error in errors:
            # Static header values are single-quoted in API Gateway's mapping syntax.
            headers = {**cors, **{name: f"'{value}'" for name, value in error.headers.items()}}
            self.api.add_gateway_response(
                error.response_type.response_type,
                type=error.response_type,
                status_code=error.status,
                templates={JSON: error.template()},
                response_headers=headers or None,
            )

    def _add_usage_plan(self, config: StackConfig) -> apigw.IApiKey:
        plan = self.api.add_usage_plan(
            "UsagePlan",
            description="Throttle and daily quota per API key",
            throttle=apigw.ThrottleSettings(
                rate_limit=config.throttle_rate_limit, burst_limit=config.throttle_burst_limit
            ),
            quota=apigw.QuotaSettings(limit=config.api_key_quota_per_day, period=apigw.Period.DAY),
            api_stages=[apigw.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)],
        )
        key = self.api.add_api_key("ApiKey", description="Key for the image generation API")
        plan.add_api_key(key)
        return key


def _choose_origin_template(origins: Sequence[str]) -> str:
    """VTL that answers a request from any allowed origin but the first with its own origin,
    as CDK's preflight does; nothing when one origin (or "*") is named statically."""
    if len(origins) < 2:
        return ""
    others = " || ".join(f'$origin == "{origin}"' for origin in origins[1:])
    return (
        '#set($origin = $input.params().header.get("Origin"))\n'
        '#if($origin == "")#set($origin = $input.params().header.get("origin"))#end\n'
        f"#if({others})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end\n"
    )
