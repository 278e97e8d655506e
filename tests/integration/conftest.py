"""Integration fixtures: one moto server (S3, DynamoDB, SQS, EventBridge) and one Bedrock Runtime
emulator per session, reached over HTTP by the real handlers through real boto3 clients."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from imagegen.handlers import wiring
from imagegen.models.operations import OPERATIONS

from offline.aws_services import CREDENTIALS, Resources, provision, start_moto
from offline.bedrock_emulator import BedrockEmulator
from offline.event_source import SqsEventSource
from offline.lambda_events import REGION, LambdaContext, api_gateway_event


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def emulator() -> Iterator[BedrockEmulator]:
    with BedrockEmulator(host="127.0.0.1", port=0) as emu:
        yield emu


@pytest.fixture(scope="session")
def aws() -> Iterator[Resources]:
    port = _free_port()
    with pytest.MonkeyPatch.context() as patch:
        # Tests empty the queues between them with PurgeQueue, which SQS allows once a minute
        patch.setenv("MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR", "false")
        server = start_moto("127.0.0.1", port)
        resources = Resources(endpoint_url=f"http://127.0.0.1:{port}", max_receive_count=3)
        provision(resources)
        yield resources
        server.stop()


@pytest.fixture(scope="session")
def base_env(aws: Resources, emulator: BedrockEmulator) -> dict[str, str]:
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": emulator.url,
        "POWERTOOLS_SERVICE_NAME": "imagegen",
        "POWERTOOLS_METRICS_NAMESPACE": "ImageGeneration",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "IMAGE_BUCKET": aws.bucket,
        "JOBS_TABLE": aws.table,
        "JOBS_QUEUE_URL": aws.queue_url(aws.queue_name),
        "EVENT_BUS_NAME": aws.event_bus,
        "EVENT_SOURCE": aws.event_source,
        "ENABLED_MODELS": "core,ultra,sd3.5-large",
        "ENABLED_OPERATIONS": ",".join(OPERATIONS),
        "MAX_RECEIVE_COUNT": str(aws.max_receive_count),
        "RETRY_BACKOFF_SECONDS": "0",
        "BEDROCK_READ_TIMEOUT_SECONDS": "10",
    }


def _reset_functions() -> None:
    """A new execution environment: settings, clients and the API's resolver built afresh."""
    from imagegen.handlers import api

    wiring.reset()
    api.create_app.cache_clear()


@pytest.fixture(autouse=True)
def service_env(base_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, emulator: BedrockEmulator) -> Iterator[None]:
    """Each test starts with the base settings, fresh clients and an emulator without faults."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in base_env.items():
        monkeypatch.setenv(name, value)
    _reset_functions()
    Emulator(emulator.url).reset()
    yield
    _reset_functions()


def configure(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Changes settings of the functions for one test."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _reset_functions()


class Emulator:
    """The emulator's test controls."""

    def __init__(self, url: str):
        self.url = url

    def fault(self, fault: str, times: int = 1) -> None:
        requests.post(
            f"{self.url}/_emulator/faults", json={"fault": fault, "times": times}, timeout=5
        ).raise_for_status()

    def reset(self) -> None:
        requests.delete(f"{self.url}/_emulator/faults", timeout=5).raise_for_status()

    def latency(self, ms: int) -> None:
        requests.post(f"{self.url}/_emulator/latency", json={"ms": ms}, timeout=5).raise_for_status()

    def calls(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/_emulator/invocations", timeout=5).json()["calls"]

    def count(self) -> int:
        return requests.get(f"{self.url}/_emulator/invocations", timeout=5).json()["count"]


@pytest.fixture
def model(emulator: BedrockEmulator) -> Emulator:
    return Emulator(emulator.url)


class Api:
    """Calls the API handler with API Gateway proxy events, as API Gateway does."""

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        identity: dict[str, Any] | None = None,
        timeout_seconds: float = 28,
    ) -> tuple[int, dict[str, str], Any]:
        """One request; `identity` overrides fields of requestContext.identity (the caller as an
        authorizer other than the local one would identify it)."""
        from imagegen.handlers import api

        all_headers = {"Content-Type": "application/json", **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        path, _, query = path.partition("?")
        event = api_gateway_event(method=method, path=path, headers=list(all_headers.items()), body=data, query=query)
        event["requestContext"]["identity"].update(identity or {})
        response = api.lambda_handler(event, LambdaContext("ApiFunction", timeout_seconds=timeout_seconds))
        response_headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
        response_headers.update(response.get("headers") or {})
        return response["statusCode"], response_headers, json.loads(response["body"])


def signed_by(access_key_id: str) -> dict[str, str]:
    """The Authorization header of a SigV4-signed request (the local gateway does not verify it)."""
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key_id}/20261130/us-east-1/execute-api/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    }


@pytest.fixture
def api() -> Api:
    return Api()


class InProcessWorker:
    def invoke(self, event: dict[str, Any]) -> Any:
        from imagegen.handlers import worker

        return worker.lambda_handler(event, LambdaContext("WorkerFunction", timeout_seconds=300))


@pytest.fixture
def worker_source(aws: Resources) -> SqsEventSource:
    """The queue's event source mapping, polled by hand: each poll_once() delivers one batch."""
    return SqsEventSource(
        sqs=aws.client("sqs"),
        queue_url=aws.queue_url(aws.queue_name),
        queue_arn=aws.queue_arn(aws.queue_name),
        function=InProcessWorker(),
        batch_size=4,
        concurrency=1,
    )


def drain(source: SqsEventSource, *, max_batches: int = 50) -> int:
    """Delivers batches until the queue is empty (failed messages come back at once when the
    retry delay is 0). Returns the number of batches delivered."""
    delivered = 0
    while delivered < max_batches:
        if source.poll_once() is None:
            return delivered
        delivered += 1
    raise AssertionError("the queue did not drain")


def image_keys(aws: Resources) -> set[str]:
    """The keys of every image in the bucket."""
    listing = aws.client("s3").list_objects_v2(Bucket=aws.bucket, Prefix="images/")
    return {o["Key"] for o in listing.get("Contents", [])}


def take_messages(aws: Resources, queue_name: str) -> list[str]:
    """The bodies of the messages on a queue, taken off it (deleted, not just hidden)."""
    sqs, url = aws.client("sqs"), aws.queue_url(queue_name)
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


@pytest.fixture(autouse=True)
def empty_queues(aws: Resources) -> Iterator[None]:
    """Each test ends with empty queues, messages in flight included: a message a test received
    and left hidden must not come back into a later test."""
    yield
    sqs = aws.client("sqs")
    for name in (aws.queue_name, aws.dead_letter_queue_name, aws.outcomes_queue_name):
        sqs.purge_queue(QueueUrl=aws.queue_url(name))
