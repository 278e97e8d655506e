"""Generating images for a request: the domain step shared by every entry point."""

from __future__ import annotations

import secrets
import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.image_store import ImageStore
from imagegen.models.errors import ModelTimeout
from imagegen.models.images import ModelImage, StoredImage
from imagegen.models.request import ImageRequest
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


@tracer.capture_method(capture_response=False)
def generate_images(
    request: ImageRequest,
    *,
    owner_id: str,
    model: BedrockImageModel,
    store: ImageStore,
    deadline: float | None = None,
) -> list[StoredImage]:
    """Calls the model `count` times in parallel (seeds seed, seed+1, ...) and stores the images.

    Any failure (an error, a filtered image) stores nothing and raises the domain error of
    the first failing call. With `deadline`, calls not done by then are a ModelTimeout."""
    spec = request.model_spec
    seeds = request.seeds(request.seed or random_seed(spec.max_seed))
    try:
        images: list[ModelImage] = run_all(
            lambda seed: model.generate(
                spec=spec,
                prompt=request.text,
                negative_prompt=request.negative_prompt,
                aspect_ratio=request.aspect_ratio,
                seed=seed,
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
    stored = store.put_images(
        images,
        owner_id=owner_id,
        metadata={"model": spec.model_id, "aspect-ratio": request.aspect_ratio, "request-id": owner_id},
    )
    metrics.add_metric(name="ImagesGenerated", unit=MetricUnit.Count, value=len(stored))
    logger.info("Images generated", extra={"owner_id": owner_id, "model": spec.model_id, "count": len(stored)})
    return stored
