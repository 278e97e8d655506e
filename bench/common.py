"""What the bench's sections share: the prompt, fresh seeds, the clients of the bare calls, the
way a job is waited for and how a duration is printed."""

from __future__ import annotations

import time
from itertools import count
from typing import Any

import boto3
import requests
from botocore.config import Config

from offline.aws_services import CREDENTIALS
from offline.lambda_events import REGION
from offline.service import BEDROCK_REGION as DEFAULT_BEDROCK_REGION
from offline.service import OfflineService

PROMPT = "A car made out of vegetables."
# Every call takes a new seed, so the emulator renders each image as a model would.
seeds = count(1000)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def clients(service: OfflineService) -> tuple[Any, Any]:
    """Plain boto3 clients of the local Bedrock emulator and S3, as a user of the parts would make."""
    return clients_for(service.bedrock_url, service.resources.endpoint_url)


def clients_for(bedrock_url: str, s3_url: str) -> tuple[Any, Any]:
    options = {"region_name": REGION, **CREDENTIALS}
    bedrock = boto3.client(
        "bedrock-runtime",
        endpoint_url=bedrock_url,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        **{**options, "region_name": DEFAULT_BEDROCK_REGION},  # where the models are served
    )
    s3 = boto3.client("s3", endpoint_url=s3_url, config=Config(signature_version="s3v4"), **options)
    return bedrock, s3


def wait_succeeded(session: requests.Session, api_url: str, job_id: str, *, poll: float, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status = session.get(f"{api_url}/jobs/{job_id}", timeout=30).json()["status"]
        if status == "succeeded":
            return
        if status == "failed":
            raise RuntimeError(f"job {job_id} failed")
        time.sleep(poll)
    raise RuntimeError(f"job {job_id} did not finish")
