"""The client and the `imagegen` CLI against the local run (`make run`'s service, started in this
process on free ports), called as a user calls them: through the real CLI."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result
from imagegen_client.cli import app
from PIL import Image
from typer.testing import CliRunner

from offline.service import OfflineConfig, OfflineService


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def service() -> Iterator[OfflineService]:
    """The local run, in this process, for the client's tests only: stopped when they end, as its
    worker polls queues whose names the other suites' embedded services use too (moto's state is
    the process's)."""
    config = OfflineConfig(
        port=_free_port(),
        s3_port=_free_port(),
        bedrock_port=_free_port(),
        api_concurrency=4,
        worker_concurrency=2,
        # The worker retries a failed job at once (the stack waits 30 s).
        function_env={"RETRY_BACKOFF_SECONDS": "0", "POWERTOOLS_LOG_LEVEL": "WARNING"},
    )
    with OfflineService(config) as running:
        yield running


@dataclass
class Emulator:
    url: str

    def fault(self, fault: str, times: int) -> None:
        answer = requests.post(f"{self.url}/_emulator/faults", json={"fault": fault, "times": times}, timeout=5)
        answer.raise_for_status()

    def reset(self) -> None:
        requests.delete(f"{self.url}/_emulator/faults", timeout=5).raise_for_status()


@pytest.fixture
def emulator(service: OfflineService) -> Iterator[Emulator]:
    emulator = Emulator(service.bedrock_url)
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture(autouse=True)
def local_run(service: OfflineService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> OfflineService:
    """Points the client at the test's service (its ports are not make run's) and keeps it from
    anything of the machine's: an outputs file in the working directory, AWS credentials."""
    monkeypatch.setenv("IMAGEGEN_API_URL", service.api_url)
    monkeypatch.setenv("IMAGEGEN_AWS_ENDPOINT_URL", service.resources.endpoint_url)
    monkeypatch.setenv("IMAGEGEN_OUTPUTS_FILE", str(tmp_path / "no-outputs.json"))
    for name in ("IMAGEGEN_API_KEY", "IMAGEGEN_BUCKET", "IMAGEGEN_EVENT_BUS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return service


def imagegen(*args: str | Path, input: str | None = None) -> Result:
    """Runs `imagegen ARGS` as the console script does; stdout and stderr apart."""
    return CliRunner().invoke(app, [str(arg) for arg in args], input=input, catch_exceptions=False)


def json_output(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def picture(width: int, height: int, *, mode: str = "RGB", colour: Any = (200, 30, 30)) -> bytes:
    """A colour field with a navy square in the middle."""
    image = Image.new(mode, (width, height), colour)
    image.paste(Image.new(mode, (width // 3, height // 3), "navy"), (width // 3, height // 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_size(path: str | Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(picture(256, 192))
    return path
