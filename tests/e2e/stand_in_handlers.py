"""Handlers that the execution-environment tests run in place of the service's."""

from __future__ import annotations

import os
from typing import Any


def echo(event: Any, context: Any) -> dict[str, Any]:
    return {"pid": os.getpid(), "event": event}


def exit_during_invocation(event: Any, context: Any) -> dict[str, Any]:
    if event.get("exit"):
        os._exit(3)
    return {"pid": os.getpid()}


def body_size(event: Any, context: Any) -> dict[str, Any]:
    """A proxy response saying how large a body the function was handed."""
    return {"statusCode": 200, "body": str(len(event.get("body") or ""))}
