"""The largest input the models take, end to end: a 3072x3072 PNG (9,437,184 pixels, the most
conservative upscale accepts) uploaded once as a user would, then upscaled synchronously and as a
job, each against the bare parts a caller could use instead (S3 GetObject, InvokeModel, S3
PutObject); and the peak memory of a fresh API function process serving one such request.

Small inputs hide what a large one costs: every copy of the image (its bytes, its base64, the
JSON body) is tens of megabytes here, so an extra copy or pass shows up in time and memory."""

from __future__ import annotations

import base64
import io
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image, ImageChops

from bench.common import clients_for, ms, seeds
from offline.lambda_events import api_gateway_event
from offline.service import OfflineService

LARGE_ROUNDS = int(os.environ.get("BENCH_LARGE_ROUNDS", "5"))
SIDE = 3072  # 3072 x 3072 = 9,437,184 pixels
OPERATION = "upscale/conservative"
# What the service calls for this operation from its default region (us-west-2, the US profile).
MODEL_ID = "us.stability.stable-conservative-upscale-v1:0"
PROMPT = "A harbour at dusk, fishing boats and warm light on the water."
# The event source's long poll: a receive already under way when it is paused ends by then.
_RECEIVE_WAIT_SECONDS = 1.5
# The default function's memory (MB): a request must fit it with room to spare.
FUNCTION_MEMORY_MB = 1024


def photo_like_png(side: int = SIDE, seed: int = 7) -> bytes:
    """A seeded picture that compresses like a photograph rather than a flat colour: smooth
    gradients, soft blobs of colour and fine grain. A flat picture would make every copy and
    every PNG pass of the service look cheaper than real uploads make them."""
    rng = random.Random(seed)
    ramp = Image.linear_gradient("L")
    size = (side, side)
    base = Image.merge(
        "RGB",
        (
            ramp.resize(size, Image.Resampling.BICUBIC),
            Image.radial_gradient("L").resize(size, Image.Resampling.BICUBIC),
            ramp.rotate(90).resize(size, Image.Resampling.BICUBIC),
        ),
    )
    blobs = Image.frombytes("RGB", (24, 24), rng.randbytes(24 * 24 * 3)).resize(size, Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", size, rng.randbytes(side * side)).point(lambda v: v * 24 // 255)
    picture = ImageChops.add(Image.blend(base, blobs, 0.5), Image.merge("RGB", (grain, grain, grain)))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=1)  # as quick cameras and editors save
    return buffer.getvalue()


def upload(api_url: str, data: bytes) -> tuple[str, int, float]:
    """As a user uploads: POST /uploads, then the presigned POST of the form fields and the file.
    Also the upload limit the service states (`max_bytes`), which the picture must stay under."""
    started = time.perf_counter()
    answer = requests.post(f"{api_url}/uploads", json={"content_type": "image/png"}, timeout=30)
    if answer.status_code != 201:
        raise RuntimeError(f"POST /uploads answered {answer.status_code}: {answer.text[:200]}")
    form = answer.json()
    if len(data) > form["max_bytes"]:
        raise RuntimeError(f"the picture's PNG is {len(data):,} bytes, over the upload limit {form['max_bytes']:,}")
    sent = requests.post(form["url"], data=form["fields"], files={"file": ("image.png", data)}, timeout=120)
    if sent.status_code != 204:
        raise RuntimeError(f"the presigned POST answered {sent.status_code}: {sent.text[:200]}")
    return form["upload_id"], form["max_bytes"], time.perf_counter() - started


def _request(upload_id: str, seed: int) -> dict[str, Any]:
    return {"image": {"upload_id": upload_id}, "prompt": PROMPT, "seed": seed}


@dataclass
class BareParts:
    get: float
    invoke: float
    put: float

    @property
    def total(self) -> float:
        return self.get + self.invoke + self.put


_clients: tuple[Any, Any] | None = None


def _bare(bedrock_url: str, s3_url: str, bucket: str, key: str, seed: int) -> BareParts:
    """The parts a caller could call directly: read the upload, send it to the model (base64 in
    a JSON body, as InvokeModel takes it), store the image that comes back.

    Run in a process of its own, as the function runs in its own: this process serves the
    emulator and S3, and a caller's base64 and JSON work here would compete with them for the
    interpreter, making the bare parts slower than they are."""
    global _clients
    if _clients is None:
        _clients = clients_for(bedrock_url, s3_url)
    bedrock, s3 = _clients
    started = time.perf_counter()
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    got = time.perf_counter()
    body = {"image": base64.b64encode(data).decode(), "prompt": PROMPT, "seed": seed, "output_format": "png"}
    response = bedrock.invoke_model(
        modelId=MODEL_ID, body=json.dumps(body), contentType="application/json", accept="application/json"
    )
    image = base64.b64decode(json.loads(response["body"].read())["images"][0])
    invoked = time.perf_counter()
    s3.put_object(Bucket=bucket, Key=f"bench/large-{seed}.png", Body=image, ContentType="image/png")
    return BareParts(get=got - started, invoke=invoked - got, put=time.perf_counter() - invoked)


def _sync(session: requests.Session, api_url: str, upload_id: str) -> float:
    started = time.perf_counter()
    response = session.post(f"{api_url}/{OPERATION}", json=_request(upload_id, next(seeds)), timeout=120)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"POST /{OPERATION} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def _job(session: requests.Session, service: OfflineService, upload_id: str) -> tuple[float, float]:
    """From POST /jobs to the job read back as succeeded, the worker handed its message as soon
    as it is queued (the event source is paused); and, of that, the time to the 202.

    Reading the job every few milliseconds instead would put its reads (each an API invocation
    and a DynamoDB read, served here on the emulator's two cores) in the job's way: at 20 ms they
    made a large job a third slower than itself."""
    started = time.perf_counter()
    response = session.post(
        f"{service.api_url}/jobs", json={"operation": OPERATION, **_request(upload_id, next(seeds))}, timeout=120
    )
    accepted = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"POST /jobs answered {response.status_code}: {response.text[:300]}")
    job_id = response.json()["job_id"]
    while (failed := service.worker_source.poll_once()) is None:
        pass
    job = session.get(f"{service.api_url}/jobs/{job_id}", timeout=30).json()
    elapsed = time.perf_counter() - started
    if failed or job["status"] != "succeeded":
        raise RuntimeError(f"job {job_id} is {job['status']}: {job.get('error')}")
    return elapsed, accepted


_PEAK_MEMORY = """
import json, sys, time

def high_water_kib():
    # VmHWM: the most this process's memory has held resident. Not ru_maxrss: Linux carries that
    # over from the process that started this one (the bench, itself hosting S3 and the emulator).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

from imagegen.handlers.api import lambda_handler

imported = high_water_kib()

class Context:  # what the Lambda runtime passes (the event was built by the parent process)
    function_name, memory_limit_in_mb, aws_request_id = "ApiFunction", {memory}, "{request_id}"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction"
    _deadline = time.monotonic() + 28
    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.monotonic()) * 1000)

response = lambda_handler(json.loads({event!r}), Context())
assert response["statusCode"] == 200, response
print(json.dumps({{"imported_kib": imported, "peak_kib": high_water_kib()}}))
"""


def peak_memory(service: OfflineService, upload_id: str) -> dict[str, float]:
    """Peak RSS of a fresh process that imports the API handler and serves one large request.

    The local Lambda runs each execution environment as its own process that imports the handler
    and serves events one at a time; this is one such environment, its first request the large
    one (the event built here, as API Gateway builds it). Nothing is subtracted: the figure is
    what the function's memory setting has to hold."""
    body = json.dumps(_request(upload_id, next(seeds))).encode()
    event = api_gateway_event(
        method="POST", path=f"/{OPERATION}", headers=[("Content-Type", "application/json")], body=body
    )
    code = _PEAK_MEMORY.format(
        event=json.dumps(event), request_id=event["requestContext"]["requestId"], memory=FUNCTION_MEMORY_MB
    )
    env = {**os.environ, **service.function_environment(), "PYTHONPATH": os.pathsep.join([os.getcwd(), "lambda_src"])}
    done = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code], env=env, check=True, cwd=os.getcwd(), stdout=subprocess.PIPE, text=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"imported_mb": figures["imported_kib"] / 1024, "peak_mb": figures["peak_kib"] / 1024}


def large_inputs(service: OfflineService) -> dict[str, Any]:
    """Uploads the picture once, then interleaves each path's rounds with rounds of the bare parts
    (so both share the machine's noise), a new seed every call, after one warm-up of each."""
    png = photo_like_png()
    upload_id, max_bytes, upload_seconds = upload(service.api_url, png)
    target = (service.bedrock_url, service.resources.endpoint_url, service.resources.bucket, f"uploads/{upload_id}")
    session = requests.Session()
    sync, sync_bare, job, accepted, job_bare = [], [], [], [], []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as caller:

        def bare() -> BareParts:
            return caller.submit(_bare, *target, next(seeds)).result()

        bare()
        _sync(session, service.api_url, upload_id)
        for _ in range(LARGE_ROUNDS):
            sync_bare.append(bare())
            sync.append(_sync(session, service.api_url, upload_id))
        service.worker_source.disable()
        time.sleep(_RECEIVE_WAIT_SECONDS)
        try:
            _job(session, service, upload_id)
            for _ in range(LARGE_ROUNDS):
                job_bare.append(bare())
                total, until_accepted = _job(session, service, upload_id)
                job.append(total)
                accepted.append(until_accepted)
        finally:
            service.worker_source.enable()
    return {
        "png_bytes": len(png),
        "max_bytes": max_bytes,
        "upload": upload_seconds,
        "sync": statistics.median(sync),
        "sync_bare": statistics.median(p.total for p in sync_bare),
        "job": statistics.median(job),
        "accepted": statistics.median(accepted),
        "job_bare": statistics.median(p.total for p in job_bare),
        "get": statistics.median(p.get for p in sync_bare + job_bare),
        "invoke": statistics.median(p.invoke for p in sync_bare + job_bare),
        "put": statistics.median(p.put for p in sync_bare + job_bare),
        **peak_memory(service, upload_id),
    }


def print_large_inputs(number: int, r: dict[str, Any]) -> None:
    def line(label: str, figure: str) -> None:
        print(f"   {label:<46}{figure}")

    print(
        f"\n{number}. The largest input: {OPERATION} of a {SIDE}x{SIDE} PNG ({SIDE * SIDE:,} px, "
        f"{r['png_bytes']:,} bytes, upload limit {r['max_bytes']:,}), uploaded once "
        f"(median of {LARGE_ROUNDS}, zero model latency, a new seed each call)"
    )
    line("upload: POST /uploads + presigned POST", ms(r["upload"]))
    line(
        "bare parts (in a process of their own)",
        f"S3 get {ms(r['get']).strip()} + model call {ms(r['invoke']).strip()} + S3 put {ms(r['put']).strip()}",
    )
    line(f"POST /{OPERATION}", ms(r["sync"]))
    line("bare get + model call + put", ms(r["sync_bare"]))
    line("ratio", f"{r['sync'] / r['sync_bare']:7.2f}x   (target < 1.10x)")
    line("POST /jobs to succeeded (worker run at once)", ms(r["job"]))
    line("  of which POST /jobs to its 202", ms(r["accepted"]))
    line("bare get + model call + put", ms(r["job_bare"]))
    line("ratio", f"{r['job'] / r['job_bare']:7.2f}x   (target < 1.10x)")
    line(
        "peak RSS of a fresh API function serving it",
        f"{r['peak_mb']:7.1f} MB   (after its imports {r['imported_mb']:.1f} MB; target < {FUNCTION_MEMORY_MB} MB)",
    )
