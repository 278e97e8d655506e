"""A Lambda function run on this machine. Like Lambda, each execution environment is a process
that imports the handler once (its cold start) and serves one event at a time; an invocation
goes to an idle environment, or starts a new one while fewer than `concurrency` exist, or
waits for one to free up. Module state (Powertools keys, cached clients) stays per process.
As Lambda does, it refuses an event over the synchronous invocation payload limit before any
environment sees it."""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from offline.lambda_events import LambdaContext

LAMBDA_SRC = str(Path(__file__).resolve().parent.parent / "lambda_src")
# Lambda's quota for a synchronous invocation's request (and response) payload: 6 MB, counted as
# the bytes of the event's JSON (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
# spawn, not fork: the parent runs server threads that a fork would copy mid-flight.
_CONTEXT = multiprocessing.get_context("spawn")


class FunctionError(Exception):
    """The handler raised (Lambda reports it as a function error) or its environment died."""


def _serve(conn: Connection, handler: str, function_name: str, timeout: float, env: dict[str, str]) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the environments.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Only the function's own AWS settings: none of the shell's (a profile, a session token).
    for name in [name for name in os.environ if name.startswith("AWS_") and name not in env]:
        del os.environ[name]
    os.environ.update(env)
    sys.path.insert(0, LAMBDA_SRC)
    module_name, attribute = handler.rsplit(".", 1)
    entry_point = getattr(importlib.import_module(module_name), attribute)
    conn.send(("ready", None))
    while (event := conn.recv()) is not None:
        try:
            conn.send(("ok", entry_point(event, LambdaContext(function_name, timeout_seconds=timeout))))
        except Exception as exc:
            traceback.print_exc()
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class PayloadTooLarge(Exception):
    """The event is over the invocation payload limit: Lambda's Invoke refuses it (413
    RequestEntityTooLargeException) and the function never runs."""

    def __init__(self, size: int):
        super().__init__(
            f"{size} byte payload is too large for the RequestResponse invocation type "
            f"(limit {MAX_SYNC_PAYLOAD_BYTES} bytes)"
        )
        self.size = size


def payload_size(event: Any) -> int:
    """The size of `event` as Lambda receives it: compact UTF-8 JSON."""
    return len(json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode())


class _EnvironmentGone(Exception):
    """The environment's process had exited before the event reached it: nothing ran."""


class _Environment:
    def __init__(self, handler: str, function_name: str, timeout: float, env: dict[str, str]):
        self._conn, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(
            target=_serve, args=(child, handler, function_name, timeout, env), daemon=True, name=function_name
        )
        self._process.start()
        child.close()
        self._expect("ready")

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _expect(self, *states: str) -> Any:
        try:
            state, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            # As Lambda reports a runtime that exits mid-invocation (Runtime.ExitError).
            self._process.join(timeout=1)
            raise FunctionError(f"Runtime exited with exit code {self._process.exitcode}") from exc
        if state == "error":
            raise FunctionError(value)
        assert state in states
        return value

    def invoke(self, event: dict[str, Any]) -> Any:
        if not self.alive:
            raise _EnvironmentGone
        try:
            self._conn.send(event)
        except OSError as exc:  # the pipe's other end is closed: the process is gone
            raise _EnvironmentGone from exc
        return self._expect("ok")

    @property
    def alive(self) -> bool:
        """Whether the process still runs and waits for events. An idle environment never
        writes to its pipe, so anything readable there (its end of file) means it has exited."""
        if not self._process.is_alive():
            return False
        try:
            return not self._conn.poll()
        except OSError:
            return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.kill()


class LocalFunction:
    def __init__(self, *, name: str, handler: str, env: dict[str, str], concurrency: int, timeout: float):
        self.name = name
        self._start_args = (handler, name, timeout, env)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._idle: queue.LifoQueue[_Environment] = queue.LifoQueue()  # the warmest environment first
        self._all: list[_Environment] = []
        self._lock = threading.Lock()

    def _new_environment(self) -> _Environment:
        environment = _Environment(*self._start_args)
        with self._lock:
            self._all.append(environment)
        return environment

    def warm(self, count: int = 1) -> None:
        """Starts `count` environments now, so the first invocations skip the cold start."""
        starters = [threading.Thread(target=lambda: self._idle.put(self._new_environment())) for _ in range(count)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()

    def _discard(self, environment: _Environment) -> None:
        with self._lock:
            if environment in self._all:
                self._all.remove(environment)
        environment.close()

    def _idle_environment(self) -> _Environment:
        """The warmest idle environment still alive (dead ones are dropped), or a new one."""
        while True:
            try:
                environment = self._idle.get_nowait()
            except queue.Empty:
                return self._new_environment()  # a cold start
            if environment.alive:
                return environment
            self._discard(environment)

    def invoke(self, event: dict[str, Any]) -> Any:
        """Runs the handler on `event`; raises FunctionError if it raised or its environment
        exited during the invocation, PayloadTooLarge if the event is over Lambda's limit. An
        environment found dead is replaced, as Lambda does."""
        if (size := payload_size(event)) > MAX_SYNC_PAYLOAD_BYTES:
            raise PayloadTooLarge(size)
        with self._slots:
            while True:
                environment = self._idle_environment()
                try:
                    result = environment.invoke(event)
                except _EnvironmentGone:
                    self._discard(environment)  # it died before the event reached it: try another
                    continue
                except FunctionError:
                    if environment.alive:
                        self._idle.put(environment)
                    else:
                        self._discard(environment)
                    raise
                self._idle.put(environment)
                return result

    def environment_pids(self) -> list[int]:
        """The process ids of the execution environments (for tests that make one fail)."""
        with self._lock:
            return [pid for environment in self._all if (pid := environment.pid) is not None]

    def close(self) -> None:
        with self._lock:
            environments, self._all = self._all, []
        for environment in environments:
            environment.close()
