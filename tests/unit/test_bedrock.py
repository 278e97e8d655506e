"""The Bedrock adapter: the body it sends, the response shape it accepts and the domain error
for every Bedrock Runtime error type and finish reason (botocore's Stubber, no network)."""

from __future__ import annotations

import base64
import io
import json
import time

import boto3
import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.models import errors
from imagegen.models.request import ImageRequest
from PIL import Image


def png(width=1024, height=1024) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width=1344, height=768) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def body(payload) -> dict:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


@pytest.fixture
def stubbed():
    client = boto3.client("bedrock-runtime", region_name="us-west-2")
    with Stubber(client) as stubber:
        yield stubber, BedrockImageModel(client)


def generate(model, output_format="png", *, seed=7, deadline=None, **fields):
    """One call with the body a text-to-image request of `fields` sends."""
    request = ImageRequest.parse({"prompt": "a cat", "output_format": output_format, **fields}, enabled=["core"])
    return model.generate(
        spec=request.model_spec,
        body=request.bedrock_body(seed=seed, images={}),
        output_format=request.output_format,
        deadline=deadline,
    )


def test_sends_only_the_documented_fields_and_reads_the_image(stubbed):
    stubber, model = stubbed
    data = png()
    stubber.add_response(
        "invoke_model",
        body({"seeds": [7], "finish_reasons": [None], "images": [base64.b64encode(data).decode()]}),
        {
            "modelId": "stability.stable-image-core-v1:1",
            "contentType": "application/json",
            "accept": "application/json",
            "body": json.dumps({"prompt": "a cat", "aspect_ratio": "1:1", "seed": 7, "output_format": "png"}),
        },
    )
    image = generate(model)
    assert (image.data, image.seed, image.content_type, image.width, image.height) == (data, 7, "image/png", 1024, 1024)


def test_negative_prompt_is_sent_when_given_and_seeds_may_be_strings(stubbed):
    stubber, model = stubbed
    stubber.add_response(
        "invoke_model",
        body({"seeds": ["8"], "finish_reasons": [None], "images": [base64.b64encode(jpeg()).decode()]}),
        {
            "modelId": "stability.stable-image-core-v1:1",
            "contentType": "application/json",
            "accept": "application/json",
            "body": json.dumps(
                {
                    "prompt": "a cat",
                    "aspect_ratio": "16:9",
                    "seed": 8,
                    "output_format": "jpeg",
                    "negative_prompt": "blur",
                }
            ),
        },
    )
    image = generate(model, "jpeg", aspect_ratio="16:9", seed=8, negative_prompt="blur")
    assert (image.seed, image.content_type, image.width, image.height) == (8, "image/jpeg", 1344, 768)


@pytest.mark.parametrize(
    ("code", "status", "expected", "retryable"),
    [
        ("ThrottlingException", 429, errors.Throttled, True),
        ("ServiceQuotaExceededException", 400, errors.Throttled, True),
        ("ModelTimeoutException", 408, errors.ModelTimeout, True),
        ("ModelErrorException", 424, errors.ModelError, True),
        ("InternalServerException", 500, errors.ModelError, True),
        ("ModelNotReadyException", 429, errors.ModelUnavailable, True),
        ("ServiceUnavailableException", 503, errors.ModelUnavailable, True),
        ("AccessDeniedException", 403, errors.ModelUnavailable, False),
        ("ResourceNotFoundException", 404, errors.ModelUnavailable, False),
        ("ValidationException", 400, errors.ValidationFailed, False),
        ("SomethingNewException", 400, errors.InternalError, True),
    ],
)
def test_every_bedrock_error_type_maps_to_one_domain_error(stubbed, code, status, expected, retryable):
    stubber, model = stubbed
    stubber.add_client_error(
        "invoke_model", service_error_code=code, service_message="details", http_status_code=status
    )
    with pytest.raises(expected) as caught:
        generate(model)
    assert type(caught.value) is expected
    assert caught.value.retryable is retryable


@pytest.mark.parametrize(
    ("payload", "expected", "code"),
    [
        (
            {"seeds": [1], "finish_reasons": ["Filter reason: prompt"], "images": []},
            errors.ContentFiltered,
            "content_filtered",
        ),
        (
            {"seeds": [1], "finish_reasons": ["Filter reason: output image"], "images": ["aGVsbG8="]},
            errors.ContentFiltered,
            "content_filtered",
        ),
        ({"seeds": [1], "finish_reasons": ["Filter reason: input image"]}, errors.ContentFiltered, "content_filtered"),
        ({"seeds": [1], "finish_reasons": ["Inference error"], "images": []}, errors.ModelError, "model_error"),
        ({"seeds": [1], "finish_reasons": ["Something new"], "images": []}, errors.ModelError, "model_error"),
        ({"artifacts": []}, errors.ModelError, "model_error"),
        ({"seeds": [1], "finish_reasons": [None]}, errors.ModelError, "model_error"),
        ({"seeds": [1], "finish_reasons": [None], "images": ["not base64!"]}, errors.ModelError, "model_error"),
        ({"seeds": ["x"], "finish_reasons": [None], "images": ["aGVsbG8="]}, errors.ModelError, "model_error"),
        ({"seeds": [1], "finish_reasons": [None], "images": ["aGVsbG8="]}, errors.ModelError, "model_error"),
        ([1, 2], errors.ModelError, "model_error"),
        (b"<html>not json</html>", errors.ModelError, "model_error"),
    ],
)
def test_finish_reasons_and_response_shape(stubbed, payload, expected, code):
    stubber, model = stubbed
    stubber.add_response("invoke_model", body(payload))
    with pytest.raises(expected) as caught:
        generate(model)
    assert caught.value.code == code


def test_filter_reason_is_reported(stubbed):
    stubber, model = stubbed
    stubber.add_response("invoke_model", body({"seeds": [1], "finish_reasons": ["Filter reason: prompt"]}))
    with pytest.raises(errors.ContentFiltered) as caught:
        generate(model)
    assert caught.value.details == {"reason": "Filter reason: prompt"}


def test_an_image_in_the_wrong_format_is_a_model_error(stubbed):
    stubber, model = stubbed
    stubber.add_response(
        "invoke_model", body({"seeds": [1], "finish_reasons": [None], "images": [base64.b64encode(png()).decode()]})
    )
    with pytest.raises(errors.ModelError):
        generate(model, "jpeg")


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (ReadTimeoutError(endpoint_url="https://bedrock"), errors.ModelTimeout),
        (ConnectTimeoutError(endpoint_url="https://bedrock"), errors.ModelUnavailable),
        (EndpointConnectionError(endpoint_url="https://bedrock"), errors.ModelUnavailable),
    ],
)
def test_transport_failures(exception, expected):
    class Failing:
        def invoke_model(self, **_):
            raise exception

    with pytest.raises(expected):
        generate(BedrockImageModel(Failing()))


class StandardRetries:
    """A stand-in for botocore's standard retry handler that records being asked."""

    def __init__(self, answer: float | None):
        self.answer = answer
        self.asked = 0

    def needs_retry(self, **_):
        self.asked += 1
        return self.answer


def _decide(standard: StandardRetries, *, code: str | None = None, exception=None, attempts: int = 1):
    from imagegen.adapters.bedrock.client import _retry_decision

    response = (None, {"Error": {"Code": code}}) if code else None
    return _retry_decision(
        standard.needs_retry, 3, response=response, caught_exception=exception, attempts=attempts, request_dict={}
    )


def test_a_read_timeout_is_never_retried_and_costs_no_retry_quota():
    standard = StandardRetries(answer=0.5)
    assert _decide(standard, exception=ReadTimeoutError(endpoint_url="https://bedrock")) is None
    assert standard.asked == 0  # botocore would take retry quota for it and not give it back


def test_quota_refusals_are_retried_with_backoff_until_the_last_attempt():
    standard = StandardRetries(answer=None)
    delays = [_decide(standard, code="ServiceQuotaExceededException", attempts=n) for n in (1, 2, 3)]
    assert 0 <= delays[0] <= 1 and 0 <= delays[1] <= 2
    assert delays[2] is None
    assert standard.asked == 0


def test_everything_else_is_botocores_standard_decision():
    assert _decide(StandardRetries(answer=0.25), code="ThrottlingException") == 0.25
    assert _decide(StandardRetries(answer=None), code="ValidationException") is None


def test_no_retry_starts_after_the_calls_deadline():
    from imagegen.adapters.bedrock.client import call_deadline

    # Given a call whose deadline is 1 s away
    with call_deadline(time.monotonic() + 1.0):
        # A retry that would start after it is not made; one that starts before it is
        assert _decide(StandardRetries(answer=2.0), code="ThrottlingException") is None
        assert _decide(StandardRetries(answer=0.1), code="ThrottlingException") == 0.1
    # Outside the block the call has no deadline
    assert _decide(StandardRetries(answer=2.0), code="ThrottlingException") == 2.0


# Bedrock's messages for account and configuration problems, as it words them.
ACCOUNT_MESSAGES = [
    ("Operation not allowed", "Marketplace"),
    ("The provided model identifier is invalid.", "imagegen:bedrockRegion"),
    (
        "Invocation of model ID stability.stable-image-core-v1:1 with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model.",
        "imagegen:inferenceProfilePrefix",
    ),
]


@pytest.mark.parametrize(("message", "advice"), ACCOUNT_MESSAGES)
def test_account_problems_are_503_saying_what_to_fix_and_not_retried(stubbed, message, advice):
    stubber, model = stubbed
    stubber.add_client_error(
        "invoke_model", service_error_code="ValidationException", service_message=message, http_status_code=400
    )
    with pytest.raises(errors.ModelUnavailable) as caught:
        generate(model)
    assert caught.value.status == 503
    assert caught.value.retryable is False
    assert advice in caught.value.message


def test_any_other_validation_message_is_the_models_400(stubbed):
    stubber, model = stubbed
    stubber.add_client_error(
        "invoke_model",
        service_error_code="ValidationException",
        service_message="Malformed input request: #/seed: expected maximum: 4294967295",
        http_status_code=400,
    )
    with pytest.raises(errors.ValidationFailed) as caught:
        generate(model)
    assert caught.value.details == {"source": "model"}


def test_the_model_id_sent_is_the_deployments_invocation_id():
    client = boto3.client("bedrock-runtime", region_name="us-west-2")
    model = BedrockImageModel(
        client, model_ids={"stability.stable-image-core-v1:1": "us.stability.stable-image-core-v1:1"}
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            "invoke_model",
            body({"seeds": [7], "finish_reasons": [None], "images": [base64.b64encode(png()).decode()]}),
            {
                "modelId": "us.stability.stable-image-core-v1:1",
                "contentType": "application/json",
                "accept": "application/json",
                "body": json.dumps({"prompt": "a cat", "aspect_ratio": "1:1", "seed": 7, "output_format": "png"}),
            },
        )
        assert generate(model).seed == 7
