"""Generating images for a request: the domain step shared by every entry point."""

from __future__ import annotations

import secrets

from aws_lambda_powertools.metrics import MetricUnit

from imagegen.bedrock import BedrockImageModel, ModelImage
from imagegen.image_store import ImageStore, StoredImage
from imagegen.observability import logger, metrics, tracer
from imagegen.parallel import run_all
from imagegen.request import ImageRequest


def random_seed(max_seed: int) -> int:
    return secrets.randbelow(max_seed) + 1


@tracer.capture_method(capture_response=False)
def generate_images(
    request: ImageRequest, *, owner_id: str, model: BedrockImageModel, store: ImageStore
) -> list[StoredImage]:
    """Calls the model `count` times in parallel (seeds seed, seed+1, ...) and stores the images.

    Any failure (an error, a filtered image) stores nothing and raises the domain error of
    the first failing call."""
    spec = request.model_spec
    seeds = request.seeds(request.seed or random_seed(spec.max_seed))
    images: list[ModelImage] = run_all(
        lambda seed: model.generate(
            spec=spec,
            prompt=request.prompt,
            negative_prompt=request.negative_prompt,
            aspect_ratio=request.aspect_ratio,
            seed=seed,
            output_format=request.output_format,
        ),
        seeds,
    )
    stored = store.put_images(
        images,
        owner_id=owner_id,
        metadata={"model": spec.model_id, "aspect-ratio": request.aspect_ratio, "request-id": owner_id},
    )
    metrics.add_metric(name="ImagesGenerated", unit=MetricUnit.Count, value=len(stored))
    logger.info("Images generated", extra={"owner_id": owner_id, "model": spec.model_id, "count": len(stored)})
    return stored
