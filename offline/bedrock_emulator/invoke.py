"""The InvokeModel operation: validate, apply the armed controls, answer like the model."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import BedrockError
from .faults import EmulatorState, Fault
from .images import RenderSpec, blank_image_base64, image_base64
from .models import ASPECT_RATIO_SIZES, ModelSpec, resolve_model
from .validation import ImageRequest, parse_body

FILTER_PROMPT = "Filter reason: prompt"
FILTER_OUTPUT = "Filter reason: output image"


@dataclass
class Answer:
    """A 200 answer: JSON body plus extra headers."""

    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _random_seed(model: ModelSpec) -> int:
    # Seed 0 asks the model to pick; the one it picked comes back in "seeds".
    return 1 + secrets.randbelow(model.max_seed)


def _generate(model: ModelSpec, model_identifier: str, request: ImageRequest, fault: Fault | None) -> dict[str, Any]:
    if fault is not None and fault.kind == "error":
        extra = {"originalStatusCode": 500} if fault.error_type == "ModelErrorException" else {}
        raise BedrockError(fault.error_type, fault.message_for(model_identifier), **extra)
    if fault is not None and fault.kind == "malformed":
        return {"artifacts": "unexpected"}
    seed = request.seed or _random_seed(model)
    width, height = ASPECT_RATIO_SIZES[request.aspect_ratio]
    if fault is not None and fault.kind == "filter_prompt":
        return {"seeds": [seed], "finish_reasons": [FILTER_PROMPT], "images": []}
    if fault is not None and fault.kind == "filter_output":
        image = blank_image_base64(width, height, request.output_format)
        return {"seeds": [seed], "finish_reasons": [FILTER_OUTPUT], "images": [image]}
    spec = RenderSpec(
        model.model_id, request.prompt, request.negative_prompt, seed, width, height, request.output_format
    )
    return {"seeds": [seed], "finish_reasons": [None], "images": [image_base64(spec)]}


def invoke_model(
    state: EmulatorState, model_identifier: str, region: str, raw_body: bytes, wait: Callable[[float], Any]
) -> Answer:
    """Answer one InvokeModel call made in `region`; raises BedrockError for error answers.

    Model ids not served in the region and bad bodies are rejected before the controls
    apply, so they never consume a fault, wait for the latency or count as a model invocation.
    """
    try:
        model = resolve_model(model_identifier, region)
        body, request = parse_body(raw_body, model)
    except BedrockError:
        state.reject()
        raise
    invocation = state.begin_invocation()
    started = time.monotonic()
    status = 500
    try:
        wait(invocation.latency_s)
        payload = _generate(model, model_identifier, request, invocation.fault)
        status = 200
    except BedrockError as error:
        status = error.status
        raise
    finally:
        state.end_invocation(invocation, model_identifier, body, status)
    elapsed_ms = round((time.monotonic() - started) * 1000)
    return Answer(payload, {"X-Amzn-Bedrock-Invocation-Latency": str(elapsed_ms)})
