"""One emulator for the whole suite, reset before every test; real boto3 clients against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from offline.bedrock_emulator import BedrockEmulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[BedrockEmulator]:
    with BedrockEmulator(host="127.0.0.1", port=0) as emu:
        yield emu


@pytest.fixture(autouse=True)
def _reset_emulator(emulator: BedrockEmulator) -> None:
    requests.delete(f"{emulator.url}/_emulator/faults", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def make_client(emulator: BedrockEmulator) -> Callable[..., Any]:
    """A bedrock-runtime client on the emulator, signing for `region` (us-west-2, where the
    Stability models are served); one attempt unless retries are given."""

    def make(retries: dict[str, Any] | None = None, region: str = "us-west-2", **config: Any) -> Any:
        return boto3.client(
            "bedrock-runtime",
            region_name=region,
            endpoint_url=emulator.url,
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="emulator-secret",
            config=Config(retries=retries or {"mode": "standard", "total_max_attempts": 1}, **config),
        )

    return make


@pytest.fixture(scope="session")
def bedrock(make_client: Callable[..., Any]) -> Any:
    return make_client()


@pytest.fixture
def control(emulator: BedrockEmulator) -> Callable[..., requests.Response]:
    """Call a /_emulator endpoint: control("POST", "faults", json={...})."""

    def call(method: str, name: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{emulator.url}/_emulator/{name}", timeout=10, **kwargs)

    return call


@pytest.fixture
def invocations(control: Callable[..., requests.Response]) -> Callable[[], dict[str, Any]]:
    return lambda: control("GET", "invocations").json()
