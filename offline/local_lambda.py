"""A Lambda function run on this machine: a pool of processes, each importing the handler
once (its cold start) and then serving one event at a time, as Lambda execution
environments do. Module state (Powertools Logger keys, cached clients) stays per process,
so concurrent invocations never share it."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from offline.lambda_events import LambdaContext

LAMBDA_SRC = str(Path(__file__).resolve().parent.parent / "lambda_src")

_handler: Any = None
_function_name = ""
_timeout = 0.0


def _start_environment(handler: str, function_name: str, timeout: float, env: dict[str, str]) -> None:
    global _handler, _function_name, _timeout
    # Ctrl-C reaches the whole process group: the parent stops the pool, the environments stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)
    sys.path.insert(0, LAMBDA_SRC)
    module_name, attribute = handler.rsplit(".", 1)
    _handler = getattr(importlib.import_module(module_name), attribute)
    _function_name, _timeout = function_name, timeout


def _invoke(event: dict[str, Any]) -> Any:
    return _handler(event, LambdaContext(_function_name, timeout_seconds=_timeout))


class LocalFunction:
    def __init__(self, *, name: str, handler: str, env: dict[str, str], concurrency: int, timeout: float):
        self.name = name
        self._pool = ProcessPoolExecutor(
            max_workers=concurrency,
            # spawn, not fork: the parent runs server threads that a fork would copy mid-flight.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_environment,
            initargs=(handler, name, timeout, env),
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        """Runs the handler on `event` in a free environment; raises what the handler raised."""
        return self._pool.submit(_invoke, event).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
