"""`make run` serves the playground on PLAYGROUND_PORT (default 3003); a default port another
process holds gives way to a free one, while a port the user named must be free."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from offline.__main__ import _playground_port, _ports_in_use
from offline.service import DEFAULT_PLAYGROUND_PORT, OfflineConfig


@pytest.fixture
def held_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(playground_port: int) -> OfflineConfig:
    return OfflineConfig(
        port=_free_port(), s3_port=_free_port(), bedrock_port=_free_port(), playground_port=playground_port
    )


def test_the_default_port_is_3003(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_PORT", raising=False)
    assert OfflineConfig.from_environment().playground_port == DEFAULT_PLAYGROUND_PORT == 3003
    monkeypatch.setenv("PLAYGROUND_PORT", "4321")
    assert OfflineConfig.from_environment().playground_port == 4321


def test_a_taken_default_port_gives_way_to_a_free_one(monkeypatch, held_port):
    monkeypatch.delenv("PLAYGROUND_PORT", raising=False)
    config = _config(held_port)
    assert _ports_in_use(config) == []
    assert _playground_port(config) == 0  # any free port
    free = _free_port()
    assert _playground_port(_config(free)) == free


def test_a_taken_port_the_user_named_is_refused(monkeypatch, held_port):
    monkeypatch.setenv("PLAYGROUND_PORT", str(held_port))
    assert _ports_in_use(_config(held_port)) == [f"PLAYGROUND_PORT={held_port}"]
