"""Unit tests run with the network off: anything that would open a socket fails the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from imagegen.handlers import wiring

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    pytest_socket.disable_socket(allow_unix_socket=True)
    monkeypatch.setenv("IMAGE_BUCKET", "imagegen-bucket")
    monkeypatch.setenv("ENABLED_MODELS", "core,ultra,sd3.5-large")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    wiring.reset()
    yield
    wiring.reset()
    pytest_socket.enable_socket()
