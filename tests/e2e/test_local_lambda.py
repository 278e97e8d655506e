"""The local execution environments: a process that has died is never handed an event, and one
that dies during an invocation fails that invocation as Lambda does, then is replaced."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from offline.local_lambda import MAX_SYNC_PAYLOAD_BYTES, FunctionError, LocalFunction, PayloadTooLarge, payload_size


def wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")


@pytest.fixture
def function(request: pytest.FixtureRequest) -> Iterator[LocalFunction]:
    handler = getattr(request, "param", "tests.e2e.stand_in_handlers.echo")
    function = LocalFunction(name="TestFunction", handler=handler, env={}, concurrency=2, timeout=10)
    function.warm()
    try:
        yield function
    finally:
        function.close()


def test_an_idle_environment_that_died_is_replaced_before_the_next_event(function):
    [pid] = function.environment_pids()
    assert function.invoke({"n": 1})["pid"] == pid  # warm: the same process serves
    os.kill(pid, signal.SIGKILL)
    wait_until_gone(pid)
    answer = function.invoke({"n": 2})
    assert answer["event"] == {"n": 2}
    assert answer["pid"] != pid
    assert function.environment_pids() == [answer["pid"]]  # the dead one is forgotten


def test_every_dead_idle_environment_is_skipped(function):
    first = function.environment_pids()[0]
    function.warm()  # a second idle environment
    pids = function.environment_pids()
    assert len(pids) == 2 and first in pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        wait_until_gone(pid)
    assert function.invoke({})["pid"] not in pids
    assert len(function.environment_pids()) == 1


@pytest.mark.parametrize("function", ["tests.e2e.stand_in_handlers.exit_during_invocation"], indirect=True)
def test_an_environment_that_exits_during_an_invocation_fails_it_and_is_replaced(function):
    [pid] = function.environment_pids()
    with pytest.raises(FunctionError, match="Runtime exited"):
        function.invoke({"exit": True})
    assert function.environment_pids() == []
    assert function.invoke({})["pid"] != pid


# --- the invocation payload limit ----------------------------------------------------------------


def test_an_event_over_6_mb_is_refused_before_any_environment_sees_it(function):
    overhead = payload_size({"body": ""})
    at_limit = {"body": "x" * (MAX_SYNC_PAYLOAD_BYTES - overhead)}
    assert payload_size(at_limit) == MAX_SYNC_PAYLOAD_BYTES == 6_291_456
    assert function.invoke(at_limit)["event"] == at_limit
    pids = function.environment_pids()
    with pytest.raises(PayloadTooLarge, match=r"^6291457 byte payload is too large .*\(limit 6291456 bytes\)$"):
        function.invoke({"body": at_limit["body"] + "x"})
    assert function.environment_pids() == pids
    assert function.invoke({"body": "still serving"})["event"] == {"body": "still serving"}


def test_the_payload_is_counted_as_utf8_json():
    assert payload_size({"body": "é"}) == len('{"body":"é"}'.encode())
