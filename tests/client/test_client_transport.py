"""The client's HTTP behaviour against a scripted transport: retries after Retry-After and with
bounded backoff, which answers are never retried, API Gateway's own error answers, and SigV4
signatures identical to those of botocore's signer."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.session import Session
from imagegen_client import (
    AuthError,
    ImageGenClient,
    ModelError,
    ModelUnavailableError,
    NotFoundError,
    PayloadTooLargeError,
    RetryPolicy,
    ThrottledError,
    ValidationError,
)
from imagegen_client.transport import Transport

API = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod"


def answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    response.headers.update(headers or {})
    return response


def error(status: int, code: str, headers: dict[str, str] | None = None) -> requests.Response:
    return answer(status, {"error": {"code": code, "message": f"{code} happened"}}, headers)


class Scripted(requests.Session):
    """Answers each request with the next scripted answer and keeps the requests."""

    def __init__(self, *answers: requests.Response):
        super().__init__()
        self.answers: Iterator[requests.Response] = iter(answers)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **_):  # type: ignore[override]
        self.sent.append(request)
        return next(self.answers)


def transport(http: Scripted, waits: list[float], *, retry: RetryPolicy | None = None, rand: float = 0.0) -> Transport:
    return Transport(
        API,
        auth="none",
        region="eu-west-1",
        credentials=lambda: None,
        http=http,
        sleep=waits.append,
        retry=retry,
        rand=lambda: rand,
    )


def test_a_429_is_retried_after_its_retry_after():
    http, waits = Scripted(error(429, "throttled", {"Retry-After": "1"}), answer(200, {"status": "ok"})), []
    assert transport(http, waits).request("GET", "/health").json() == {"status": "ok"}
    assert waits == [1.0] and len(http.sent) == 2


def test_the_wait_after_retry_after_has_a_bounded_jitter():
    http, waits = Scripted(error(429, "throttled", {"Retry-After": "2"}), answer(200)), []
    transport(http, waits, rand=0.99).request("GET", "/health")
    assert 2 < waits[0] < 2 + RetryPolicy().base_delay


def test_a_503_without_retry_after_backs_off_until_the_attempts_are_spent():
    http = Scripted(*(error(503, "model_unavailable") for _ in range(4)))
    waits: list[float] = []
    with pytest.raises(ModelUnavailableError) as raised:
        transport(http, waits, rand=1.0).request("POST", "/images", document={"prompt": "x"})
    assert raised.value.status == 503 and raised.value.exit_code == 6
    assert waits == [0.5, 1.0, 2.0] and len(http.sent) == 4


def test_backoff_and_retry_after_are_bounded():
    policy = RetryPolicy(max_attempts=8, base_delay=1.0, max_delay=3.0)
    http, waits = Scripted(*(error(503, "model_unavailable") for _ in range(8))), []
    with pytest.raises(ModelUnavailableError):
        transport(http, waits, retry=policy, rand=1.0).request("GET", "/health")
    assert waits == [1.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    # A Retry-After beyond the bound ends the retries rather than coming back early.
    http, waits = Scripted(error(429, "throttled", {"Retry-After": "3600"})), []
    with pytest.raises(ThrottledError) as raised:
        transport(http, waits, retry=policy).request("GET", "/health")
    assert waits == [] and raised.value.retry_after == 3600


@pytest.mark.parametrize(
    ("response", "expected", "code"),
    [
        (error(400, "validation_error"), ValidationError, "validation_error"),
        (error(404, "not_found"), NotFoundError, "not_found"),
        (error(502, "model_error"), ModelError, "model_error"),
        # API Gateway's own answers, not in the contract's shape.
        (answer(413, {"message": "Request Too Long"}), PayloadTooLargeError, "payload_too_large"),
        (answer(413, b"HTTP content length exceeded 10485760 bytes."), PayloadTooLargeError, "payload_too_large"),
        (answer(403, {"message": "Forbidden"}), AuthError, "forbidden"),
    ],
)
def test_other_errors_are_raised_at_once_by_class(response, expected, code):
    http, waits = Scripted(response), []
    with pytest.raises(expected) as raised:
        transport(http, waits).request("POST", "/images", document={"prompt": "x"})
    assert raised.value.code == code and raised.value.status == response.status_code
    assert waits == [] and len(http.sent) == 1


def test_the_413_of_api_gateway_exits_as_a_validation_error():
    http, waits = Scripted(answer(413, {"message": "Request Too Long"})), []
    with pytest.raises(PayloadTooLargeError) as raised:
        transport(http, waits).request("POST", "/images", document={})
    assert raised.value.exit_code == 3 and raised.value.message == "Request Too Long"


@pytest.fixture
def frozen_time(monkeypatch):
    moment = datetime.datetime(2026, 11, 30, 12, 0, 0)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *_: moment)
    return moment


@pytest.mark.parametrize("token", [None, "session-token"])
def test_the_signature_is_botocores_own(frozen_time, token):
    session = Session()
    session.set_credentials("AKIDEXAMPLE", "secret-example", token)
    http = Scripted(answer(202, {"job_id": "j", "status": "queued", "status_url": f"{API}/jobs/j"}))
    client = ImageGenClient(API, session=session, http=http)
    client.submit_job("images", idempotency_key="key-1", prompt="a lighthouse")
    [sent] = http.sent

    expected = AWSRequest(
        method="POST",
        url=f"{API}/jobs",
        data=sent.body,
        headers={"Content-Type": "application/json", "Idempotency-Key": "key-1"},
    )
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret-example", token), "execute-api", "eu-west-1").add_auth(expected)
    assert sent.headers["Authorization"] == expected.headers["Authorization"]
    assert sent.headers["X-Amz-Date"] == expected.headers["X-Amz-Date"] == "20261130T120000Z"
    assert "/eu-west-1/execute-api/aws4_request" in sent.headers["Authorization"]
    assert sent.headers.get("X-Amz-Security-Token") == token


def test_a_query_string_is_signed_as_sent(frozen_time):
    session = Session()
    session.set_credentials("AKIDEXAMPLE", "secret-example")
    http = Scripted(answer(200, {"jobs": [], "next_cursor": None}))
    ImageGenClient(API, session=session, http=http).jobs(limit=5, cursor="a b/c")
    [sent] = http.sent
    expected = AWSRequest(method="GET", url=sent.url, data=b"")
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret-example"), "execute-api", "eu-west-1").add_auth(expected)
    assert sent.headers["Authorization"] == expected.headers["Authorization"]


def test_api_key_mode_sends_the_key_and_no_signature():
    http = Scripted(answer(200, {"jobs": [], "next_cursor": None}))
    ImageGenClient(API, auth="api_key", api_key="k-123", http=http).jobs()
    [sent] = http.sent
    assert sent.headers["x-api-key"] == "k-123" and "Authorization" not in sent.headers


def test_a_request_the_schema_refuses_is_never_sent():
    http = Scripted()
    with pytest.raises(ValidationError) as raised:
        ImageGenClient(API, auth="none", http=http).generate("a cat", count=9)
    assert raised.value.status is None and raised.value.details["errors"][0]["field"].endswith("count")
    with pytest.raises(ValidationError):
        ImageGenClient(API, auth="none", http=http).submit_job("upscale/fast", image=b"x" * 64, unknown_field=1)
    assert http.sent == []
