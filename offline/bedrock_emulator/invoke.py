"""The InvokeModel operation: validate, apply the armed controls, answer like the model."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import BedrockError
from .faults import EmulatorState, Fault
from .images import RenderSpec, blank_image_base64, encode, image_base64
from .models import ModelSpec, resolve_model
from .render import output_size, render
from .schemas import TEXT_TO_IMAGE
from .validation import ModelRequest, parse_body

FILTER_PROMPT = "Filter reason: prompt"
FILTER_OUTPUT = "Filter reason: output image"
FILTER_INPUT = "Filter reason: input image"
# Filters that answer before any image is made: no images in the answer.
_NO_IMAGE_FILTERS = {"filter_prompt": FILTER_PROMPT, "filter_input": FILTER_INPUT}


@dataclass
class Answer:
    """A 200 answer: JSON body plus extra headers."""

    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _random_seed(model: ModelSpec) -> int:
    # Seed 0 asks the model to pick; the one it picked comes back in "seeds". Models without
    # a seed field pick one too.
    return 1 + secrets.randbelow(model.max_seed)


def _image_base64(model: ModelSpec, request: ModelRequest, seed: int) -> str:
    if request.variant == TEXT_TO_IMAGE:
        # Text-to-image pictures are cached: the same request is often repeated.
        width, height = output_size(request)
        spec = RenderSpec(
            model.model_id,
            request.text("prompt"),
            request.text("negative_prompt"),
            seed,
            width,
            height,
            request.output_format,
        )
        return image_base64(spec)
    return base64.b64encode(encode(render(model.model_id, request, seed), request.output_format)).decode("ascii")


def _generate(model: ModelSpec, model_identifier: str, request: ModelRequest, fault: Fault | None) -> dict[str, Any]:
    if fault is not None and fault.kind == "error":
        extra = {"originalStatusCode": 500} if fault.error_type == "ModelErrorException" else {}
        raise BedrockError(fault.error_type, fault.message_for(model_identifier), **extra)
    if fault is not None and fault.kind == "malformed":
        return {"artifacts": "unexpected"}
    seed = request.seed or _random_seed(model)
    if fault is not None and fault.kind in _NO_IMAGE_FILTERS:
        return {"seeds": [seed], "finish_reasons": [_NO_IMAGE_FILTERS[fault.kind]], "images": []}
    if fault is not None and fault.kind == "filter_output":
        image = blank_image_base64(*output_size(request), request.output_format)
        return {"seeds": [seed], "finish_reasons": [FILTER_OUTPUT], "images": [image]}
    return {"seeds": [seed], "finish_reasons": [None], "images": [_image_base64(model, request, seed)]}


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
        state.end_invocation(invocation, model_identifier, model.model_id, region, body, status)
    elapsed_ms = round((time.monotonic() - started) * 1000)
    return Answer(payload, {"X-Amzn-Bedrock-Invocation-Latency": str(elapsed_ms)})
