"""Faults for every model, filter_input among them, and InvokeModel's body limit."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from offline.bedrock_emulator import FAULTS

from .support import CORE, MINIMAL, SD35, SERVICES, ULTRA, decode, invoke, profile, rejection

# Every model with a valid body: the text-to-image ones, image-to-image, each service.
CALLS = [
    (CORE, {"prompt": "p", "seed": 4}),
    (ULTRA, {"prompt": "p", "image": MINIMAL["stable-fast-upscale"]["image"], "seed": 4}),
    (SD35, {"prompt": "p", "mode": "image-to-image", "image": MINIMAL["stable-fast-upscale"]["image"], "strength": 1}),
    *[(profile(name), MINIMAL[name]) for name in SERVICES],
]
IDS = ["core", "ultra-i2i", "sd3.5-i2i", *SERVICES]


def arm(control, fault: str) -> None:
    control("POST", "faults", json={"fault": fault, "times": 1}).raise_for_status()


def test_filter_input_is_a_declared_fault(control):
    assert FAULTS["filter_input"].kind == "filter_input"
    refusal = control("POST", "faults", json={"fault": "nope"}).json()["message"]
    assert "filter_input" in refusal


@pytest.mark.parametrize(("model_id", "body"), CALLS, ids=IDS)
def test_filter_input_is_a_200_without_images(make_client, control, invocations, model_id, body):
    arm(control, "filter_input")

    response, payload = invoke(make_client(region="us-west-2"), body, model_id)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload["finish_reasons"] == ["Filter reason: input image"]
    assert payload["images"] == []
    assert len(payload["seeds"]) == 1
    assert invocations()["calls"][0]["status"] == 200
    # One shot.
    assert invoke(make_client(region="us-west-2"), body, model_id)[1]["finish_reasons"] == [None]


@pytest.mark.parametrize("fault", ["throttle", "timeout", "model_error", "not_ready", "access_denied"])
@pytest.mark.parametrize(("model_id", "body"), CALLS[:4], ids=IDS[:4])
def test_error_faults_answer_for_every_kind_of_model(bedrock, control, invocations, fault, model_id, body):
    arm(control, fault)

    code, status, message = rejection(bedrock, body, model_id)

    assert (code, message) == (FAULTS[fault].error_type, FAULTS[fault].message_for(model_id))
    (call,) = invocations()["calls"]
    assert (call["model_id"], call["region"], call["body"], call["status"]) == (model_id, "us-west-2", body, status)
    assert call["model"] == model_id.removeprefix("us.")


@pytest.mark.parametrize(
    ("name", "size"),
    [("stable-fast-upscale", (384, 320)), ("stable-outpaint", (104, 80)), ("stable-image-style-guide", (1024, 1024))],
)
def test_filter_output_is_a_blank_image_of_the_output_size(bedrock, control, name, size):
    arm(control, "filter_output")

    _, payload = invoke(bedrock, {**MINIMAL[name], "output_format": "webp"}, profile(name))

    assert payload["finish_reasons"] == ["Filter reason: output image"]
    image = decode(payload["images"][0])
    assert (image.format, image.size, image.convert("L").getextrema()) == ("WEBP", size, (0, 0))


def test_filter_prompt_and_malformed_answer_for_a_service(bedrock, control):
    name = "stable-image-inpaint"
    arm(control, "filter_prompt")
    assert invoke(bedrock, MINIMAL[name], profile(name))[1]["finish_reasons"] == ["Filter reason: prompt"]
    arm(control, "malformed")
    assert invoke(bedrock, MINIMAL[name], profile(name))[1] == {"artifacts": "unexpected"}


def test_a_refused_input_is_not_a_model_call_and_keeps_the_fault(bedrock, control, invocations):
    arm(control, "throttle")

    assert rejection(bedrock, {"image": "??"}, profile("stable-fast-upscale"))[0] == "ValidationException"

    assert control("GET", "faults").json()["remaining"] == 1
    assert invocations()["count"] == 0


LIMIT = 25_000_000
TOO_LONG = (
    "1 validation error detected: Value at 'body' failed to satisfy constraint: "
    "Member must have length less than or equal to 25000000"
)


def padded(length: int) -> bytes:
    """A valid body of exactly `length` bytes (JSON allows trailing whitespace)."""
    body = json.dumps({"prompt": "limit", "seed": 3}).encode()
    return body + b" " * (length - len(body))


def test_a_body_of_25000000_bytes_is_taken(bedrock):
    response = bedrock.invoke_model(modelId=CORE, body=padded(LIMIT))

    assert json.loads(response["body"].read())["seeds"] == [3]


def test_a_body_over_25000000_bytes_is_a_validation_exception(bedrock, invocations):
    with pytest.raises(ClientError) as caught:
        bedrock.invoke_model(modelId=CORE, body=padded(LIMIT + 1))

    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    assert error["Error"]["Message"] == TOO_LONG
    assert invocations()["count"] == 0
    # The body was read, so the client's pooled connection goes on serving.
    assert invoke(bedrock, {"prompt": "next", "seed": 1})[1]["seeds"] == [1]


def test_the_body_limit_holds_for_a_service_body_full_of_image(emulator, invocations):
    body = json.dumps({"image": "A" * LIMIT}).encode()
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=ab"
    )

    response = requests.post(
        f"{emulator.url}/model/{profile('stable-fast-upscale')}/invoke",
        data=body,
        headers={"Authorization": authorization, "Content-Type": "application/json"},
        timeout=30,
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"].startswith("ValidationException:")
    assert response.json() == {"message": TOO_LONG}
    assert invocations()["count"] == 0
