"""`python -m offline` (what `make run` starts): the service on this machine, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from dataclasses import replace

from offline.lambda_events import REGION
from offline.service import OfflineConfig, OfflineService


def _usage(service: OfflineService) -> str:
    api, s3, bedrock, r = service.api_url, service.resources.endpoint_url, service.bedrock_url, service.resources
    sign = f"--user testing:testing --aws-sigv4 aws:amz:{REGION}"
    return f"""
Image generation service running offline.
  API (API Gateway + Lambda)      {api}
  AWS services (S3, DynamoDB, SQS, EventBridge; moto)  {s3}   bucket {r.bucket}, event bus {r.event_bus}
  Bedrock Runtime emulator        {bedrock}
  Playground (every operation in a web page)  {service.playground_url}

Try it:
  curl -s {api}/health
  curl -s -X POST {api}/images -H 'content-type: application/json' \\
       -d '{{"prompt": "A car made out of vegetables.", "aspect_ratio": "16:9"}}'
  curl -s -X POST {api}/jobs -H 'content-type: application/json' -H 'Idempotency-Key: demo-1' \\
       -d '{{"prompt": "A lighthouse at dusk", "count": 2}}'
  curl -s {api}/jobs/<job_id>
  # unsigned requests run as one anonymous caller; signed ones (any secret) as the IAM user named
  # by the access key, so A and B are two callers, each reading only its own jobs:
  curl -s -X POST {api}/jobs --user A:x --aws-sigv4 aws:amz:{REGION}:execute-api \\
       -H 'content-type: application/json' -d '{{"prompt": "A lighthouse at dusk"}}'
  curl -s {api}/jobs/<job_id> --user B:x --aws-sigv4 aws:amz:{REGION}:execute-api
  # drop a request into the bucket, then read its result once the worker has written it
  # (any SigV4 client works; curl signs too):
  curl -s -X PUT {s3}/{r.bucket}/requests/cat.json {sign}:s3 -H 'content-type: application/json' \\
       -d '{{"prompt": "A cat astronaut"}}'
  until curl -sf {s3}/{r.bucket}/results/cat.json {sign}:s3; do sleep 1; done
  # put an ImageGenerationRequested event on the bus, then read its result:
  curl -s -X POST {s3} {sign}:events -H 'X-Amz-Target: AWSEvents.PutEvents' \
       -H 'content-type: application/x-amz-json-1.1' -d '{{"Entries": [{{"EventBusName": "{r.event_bus}", \
       "Source": "my.app", "DetailType": "ImageGenerationRequested", \
       "Detail": "{{\\"request_id\\": \\"evt-1\\", \\"prompt\\": \\"A red bicycle\\"}}"}}]}}'
  until curl -sf {s3}/{r.bucket}/results/evt-1.json {sign}:s3; do sleep 1; done
  # image inputs: upload a picture with the presigned POST, then upscale it 4x, remove its
  # background, or run image-to-image (every operation: {api}/openapi.json):
  curl -s -X POST {api}/uploads -H 'content-type: application/json' -d '{{"content_type": "image/png"}}' \\
       > upload.json
  curl -s $(python3 -c 'import json; f = json.load(open("upload.json")); \\
       print(f["url"], *(f"-F {{k}}={{v}}" for k, v in f["fields"].items()))') -F file=@photo.png
  UPLOAD=$(python3 -c 'import json; print(json.load(open("upload.json"))["upload_id"])')
  curl -s -X POST {api}/upscale/fast -H 'content-type: application/json' \\
       -d '{{"image": {{"upload_id": "'$UPLOAD'"}}}}'
  curl -s -X POST {api}/edit/remove-background -H 'content-type: application/json' \\
       -d '{{"image": {{"upload_id": "'$UPLOAD'"}}}}'
  curl -s -X POST {api}/images -H 'content-type: application/json' \\
       -d '{{"prompt": "Watercolour", "model": "sd3.5-large", "strength": 0.6, "image": {{"upload_id": "'$UPLOAD'"}}}}'
  # make the model fail, add latency, reset:
  curl -s -X POST {bedrock}/_emulator/faults -d '{{"fault": "throttle", "times": 5}}'
  curl -s -X POST {bedrock}/_emulator/latency -d '{{"ms": 1500}}'
  curl -s -X DELETE {bedrock}/_emulator/faults
  API document: {api}/openapi.json
Ctrl-C stops everything.
"""


def _listening(host: str, port: int) -> bool:
    """Whether another process listens on the port. The probe binds as the servers themselves do,
    with SO_REUSEADDR: connections of a previous run left in TIME_WAIT do not count, a listener does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen()
        except OSError:
            return True
    return False


def _ports_in_use(config: OfflineConfig) -> list[str]:
    """The ports another process listens on. The playground's counts only when PLAYGROUND_PORT
    names it: its default, taken, gives way to a free port (see _playground_port)."""
    ports = [("PORT", config.port), ("S3_PORT", config.s3_port), ("BEDROCK_PORT", config.bedrock_port)]
    if "PLAYGROUND_PORT" in os.environ and config.playground_port:
        ports.append(("PLAYGROUND_PORT", config.playground_port))
    return [f"{name}={port}" for name, port in ports if _listening(config.host, port)]


def _playground_port(config: OfflineConfig) -> int | None:
    """PLAYGROUND_PORT if set; else 3003, or any free port when another process has 3003 (the
    playground is a convenience: it never keeps the service from starting)."""
    port = config.playground_port
    if "PLAYGROUND_PORT" in os.environ or port is None:
        return port
    return 0 if _listening("127.0.0.1", port) else port


def main() -> int:
    config = OfflineConfig.from_environment()
    if busy := _ports_in_use(config):
        print(
            f"Ports in use: {', '.join(busy)}. Is another instance running? Set PORT, S3_PORT, BEDROCK_PORT "
            "(and PLAYGROUND_PORT) to free ports.",
            file=sys.stderr,
        )
        return 1
    service = OfflineService(replace(config, playground_port=_playground_port(config)))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    # Ctrl-C stops it even when started in the background by a shell, which ignores SIGINT there.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        service.start()
    except Exception as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        service.stop()
        return 1
    print(_usage(service), flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
