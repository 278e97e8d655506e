"""Powertools Logger, Tracer and Metrics shared by every module (configured by POWERTOOLS_* env vars)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

# An invocation that records no metric (a health check) is normal here, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def _tracing_disabled() -> bool:
    """Powertools' own rule: off when POWERTOOLS_TRACE_DISABLED says so or outside Lambda."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on")
    return disabled or not os.environ.get("LAMBDA_TASK_ROOT") or bool(os.environ.get("AWS_SAM_LOCAL"))


class _Untraced:
    """Stands in for Tracer when tracing is off. A disabled Tracer still imports the X-Ray SDK,
    which costs about 100 ms of every cold start; this one imports nothing."""

    def _passthrough(self, function: Callable | None = None, **_: Any) -> Any:
        return function if function is not None else (lambda f: f)

    capture_lambda_handler = capture_method = _passthrough


def _tracer() -> Any:
    if _tracing_disabled():
        return _Untraced()
    from aws_lambda_powertools import Tracer

    return Tracer()


logger = Logger()
tracer = _tracer()
metrics = Metrics()
