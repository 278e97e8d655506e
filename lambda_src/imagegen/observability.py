"""Powertools Logger, Tracer and Metrics shared by every module (configured by POWERTOOLS_* env vars)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast, overload

from aws_lambda_powertools import Logger, Metrics

# An invocation that records no metric (a health check) is normal here, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def _tracing_disabled() -> bool:
    """Powertools' own rule: off when POWERTOOLS_TRACE_DISABLED says so or outside Lambda."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on")
    return disabled or not os.environ.get("LAMBDA_TASK_ROOT") or bool(os.environ.get("AWS_SAM_LOCAL"))


F = TypeVar("F", bound=Callable[..., Any])


class Tracing(Protocol):
    """What the service uses of Powertools' Tracer: decorators that keep the decorated signature."""

    @overload
    def capture_method(self, method: F, *, capture_response: bool | None = None) -> F: ...
    @overload
    def capture_method(self, method: None = None, *, capture_response: bool | None = None) -> Callable[[F], F]: ...
    def capture_lambda_handler(self, lambda_handler: F) -> F: ...


class _Untraced:
    """Stands in for Tracer when tracing is off. A disabled Tracer still imports the X-Ray SDK,
    which costs about 100 ms of every cold start; this one imports nothing."""

    def capture_method(self, method: F | None = None, **_: Any) -> Any:
        return method if method is not None else (lambda function: function)

    def capture_lambda_handler(self, lambda_handler: F) -> F:
        return lambda_handler


def _tracer() -> Tracing:
    if _tracing_disabled():
        return cast(Tracing, _Untraced())
    from aws_lambda_powertools import Tracer

    return cast(Tracing, Tracer())


logger = Logger()
tracer = _tracer()
metrics = Metrics()
