"""Runs a few blocking calls (model calls, S3 writes) at once on threads kept for the life of
the execution environment: starting threads afresh costs about a millisecond each."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="imagegen")


def run_all(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """function(item) for every item, in parallel when there are several. Waits for all of them,
    then raises the first failure in item order, so no call is left running behind the caller."""
    if len(items) == 1:
        return [function(items[0])]
    futures = [_pool().submit(function, item) for item in items]
    wait(futures)
    return [future.result() for future in futures]
