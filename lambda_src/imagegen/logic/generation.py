"""Running an operation: the domain step shared by every entry point and every operation."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.image_store import ImageStore
from imagegen.logic.image_inputs import InputImage
from imagegen.models.errors import ModelTimeout
from imagegen.models.images import ModelImage, StoredImage
from imagegen.models.request import OperationRequest
from imagegen.observability import logger, metrics, tracer
from imagegen.parallel import run_all

# Kept back from an invocation's remaining time to store the images and answer.
STORE_AND_ANSWER_SECONDS = 2.0


def random_seed(max_seed: int) -> int:
    return secrets.randbelow(max_seed) + 1


def deadline_for(lambda_context: Any, *, reserve_seconds: float = STORE_AND_ANSWER_SECONDS) -> float:
    """The time.monotonic() by which the model calls must be done for the invocation to finish."""
    remaining_seconds = float(lambda_context.get_remaining_time_in_millis()) / 1000
    return time.monotonic() + remaining_seconds - reserve_seconds


def input_references(inputs: Mapping[str, InputImage]) -> dict[str, str]:
    """The inputs by field, as results and metadata name them."""
    return {name: image.reference for name, image in inputs.items()}


# S3 keeps at most 2 KB of user metadata per object: a reference longer than this (a key may have
# 1,024 characters) is kept as a digest of itself.
_METADATA_REFERENCE_CHARS = 200


def _fitting(reference: str) -> str:
    if len(reference) <= _METADATA_REFERENCE_CHARS:
        return reference
    return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()


@tracer.capture_method(capture_response=False)
def generate_images(
    request: OperationRequest,
    *,
    operation: str,
    owner_id: str,
    model: BedrockImageModel,
    store: ImageStore,
    inputs: Mapping[str, InputImage] | None = None,
    deadline: float | None = None,
) -> list[StoredImage]:
    """Calls the model once per image asked for (in parallel, seeds seed, seed+1, ...) with the
    checked `inputs`, and stores the images.

    Any failure (an error, a filtered image) stores nothing and raises the domain error of
    the first failing call. With `deadline`, calls not done by then are a ModelTimeout."""
    spec = request.model_spec
    inputs = inputs or {}
    encoded = {name: image.base64() for name, image in inputs.items()}
    seeds = request.seeds(request.requested_seed or random_seed(spec.max_seed))
    try:
        images: list[ModelImage] = run_all(
            lambda seed: model.generate(
                spec=spec,
                body=request.bedrock_body(seed=seed, images=encoded),
                output_format=request.output_format,
                deadline=deadline,
            ),
            seeds,
            deadline=deadline,
        )
    except TimeoutError as exc:
        logger.warning("Model calls passed the invocation's deadline", extra={"owner_id": owner_id})
        raise ModelTimeout(
            "The model did not finish in the time this request has; POST /jobs runs it without that limit."
        ) from exc
    metadata = {"model": spec.model_id, "operation": operation, "request-id": owner_id}
    if not inputs:
        metadata["aspect-ratio"] = str(getattr(request, "aspect_ratio", ""))
    metadata.update({f"input-{name}": _fitting(reference) for name, reference in input_references(inputs).items()})
    stored = store.put_images(images, owner_id=owner_id, metadata=metadata)
    metrics.add_metric(name="ImagesGenerated", unit=MetricUnit.Count, value=len(stored))
    logger.info(
        "Images generated",
        extra={"owner_id": owner_id, "model": spec.model_id, "operation": operation, "count": len(stored)},
    )
    return stored
