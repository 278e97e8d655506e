"""POST /images end to end: the real handler, boto3 against the Bedrock emulator and moto's S3."""

from __future__ import annotations

import dataclasses
import io
import json
import time

import openapi_spec_validator
import pytest
import requests
from imagegen.models.catalog import ASPECT_RATIO_SIZES, MODELS, InferenceProfile
from PIL import Image

from offline.bedrock_emulator import CONFIGURATION_FAULT_MESSAGES
from offline.lambda_events import LambdaContext, api_gateway_event
from tests.integration.conftest import configure, image_keys

PROMPT = "A car made out of vegetables."


def download(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


def test_health(api):
    assert api("GET", "/health")[::2] == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("aspect_ratio", "output_format"), [(r, "png") for r in ASPECT_RATIO_SIZES] + [("16:9", "jpeg"), ("9:21", "JPEG")]
)
def test_generates_the_requested_size_and_format(api, aws, aspect_ratio, output_format):
    status, _, body = api(
        "POST", "/images", {"prompt": PROMPT, "aspect_ratio": aspect_ratio, "output_format": output_format}
    )

    assert status == 200
    [image] = body["images"]
    width, height = ASPECT_RATIO_SIZES[aspect_ratio]
    fmt = output_format.lower()
    assert (image["width"], image["height"], image["content_type"]) == (width, height, f"image/{fmt}")
    picture = download(image["url"])
    assert picture.size == (width, height)
    assert picture.format == fmt.upper()
    head = aws.client("s3").head_object(Bucket=aws.bucket, Key=image["key"])
    assert head["ContentType"] == f"image/{fmt}"
    assert head["ContentLength"] == image["bytes"]
    assert head["Metadata"]["seed"] == str(image["seed"])
    assert head["Metadata"]["model"] == body["model"] == "stability.stable-image-core-v1:1"
    assert head["Metadata"]["aspect-ratio"] == aspect_ratio
    assert head["Metadata"]["request-id"] == body["id"]


def test_response_shape_and_expiry(api):
    status, _, body = api("POST", "/images", {"prompt": PROMPT})

    assert status == 200
    assert set(body) == {"id", "operation", "model", "images", "expires_at"}
    assert body["operation"] == "images"
    assert set(body["images"][0]) == {"url", "key", "seed", "content_type", "width", "height", "bytes"}
    assert body["expires_at"].endswith("Z")
    assert "X-Amz-Expires=3600" in body["images"][0]["url"]
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in body["images"][0]["url"]


def test_presign_expiry_is_configurable_and_capped(api, monkeypatch):
    configure(monkeypatch, PRESIGN_EXPIRY_SECONDS="600")
    assert "X-Amz-Expires=600&" in api("POST", "/images", {"prompt": PROMPT})[2]["images"][0]["url"]
    configure(monkeypatch, PRESIGN_EXPIRY_SECONDS="86400")
    assert "X-Amz-Expires=3600&" in api("POST", "/images", {"prompt": PROMPT})[2]["images"][0]["url"]


def test_same_seed_gives_the_same_image_and_identical_requests_never_collide(api, aws):
    request = {"prompt": PROMPT, "seed": 1234}
    first, second = api("POST", "/images", request)[2], api("POST", "/images", request)[2]

    assert first["images"][0]["seed"] == second["images"][0]["seed"] == 1234
    assert first["images"][0]["key"] != second["images"][0]["key"]
    assert {first["images"][0]["key"], second["images"][0]["key"]} <= image_keys(aws)
    assert (
        requests.get(first["images"][0]["url"], timeout=10).content
        == requests.get(second["images"][0]["url"], timeout=10).content
    )


def test_another_seed_gives_another_image(api):
    a = api("POST", "/images", {"prompt": PROMPT, "seed": 1})[2]["images"][0]
    b = api("POST", "/images", {"prompt": PROMPT, "seed": 2})[2]["images"][0]
    assert requests.get(a["url"], timeout=10).content != requests.get(b["url"], timeout=10).content


def test_random_seed_is_chosen_and_returned(api, model):
    body = api("POST", "/images", {"prompt": PROMPT})[2]
    seed = body["images"][0]["seed"]
    assert 1 <= seed <= 4_294_967_295
    assert model.calls()[-1]["body"]["seed"] == seed


def test_count_makes_parallel_calls_with_consecutive_seeds(api, model, aws):
    status, _, body = api("POST", "/images", {"prompt": PROMPT, "count": 4, "seed": 10})

    assert status == 200
    assert [image["seed"] for image in body["images"]] == [10, 11, 12, 13]
    assert len({image["key"] for image in body["images"]}) == 4
    assert sorted(call["body"]["seed"] for call in model.calls()[-4:]) == [10, 11, 12, 13]
    assert all(image["key"] in image_keys(aws) for image in body["images"])


def test_seeds_wrap_past_the_model_maximum(api):
    body = api("POST", "/images", {"prompt": PROMPT, "count": 2, "seed": 4_294_967_294, "model": "sd3.5-large"})[2]
    assert [image["seed"] for image in body["images"]] == [4_294_967_294, 1]


def test_the_model_receives_only_documented_fields(api, model):
    api(
        "POST",
        "/images",
        {
            "text_prompts": [{"text": "a boat", "weight": 1}, {"text": "fog", "weight": -1}],
            "aspect_ratio": "3:2",
            "seed": 5,
            "output_format": "PNG",
        },
    )
    call = model.calls()[-1]
    assert call["model_id"] == "stability.stable-image-core-v1:1"
    assert call["body"] == {
        "prompt": "a boat",
        "negative_prompt": "fog",
        "aspect_ratio": "3:2",
        "seed": 5,
        "output_format": "png",
    }


@pytest.mark.parametrize(
    ("alias", "model_id"),
    [("ultra", "stability.stable-image-ultra-v1:1"), ("sd3.5-large", "stability.sd3-5-large-v1:0")],
)
def test_model_alias_selects_the_bedrock_model(api, model, alias, model_id):
    status, _, body = api("POST", "/images", {"prompt": PROMPT, "model": alias})
    assert status == 200
    assert body["model"] == model_id == model.calls()[-1]["model_id"]


def test_a_model_id_bedrock_does_not_serve_in_the_region_is_a_503_saying_what_to_fix(api, model, aws, monkeypatch):
    # Given a catalog that (wrongly) says Core is reached through a "us." profile: Bedrock has no
    # such profile, and answers ValidationException "The provided model identifier is invalid."
    profiled = dataclasses.replace(
        MODELS["core"],
        on_demand_regions=frozenset(),
        profiles={"us.": InferenceProfile(sources=frozenset({"us-west-2"}), destinations=frozenset({"us-west-2"}))},
    )
    monkeypatch.setitem(MODELS, "core", profiled)
    configure(monkeypatch)
    before = image_keys(aws)
    # When an image is asked for
    status, _, body = api("POST", "/images", {"prompt": PROMPT})
    # Then the caller is told the deployment cannot use the model, and what to change; nothing is stored
    assert status == 503
    assert body["error"]["code"] == "model_unavailable"
    assert "imagegen:bedrockRegion" in body["error"]["message"]
    assert image_keys(aws) == before


BAD_REQUESTS = [
    ({}, "prompt"),
    ({"prompt": ""}, "prompt"),
    ({"prompt": "   "}, "prompt"),
    ({"prompt": "x" * 10_001}, "prompt"),
    ({"prompt": 5}, "prompt"),
    ({"prompt": "a", "negative_prompt": "x" * 10_001}, "negative_prompt"),
    ({"prompt": "a", "aspect_ratio": "7:3"}, "aspect_ratio"),
    ({"prompt": "a", "seed": -1}, "seed"),
    ({"prompt": "a", "seed": 4_294_967_296}, "seed"),
    ({"prompt": "a", "seed": "5"}, "seed"),
    ({"prompt": "a", "seed": True}, "seed"),
    ({"prompt": "a", "seed": 1.5}, "seed"),
    ({"prompt": "a", "seed": 4_294_967_295, "model": "sd3.5-large"}, "seed"),
    ({"prompt": "a", "output_format": "gif"}, "output_format"),
    ({"prompt": "a", "count": 0}, "count"),
    ({"prompt": "a", "count": 5}, "count"),
    ({"prompt": "a", "count": "2"}, "count"),
    ({"prompt": "a", "count": False}, "count"),
    ({"prompt": "a", "model": "dall-e"}, "model"),
    ({"prompt": "a", "style": "anime"}, "style"),
    ({"prompt": "a", "text_prompts": [{"text": "b"}]}, "text_prompts"),
    ({"text_prompts": []}, "text_prompts"),
    ({"text_prompts": [{"text": "fog", "weight": -1}]}, "text_prompts"),
    ({"text_prompts": [{"text": "a", "weight": 0}]}, "text_prompts[0].weight"),
    ({"text_prompts": [{"text": "a", "weight": "1"}]}, "text_prompts[0].weight"),
    ({"text_prompts": [{"text": "a", "extra": 1}]}, "text_prompts[0].extra"),
    ({"text_prompts": "a"}, "text_prompts"),
    ({"prompt": None}, "prompt"),
]


@pytest.mark.parametrize(("request_body", "field"), BAD_REQUESTS)
def test_bad_input_is_a_400_naming_the_field_and_calls_no_model(api, model, aws, request_body, field):
    before_calls, before_objects = model.count(), image_keys(aws)

    status, _, body = api("POST", "/images", request_body)

    assert status == 400
    assert body["error"]["code"] == "validation_error"
    assert field in [error["field"] for error in body["error"]["details"]["errors"]]
    assert model.count() == before_calls
    assert image_keys(aws) == before_objects


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"prompt": NaN}',
        b'{"prompt": "a", "seed": Infinity}',
        b'{"prompt": "a", "prompt": "b"}',
        b'["a prompt"]',
        b'"a prompt"',
        b"null",
        b"",
        b'{"prompt": "a"} trailing',
        b'{"prompt": "caf\xe9"}',  # Latin-1, not UTF-8
        b"[" * 30_000 + b"]" * 30_000,  # nested deeper than any parser stack, under 64 KiB
    ],
)
def test_bodies_that_are_not_a_json_object_are_a_400(api, model, raw):
    before = model.count()
    status, _, body = api("POST", "/images", raw=raw)
    assert status == 400
    assert body["error"]["code"] == "validation_error"
    assert model.count() == before


def test_a_disabled_model_is_a_validation_error(api, monkeypatch):
    configure(monkeypatch, ENABLED_MODELS="core")
    status, _, body = api("POST", "/images", {"prompt": PROMPT, "model": "ultra"})
    assert status == 400
    assert body["error"]["details"]["errors"][0]["field"] == "model"
    assert "not enabled" in body["error"]["details"]["errors"][0]["message"]


def test_body_over_64_kib_is_a_413(api, model):
    before = model.count()
    # Valid per field (each prompt within 10,000 characters) but 6 bytes per escaped character.
    raw = json.dumps({"prompt": "\u00e9" * 9000, "negative_prompt": "\u00e9" * 9000}).encode()
    assert len(raw) > 64 * 1024
    status, _, body = api("POST", "/images", raw=raw)
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    assert model.count() == before


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "multipart/form-data",  # no boundary: Powertools' parser fails before any route runs
        "application/xml",
    ],
)
def test_a_body_that_is_not_json_is_a_415(api, model, content_type):
    before = model.count()
    status, _, body = api("POST", "/images", raw=b"prompt=a+cat", headers={"Content-Type": content_type})
    assert (status, body["error"]["code"]) == (415, "unsupported_media_type")
    assert model.count() == before


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "Application/Json; charset=UTF-8"]
)
def test_json_in_any_case_and_with_a_charset_is_accepted(api, content_type):
    """Media types are case-insensitive."""
    status, _, body = api("POST", "/images", {"prompt": PROMPT}, headers={"Content-Type": content_type})
    assert status == 200, body


FAULTS = [
    ("throttle", 429, "throttled"),
    ("quota_exceeded", 429, "throttled"),
    ("timeout", 504, "model_timeout"),
    ("model_error", 502, "model_error"),
    ("internal", 502, "model_error"),
    ("malformed", 502, "model_error"),
    ("not_ready", 503, "model_unavailable"),
    ("access_denied", 503, "model_unavailable"),
    ("service_unavailable", 503, "model_unavailable"),
]


@pytest.mark.parametrize(("fault", "status", "code"), FAULTS)
def test_model_faults_map_to_the_contract_errors_and_store_nothing(api, model, aws, fault, status, code):
    model.fault(fault, times=10)
    before = image_keys(aws)

    got, headers, body = api("POST", "/images", {"prompt": PROMPT})

    assert (got, body["error"]["code"]) == (status, code)
    assert "Traceback" not in json.dumps(body)
    assert image_keys(aws) == before
    if status == 429:
        assert int(headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("fault", "reason"), [("filter_prompt", "Filter reason: prompt"), ("filter_output", "Filter reason: output image")]
)
def test_filtered_content_is_a_422_and_stores_nothing(api, model, aws, fault, reason):
    model.fault(fault)
    before = image_keys(aws)
    status, _, body = api("POST", "/images", {"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (422, "content_filtered")
    assert body["error"]["details"]["reason"] == reason
    assert image_keys(aws) == before


def test_one_filtered_image_of_four_stores_none(api, model, aws):
    model.fault("filter_output", times=1)
    before = image_keys(aws)
    status, _, body = api("POST", "/images", {"prompt": PROMPT, "count": 4})
    assert (status, body["error"]["code"]) == (422, "content_filtered")
    assert image_keys(aws) == before


@pytest.mark.parametrize("fault", ["throttle", "quota_exceeded"])
def test_a_single_throttle_or_quota_refusal_is_retried_and_succeeds(api, model, fault):
    model.fault(fault, times=1)
    before = model.count()
    status, _, body = api("POST", "/images", {"prompt": PROMPT})
    assert status == 200, body
    assert model.count() - before == 2


@pytest.mark.parametrize("fault", ["throttle", "quota_exceeded"])
def test_persistent_throttling_gives_up_after_the_configured_attempts(api, model, fault):
    model.fault(fault, times=10)
    before = model.count()
    assert api("POST", "/images", {"prompt": PROMPT})[0] == 429
    assert model.count() - before == 3  # BEDROCK_MAX_ATTEMPTS default


def test_the_clients_own_timeout_is_a_504_and_is_not_retried(api, model, monkeypatch):
    configure(monkeypatch, BEDROCK_READ_TIMEOUT_SECONDS="0.5")
    model.latency(1500)
    before = model.count()
    status, _, body = api("POST", "/images", {"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (504, "model_timeout")
    assert model.count() - before == 1  # a read timeout is never retried: it would pay twice


def test_unreachable_bedrock_is_a_503(api, monkeypatch):
    configure(monkeypatch, AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://127.0.0.1:9", BEDROCK_MAX_ATTEMPTS="1")
    status, _, body = api("POST", "/images", {"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (503, "model_unavailable")


def test_an_s3_failure_is_a_500_without_details_of_the_cause(api, monkeypatch):
    configure(monkeypatch, IMAGE_BUCKET="no-such-bucket-here")
    status, _, body = api("POST", "/images", {"prompt": PROMPT, "count": 2})
    assert (status, body["error"]) == (500, {"code": "internal_error", "message": "The images could not be stored."})


def test_unknown_route_is_a_json_404(api):
    status, _, body = api("GET", "/nope")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_openapi_document_is_generated_from_the_models(api):
    status, _, doc = api("GET", "/openapi.json")
    assert status == 200
    assert doc["openapi"].startswith("3.")
    assert {"/images", "/jobs", "/jobs/{job_id}", "/health"} <= set(doc["paths"])
    schema = doc["components"]["schemas"]["ImageRequest"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["count"]["maximum"] == 4
    assert "ErrorResponse" in doc["components"]["schemas"]


def test_cors_headers_on_every_response_when_configured(api, monkeypatch):
    configure(monkeypatch, CORS_ALLOW_ORIGINS="https://app.example.com,https://admin.example.com")
    origin = {"Origin": "https://admin.example.com"}

    ok, failed = api("GET", "/health", headers=origin), api("POST", "/images", {"prompt": ""}, headers=origin)

    assert (ok[0], failed[0]) == (200, 400)
    for _, headers, _ in (ok, failed):
        assert headers["Access-Control-Allow-Origin"] == "https://admin.example.com"
        assert "Retry-After" in headers["Access-Control-Expose-Headers"]
        assert headers["Vary"] == "Origin"  # a cache must not give one origin's answer to another


def test_no_cors_headers_unless_configured(api):
    _, headers, _ = api("GET", "/health", headers={"Origin": "https://app.example.com"})
    assert "Access-Control-Allow-Origin" not in headers
    assert "Vary" not in headers


def test_openapi_document_lists_only_statuses_the_api_answers(api):
    doc = api("GET", "/openapi.json")[2]
    responses = {
        (path, method): set(op["responses"]) for path, ops in doc["paths"].items() for method, op in ops.items()
    }

    gateway = {"403", "429"}  # API Gateway's own answers (signature, throttling) on every operation
    assert responses[("/health", "get")] == {"200"} | gateway
    assert responses[("/jobs/{job_id}", "get")] == {"200", "400", "404", "500"} | gateway
    assert "422" in responses[("/images", "post")]  # content_filtered
    assert "HTTPValidationError" not in json.dumps(doc)  # Powertools' own 422 shape is never answered
    openapi_spec_validator.validate(doc)  # what client generators and viewers check first
    job = doc["paths"]["/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert job == {"$ref": "#/components/schemas/JobView"}


@pytest.mark.parametrize("fault", sorted(CONFIGURATION_FAULT_MESSAGES))
def test_each_account_problem_bedrock_reports_is_a_503_saying_what_to_fix(api, model, aws, fault):
    model.fault(fault, times=5)
    before_calls, before_keys = model.count(), image_keys(aws)
    status, headers, body = api("POST", "/images", {"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (503, "model_unavailable")
    assert "imagegen:" in body["error"]["message"] or "Marketplace" in body["error"]["message"]
    assert "Retry-After" not in headers
    assert model.count() - before_calls == 1  # not the caller's fault, and no retry fixes it
    assert image_keys(aws) == before_keys


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("DELETE", "/health", "GET"), ("HEAD", "/health", "GET"), ("GET", "/images", "POST"), ("PUT", "/jobs/abc", "GET")],
)
def test_a_known_path_with_another_method_is_a_405_naming_the_allowed_one(api, method, path, allow):
    status, headers, body = api(method, path)
    assert (status, body["error"]["code"]) == (405, "method_not_allowed")
    assert body["error"]["message"] == f"Method {method} is not allowed on {path}; allowed: {allow}"
    assert headers["Allow"] == allow


def test_with_cors_the_405_allows_the_preflight_too(api, monkeypatch):
    configure(monkeypatch, CORS_ALLOW_ORIGINS="https://app.example.com")
    status, headers, _ = api("GET", "/images", headers={"Origin": "https://app.example.com"})
    assert (status, headers["Allow"]) == (405, "OPTIONS, POST")
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_a_sync_request_answers_504_before_its_invocation_runs_out(api, model, aws):
    # Given a model slower than the time left in the invocation (the read timeout alone would wait 10 s)
    model.latency(6000)
    before = image_keys(aws)
    started = time.monotonic()
    status, _, body = api("POST", "/images", {"prompt": PROMPT}, timeout_seconds=4)
    # Then the caller gets the contract's 504 within the invocation, pointing at POST /jobs
    assert (status, body["error"]["code"]) == (504, "model_timeout")
    assert "POST /jobs" in body["error"]["message"]
    assert time.monotonic() - started < 4
    time.sleep(4.5)  # the abandoned call finishes: its image is dropped, not stored
    assert image_keys(aws) == before


def test_throttling_backoff_stops_at_the_invocations_deadline(api, model, monkeypatch):
    configure(monkeypatch, BEDROCK_MAX_ATTEMPTS="10")
    model.fault("throttle", times=10)
    started = time.monotonic()
    status, headers, body = api("POST", "/images", {"prompt": PROMPT}, timeout_seconds=3.5)
    assert (status, body["error"]["code"]) == (429, "throttled")
    assert "Retry-After" in headers
    assert time.monotonic() - started < 3.5
    assert model.count() < 10


def test_openapi_document_declares_its_server_and_security_schemes(api):
    doc = api("GET", "/openapi.json", headers={"Host": "127.0.0.1:3000", "X-Forwarded-Proto": "http"})[2]
    assert doc["servers"] == [{"url": "http://127.0.0.1:3000"}]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert (schemes["api_key"]["in"], schemes["api_key"]["name"]) == ("header", "x-api-key")
    assert doc["security"] == [{"sigv4": []}, {"api_key": []}]
    openapi_spec_validator.validate(doc)


def test_the_openapi_server_keeps_the_stage_path_when_deployed():
    from imagegen.handlers import api

    event = api_gateway_event(
        method="GET", path="/openapi.json", headers=[("Host", "abc.execute-api.us-west-2.amazonaws.com")]
    )
    event["requestContext"]["path"] = "/v1/openapi.json"  # as API Gateway gives it: stage first
    response = api.lambda_handler(event, LambdaContext("ApiFunction", timeout_seconds=28))
    assert json.loads(response["body"])["servers"] == [{"url": "https://abc.execute-api.us-west-2.amazonaws.com/v1"}]
