"""Armed faults, latency and the invocation log, seen through a real boto3 client."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from offline.bedrock_emulator import CONFIGURATION_FAULT_MESSAGES, FAULTS

from .support import CORE, decode, invoke

BODY = {"prompt": "fault test", "seed": 11}

ERROR_FAULTS = [
    ("throttle", "ThrottlingException", 429, "Too many requests, please wait before trying again."),
    ("timeout", "ModelTimeoutException", 408, None),
    ("model_error", "ModelErrorException", 424, None),
    ("not_ready", "ModelNotReadyException", 429, None),
    ("access_denied", "AccessDeniedException", 403, None),
    ("service_unavailable", "ServiceUnavailableException", 503, None),
    ("quota_exceeded", "ServiceQuotaExceededException", 400, None),
    ("internal", "InternalServerException", 500, None),
    # Account and configuration problems, with Bedrock's messages word for word.
    ("operation_not_allowed", "ValidationException", 400, "Operation not allowed"),
    ("invalid_model_identifier", "ValidationException", 400, "The provided model identifier is invalid."),
    (
        "on_demand_not_supported",
        "ValidationException",
        400,
        f"Invocation of model ID {CORE} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model.",
    ),
]
CONFIGURATION_FAULTS = [fault for fault in ERROR_FAULTS if fault[0] in CONFIGURATION_FAULT_MESSAGES]


def arm(control, fault: str, times: int = 1) -> None:
    response = control("POST", "faults", json={"fault": fault, "times": times})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("fault", "code", "status", "message"), ERROR_FAULTS, ids=[f[0] for f in ERROR_FAULTS])
def test_error_fault_raises_the_service_error(bedrock, control, invocations, fault, code, status, message):
    arm(control, fault)

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, BODY)

    error = caught.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["Error"]["Message"] == (message or FAULTS[fault].message)
    assert "Traceback" not in error["Error"]["Message"]
    assert invocations()["calls"] == [
        {"model_id": CORE, "model": CORE, "region": "us-west-2", "body": BODY, "status": status}
    ]
    # One shot: the next call succeeds.
    assert invoke(bedrock, BODY)[1]["finish_reasons"] == [None]


def test_the_configuration_faults_are_exported_with_their_messages():
    assert [fault[0] for fault in CONFIGURATION_FAULTS] == list(CONFIGURATION_FAULT_MESSAGES)
    for name, message in CONFIGURATION_FAULT_MESSAGES.items():
        assert FAULTS[name].error_type == "ValidationException"
        assert FAULTS[name].message == message
    # The typographic apostrophe of Bedrock's on-demand message, not an ASCII one.
    assert "isn\u2019t" in CONFIGURATION_FAULT_MESSAGES["on_demand_not_supported"]


@pytest.mark.parametrize("fault", list(CONFIGURATION_FAULT_MESSAGES))
def test_a_configuration_fault_is_not_retried_by_the_sdk(make_client, control, invocations, fault):
    client = make_client(retries={"mode": "standard", "total_max_attempts": 3})
    arm(control, fault, times=3)

    with pytest.raises(ClientError) as caught:
        invoke(client, BODY)

    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert invocations()["count"] == 1
    assert control("GET", "faults").json()["remaining"] == 2


def test_the_on_demand_fault_names_the_id_as_sent(bedrock, control):
    arn = f"arn:aws:bedrock:us-west-2::foundation-model/{CORE}"
    arm(control, "on_demand_not_supported")

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, BODY, arn)

    assert caught.value.response["Error"]["Message"].startswith(f"Invocation of model ID {arn} with on-demand")


def test_model_error_carries_the_original_status(bedrock, control):
    arm(control, "model_error")

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, BODY)

    assert caught.value.response["originalStatusCode"] == 500


def test_filter_prompt_is_a_200_without_images(bedrock, control):
    arm(control, "filter_prompt")

    response, payload = invoke(bedrock, BODY)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload == {"seeds": [11], "finish_reasons": ["Filter reason: prompt"], "images": []}


@pytest.mark.parametrize("output_format", ["png", "jpeg"])
def test_filter_output_is_a_200_with_a_blank_image(bedrock, control, output_format):
    arm(control, "filter_output")

    response, payload = invoke(bedrock, {**BODY, "aspect_ratio": "16:9", "output_format": output_format})

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload["seeds"] == [11]
    assert payload["finish_reasons"] == ["Filter reason: output image"]
    image = decode(payload["images"][0])
    assert (image.format, image.size) == (output_format.upper(), (1344, 768))
    assert image.getextrema() == ((0, 0), (0, 0), (0, 0))


def test_malformed_is_a_200_with_an_undocumented_body(bedrock, control):
    arm(control, "malformed")

    response, payload = invoke(bedrock, BODY)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload == {"artifacts": "unexpected"}


def test_a_fault_fires_times_then_clears(bedrock, control, invocations):
    arm(control, "throttle", times=2)
    assert control("GET", "faults").json() == {"fault": "throttle", "remaining": 2, "latency_ms": 0}

    for _ in range(2):
        with pytest.raises(ClientError):
            invoke(bedrock, BODY)

    assert invoke(bedrock, BODY)[1]["finish_reasons"] == [None]
    assert [call["status"] for call in invocations()["calls"]] == [429, 429, 200]
    assert control("GET", "faults").json()["fault"] is None


def test_a_new_fault_replaces_the_armed_one(bedrock, control):
    arm(control, "throttle", times=5)
    arm(control, "access_denied")

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, BODY)

    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert invoke(bedrock, BODY)[1]["finish_reasons"] == [None]


def test_an_invalid_request_does_not_consume_a_fault(bedrock, control, invocations):
    arm(control, "throttle")

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, {"prompt": ""})

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert control("GET", "faults").json()["remaining"] == 1
    assert invocations()["count"] == 0


@pytest.mark.parametrize("fault", ["throttle", "not_ready"])
def test_standard_retry_recovers_from_one_retryable_fault(make_client, control, invocations, fault):
    client = make_client(retries={"mode": "standard", "total_max_attempts": 3})
    arm(control, fault)

    response, payload = invoke(client, BODY)

    assert payload["finish_reasons"] == [None]
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [call["status"] for call in invocations()["calls"]] == [429, 200]


def test_a_validation_error_is_not_retried(make_client, invocations):
    client = make_client(retries={"mode": "standard", "total_max_attempts": 3})

    with pytest.raises(ClientError) as caught:
        invoke(client, {"prompt": "x", "seed": -1})

    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert invocations()["rejected"] == 1


def test_latency_delays_answers_and_faults(bedrock, control):
    assert control("POST", "latency", json={"ms": 300}).json()["latency_ms"] == 300

    started = time.monotonic()
    invoke(bedrock, BODY)
    assert time.monotonic() - started >= 0.3

    arm(control, "throttle")
    started = time.monotonic()
    with pytest.raises(ClientError):
        invoke(bedrock, BODY)
    assert time.monotonic() - started >= 0.3


def test_latency_beyond_the_read_timeout_is_a_read_timeout(make_client, control, invocations):
    client = make_client(read_timeout=0.2)
    control("POST", "latency", json={"ms": 700})

    with pytest.raises(ReadTimeoutError):
        invoke(client, BODY)

    assert invocations()["count"] == 1
    # Let the abandoned call finish so it cannot overlap the next test.
    while invocations()["in_flight"]:
        time.sleep(0.05)


def test_concurrent_invocations_are_served_concurrently(make_client, control, invocations):
    client = make_client(max_pool_connections=4)
    control("POST", "latency", json={"ms": 300})

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda seed: invoke(client, {"prompt": "parallel", "seed": seed}), range(1, 5)))

    assert sorted(payload["seeds"][0] for _, payload in results) == [1, 2, 3, 4]
    log = invocations()
    assert log["count"] == 4
    assert log["max_in_flight"] == 4


def test_the_fault_counter_holds_under_concurrency(make_client, control):
    client = make_client(max_pool_connections=8)
    arm(control, "throttle", times=3)
    control("POST", "latency", json={"ms": 100})

    def call(seed: int) -> str:
        try:
            invoke(client, {"prompt": "race", "seed": seed})
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(call, range(1, 9)))

    assert outcomes == ["ThrottlingException"] * 3 + ["ok"] * 5


def test_delete_resets_faults_latency_and_the_log(bedrock, control, invocations):
    invoke(bedrock, BODY)
    arm(control, "timeout", times=3)
    control("POST", "latency", json={"ms": 50})

    response = control("DELETE", "faults")

    assert response.status_code == 200
    assert response.json() == {"fault": None, "remaining": 0, "latency_ms": 0}
    assert invocations() == {"count": 0, "rejected": 0, "in_flight": 0, "max_in_flight": 0, "calls": []}
    assert invoke(bedrock, BODY)[1]["finish_reasons"] == [None]


def test_the_log_keeps_the_last_100_calls(bedrock, control, invocations):
    arm(control, "filter_prompt", times=105)  # skips rendering: only the log matters here
    for seed in range(1, 106):
        invoke(bedrock, {"prompt": "log", "seed": seed})

    log = invocations()
    assert log["count"] == 105
    assert len(log["calls"]) == 100
    assert log["calls"][0]["body"]["seed"] == 6


def test_health(control):
    response = control("GET", "health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "body",
    [
        {"fault": "explode"},
        {"fault": None},
        {},
        {"fault": "throttle", "times": 0},
        {"fault": "throttle", "times": -1},
        {"fault": "throttle", "times": "2"},
        {"fault": "throttle", "times": True},
        {"fault": "throttle", "times": 1.5},
        {"fault": "throttle", "extra": 1},
        ["throttle"],
        "not json",
    ],
)
def test_bad_fault_requests_are_rejected_with_the_valid_names(control, body):
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}

    response = control("POST", "faults", **kwargs)

    assert response.status_code == 400
    message = response.json()["message"]
    if body != "not json":
        assert all(name in message for name in FAULTS)
    assert control("GET", "faults").json()["fault"] is None


@pytest.mark.parametrize("body", [{"ms": -1}, {"ms": "5"}, {"ms": True}, {"ms": 1.5}, {}, {"ms": 5, "x": 1}, "{"])
def test_bad_latency_requests_are_rejected(control, body):
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}

    response = control("POST", "latency", **kwargs)

    assert response.status_code == 400
    assert "message" in response.json()
    assert control("GET", "latency").json()["latency_ms"] == 0


def test_in_process_controls_match_the_endpoints(emulator, bedrock):
    emulator.arm_fault("not_ready", times=1)
    emulator.set_latency(10)

    with pytest.raises(ClientError) as caught:
        invoke(bedrock, BODY)

    assert caught.value.response["Error"]["Code"] == "ModelNotReadyException"
    assert emulator.invocations()["count"] == 1
    emulator.reset()
    assert emulator.invocations()["count"] == 0
    with pytest.raises(ValueError, match="valid faults"):
        emulator.arm_fault("nope")
