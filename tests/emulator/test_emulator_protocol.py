"""HTTP details botocore relies on: keep-alive, lengths, headers, unknown routes, lifecycle."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import uuid

import pytest
import requests

from offline.bedrock_emulator import BedrockEmulator

from .support import CORE

SIGV4 = "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-west-2/bedrock/aws4_request, SignedHeaders=host, Signature=ab"


def raw_exchange(emulator: BedrockEmulator, request: bytes) -> bytes:
    """Send bytes, read until the server closes the connection."""
    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_one_connection_carries_several_requests(emulator):
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    body = json.dumps({"prompt": "keep-alive", "seed": 2})
    try:
        connection.request("GET", "/_emulator/health")
        first = connection.getresponse()
        assert json.loads(first.read()) == {"status": "ok"}
        local_port = connection.sock.getsockname()[1]

        headers = {"Authorization": SIGV4, "Content-Type": "application/json"}
        connection.request("POST", f"/model/{CORE.replace(':', '%3A')}/invoke", body=body, headers=headers)
        second = connection.getresponse()
        payload = second.read()

        assert second.status == 200
        assert int(second.getheader("Content-Length")) == len(payload)
        assert json.loads(payload)["seeds"] == [2]
        assert connection.sock.getsockname()[1] == local_port
    finally:
        connection.close()


def test_every_answer_carries_a_request_id_and_json(emulator):
    for response in (
        requests.get(f"{emulator.url}/_emulator/health", timeout=10),
        requests.post(f"{emulator.url}/model/{CORE}/invoke", json={"prompt": "x"}, timeout=10),
        requests.get(f"{emulator.url}/nowhere", timeout=10),
    ):
        uuid.UUID(response.headers["x-amzn-RequestId"])
        assert response.headers["Content-Type"] == "application/json"
        assert "message" in response.json() or response.ok


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/nowhere", 404, None),
        ("POST", "/model/x/converse", 404, None),
        ("POST", "/model//invoke", 404, None),
        ("GET", f"/model/{CORE}/invoke", 405, "POST"),
        ("PUT", "/_emulator/health", 405, "GET"),
        ("PATCH", "/_emulator/faults", 405, "DELETE, GET, POST"),
    ],
)
def test_unknown_operations_are_json_errors(emulator, method, path, status, allow):
    response = requests.request(method, f"{emulator.url}{path}", headers={"Authorization": SIGV4}, timeout=10)

    assert response.status_code == status
    assert response.headers["x-amzn-ErrorType"].startswith("UnknownOperationException:")
    assert response.json()["message"]
    assert response.headers.get("Allow") == allow


def test_a_hugely_oversized_body_is_refused_without_reading_it(emulator, invocations):
    # Bodies a little over the limit are read and dropped (see test_emulator_body_limit.py);
    # one declared far larger is refused at once and the connection closed.
    request = (
        f"POST /model/{CORE}/invoke HTTP/1.1\r\nHost: x\r\nAuthorization: {SIGV4}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
    ).encode()

    answer = raw_exchange(emulator, request)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"Connection: close" in head
    assert b"ValidationException:" in head
    assert "25000000" in json.loads(body)["message"]
    assert invocations()["count"] == 0


def test_an_unsupported_method_gets_a_json_error(emulator):
    answer = raw_exchange(emulator, b"BREW /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 501")
    assert json.loads(body)["message"]


def test_lifecycle_start_stop_context_manager():
    emulator = BedrockEmulator(port=0)
    with pytest.raises(RuntimeError):
        _ = emulator.url

    with emulator:
        url = emulator.url
        assert requests.get(f"{url}/_emulator/health", timeout=10).ok
        with pytest.raises(RuntimeError):
            emulator.start()

    emulator.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_emulator/health", timeout=2)


def test_stop_does_not_wait_for_a_slow_invocation():
    emulator = BedrockEmulator().start()
    emulator.set_latency(60_000)
    outcome: list[object] = []

    def call() -> None:
        try:
            url = f"{emulator.url}/model/{CORE}/invoke"
            outcome.append(requests.post(url, json={"prompt": "slow"}, headers={"Authorization": SIGV4}, timeout=90))
        except requests.RequestException as error:
            outcome.append(error)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    while caller.is_alive() and not emulator.invocations()["in_flight"]:
        caller.join(0.02)
    assert emulator.invocations()["in_flight"] == 1

    emulator.stop()
    caller.join(30)

    assert not caller.is_alive()
    assert outcome
