"""The service as `make run` starts it: real HTTP on local ports, each function in its own
processes, the queue polled by the local event source. These follow what a new user does."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from PIL import Image

from offline.aws_services import Resources


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    api_url: str
    bedrock_url: str
    resources: Resources
    output: Path
    pid: int


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`python -m offline` (what `make run` runs) in its own process, stopped with Ctrl-C."""
    ports = {"PORT": _free_port(), "S3_PORT": _free_port(), "BEDROCK_PORT": _free_port()}
    output = tmp_path_factory.mktemp("offline") / "output.txt"
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "RETRY_BACKOFF_SECONDS": "0",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    with output.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "offline"], env=env, stdout=sink, stderr=subprocess.STDOUT)
    running = Running(
        api_url=f"http://127.0.0.1:{ports['PORT']}",
        bedrock_url=f"http://127.0.0.1:{ports['BEDROCK_PORT']}",
        resources=Resources(endpoint_url=f"http://127.0.0.1:{ports['S3_PORT']}"),
        output=output,
        pid=process.pid,
    )

    def ready():
        assert process.poll() is None, output.read_text()
        try:
            return requests.get(f"{running.api_url}/health", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_for(ready, timeout=120)
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=30)
    assert exit_code == 0, output.read_text()[-2000:]
    for port in ports.values():  # everything it started has stopped
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(autouse=True)
def reset_model(service):
    requests.delete(f"{service.bedrock_url}/_emulator/faults", timeout=5)


def wait_for(probe, *, timeout: float = 60.0) -> Any:
    """Polls until probe() returns something truthy (the async paths take a moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def finished_job(service, job_id: str) -> dict:
    def probe():
        job = requests.get(f"{service.api_url}/jobs/{job_id}", timeout=10).json()
        return job if job["status"] in ("succeeded", "failed") else None

    return wait_for(probe)


def result_document(service, name: str) -> dict:
    s3 = service.resources.client("s3")

    def probe():
        try:
            return json.loads(s3.get_object(Bucket=service.resources.bucket, Key=f"results/{name}.json")["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    return wait_for(probe)


def test_startup_prints_a_ready_to_paste_example(service):
    # The API answers a moment before the example is printed.
    printed = wait_for(lambda: (text := service.output.read_text()) and "Ctrl-C" in text and text, timeout=30)
    assert f"curl -s -X POST {service.api_url}/images -H 'content-type: application/json'" in printed
    assert "Ctrl-C" in printed


def test_health(service):
    response = requests.get(f"{service.api_url}/health", timeout=30)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_post_images_returns_a_url_that_downloads_the_png(service):
    response = requests.post(f"{service.api_url}/images", json={"prompt": "A car made out of vegetables."}, timeout=30)
    assert response.status_code == 200
    [image] = response.json()["images"]
    download = requests.get(image["url"], timeout=10)
    assert download.status_code == 200
    picture = Image.open(io.BytesIO(download.content))
    assert (picture.format, picture.size) == ("PNG", (1024, 1024))


def test_errors_are_json_over_http(service):
    response = requests.post(
        f"{service.api_url}/images",
        data="prompt=a",
        timeout=30,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert response.headers["Content-Type"] == "application/json"


def test_concurrent_requests_are_served_concurrently(service):
    requests.post(f"{service.bedrock_url}/_emulator/latency", json={"ms": 400}, timeout=5)
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(
                lambda i: requests.post(f"{service.api_url}/images", json={"prompt": f"p{i}"}, timeout=60).status_code,
                range(4),
            )
        )
    assert statuses == [200] * 4
    stats = requests.get(f"{service.bedrock_url}/_emulator/invocations", timeout=5).json()
    assert stats["max_in_flight"] >= 2


def test_a_job_runs_to_succeeded_once_per_idempotency_key(service):
    def post():
        return requests.post(
            f"{service.api_url}/jobs",
            json={"prompt": "A lighthouse", "aspect_ratio": "4:5"},
            headers={"Idempotency-Key": "e2e-1"},
            timeout=30,
        )

    first, second = post(), post()
    assert first.status_code == second.status_code == 202
    assert first.json()["job_id"] == second.json()["job_id"]
    job = finished_job(service, first.json()["job_id"])
    assert job["status"] == "succeeded"
    picture = Image.open(io.BytesIO(requests.get(job["images"][0]["url"], timeout=10).content))
    assert picture.size == (896, 1088)


def test_a_persistent_model_fault_fails_the_job(service):
    requests.post(f"{service.bedrock_url}/_emulator/faults", json={"fault": "model_error", "times": 1000}, timeout=5)
    job_id = requests.post(f"{service.api_url}/jobs", json={"prompt": "x"}, timeout=30).json()["job_id"]
    job = finished_job(service, job_id)
    assert (job["status"], job["error"]["code"]) == ("failed", "model_error")


def test_s3_drops_yield_results(service):
    s3 = service.resources.client("s3")
    s3.put_object(
        Bucket=service.resources.bucket,
        Key="requests/e2e-good.json",
        Body=b'{"prompt": "A fox"}',
        ContentType="application/json",
    )
    s3.put_object(
        Bucket=service.resources.bucket,
        Key="requests/e2e-bad.json",
        Body=b'{"prompt": ""}',
        ContentType="application/json",
    )
    assert result_document(service, "e2e-good")["status"] == "succeeded"
    bad = result_document(service, "e2e-bad")
    assert (bad["status"], bad["error"]["code"]) == ("failed", "validation_error")


def test_an_eventbridge_event_yields_its_result(service):
    events = service.resources.client("events")
    events.put_events(
        Entries=[
            {
                "EventBusName": service.resources.event_bus,
                "Source": "e2e",
                "DetailType": "ImageGenerationRequested",
                "Detail": json.dumps({"request_id": "e2e-event", "prompt": "A red bicycle"}),
            }
        ]
    )
    assert result_document(service, "e2e-event")["status"] == "succeeded"


def test_a_second_instance_on_the_same_ports_says_so_and_exits(service):
    ports = {
        "PORT": service.api_url.rsplit(":", 1)[1],
        "S3_PORT": service.resources.endpoint_url.rsplit(":", 1)[1],
        "BEDROCK_PORT": service.bedrock_url.rsplit(":", 1)[1],
    }
    second = subprocess.run(
        [sys.executable, "-m", "offline"], env={**os.environ, **ports}, capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 1
    assert "Ports in use" in second.stderr
    assert requests.get(f"{service.api_url}/health", timeout=10).status_code == 200  # the first one is unharmed


def sigv4(url: str, access_key: str, method: str = "GET", body: bytes | None = None) -> dict[str, str]:
    """The headers of a request signed for API Gateway (execute-api) with `access_key`."""
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(access_key, "any secret"), "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_sigv4_callers_are_told_apart(service):
    """Two access keys are two callers: an Idempotency-Key is scoped to its caller, so the same
    key and body make one job per caller (and the same job again for the same caller)."""
    url, body = f"{service.api_url}/jobs", json.dumps({"prompt": "A shared key"}).encode()

    def post(access_key: str | None) -> str:
        headers = {"Content-Type": "application/json", "Idempotency-Key": "e2e-callers"}
        if access_key:
            headers.update(sigv4(url, access_key, "POST", body))
        response = requests.post(url, data=body, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["job_id"]

    alice, bob, anonymous = post("AKIDALICE"), post("AKIDBOB"), post(None)
    assert len({alice, bob, anonymous}) == 3
    assert post("AKIDALICE") == alice and post(None) == anonymous


def environment_processes(service_pid: int) -> list[int]:
    """The execution environments of the running service: its children started by multiprocessing."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == service_pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def _exited(pid: int) -> bool:
    """Whether the process is gone or a zombie (its files, pipes included, closed)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def test_killed_idle_environments_are_replaced(service):
    assert requests.get(f"{service.api_url}/health", timeout=30).status_code == 200
    killed = environment_processes(service.pid)
    assert len(killed) >= 2  # the API's and the worker's, idle
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    # Until each has exited for good: a process on its way out loses its command line (its memory)
    # before its pipes close, and an event sent in between would be lost with it.
    wait_for(lambda: all(_exited(pid) for pid in killed), timeout=10)

    response = requests.post(f"{service.api_url}/images", json={"prompt": "After a crash"}, timeout=60)
    assert response.status_code == 200, response.text
    job_id = requests.post(f"{service.api_url}/jobs", json={"prompt": "After a crash"}, timeout=30).json()["job_id"]
    assert finished_job(service, job_id)["status"] == "succeeded"


@pytest.mark.parametrize("method", ["TRACE", "HEAD", "DELETE", "PROPFIND"])
def test_any_method_is_answered_by_the_function_in_json(service, method):
    response = requests.request(method, f"{service.api_url}/health", timeout=30)
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == "application/json"
    if method != "HEAD":
        assert set(response.json()["error"]) >= {"code", "message"}


def test_malformed_http_is_answered_in_json(service):
    host, port = service.api_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"Content-Type: application/json" in head
    assert json.loads(body)["error"]["code"] == "client_error"


def test_a_job_is_read_by_its_sigv4_caller_only(service):
    """As with IAM authorization deployed: `curl --aws-sigv4 ... --user A:x` and `--user B:x` are
    two callers; a job belongs to the one that created it, and is 404 for anyone else."""
    url, body = f"{service.api_url}/jobs", json.dumps({"prompt": "Mine only"}).encode()
    created = requests.post(url, data=body, headers=sigv4(url, "A", "POST", body), timeout=30)
    assert created.status_code == 202, created.text
    job_url = f"{url}/{created.json()['job_id']}"

    def status(access_key: str | None) -> int:
        headers = sigv4(job_url, access_key) if access_key else {}
        return requests.get(job_url, headers=headers, timeout=30).status_code

    assert (status("A"), status("B"), status(None)) == (200, 404, 404)


def test_every_operation_is_enabled_locally_and_can_be_narrowed(monkeypatch):
    from imagegen.contract import Env
    from imagegen.models.operations import OPERATIONS

    from offline.service import FUNCTIONS, OfflineConfig, function_environment

    resources = Resources(endpoint_url="http://127.0.0.1:3001")
    for function in FUNCTIONS:
        env = function_environment(function, resources, queue_url="http://queue", bedrock_url="http://bedrock")
        assert env[Env.ENABLED_OPERATIONS].split(",") == list(OPERATIONS)
        assert env[Env.RETENTION_DAYS] == str(resources.retention_days)
    monkeypatch.setenv(Env.ENABLED_OPERATIONS, "images,upscale/fast")
    overrides = OfflineConfig.from_environment().function_env
    env = function_environment(FUNCTIONS[0], resources, queue_url="q", bedrock_url="b", overrides=overrides)
    assert env[Env.ENABLED_OPERATIONS] == "images,upscale/fast"


def test_an_upload_form_from_post_uploads_is_held_to_its_policy_by_the_local_bucket(service):
    """The form POST /uploads answers works as a browser posts it, and the local bucket refuses
    what S3 would: another content type, another key, a file over max_bytes."""
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(png, format="PNG")
    answer = requests.post(f"{service.api_url}/uploads", json={"content_type": "image/png"}, timeout=30)
    assert answer.status_code == 201, answer.text
    form = answer.json()

    def post(content: bytes, **changes: str) -> requests.Response:
        files = {"file": ("input.png", content, "image/png")}
        return requests.post(form["url"], data={**form["fields"], **changes}, files=files, timeout=60)

    assert post(png.getvalue(), **{"Content-Type": "image/jpeg"}).status_code == 403
    assert post(png.getvalue(), key="uploads/another-upload").status_code == 403
    too_large = post(b"x" * (form["max_bytes"] + 1))
    assert (too_large.status_code, b"<Code>EntityTooLarge</Code>" in too_large.content) == (400, True)
    assert post(png.getvalue()).status_code == 204
    s3 = service.resources.client("s3")
    head = s3.head_object(Bucket=service.resources.bucket, Key=f"uploads/{form['upload_id']}")
    assert head["ContentType"] == "image/png"
    assert head["ContentLength"] == len(png.getvalue())
