"""The bedrock-runtime client: its timeouts, and one retry policy that knows what a retry of
an image generation costs and when the caller's time runs out."""

from __future__ import annotations

import contextlib
import functools
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import ReadTimeoutError
from botocore.retries import standard as standard_retries

from imagegen.models.settings import Settings

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

_JITTER = secrets.SystemRandom()
# The deadline (time.monotonic()) of the call in progress on this thread, if it has one.
_CALL = threading.local()


def _past_deadline(delay: float) -> bool:
    deadline: float | None = getattr(_CALL, "deadline", None)
    return deadline is not None and time.monotonic() + delay >= deadline


_RETRY_EVENT = "needs-retry.bedrock-runtime"
_BOTOCORE_RETRY_ID = "retry-config-bedrock-runtime"  # botocore's standard-mode handler


def _retry_decision(
    standard: Callable[..., float | None],
    max_attempts: int,
    *,
    response: tuple[Any, dict[str, Any]] | None = None,
    caught_exception: Exception | None = None,
    attempts: int = 1,
    **kwargs: Any,
) -> float | None:
    """The client's one needs-retry handler: seconds to wait before the next attempt, or None.

    - A read timeout means the model is probably still generating: a retry would pay for a
      second image and overrun the caller's time budget. It ends the call without asking
      botocore, which would also spend its retry quota on it.
    - ServiceQuotaExceededException ("try again later") is retried like a throttle, which
      botocore's standard mode does not do for this code, up to max_attempts.
    - Anything else is botocore's standard decision (conditions, retry quota, backoff).
    - No retry starts after the call's deadline: the last error is the answer, while the
      caller still has time to receive it."""
    if isinstance(caught_exception, ReadTimeoutError):
        return None
    code = response[1].get("Error", {}).get("Code") if response else None
    if code == "ServiceQuotaExceededException":
        # Jitter from the OS: environments resumed from one SnapStart snapshot share `random`'s state.
        delay = _JITTER.random() * min(2 ** (attempts - 1), 20) if attempts < max_attempts else None
    else:
        delay = standard(response=response, caught_exception=caught_exception, attempts=attempts, **kwargs)
    if delay is not None and _past_deadline(delay):
        return None
    return delay


def create_client(session: Session, settings: Settings) -> BedrockRuntimeClient:
    """bedrock-runtime client with explicit retries (the runtime's botocore default may differ).

    Worst case of one call: (attempts - 1) connect timeouts, one read timeout (never retried)
    and the backoffs between attempts."""
    client = session.create_client(
        "bedrock-runtime",
        region_name=settings.bedrock_region,
        config=Config(
            connect_timeout=settings.bedrock_connect_timeout,
            read_timeout=settings.bedrock_read_timeout,
            retries={"mode": settings.bedrock_retry_mode, "total_max_attempts": settings.bedrock_max_attempts},
            max_pool_connections=16,
        ),
    )
    # botocore calls every needs-retry handler: its own is replaced by one that asks it only
    # when the call may be retried (a standard handler of our own, whose decision it wraps).
    events = client.meta.events
    events.unregister(_RETRY_EVENT, unique_id=_BOTOCORE_RETRY_ID)
    standard = standard_retries.register_retry_handler(client, max_attempts=settings.bedrock_max_attempts)
    events.unregister(_RETRY_EVENT, unique_id=_BOTOCORE_RETRY_ID)
    decide = functools.partial(_retry_decision, standard.needs_retry, settings.bedrock_max_attempts)
    # botocore reads a needs-retry handler's answer (seconds to wait), which its stubs do not say.
    events.register(_RETRY_EVENT, cast(Any, decide), unique_id="imagegen-bedrock-retries")
    return cast("BedrockRuntimeClient", client)


@contextlib.contextmanager
def call_deadline(deadline: float | None) -> Iterator[None]:
    """No retry of the calls made in this block, on this thread, starts after `deadline`."""
    _CALL.deadline = deadline
    try:
        yield
    finally:
        _CALL.deadline = None
