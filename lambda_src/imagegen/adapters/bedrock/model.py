"""Amazon Bedrock Runtime adapter for the Stability AI image models.

Sends the body an operation built, calls InvokeModel, checks the documented response shape
(`seeds`, `finish_reasons`, `images`) and turns every failure into a domain error."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen.adapters.bedrock.client import call_deadline
from imagegen.adapters.bedrock.errors import from_botocore_error, from_client_error
from imagegen.models.catalog import ModelSpec
from imagegen.models.errors import ContentFiltered, ModelError
from imagegen.models.image_formats import CONTENT_TYPES, image_size
from imagegen.models.images import ModelImage
from imagegen.observability import logger, tracer

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

FILTER_REASONS = frozenset({"Filter reason: prompt", "Filter reason: output image", "Filter reason: input image"})
INFERENCE_ERROR = "Inference error"


def _parse_response(payload: Any, output_format: str) -> ModelImage:
    if not isinstance(payload, dict):
        raise ModelError("The model returned a response that is not a JSON object.")
    seeds, reasons, images = payload.get("seeds"), payload.get("finish_reasons"), payload.get("images")
    if not isinstance(reasons, list) or not reasons:
        raise ModelError("The model response has no finish_reasons.")
    reason = reasons[0]
    if reason in FILTER_REASONS:
        raise ContentFiltered(reason)
    if reason == INFERENCE_ERROR:
        raise ModelError("The model reported an inference error.")
    if reason is not None:
        raise ModelError(f"The model returned an unknown finish reason: {str(reason)[:100]}")
    if not isinstance(seeds, list) or not seeds or not isinstance(images, list) or not images:
        raise ModelError("The model response lacks seeds or images.")
    try:
        seed = int(seeds[0])
        data = base64.b64decode(images[0], validate=True)
    except (TypeError, ValueError, binascii.Error) as exc:
        raise ModelError("The model response holds an unreadable seed or image.") from exc
    size = image_size(data, output_format)
    if size is None:
        raise ModelError(f"The model returned an image that is not {output_format}.")
    return ModelImage(data=data, seed=seed, content_type=CONTENT_TYPES[output_format], width=size[0], height=size[1])


class BedrockImageModel:
    """Generates one image per call on a Stability AI model through InvokeModel."""

    def __init__(self, client: BedrockRuntimeClient, *, model_ids: Mapping[str, str] | None = None):
        self._client = client
        # The modelId sent for each model (a bare id or an inference profile), by its bare id.
        self._model_ids = dict(model_ids or {})

    @tracer.capture_method(capture_response=False)
    def generate(
        self, *, spec: ModelSpec, body: Mapping[str, Any], output_format: str, deadline: float | None = None
    ) -> ModelImage:
        """One image from `body` (the fields the model documents: Bedrock rejects extraneous
        keys); with `deadline` (time.monotonic()), no retry starts after it."""
        model_id = self._model_ids.get(spec.model_id, spec.model_id)
        payload = json.dumps(body)
        try:
            with call_deadline(deadline):
                response = self._client.invoke_model(
                    modelId=model_id, body=payload, contentType="application/json", accept="application/json"
                )
                del payload  # an input image's base64 need not outlive the call
                raw = response["body"].read()
        except ClientError as exc:
            error = from_client_error(exc)
            logger.warning(
                "Bedrock call failed",
                extra={
                    "model_id": model_id,
                    "bedrock_error": exc.response.get("Error", {}).get("Code"),
                    "error_code": error.code,
                },
            )
            raise error from exc
        except BotoCoreError as exc:
            error = from_botocore_error(exc)
            logger.warning(
                "Bedrock call failed",
                extra={"model_id": model_id, "error_code": error.code, "exception": type(exc).__name__},
            )
            raise error from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise ModelError("The model returned a response that is not JSON.") from exc
        return _parse_response(answer, output_format)
