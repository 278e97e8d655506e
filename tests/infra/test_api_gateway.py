"""The REST API: routes, authentication on every method, validation, stage settings, usage
plan, and API Gateway's own error answers in the handler's JSON shape."""

from __future__ import annotations

import json

import pytest
from imagegen.models.operations import OPERATIONS
from jsonschema import Draft4Validator

from infra.functions import API_HANDLER
from infra.request_schema import (
    DRAFT4,
    job_request_schema,
    operation_request_schema,
    request_model_schema,
    upload_request_schema,
)
from tests.infra.conftest import synth

# The routes every deployment has, whatever operations it enables.
FIXED_ROUTES = {
    ("POST", "/jobs"),
    ("GET", "/jobs"),
    ("GET", "/jobs/{job_id}"),
    ("POST", "/uploads"),
    ("GET", "/health"),
    ("GET", "/openapi.json"),
}
# Two Image Services without text-to-image: no /images at all.
SERVICES_ONLY = {"imagegen:enabledOperations": ["upscale/fast", "edit/remove-background"]}


def _routes(synth) -> set[tuple[str, str]]:
    """What the deployment should route: a POST per enabled operation, and the fixed routes."""
    return {("POST", operation.path) for operation in synth.stack.config.operations} | FIXED_ROUTES


def _allow(synth) -> dict[str, list[str]]:
    """Path -> the methods it answers, sorted as a 405's Allow lists them (/jobs: GET and POST)."""
    allow: dict[str, list[str]] = {}
    for verb, path in _routes(synth):
        allow.setdefault(path, []).append(verb)
    return {path: sorted(verbs) for path, verbs in allow.items()}


# API Gateway's own answers: response type -> (status, error code); None keeps its status.
GATEWAY_ANSWERS = {
    "BAD_REQUEST_BODY": ("400", "validation_error"),
    "BAD_REQUEST_PARAMETERS": ("400", "validation_error"),
    "MISSING_AUTHENTICATION_TOKEN": ("403", "forbidden"),
    "ACCESS_DENIED": ("403", "forbidden"),
    "UNAUTHORIZED": ("401", "unauthorized"),
    "INVALID_SIGNATURE": ("403", "forbidden"),
    "EXPIRED_TOKEN": ("403", "forbidden"),
    "INVALID_API_KEY": ("403", "forbidden"),
    "THROTTLED": ("429", "throttled"),
    "QUOTA_EXCEEDED": ("429", "quota_exceeded"),
    "REQUEST_TOO_LARGE": ("413", "payload_too_large"),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "unsupported_media_type"),
    "INTEGRATION_TIMEOUT": ("504", "model_timeout"),
    "DEFAULT_4XX": (None, "client_error"),
    "DEFAULT_5XX": (None, "internal_error"),
}
# What API Gateway substitutes: messageString is a quoted JSON string; validationErrorString
# comes JSON-escaped but unquoted.
SAMPLE_VALUES = {
    "$context.error.messageString": json.dumps('Missing "Authentication" Token'),
    "$context.error.validationErrorString": (
        '[instance value (\\"x\\") not found in enum (possible values: [\\"core\\"])]'
    ),
    "$context.error.message": "Forbidden",
}


def _substitute(template: str) -> str:
    for variable, value in SAMPLE_VALUES.items():
        template = template.replace(variable, value)
    return template


def _methods(synth):
    """{(HTTP method, path): Method properties}."""
    api_id = synth.logical_id(synth.stack.api.api)
    resources = synth.resources("AWS::ApiGateway::Resource")

    def path(resource_ref):
        if resource_ref == {"Fn::GetAtt": [api_id, "RootResourceId"]}:
            return ""
        resource = resources[resource_ref["Ref"]]
        return f"{path(resource['ParentId'])}/{resource['PathPart']}"

    return {
        (method["HttpMethod"], path(method["ResourceId"]) or "/"): method
        for method in synth.resources("AWS::ApiGateway::Method").values()
    }


def test_every_route_proxies_to_the_api_function(any_deployment):
    function_id, _ = any_deployment.function(API_HANDLER)
    generation = any_deployment.stack.functions
    # The function itself, or with SnapStart its "live" alias (checked in test_lambda_functions).
    target = (
        f"${{{function_id}.Arn}}"
        if generation.api_target is generation.api_function
        else f"${{{any_deployment.logical_id(generation.api_target)}}}"
    )
    routes = _routes(any_deployment)
    methods = {key: m for key, m in _methods(any_deployment).items() if key in routes}

    assert {key for key in _methods(any_deployment) if key[0] not in ("OPTIONS", "ANY")} == routes
    for method in methods.values():
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert target in any_deployment.render(method["Integration"]["Uri"])


def test_iam_mode_signs_every_method_and_there_is_no_preflight_without_origins(default):
    methods = _methods(default)

    assert {key[0] for key in methods} == {"GET", "POST", "ANY"}
    assert all(method["AuthorizationType"] == "AWS_IAM" for method in methods.values())
    assert default.resources("AWS::ApiGateway::UsagePlan") == {}
    assert default.resources("AWS::ApiGateway::ApiKey") == {}


def test_api_key_mode_requires_a_key_on_every_method_but_the_preflight(browser_api_key):
    methods = _methods(browser_api_key)

    for (verb, path), method in methods.items():
        if verb == "OPTIONS":
            assert method["AuthorizationType"] == "NONE"
            assert method["ApiKeyRequired"] is False
        else:
            assert method["ApiKeyRequired"] is True, path
    # Every resource, the parents of nested operations (/upscale, /edit) included.
    assert {path for verb, path in methods if verb == "OPTIONS"} == {
        "/",
        *{"/" + name.split("/")[0] for name in OPERATIONS if "/" in name},  # /upscale, /edit, /control
        *(path for _, path in _routes(browser_api_key)),
    }


def test_the_usage_plan_throttles_and_caps_the_key_on_the_stage(browser_api_key):
    api_id = browser_api_key.logical_id(browser_api_key.stack.api.api)
    stage_id = browser_api_key.logical_id(browser_api_key.stack.api.api.deployment_stage)
    plan_id, plan = browser_api_key.only("AWS::ApiGateway::UsagePlan")
    key_id, _ = browser_api_key.only("AWS::ApiGateway::ApiKey")
    _, plan_key = browser_api_key.only("AWS::ApiGateway::UsagePlanKey")

    assert plan["Throttle"] == {"RateLimit": 5, "BurstLimit": 8}
    assert plan["Quota"] == {"Limit": 250, "Period": "DAY"}
    assert [(s["ApiId"], s["Stage"]) for s in plan["ApiStages"]] == [({"Ref": api_id}, {"Ref": stage_id})]
    assert plan_key == {"KeyId": {"Ref": key_id}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": plan_id}}
    assert browser_api_key.template["Outputs"]["ApiKeyId"]["Value"] == {"Ref": key_id}


def _models(synth) -> dict[str, tuple[str, dict]]:
    """{model name: (logical id, properties)}."""
    models = synth.resources("AWS::ApiGateway::Model")
    return {props["Name"]: (logical_id, props) for logical_id, props in models.items()}


def test_requests_are_validated_against_the_request_model_of_their_route(default):
    _, validator = default.only("AWS::ApiGateway::RequestValidator")
    validator_id, _ = default.only("AWS::ApiGateway::RequestValidator")
    models = {name: logical_id for name, (logical_id, _) in _models(default).items()}
    methods = _methods(default)

    assert validator["ValidateRequestBody"] is True
    assert validator["ValidateRequestParameters"] is True
    for route in _routes(default):
        assert methods[route]["RequestValidatorId"] == {"Ref": validator_id}
    expected = {("POST", op.path): op.request.__name__ for op in OPERATIONS.values()}
    expected |= {("POST", "/jobs"): "JobRequest", ("POST", "/uploads"): "UploadRequest"}
    for route, name in expected.items():
        assert methods[route]["RequestModels"] == {"application/json": {"Ref": models[name]}}, route
    for route in _routes(default).difference(expected):
        assert "RequestModels" not in methods[route], route
    assert methods[("GET", "/jobs/{job_id}")]["RequestParameters"] == {"method.request.path.job_id": True}
    assert methods[("GET", "/jobs")]["RequestParameters"] == {
        "method.request.querystring.limit": False,
        "method.request.querystring.cursor": False,
    }
    assert methods[("POST", "/jobs")]["RequestParameters"] == {"method.request.header.Idempotency-Key": False}


def test_the_image_request_model_keeps_its_construct_id(default):
    # The model existed before the other operations: replacing it would churn the deployment.
    assert default.stack.api.request_model.node.id == "ImageRequestModel"
    assert _models(default)["ImageRequest"][0] == default.logical_id(default.stack.api.request_model)


@pytest.mark.parametrize(
    ("deployment", "aliases"),
    [("default", ["core"]), ("browser_api_key", ["core", "ultra"]), ("two_origins", ["sd3.5-large", "core"])],
)
def test_the_model_is_the_draft4_request_schema_with_the_enabled_models(request, deployment, aliases):
    synth = request.getfixturevalue(deployment)
    _, model = _models(synth)["ImageRequest"]

    assert model["ContentType"] == "application/json"
    assert model["Schema"]["$schema"] == DRAFT4
    assert model["Schema"] == request_model_schema(aliases)
    enums = [branch["enum"] for branch in model["Schema"]["properties"]["model"]["anyOf"] if "enum" in branch]
    assert enums == [aliases]


def test_each_enabled_operation_has_its_own_draft4_model(default):
    models = _models(default)

    assert set(models) == {op.request.__name__ for op in OPERATIONS.values()} | {"JobRequest", "UploadRequest"}
    for operation in OPERATIONS.values():
        _, model = models[operation.request.__name__]
        assert model["Schema"] == operation_request_schema(operation, ["core"]), operation.name
        Draft4Validator.check_schema(model["Schema"])
        assert model["ContentType"] == "application/json"


def test_the_job_model_takes_any_enabled_operations_request_named_by_operation(default):
    _, model = _models(default)["JobRequest"]
    schema = model["Schema"]
    validator = Draft4Validator(schema)

    assert schema == job_request_schema(list(OPERATIONS.values()), ["core"])
    assert schema["properties"]["operation"]["enum"] == list(OPERATIONS)
    assert len(schema["anyOf"]) == len(OPERATIONS)
    assert validator.is_valid({"prompt": "a lighthouse"})  # no operation: images
    assert validator.is_valid({"operation": "images", "prompt": "a lighthouse", "model": "core"})
    assert validator.is_valid({"operation": "upscale/fast", "image": {"upload_id": "0" * 32}})
    assert validator.is_valid({"operation": "edit/remove-background", "image": "iVBORw0KGgoAAAANSUhEUg=="})
    assert not validator.is_valid({"operation": "upscale/fast", "prompt": "a lighthouse"})  # needs image
    assert not validator.is_valid({"image": {"upload_id": "0" * 32}})  # images needs a prompt
    assert not validator.is_valid({"operation": "upscale/fast", "image": {"upload_id": "0" * 32}, "seed": 1})
    assert not validator.is_valid({"operation": "sketch", "prompt": "a lighthouse"})
    assert not validator.is_valid({"operation": "images", "prompt": "a lighthouse", "model": "ultra"})


def test_a_disabled_operation_is_no_route_no_model_and_no_job_operation():
    services = synth(SERVICES_ONLY)
    methods = _methods(services)
    paths = {path for _, path in methods}

    assert {key for key in methods if key[0] not in ("OPTIONS", "ANY")} == {
        ("POST", "/upscale/fast"),
        ("POST", "/edit/remove-background"),
        *FIXED_ROUTES,
    }
    # API Gateway answers a disabled operation's path as an unknown one: 403, no 405.
    assert not {"/images", "/upscale/creative", "/upscale/conservative"} & paths
    assert {path for verb, path in methods if verb == "ANY"} == {path for _, path in _routes(services)}
    assert set(_models(services)) == {"FastUpscaleRequest", "RemoveBackgroundRequest", "JobRequest", "UploadRequest"}
    jobs = Draft4Validator(_models(services)["JobRequest"][1]["Schema"])
    assert jobs.is_valid({"operation": "upscale/fast", "image": {"upload_id": "0" * 32}})
    # Without images enabled, a job must name its operation, and images is not one.
    assert not jobs.is_valid({"prompt": "a lighthouse"})
    assert not jobs.is_valid({"operation": "images", "prompt": "a lighthouse"})
    assert not jobs.is_valid({"operation": "upscale/creative", "image": {"upload_id": "0" * 32}, "prompt": "x"})


def test_the_upload_model_takes_no_body_or_an_image_content_type(default):
    _, model = _models(default)["UploadRequest"]
    validator = Draft4Validator(model["Schema"])

    assert model["Schema"] == upload_request_schema()
    # API Gateway validates a request without a body as {}.
    assert validator.is_valid({})
    for content_type in ("image/png", "image/jpeg", "image/webp"):
        assert validator.is_valid({"content_type": content_type})
    assert not validator.is_valid({"content_type": "image/gif"})
    assert not validator.is_valid({"content_type": "image/png", "bytes": 10})
    # API Gateway refuses a model with an empty required list.
    assert "required" not in model["Schema"]


def test_the_models_stay_far_below_cloudformations_template_size(default):
    # No quota of its own is documented for a model; the template (at most 1 MB when uploaded
    # through S3, as cdk deploy does) bounds them all.
    sizes = {name: len(json.dumps(props["Schema"])) for name, (_, props) in _models(default).items()}

    assert sizes["JobRequest"] < 200_000, sizes
    assert len(json.dumps(default.template)) < 600_000


@pytest.mark.parametrize(("deployment", "rate", "burst"), [("default", 10, 20), ("browser_api_key", 5, 8)])
def test_the_stage_is_throttled_logged_and_traced(request, deployment, rate, burst):
    synth = request.getfixturevalue(deployment)
    _, stage = synth.only("AWS::ApiGateway::Stage")
    access_logs_id = synth.logical_id(synth.stack.api.access_logs)

    assert stage["StageName"] == "v1"
    assert stage["TracingEnabled"] is True
    assert stage["MethodSettings"] == [
        {
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "ThrottlingRateLimit": rate,
            "ThrottlingBurstLimit": burst,
            "LoggingLevel": "OFF",
            "MetricsEnabled": True,
            "DataTraceEnabled": False,
        }
    ]
    assert stage["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1][-1] == {"Ref": access_logs_id}
    entry = json.loads(_substitute(stage["AccessLogSetting"]["Format"]))
    for field in ("requestId", "ip", "caller", "method", "path", "status", "latencyMs", "errorMessage"):
        assert field in entry
    # What ERROR-level execution logs would have added.
    assert entry["errorType"] == "$context.error.responseType"
    assert entry["integrationStatus"] == "$context.integration.status"
    assert entry["integrationError"] == "$context.integration.error"


def test_every_log_group_api_gateway_writes_is_the_stacks_own(any_deployment):
    # With execution logging on, API Gateway would create API-Gateway-Execution-Logs_{apiId}/{stage}
    # itself, outside the stack, with no expiry, and keep it after cdk destroy; and it would need
    # the account-wide CloudWatch role (AWS::ApiGateway::Account), retained after destroy as well.
    _, stage = any_deployment.only("AWS::ApiGateway::Stage")

    assert {setting["LoggingLevel"] for setting in stage["MethodSettings"]} == {"OFF"}
    assert any_deployment.resources("AWS::ApiGateway::Account") == {}
    assert not [
        role
        for role in any_deployment.resources("AWS::IAM::Role").values()
        if "apigateway.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])
    ]
    access_logs_id = any_deployment.logical_id(any_deployment.stack.api.access_logs)
    assert stage["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1][-1] == {"Ref": access_logs_id}
    assert "RetentionInDays" in any_deployment.resources("AWS::Logs::LogGroup")[access_logs_id]


def _gateway_responses(synth):
    return {
        response["ResponseType"]: response for response in synth.resources("AWS::ApiGateway::GatewayResponse").values()
    }


def test_gateway_answers_carry_the_handlers_error_shape_and_codes(any_deployment):
    responses = _gateway_responses(any_deployment)

    assert set(responses) == set(GATEWAY_ANSWERS)
    for response_type, (status, code) in GATEWAY_ANSWERS.items():
        response = responses[response_type]
        assert response.get("StatusCode") == status, response_type
        body = json.loads(_substitute(response["ResponseTemplates"]["application/json"]))
        assert set(body) == {"error"}
        assert body["error"]["code"] == code
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        assert set(body["error"]) <= {"code", "message", "details"}


def test_validation_answers_carry_the_validators_message(default):
    body = json.loads(
        _substitute(_gateway_responses(default)["BAD_REQUEST_BODY"]["ResponseTemplates"]["application/json"])
    )

    assert body["error"]["details"] == {
        "errors": [{"field": "body", "message": '[instance value ("x") not found in enum (possible values: ["core"])]'}]
    }


def test_unknown_routes_are_explained_and_throttling_says_when_to_retry(default):
    responses = _gateway_responses(default)
    missing = json.loads(
        _substitute(responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"])
    )

    assert missing["error"]["message"] == "Missing authentication token or unknown route"
    assert responses["THROTTLED"]["ResponseParameters"] == {"gatewayresponse.header.Retry-After": "'1'"}


def _cors(response: dict) -> dict[str, str]:
    parameters = response.get("ResponseParameters", {})
    return {
        name.removeprefix("gatewayresponse.header."): value
        for name, value in parameters.items()
        if name.removeprefix("gatewayresponse.header.")
        in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary")
    }


def test_gateway_answers_carry_no_cors_headers_without_origins(default):
    assert all(_cors(response) == {} for response in _gateway_responses(default).values())


def test_gateway_answers_name_the_one_configured_origin(browser_api_key):
    for response in _gateway_responses(browser_api_key).values():
        assert _cors(response) == {
            "Access-Control-Allow-Origin": "'https://app.example.com'",
            "Access-Control-Expose-Headers": "'Retry-After'",
            "Vary": "'Origin'",
        }


def test_gateway_answers_let_a_browser_on_every_configured_origin_read_them(two_origins):
    # A gateway response cannot choose among origins: it echoes the request's Origin, so
    # https://a.example.com and http://localhost:3000 both read a 403, 429 or 413 body.
    for response in _gateway_responses(two_origins).values():
        assert _cors(response) == {
            "Access-Control-Allow-Origin": "method.request.header.Origin",
            "Access-Control-Expose-Headers": "'Retry-After'",
            "Vary": "'Origin'",
        }
    assert (
        _gateway_responses(two_origins)["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"]
        == "'1'"
    )


def test_the_preflight_answers_the_configured_origin(browser_api_key):
    preflight = _methods(browser_api_key)[("OPTIONS", "/images")]
    headers = preflight["Integration"]["IntegrationResponses"][0]["ResponseParameters"]

    assert headers["method.response.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    assert "Idempotency-Key" in headers["method.response.header.Access-Control-Allow-Headers"]


def _catch_all(synth):
    """{path: the ANY method} of every route's resource."""
    return {path: method for (verb, path), method in _methods(synth).items() if verb == "ANY"}


def _405_body(template: str, method: str) -> dict:
    # VTL directives (origin choice) come first, one per line; the body follows.
    body = "\n".join(line for line in template.splitlines() if not line.startswith("#"))
    return json.loads(body.replace("$context.httpMethod", method))


def test_a_known_path_with_another_method_gets_405_with_allow_from_api_gateway_itself(default):
    catch_all = _catch_all(default)
    allow = _allow(default)

    assert set(catch_all) == set(allow)
    assert {"/upscale/fast", "/edit/remove-background", "/uploads"} <= set(allow)
    for path, method in catch_all.items():
        integration = method["Integration"]
        # Answered by API Gateway: no Lambda invocation.
        assert integration["Type"] == "MOCK"
        assert "Uri" not in integration
        # Whatever the request's body, the mock maps it (or refuses an unknown media type with 415).
        assert integration["PassthroughBehavior"] == "NEVER"
        assert set(integration["RequestTemplates"]) >= {"application/json", "text/plain", "multipart/form-data"}
        assert set(integration["RequestTemplates"].values()) == {'{"statusCode": 405}'}
        [response] = integration["IntegrationResponses"]
        assert response["StatusCode"] == "405"
        assert "SelectionPattern" not in response  # the default response: every mock status maps to it
        assert response["ResponseParameters"] == {"method.response.header.Allow": f"'{', '.join(allow[path])}'"}
        assert _405_body(response["ResponseTemplates"]["application/json"], "DELETE") == {
            "error": {
                "code": "method_not_allowed",
                "message": f"Method DELETE is not allowed on {path}; allowed: {', '.join(allow[path])}",
            }
        }
        assert method["MethodResponses"] == [
            {"StatusCode": "405", "ResponseParameters": {"method.response.header.Allow": True}}
        ]


def test_the_405_is_authorized_like_the_methods_of_its_path(any_deployment):
    methods = _methods(any_deployment)

    for path, catch_all in _catch_all(any_deployment).items():
        for real in [methods[(verb, p)] for verb, p in _routes(any_deployment) if p == path]:
            assert catch_all["AuthorizationType"] == real["AuthorizationType"]
            assert catch_all.get("ApiKeyRequired") == real.get("ApiKeyRequired")


def test_the_405_carries_cors_for_every_configured_origin_and_allows_the_preflight(two_origins):
    allow = _allow(two_origins)
    assert set(_catch_all(two_origins)) == set(allow)
    for path, method in _catch_all(two_origins).items():
        [response] = method["Integration"]["IntegrationResponses"]
        allowed = ", ".join(sorted([*allow[path], "OPTIONS"]))
        assert response["ResponseParameters"] == {
            "method.response.header.Allow": f"'{allowed}'",
            # The first origin, unless the request comes from the other allowed one (below).
            "method.response.header.Access-Control-Allow-Origin": "'https://a.example.com'",
            "method.response.header.Access-Control-Expose-Headers": "'Retry-After'",
            "method.response.header.Vary": "'Origin'",
        }
        template = response["ResponseTemplates"]["application/json"]
        assert (
            '#if($origin == "http://localhost:3000")'
            "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end"
        ) in template
        assert _405_body(template, "PUT")["error"]["code"] == "method_not_allowed"


def test_outputs_tell_the_deployer_where_everything_is(default):
    outputs = default.template["Outputs"]
    api_id = default.logical_id(default.stack.api.api)

    assert set(outputs) == {
        "ApiUrl",
        "BucketName",
        "EventBusName",
        "JobsQueueUrl",
        "DeadLetterQueueUrl",
        "AlarmTopicArn",
    }
    assert default.render(outputs["ApiUrl"]["Value"]).startswith(f"https://${{{api_id}}}.execute-api.")
    assert outputs["BucketName"]["Value"] == {"Ref": default.logical_id(default.stack.storage.bucket)}
    assert outputs["EventBusName"]["Value"] == {"Ref": default.logical_id(default.stack.jobs.event_bus)}
