"""Test controls: armed faults, added latency and the log of model invocations."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .errors import INVALID_MODEL_IDENTIFIER, ON_DEMAND_NOT_SUPPORTED, OPERATION_NOT_ALLOWED

MAX_LATENCY_MS = 600_000
MAX_LOGGED_CALLS = 100


@dataclass(frozen=True)
class Fault:
    """How an armed fault answers: an error type, or a 200 of the given kind."""

    kind: str  # "error", "filter_prompt", "filter_input", "filter_output" or "malformed"
    error_type: str = ""
    message: str = ""  # may name the called id as {model_id}

    def message_for(self, model_identifier: str) -> str:
        return self.message.replace("{model_id}", model_identifier)


# ValidationExceptions Bedrock answers for problems of the account or the configuration,
# not of the request: fault name -> message, word for word ({model_id} is the modelId as
# sent). "operation_not_allowed": the account may not use the model (Marketplace agreement
# missing, account not authorised); "invalid_model_identifier": the id is not served in the
# region called; "on_demand_not_supported": the region serves the model only through an
# inference profile.
CONFIGURATION_FAULT_MESSAGES: dict[str, str] = {
    "operation_not_allowed": OPERATION_NOT_ALLOWED,
    "invalid_model_identifier": INVALID_MODEL_IDENTIFIER,
    "on_demand_not_supported": ON_DEMAND_NOT_SUPPORTED,
}


FAULTS: dict[str, Fault] = {
    "throttle": Fault("error", "ThrottlingException", "Too many requests, please wait before trying again."),
    "timeout": Fault(
        "error", "ModelTimeoutException", "Model has timed out in processing the request. Try your request again."
    ),
    "model_error": Fault("error", "ModelErrorException", "The model returned an error. Try your request again."),
    "not_ready": Fault(
        "error",
        "ModelNotReadyException",
        "Model is not ready to serve inference requests. The AWS SDK will automatically retry the operation. "
        "If you continue to see this error, wait a few minutes and try again.",
    ),
    "access_denied": Fault(
        "error", "AccessDeniedException", "You don't have access to the model with the specified model ID."
    ),
    "service_unavailable": Fault(
        "error", "ServiceUnavailableException", "Service is temporarily unavailable. Try your request again."
    ),
    "quota_exceeded": Fault(
        "error",
        "ServiceQuotaExceededException",
        "Your request exceeds the service quotas for your account. Request a quota increase or try again later.",
    ),
    "internal": Fault(
        "error", "InternalServerException", "The server encountered an internal error while processing the request."
    ),
    **{name: Fault("error", "ValidationException", message) for name, message in CONFIGURATION_FAULT_MESSAGES.items()},
    "filter_prompt": Fault("filter_prompt"),
    # The models that take an image refuse some inputs: a 200 without images, like filter_prompt.
    "filter_input": Fault("filter_input"),
    "filter_output": Fault("filter_output"),
    "malformed": Fault("malformed"),
}


class ControlError(ValueError):
    """A control request the emulator cannot honour (answered with 400)."""


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def parse_fault(body: Any) -> tuple[str, int]:
    """(fault name, times) from a POST /_emulator/faults body."""
    names = ", ".join(FAULTS)
    if not isinstance(body, dict) or set(body) - {"fault", "times"}:
        raise ControlError(f'Expected {{"fault": <name>, "times": <positive integer>}}; valid faults: {names}.')
    name, times = body.get("fault"), body.get("times", 1)
    if name not in FAULTS:
        raise ControlError(f"Unknown fault {name!r}; valid faults: {names}.")
    if not _positive_int(times):
        raise ControlError(f"times must be a positive integer, got {times!r}; valid faults: {names}.")
    return name, times


def parse_latency(body: Any) -> int:
    """Milliseconds from a POST /_emulator/latency body."""
    ms = body.get("ms") if isinstance(body, dict) and set(body) == {"ms"} else None
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= MAX_LATENCY_MS:
        raise ControlError(f'Expected {{"ms": <integer 0..{MAX_LATENCY_MS}>}}.')
    return ms


@dataclass(frozen=True)
class Invocation:
    """One invocation's share of the controls, taken when it arrives."""

    fault: Fault | None
    latency_s: float
    generation: int


class EmulatorState:
    """Everything the controls change, behind one lock: handlers run on many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._in_flight = 0
        self._clear()

    def _clear(self) -> None:
        self._fault: str | None = None
        self._remaining = 0
        self._latency_ms = 0
        self._count = 0
        self._rejected = 0
        self._calls: deque[dict[str, Any]] = deque(maxlen=MAX_LOGGED_CALLS)
        # Calls still running keep counting as in flight: they finish after the reset.
        self._max_in_flight = self._in_flight

    def reset(self) -> None:
        """Disarm faults, drop latency and forget the invocation log."""
        with self._lock:
            self._generation += 1
            self._clear()

    def arm(self, name: str, times: int) -> None:
        with self._lock:
            self._fault, self._remaining = name, times

    def set_latency(self, ms: int) -> None:
        with self._lock:
            self._latency_ms = ms

    def begin_invocation(self) -> Invocation:
        """Count a well-formed invocation as in flight and consume one armed fault, if any."""
        with self._lock:
            self._count += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            fault = None
            if self._fault is not None:
                fault = FAULTS[self._fault]
                self._remaining -= 1
                if self._remaining == 0:
                    self._fault = None
            return Invocation(fault, self._latency_ms / 1000, self._generation)

    def end_invocation(
        self, invocation: Invocation, model_id: str, model: str, region: str, body: Any, status: int
    ) -> None:
        """Log the call: the modelId as sent, the foundation model it named, the region called
        (from the credential scope), the body as sent and the answer's status."""
        with self._lock:
            self._in_flight -= 1
            # A call that began before a reset must not show up in the fresh log.
            if invocation.generation == self._generation:
                self._calls.append(
                    {"model_id": model_id, "model": model, "region": region, "body": body, "status": status}
                )

    def reject(self) -> None:
        """Count a request that never reached the model (bad model id or body)."""
        with self._lock:
            self._rejected += 1

    def controls(self) -> dict[str, Any]:
        with self._lock:
            return {"fault": self._fault, "remaining": self._remaining, "latency_ms": self._latency_ms}

    def invocations(self) -> dict[str, Any]:
        with self._lock:
            return {
                "count": self._count,
                "rejected": self._rejected,
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "calls": list(self._calls),
            }
