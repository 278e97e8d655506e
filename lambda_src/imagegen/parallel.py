"""Runs a few blocking calls (model calls, S3 writes) at once on threads kept for the life of
the execution environment: starting threads afresh costs about a millisecond each."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@functools.cache
def _pool() -> ThreadPoolExecutor:
    # Room for two requests' calls left running after their deadline (at most four each) while a
    # third request's run: an abandoned call holds its thread until its read timeout.
    return ThreadPoolExecutor(max_workers=16, thread_name_prefix="imagegen")


def run_all(function: Callable[[T], R], items: Sequence[T], *, deadline: float | None = None) -> list[R]:
    """function(item) for every item, in parallel when there are several. Waits for all of them,
    then raises the first failure in item order, so no call is left running behind the caller.

    With `deadline` (time.monotonic()), raises TimeoutError when it passes first: the calls still
    running finish on their threads and their results are dropped."""
    if len(items) == 1 and deadline is None:
        return [function(items[0])]
    futures = [_pool().submit(function, item) for item in items]
    timeout = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    _, pending = wait(futures, timeout=timeout)
    if pending:
        for future in pending:
            future.cancel()
        raise TimeoutError(f"{len(pending)} of {len(futures)} calls did not finish in time")
    return [future.result() for future in futures]
