"""The local API Gateway of `make run` on its own, in front of a stand-in function that records
the proxy events it gets: who the caller is, and what API Gateway answers before any function
runs, over real sockets."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

from offline.api_gateway import ApiGatewayServer
from offline.local_lambda import LocalFunction

ACCOUNT = "123456789012"


class RecordingFunction:
    """Answers 200 with the identity it was invoked with."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        body = {"method": event["httpMethod"], "identity": event["requestContext"]["identity"]}
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[str, RecordingFunction]]:
    function = RecordingFunction()
    server = ApiGatewayServer(("127.0.0.1", 0), function)  # type: ignore[arg-type]
    server.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", function
    finally:
        server.stop()


def signed_headers(url: str, access_key: str, method: str = "GET") -> dict[str, str]:
    request = botocore.awsrequest.AWSRequest(method=method, url=url)
    credentials = botocore.credentials.Credentials(access_key, "any secret")
    botocore.auth.SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def raw(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends `data` as is and reads the one answer (the gateway closes after an error)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
    return int(status_line.split()[1]), headers, body


# --- who the caller is ---------------------------------------------------------------------------


def test_a_sigv4_signed_request_runs_as_the_iam_user_named_by_its_access_key(gateway):
    url, _ = gateway
    identity = requests.get(f"{url}/health", headers=signed_headers(f"{url}/health", "AKIDALICE"), timeout=10).json()[
        "identity"
    ]
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/AKIDALICE"
    assert identity["accountId"] == ACCOUNT
    assert identity["accessKey"] == "AKIDALICE"
    # An IAM user's principal id: its unique id (AIDA...), the same in caller and user.
    assert identity["caller"] == identity["user"]
    assert identity["caller"].startswith("AIDA") and len(identity["caller"]) == 21
    assert identity["sourceIp"] == "127.0.0.1"
    assert identity["cognitoIdentityId"] is None and identity["apiKey"] is None


def test_two_access_keys_are_two_callers_and_one_key_is_always_the_same_caller(gateway):
    url, _ = gateway

    def identity(key: str) -> dict[str, Any]:
        return requests.get(f"{url}/jobs/x", headers=signed_headers(f"{url}/jobs/x", key), timeout=10).json()[
            "identity"
        ]

    alice, bob, alice_again = identity("A"), identity("B"), identity("A")
    assert alice["userArn"] != bob["userArn"] and alice["caller"] != bob["caller"]
    assert alice == alice_again


def test_a_presigned_url_identifies_its_signer(gateway):
    url, _ = gateway
    query = presigned_query("AKIDPRESIGNED%2F20261201%2Fus-east-1%2Fexecute-api%2Faws4_request")
    identity = requests.get(f"{url}/health?{query}", timeout=10).json()["identity"]
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/AKIDPRESIGNED"


def presigned_query(credential: str, **fields: str) -> str:
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": credential,
        "X-Amz-Date": "20261201T000000Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "00",
        **fields,
    }
    return "&".join(f"{name}={value}" for name, value in query.items() if value is not None)


GOOD = "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "Basic dXNlcjpwYXNz",
        "",
        "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
        GOOD.replace("execute-api", "s3"),
        GOOD.replace("us-east-1", "eu-west-1"),
        GOOD.replace("AKID/20261201/", "AKID/"),
    ],
)
def test_a_signature_not_in_due_form_is_refused_as_iam_authorization_does(gateway, authorization):
    url, function = gateway
    count = len(function.events)
    response = requests.get(
        f"{url}/health", headers={"Authorization": authorization, "X-Amz-Date": "20261201T000000Z"}, timeout=10
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert len(function.events) == count  # the function never ran


def test_a_signed_request_needs_a_date_and_a_presigned_one_all_its_fields(gateway):
    url, _ = gateway
    assert requests.get(f"{url}/health", headers={"Authorization": GOOD}, timeout=10).status_code == 403
    assert requests.get(f"{url}/health", headers={"Authorization": GOOD, "X-Amz-Date": "x"}, timeout=10).ok
    credential = "AKID%2F20261201%2Fus-east-1%2Fexecute-api%2Faws4_request"
    for missing in ("X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Algorithm"):
        query = presigned_query(credential, **{missing: None})
        assert requests.get(f"{url}/health?{query}", timeout=10).status_code == 403, missing


def test_an_unsigned_request_runs_as_the_anonymous_caller(gateway):
    url, _ = gateway
    identity = requests.get(f"{url}/health", headers={"User-Agent": "tester/1"}, timeout=10).json()["identity"]
    assert {k: v for k, v in identity.items() if v is not None} == {"sourceIp": "127.0.0.1", "userAgent": "tester/1"}
    assert "userArn" in identity and "caller" in identity and "apiKeyId" in identity


@pytest.mark.parametrize("user", ["A", "B"])
def test_curl_aws_sigv4_users_are_callers(gateway, user):
    url, _ = gateway
    completed = subprocess.run(
        ["curl", "-s", f"{url}/health", "--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", f"{user}:x"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(completed.stdout)["identity"]["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/{user}"


# --- what the gateway answers itself -------------------------------------------------------------


def assert_gateway_error(answer: tuple[int, dict[str, str], bytes], status: int) -> None:
    got_status, headers, body = answer
    assert got_status == status, body
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"}
    assert error["code"] == "client_error"
    assert "<" not in error["message"]  # no HTML, no echo of the request


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT", "HEAD", "DELETE"])
def test_every_method_reaches_the_function(gateway, method):
    url, function = gateway
    status, _, _ = raw(url, f"{method} /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status == 200
    assert function.events[-1]["httpMethod"] == method


@pytest.mark.parametrize(
    "request_line",
    [
        b"GARBAGE\r\n",
        b"GET /health\r\n",  # HTTP/0.9
        b"GET /health HTTP/1.1 extra\r\n",
        b"GET /health HTTP/x.y\r\n",
        b"GET /health HTTP/2.0\r\n",
        b"G(T /health HTTP/1.1\r\n",
    ],
)
def test_a_bad_request_line_is_a_json_400(gateway, request_line):
    url, _ = gateway
    assert_gateway_error(raw(url, request_line + b"Host: x\r\n\r\n"), 400)


def test_a_url_over_api_gateways_limit_is_a_json_414(gateway):
    url, function = gateway
    count = len(function.events)
    assert_gateway_error(raw(url, b"GET /" + b"a" * 10_240 + b" HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
    assert_gateway_error(raw(url, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
    assert len(function.events) == count  # the function never ran
    # Just under the limit still reaches the function.
    assert requests.get(f"{url}/" + "a" * 10_000, timeout=10).status_code == 200


def test_headers_over_api_gateways_limit_are_a_json_431(gateway):
    url, _ = gateway
    assert_gateway_error(raw(url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 10_300 + b"\r\n\r\n"), 431)
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 200) for i in range(60))
    assert_gateway_error(raw(url, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n"), 431)
    line = b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"h" * 70_000 + b"\r\n\r\n"  # over Python's own line limit
    assert_gateway_error(raw(url, line), 431)


@pytest.mark.parametrize("length", [b"-1", b"abc", b"+5", b"1_0", b"5, 6", b""])
def test_a_malformed_content_length_is_a_json_400(gateway, length):
    url, _ = gateway
    request = b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\nhello"
    assert_gateway_error(raw(url, request), 400)


def test_conflicting_content_lengths_and_bad_chunks_are_json_400s(gateway):
    url, _ = gateway
    two = b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"
    assert_gateway_error(raw(url, two), 400)
    both = b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert_gateway_error(raw(url, both), 400)
    bad_size = b"POST /images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n0\r\n\r\n"
    assert_gateway_error(raw(url, bad_size), 400)
    gzip = b"POST /images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
    assert_gateway_error(raw(url, gzip), 400)


def test_a_body_cut_short_is_a_json_400(gateway):
    url, _ = gateway
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort")
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 400 ")
    assert json.loads(received.partition(b"\r\n\r\n")[2])["error"]["code"] == "client_error"


def assert_body_too_large(answer: tuple[int, dict[str, str], bytes]) -> None:
    """API Gateway's own answer, which no gateway response customizes."""
    status, headers, body = answer
    assert status == 413
    assert headers["content-type"] == "text; charset=utf-8"
    assert body == b"HTTP content length exceeded 10485760 bytes."


def test_a_body_over_10_mb_is_api_gateways_own_413(gateway):
    url, function = gateway
    before = len(function.events)
    request = b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n"
    assert_body_too_large(raw(url, request))
    chunked = b"POST /images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"x" * (1024 * 1024)
    chunks = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(11))
    assert_body_too_large(raw(url, chunked + chunks + b"0\r\n\r\n"))
    assert len(function.events) == before


def test_chunked_bodies_reach_the_function(gateway):
    url, function = gateway
    request = b"POST /images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    status, _, _ = raw(url, request + b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
    assert status == 200
    assert function.events[-1]["body"] == "abcde"


def test_keep_alive_survives_good_requests(gateway):
    url, _ = gateway
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(f"{url}/health", timeout=10).status_code == 200


def test_with_signatures_required_an_unsigned_request_is_refused():
    function = RecordingFunction()
    server = ApiGatewayServer(("127.0.0.1", 0), function, require_signature=True)  # type: ignore[arg-type]
    server.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        unsigned = requests.get(f"{url}/health", headers={"x-api-key": "any"}, timeout=10)
        assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (403, "forbidden")
        assert function.events == []
        signed = requests.get(f"{url}/health", headers=signed_headers(f"{url}/health", "AKID"), timeout=10)
        assert signed.status_code == 200
    finally:
        server.stop()


def test_a_body_whose_event_is_over_lambdas_6_mb_is_api_gateways_413():
    """API Gateway takes up to 10 MB, Lambda an event of up to 6 MB: between the two, API Gateway
    answers 413 itself and the function never runs."""
    function = LocalFunction(
        name="SizeFunction", handler="tests.e2e.stand_in_handlers.body_size", env={}, concurrency=1, timeout=30
    )
    server = ApiGatewayServer(("127.0.0.1", 0), function)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/images"
        fits = requests.post(url, data=b"x" * (6 * 1024 * 1024 - 8192), timeout=60)
        assert (fits.status_code, fits.text) == (200, str(6 * 1024 * 1024 - 8192))
        # 5 MB of binary arrives base64-encoded in the event: over 6 MB.
        for body in (b"x" * (6 * 1024 * 1024), b"\xff" * (5 * 1024 * 1024)):
            refused = requests.post(url, data=body, headers={"Content-Type": "application/octet-stream"}, timeout=60)
            assert refused.status_code == 413
            assert refused.headers["Content-Type"] == "application/json"
            assert refused.headers["x-amzn-ErrorType"] == "BadRequestException"
            assert refused.json() == {"message": "Request Too Long"}
        with requests.Session() as session:  # the connection stays usable, as after any answer
            assert session.post(url, data=b"x" * (7 * 1024 * 1024), timeout=60).status_code == 413
            assert session.post(url, data=b"small", timeout=60).text == "5"
    finally:
        server.stop()
        function.close()
