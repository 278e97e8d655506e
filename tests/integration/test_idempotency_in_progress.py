"""POST /jobs retried with the same Idempotency-Key while the first request is still running:
the retry is told 409 request_in_progress, and once the first finishes the key gives its job.

The two requests must overlap in time, which one process cannot do (the Powertools resolver is
not re-entrant), so they go to two execution environments of a local Lambda function, and the
first is held at the moment it queues its job: its SQS endpoint is a proxy in front of moto that
keeps the first SendMessage until the test lets it through."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from offline.aws_services import Resources
from offline.lambda_events import api_gateway_event
from offline.local_lambda import LocalFunction
from tests.integration.conftest import take_messages

PROMPT = "A lighthouse at dusk"
# Only guards against a hang when something is broken; nothing waits this long when it works.
HANG_GUARD_SECONDS = 60
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    held_queue: HeldQueue


class _ForwardingHandler(BaseHTTPRequestHandler):
    server: _ProxyServer

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        held_queue = self.server.held_queue
        if held_queue.is_send_message(self.headers.get("X-Amz-Target"), body):
            held_queue.hold()
        upstream = urlsplit(held_queue.upstream)
        connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=HANG_GUARD_SECONDS)
        try:
            # Signed headers (Host included) go through unchanged; moto does not check signatures.
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HeldQueue:
    """An HTTP proxy in front of moto's SQS that keeps the first SendMessage until released;
    every other request (and any later SendMessage) goes straight through."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.arrived = threading.Event()  # the first SendMessage is being held
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._held_one = False
        self._server = _ProxyServer(("127.0.0.1", 0), _ForwardingHandler)
        self._server.held_queue = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="held-sqs-proxy", daemon=True)
        self._thread.start()

    @staticmethod
    def is_send_message(target: str | None, body: bytes) -> bool:
        """SendMessage in SQS's JSON protocol (X-Amz-Target) or its older query protocol (Action=)."""
        if target is not None:
            return target == "AmazonSQS.SendMessage"
        return parse_qs(body.decode("utf-8", "replace")).get("Action") == ["SendMessage"]

    def hold(self) -> None:
        with self._lock:
            first, self._held_one = not self._held_one, True
        if first:
            self.arrived.set()
            self._released.wait(HANG_GUARD_SECONDS)

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def held_queue(aws: Resources) -> Iterator[HeldQueue]:
    proxy = HeldQueue(aws.endpoint_url)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def api_function(base_env: dict[str, str], held_queue: HeldQueue) -> Iterator[LocalFunction]:
    """The API function with two execution environments, both warm, whose SQS calls go through the proxy."""
    function = LocalFunction(
        name="ApiFunction",
        handler="imagegen.handlers.api.lambda_handler",
        env={**base_env, "AWS_ENDPOINT_URL_SQS": held_queue.url, "POWERTOOLS_LOG_LEVEL": "WARNING"},
        concurrency=2,
        timeout=28,
    )
    try:
        function.warm(2)
        yield function
    finally:
        function.close()


def call(
    function: LocalFunction, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One API Gateway proxy invocation; every request comes from the same (anonymous) caller."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    data = json.dumps(body).encode() if body is not None else None
    event = api_gateway_event(method=method, path=path, headers=list(all_headers.items()), body=data)
    response = function.invoke(event)
    response_headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    response_headers.update(response.get("headers") or {})
    return response["statusCode"], response_headers, json.loads(response["body"])


def job_keys(aws: Resources) -> set[str]:
    pages = aws.client("dynamodb").get_paginator("scan").paginate(TableName=aws.table, ProjectionExpression="pk")
    return {item["pk"]["S"] for page in pages for item in page["Items"] if item["pk"]["S"].startswith("job#")}


def take_queued_jobs(aws: Resources) -> list[dict[str, Any]]:
    """The job messages on the jobs queue, taken off it (S3's test event of the bucket
    notification may be there too when this test runs first)."""
    bodies = [json.loads(body) for body in take_messages(aws, aws.queue_name)]
    return [body for body in bodies if "job_id" in body]


def test_a_retry_while_the_first_request_runs_is_a_409_then_the_key_gives_one_job(
    api_function: LocalFunction, held_queue: HeldQueue, aws: Resources
) -> None:
    """A client that retries before its first POST /jobs has answered is told to retry shortly
    (409 request_in_progress) instead of getting a second job; once the first answers, the
    same key and body give back that job, and only one job was ever queued."""
    body = {"prompt": PROMPT, "seed": 11}
    key = {"Idempotency-Key": f"in-progress-{uuid.uuid4().hex}"}
    jobs_before = job_keys(aws)

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(call, api_function, "POST", "/jobs", body, headers=key)
        try:
            # The first request holds the key (INPROGRESS) and is queueing its job.
            assert held_queue.arrived.wait(HANG_GUARD_SECONDS), "the first request never queued its job"

            status, headers, answer = call(api_function, "POST", "/jobs", body, headers=key)

            assert status == 409
            assert headers["Content-Type"].startswith("application/json")
            assert set(answer) == {"error"}
            assert answer["error"]["code"] == "request_in_progress"
            assert isinstance(answer["error"]["message"], str)
            assert answer["error"]["message"]
            assert set(answer["error"]) <= {"code", "message", "details"}
        finally:
            held_queue.release()
        first_status, _, accepted = first.result(timeout=HANG_GUARD_SECONDS)

    assert first_status == 202
    assert accepted["status"] == "queued"
    job_id = accepted["job_id"]

    status, _, again = call(api_function, "POST", "/jobs", body, headers=key)
    assert (status, again["job_id"]) == (202, job_id)

    status, _, job = call(api_function, "GET", f"/jobs/{job_id}")
    assert (status, job["status"], job["trigger"]) == (200, "queued", "api")
    assert job_keys(aws) - jobs_before == {f"job#{job_id}"}
    assert take_queued_jobs(aws) == [{"job_id": job_id}]
