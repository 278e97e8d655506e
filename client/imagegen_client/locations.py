"""Where the service is: its API URL, and the bucket and event bus that S3 drops and events go to.

Looked up in the order a user expects: an explicit URL, `IMAGEGEN_API_URL`, the outputs of
`cdk deploy --outputs-file` (`IMAGEGEN_OUTPUTS_FILE`, else ./outputs.json), and last the local
run of `make run`, whose embedded AWS services answer on one endpoint with any credentials."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

STACK_NAME = "ImageGenStack"
LOCAL_API_URL = "http://127.0.0.1:3000"
# What offline/aws_services.py provisions for the local run.
LOCAL_BUCKET = "imagegen-local"
LOCAL_EVENT_BUS = "imagegen"
LOCAL_AWS_ENDPOINT_URL = "http://127.0.0.1:3001"
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = ("testing", "testing")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# https://{api id}.execute-api.{region}.amazonaws.com/{stage}/
_API_GATEWAY_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True)
class Deployment:
    """One deployment as the client sees it. `bucket` and `event_bus` are None when unknown
    (a URL given alone): drops and events then need them named."""

    api_url: str
    bucket: str | None = None
    event_bus: str | None = None
    # The AWS endpoint of S3 and EventBridge: None for AWS itself.
    aws_endpoint_url: str | None = None

    @property
    def local(self) -> bool:
        return is_local(self.api_url)

    @property
    def region(self) -> str | None:
        return region_of(self.api_url) or (LOCAL_REGION if self.local else None)


def is_local(api_url: str) -> bool:
    return (urlsplit(api_url).hostname or "") in _LOCAL_HOSTS


def region_of(api_url: str) -> str | None:
    """The region in an API Gateway URL; None for a custom domain or the local run."""
    match = _API_GATEWAY_HOST.match(urlsplit(api_url).hostname or "")
    return match.group(1) if match else None


def _outputs_file() -> Path:
    return Path(os.environ.get("IMAGEGEN_OUTPUTS_FILE") or "outputs.json")


def read_outputs(path: Path | None = None) -> dict[str, str] | None:
    """The stack's outputs in a `cdk deploy --outputs-file` JSON: ImageGenStack's, else those of
    the one stack that has an ApiUrl (a stack deployed under another id). None without a file."""
    path = path or _outputs_file()
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    if not isinstance(document, dict):
        return None
    stacks = {name: outputs for name, outputs in document.items() if isinstance(outputs, dict)}
    if STACK_NAME in stacks:
        return {key: str(value) for key, value in stacks[STACK_NAME].items()}
    with_api = [outputs for outputs in stacks.values() if "ApiUrl" in outputs]
    return {key: str(value) for key, value in with_api[0].items()} if len(with_api) == 1 else None


def resolve_deployment(api_url: str | None = None) -> Deployment:
    """The deployment to talk to. The bucket and bus come from the outputs file when it describes
    the same API, from the local run's names for a local URL, and IMAGEGEN_BUCKET,
    IMAGEGEN_EVENT_BUS and IMAGEGEN_AWS_ENDPOINT_URL override them."""
    url = api_url or os.environ.get("IMAGEGEN_API_URL")
    outputs = read_outputs()
    if url is None and outputs and outputs.get("ApiUrl"):
        url = outputs["ApiUrl"]
    url = url or LOCAL_API_URL
    bucket = event_bus = endpoint = None
    if is_local(url):
        bucket, event_bus, endpoint = LOCAL_BUCKET, LOCAL_EVENT_BUS, LOCAL_AWS_ENDPOINT_URL
    elif outputs and outputs.get("ApiUrl", "").rstrip("/") == url.rstrip("/"):
        bucket, event_bus = outputs.get("BucketName"), outputs.get("EventBusName")
    env = os.environ
    return Deployment(
        api_url=url.rstrip("/"),
        bucket=env.get("IMAGEGEN_BUCKET") or bucket,
        event_bus=env.get("IMAGEGEN_EVENT_BUS") or event_bus,
        aws_endpoint_url=env.get("IMAGEGEN_AWS_ENDPOINT_URL") or endpoint,
    )


def resolve_api_url(api_url: str | None = None) -> str:
    """The API's base URL (stage included, no trailing slash): see resolve_deployment."""
    return resolve_deployment(api_url).api_url
