"""Bedrock-style rejections: bad bodies, unknown models and missing credentials never reach the model."""

from __future__ import annotations

import json

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from .support import CORE, invoke

SD35 = "stability.sd3-5-large-v1:0"


def assert_rejected(error: ClientError, code: str, status: int) -> str:
    assert error.response["Error"]["Code"] == code
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    return error.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "#: required key [prompt] not found"),
        ({"prompt": ""}, "#/prompt: expected minLength: 1, actual: 0"),
        ({"prompt": "x" * 10_001}, "#/prompt: expected maxLength: 10000, actual: 10001"),
        ({"prompt": 5}, "#/prompt: expected type: String, found: Integer"),
        ({"prompt": None}, "#/prompt: expected type: String, found: Null"),
        (
            {"prompt": "x", "negative_prompt": "n" * 10_001},
            "#/negative_prompt: expected maxLength: 10000, actual: 10001",
        ),
        ({"prompt": "x", "negative_prompt": ["no"]}, "#/negative_prompt: expected type: String, found: JSONArray"),
        ({"prompt": "x", "aspect_ratio": "7:3"}, "#/aspect_ratio: 7:3 is not a valid enum value"),
        ({"prompt": "x", "aspect_ratio": 1}, "#/aspect_ratio: 1 is not a valid enum value"),
        ({"prompt": "x", "output_format": "PNG"}, "#/output_format: PNG is not a valid enum value"),
        ({"prompt": "x", "output_format": "webp"}, "#/output_format: webp is not a valid enum value"),
        ({"prompt": "x", "seed": -1}, "#/seed: -1 is not greater or equal to 0"),
        ({"prompt": "x", "seed": 4_294_967_296}, "#/seed: 4294967296 is not less or equal to 4294967295"),
        ({"prompt": "x", "seed": "5"}, "#/seed: expected type: Integer, found: String"),
        ({"prompt": "x", "seed": True}, "#/seed: expected type: Integer, found: Boolean"),
        ({"prompt": "x", "seed": 1.5}, "#/seed: expected type: Integer, found: BigDecimal"),
        ({"prompt": "x", "foo": 1}, "#: extraneous key [foo] is not permitted"),
        (
            {"text_prompts": [{"text": "x", "weight": 1}]},
            "#: extraneous key [text_prompts] is not permitted#: required key [prompt] not found",
        ),
        ({"prompt": "x", "cfg_scale": 7}, "#: extraneous key [cfg_scale] is not permitted"),
        ([{"prompt": "x"}], "#: expected type: JSONObject, found: JSONArray"),
        ("null", "#: expected type: JSONObject, found: Null"),
        ('"prompt"', "#: expected type: JSONObject, found: String"),
    ],
    ids=lambda value: None if isinstance(value, str) and value.startswith("#") else json.dumps(value)[:40],
)
def test_invalid_body_is_a_validation_exception(bedrock, invocations, body, expected):
    with pytest.raises(ClientError) as caught:
        invoke(bedrock, body)

    message = assert_rejected(caught.value, "ValidationException", 400)
    assert message == f"Malformed input request: {expected}, please reformat your input and try again."
    assert invocations()["count"] == 0
    assert invocations()["rejected"] == 1


@pytest.mark.parametrize("raw", ["{", "", "not json", '{"prompt": "x", "seed": NaN}', b"\xff\xfe{"])
def test_a_body_that_is_not_json_is_malformed_input(bedrock, invocations, raw):
    with pytest.raises(ClientError) as caught:
        invoke(bedrock, raw)

    message = assert_rejected(caught.value, "ValidationException", 400)
    assert message == "Malformed input request, please reformat your input and try again."
    assert invocations()["count"] == 0


def test_every_violation_is_reported_in_schema_order(bedrock):
    body = {"seed": "x", "foo": 1, "aspect_ratio": "7:3", "bar": 2}

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, body)

    assert assert_rejected(caught.value, "ValidationException", 400) == (
        "Malformed input request: #: extraneous key [foo] is not permitted#: extraneous key [bar] is not permitted"
        "#: required key [prompt] not found#/aspect_ratio: 7:3 is not a valid enum value"
        "#/seed: expected type: Integer, found: String, please reformat your input and try again."
    )


def test_sd35_large_seed_range_ends_one_lower(bedrock, invocations):
    with pytest.raises(ClientError) as caught:
        invoke(bedrock, {"prompt": "x", "seed": 4_294_967_295}, SD35)

    assert "#/seed: 4294967295 is not less or equal to 4294967294" in caught.value.response["Error"]["Message"]
    assert invoke(bedrock, {"prompt": "x", "seed": 4_294_967_294}, SD35)[1]["seeds"] == [4_294_967_294]
    assert invocations()["count"] == 1


def test_boundary_values_are_accepted(bedrock):
    body = {
        "prompt": "p" * 10_000,
        "negative_prompt": "",
        "seed": 4_294_967_295,
        "aspect_ratio": "9:21",
        "output_format": "jpeg",
    }

    _, payload = invoke(bedrock, body)

    assert payload["seeds"] == [4_294_967_295]


@pytest.mark.parametrize(
    "model_id",
    [
        "stability.stable-image-core-v1:0",
        "stability.stable-image-core-v1:1",
        "stability.stable-image-ultra-v1:0",
        "stability.stable-image-ultra-v1:1",
        "stability.sd3-5-large-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0",
    ],
)
def test_known_model_ids_are_accepted(bedrock, model_id):
    response, _ = invoke(bedrock, {"prompt": "x", "seed": 1}, model_id)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    "model_id",
    [
        "stability.stable-image-core-v2:0",
        "stability.sd3-5-large-v1:1",
        "amazon.titan-image-generator-v2:0",
        "stability.stable-diffusion-xl-v1",
        "xx.stability.stable-image-core-v1:0",
        "us.us.stability.stable-image-core-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/us.stability.stable-image-core-v1:0",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/stability.stable-image-core-v1:0",
        "arn:aws:bedrock:us-west-2:123456789012:foundation-model/stability.stable-image-core-v1:0",
        "arn:aws:bedrock:us-west-2::inference-profile/us.stability.stable-image-core-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/",
        "arn:aws:bedrock:us-west-2::model/stability.stable-image-core-v1:0",
        "arn:aws:bedrock",
        "stability.stable-image-core-v1:0 ",
        "STABILITY.STABLE-IMAGE-CORE-V1:0",
    ],
)
def test_unknown_model_id_is_a_validation_exception(bedrock, invocations, model_id):
    with pytest.raises(ClientError) as caught:
        invoke(bedrock, {"prompt": "x"}, model_id)

    assert assert_rejected(caught.value, "ValidationException", 400) == "The provided model identifier is invalid."
    assert invocations()["count"] == 0


def test_an_unsigned_request_is_refused(emulator, invocations):
    client = boto3.client(
        "bedrock-runtime", region_name="us-west-2", endpoint_url=emulator.url, config=Config(signature_version=UNSIGNED)
    )

    with pytest.raises(ClientError) as caught:
        invoke(client, {"prompt": "x"})

    assert assert_rejected(caught.value, "MissingAuthenticationTokenException", 403) == "Missing Authentication Token"
    assert invocations()["count"] == 0


@pytest.mark.parametrize(
    ("authorization", "code", "message"),
    [
        ("Basic dXNlcjpwYXNz", "IncompleteSignatureException", "requires 'Credential' parameter"),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-west-2/bedrock/aws4_request",
            "IncompleteSignatureException",
            "requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-west-2/s3/aws4_request, SignedHeaders=host, Signature=ab",
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'bedrock'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/bedrock, SignedHeaders=host, Signature=ab",
            "InvalidSignatureException",
            "exactly 5 slash-delimited elements",
        ),
    ],
    ids=["basic", "no-signature", "wrong-service", "bad-scope"],
)
def test_a_signature_that_is_not_sigv4_for_bedrock_is_refused(emulator, invocations, authorization, code, message):
    response = requests.post(
        f"{emulator.url}/model/{CORE}/invoke",
        json={"prompt": "x"},
        headers={"Authorization": authorization},
        timeout=10,
    )

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].startswith(f"{code}:")
    assert message in response.json()["message"]
    assert invocations()["count"] == 0


def test_a_bedrock_api_key_is_accepted_like_sigv4(emulator):
    # botocore sends a bearer token when AWS_BEARER_TOKEN_BEDROCK is set.
    response = requests.post(
        f"{emulator.url}/model/{CORE}/invoke",
        json={"prompt": "x", "seed": 1},
        headers={"Authorization": "Bearer ABSKexample"},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["seeds"] == [1]
