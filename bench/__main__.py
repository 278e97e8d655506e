"""`make bench`: what the service adds to its own parts, its cold start, parallel generation,
the asynchronous path and the largest input, measured on the offline stack of `make run`.

Timings vary with the machine and its load; the figures are medians and every run prints
the machine it ran on."""

from __future__ import annotations

import compileall
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import requests

from bench.common import PROMPT, clients, ms, wait_succeeded
from bench.common import seeds as _seeds
from bench.large_inputs import large_inputs, print_large_inputs
from offline.lambda_events import api_gateway_event
from offline.service import BEDROCK_REGION as DEFAULT_BEDROCK_REGION
from offline.service import OfflineConfig, OfflineService

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "7"))
BURST = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def _bare_call(bedrock: Any, s3: Any, bucket: str, seed: int) -> float:
    """The service's own parts, called directly: one model call, one S3 put of its image."""
    started = time.perf_counter()
    response = bedrock.invoke_model(
        modelId="stability.stable-image-core-v1:1",
        body=json.dumps({"prompt": PROMPT, "aspect_ratio": "1:1", "seed": seed, "output_format": "png"}),
        contentType="application/json",
        accept="application/json",
    )
    import base64

    image = base64.b64decode(json.loads(response["body"].read())["images"][0])
    s3.put_object(Bucket=bucket, Key=f"bench/{seed}.png", Body=image, ContentType="image/png")
    return time.perf_counter() - started


def _service_call(session: requests.Session, api_url: str, seed: int, **extra: Any) -> float:
    started = time.perf_counter()
    response = session.post(f"{api_url}/images", json={"prompt": PROMPT, "seed": seed, **extra}, timeout=60)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"POST /images answered {response.status_code}: {response.text[:200]}")
    return elapsed


def overhead(service: OfflineService) -> dict[str, float]:
    """Median POST /images against the median bare model call + S3 put, every call a fresh seed
    (so the emulator renders each image, as a model would), interleaved to share the noise."""
    bedrock, s3 = clients(service)
    session = requests.Session()
    for _ in range(5):  # warm both paths
        _bare_call(bedrock, s3, service.resources.bucket, next(_seeds))
        _service_call(session, service.api_url, next(_seeds))
    bare, served = [], []
    for _ in range(ROUNDS):
        bare.append(_bare_call(bedrock, s3, service.resources.bucket, next(_seeds)))
        served.append(_service_call(session, service.api_url, next(_seeds)))
    return {"service": statistics.median(served), "bare": statistics.median(bare)}


_COLD_SERVICE = """
import json, time
from imagegen.handlers.api import lambda_handler

class Context:  # what the Lambda runtime passes (the event was built by the parent process)
    function_name, memory_limit_in_mb, aws_request_id = "ApiFunction", 1024, "{request_id}"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction"
    _deadline = time.monotonic() + 28
    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.monotonic()) * 1000)

response = lambda_handler(json.loads({event!r}), Context())
assert response["statusCode"] == 200, response
"""

_COLD_BARE = """
import base64, json, boto3
from botocore.config import Config
bedrock = boto3.client("bedrock-runtime", region_name="{bedrock_region}")
s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
response = bedrock.invoke_model(modelId="stability.stable-image-core-v1:1", contentType="application/json",
    accept="application/json", body=json.dumps({{"prompt": "{prompt}", "seed": {seed}, "output_format": "png"}}))
image = base64.b64decode(json.loads(response["body"].read())["images"][0])
s3.put_object(Bucket="{bucket}", Key="bench/cold-{seed}.png", Body=image, ContentType="image/png")
"""


# The child's last words: when it had its answer (CLOCK_MONOTONIC is one clock for every process).
_ANSWERED = "\nimport sys, time\nprint(time.monotonic(), file=sys.stderr)\n"


def _run_fresh(code: str, env: dict[str, str]) -> float:
    """From spawning a fresh interpreter to the moment it has its answer. The interpreter's own
    teardown is left out: a Lambda execution environment stays up after its first request."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code + _ANSWERED],
        env=env,
        check=True,
        cwd=os.getcwd(),
        stderr=subprocess.PIPE,
        text=True,
    )
    return float(done.stderr.strip().splitlines()[-1]) - started


def _cold_service_code() -> str:
    """The service's side: the handler's imports and its first request, and nothing of the offline
    run (the event is built here, as API Gateway builds it, and handed over as JSON)."""
    body = json.dumps({"prompt": PROMPT, "seed": next(_seeds)}).encode()
    event = api_gateway_event(method="POST", path="/images", headers=[("Content-Type", "application/json")], body=body)
    return _COLD_SERVICE.format(event=json.dumps(event), request_id=event["requestContext"]["requestId"])


def cold_start(service: OfflineService) -> dict[str, float]:
    """A fresh process that imports the API handler and serves its first request (built beforehand,
    as API Gateway builds it: nothing of the offline run is imported), against a fresh process
    that imports boto3, creates the two clients and makes the same two calls.

    Both run from bytecode, as installed packages (boto3 among them) and the deployed asset do:
    the project's own modules are compiled first. A third figure runs the service with nothing
    compiled at all (the standard library included), as an asset without bytecode would."""
    env = {**os.environ, **service.function_environment(), "PYTHONPATH": os.pathsep.join([os.getcwd(), "lambda_src"])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for package in ("lambda_src", "offline"):
        compileall.compile_dir(package, quiet=1)
    served, bare, from_source = [], [], []
    with tempfile.TemporaryDirectory() as no_bytecode:
        # Python looks for bytecode only under this empty directory, and writes none there.
        source_env = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": no_bytecode}
        for _ in range(COLD_STARTS):  # interleaved to share the noise
            served.append(_run_fresh(_cold_service_code(), env))
            bare.append(
                _run_fresh(
                    _COLD_BARE.format(
                        prompt=PROMPT,
                        seed=next(_seeds),
                        bucket=service.resources.bucket,
                        bedrock_region=DEFAULT_BEDROCK_REGION,
                    ),
                    env,
                )
            )
        for _ in range(COLD_STARTS):
            from_source.append(_run_fresh(_cold_service_code(), source_env))
    return {
        "service": statistics.median(served),
        "bare": statistics.median(bare),
        "from_source": statistics.median(from_source),
    }


def parallel_count(service: OfflineService) -> float:
    """count=4 with 1 s of model latency: the four calls overlap."""
    requests.post(f"{service.bedrock_url}/_emulator/latency", json={"ms": 1000}, timeout=5).raise_for_status()
    session = requests.Session()
    try:
        return statistics.median(_service_call(session, service.api_url, next(_seeds), count=4) for _ in range(5))
    finally:
        requests.delete(f"{service.bedrock_url}/_emulator/faults", timeout=5)


def job_latency(service: OfflineService) -> float:
    """From POST /jobs to the job read back as succeeded, one job at a time."""
    session = requests.Session()
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        job = session.post(f"{service.api_url}/jobs", json={"prompt": PROMPT, "seed": next(_seeds)}, timeout=30).json()
        wait_succeeded(session, service.api_url, job["job_id"], poll=0.005)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def burst(service: OfflineService) -> tuple[float, float]:
    """50 jobs queued while the worker is paused, then drained at the worker's concurrency: the
    time from resuming it to the last job read back as succeeded."""
    session = requests.Session()
    service.worker_source.disable()
    job_ids = [
        session.post(f"{service.api_url}/jobs", json={"prompt": PROMPT, "seed": next(_seeds)}, timeout=60).json()[
            "job_id"
        ]
        for _ in range(BURST)
    ]
    started = time.perf_counter()
    service.worker_source.enable()
    for job_id in job_ids:
        wait_succeeded(session, service.api_url, job_id, poll=0.05)
    elapsed = time.perf_counter() - started
    return elapsed, BURST / elapsed


def main(argv: list[str]) -> int:
    # `python -m bench large` runs the large-input section alone (it needs no other's state).
    only_large = argv == ["large"]
    config = OfflineConfig(
        port=_free_port(),
        s3_port=_free_port(),
        bedrock_port=_free_port(),
        function_env={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    )
    print(f"Machine: {_machine()}")
    print("Starting the offline service...", flush=True)
    with OfflineService(config) as service:
        if not only_large:
            o = overhead(service)
            print(f"\n1. POST /images at zero model latency (median of {ROUNDS}, 1024x1024 PNG, a new seed each call)")
            print(f"   service end to end          {ms(o['service'])}")
            print(f"   bare model call + S3 put    {ms(o['bare'])}")
            print(f"   ratio                       {o['service'] / o['bare']:7.2f}x   (target < 1.10x)")
            c = cold_start(service)
            print(f"\n2. Cold start, fresh process to first answer (median of {COLD_STARTS})")
            print(f"   import handler + first POST /images   {ms(c['service'])}")
            print(f"   import boto3 + 2 clients + 2 calls    {ms(c['bare'])}")
            print(f"   ratio                                 {c['service'] / c['bare']:7.2f}x   (target < 1.20x)")
            source = c["from_source"]
            print(f"   the service with no bytecode at all   {ms(source)}   ({source / c['bare']:.2f}x)")
            p = parallel_count(service)
            print(f"\n3. POST /images count=4 at 1 s model latency (median of 5)   {ms(p)}   (target < 1300 ms)")
            j = job_latency(service)
            print(f"\n4. POST /jobs to succeeded at zero model latency (median of 10)   {ms(j)}")
            elapsed, rate = burst(service)
            print(
                f"\n5. Worker throughput: {BURST} queued jobs drained in {elapsed:.2f} s = {rate:.1f} jobs/s "
                f"(concurrency {config.worker_concurrency}, batch size {config.worker_batch_size}, zero model latency)"
            )
        print_large_inputs(6, large_inputs(service))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
