"""Amazon Bedrock Runtime adapter for the Stability AI image models.

Builds the model body, calls InvokeModel, checks the documented response shape
(`seeds`, `finish_reasons`, `images`) and turns every failure into a domain error."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
from botocore.retries import standard as standard_retries

from imagegen.models.catalog import CONTENT_TYPES, ModelSpec
from imagegen.models.errors import (
    ContentFiltered,
    ImageServiceError,
    InternalError,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
    Throttled,
    ValidationFailed,
)
from imagegen.models.image_formats import image_size
from imagegen.models.images import ModelImage
from imagegen.models.settings import Settings
from imagegen.observability import logger, tracer

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

FILTER_REASONS = frozenset({"Filter reason: prompt", "Filter reason: output image", "Filter reason: input image"})
INFERENCE_ERROR = "Inference error"


# Bedrock answers some account and configuration problems with ValidationException, the code
# it also uses for a body the model rejects. These are the only messages matched anywhere: each
# known message and what the deployer has to do about it.
ACCOUNT_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^operation not allowed", re.IGNORECASE),
        "This AWS account may not call the model yet: accept its AWS Marketplace offer (open the model "
        "once in the Bedrock console's playground) or ask AWS to authorise the account for Bedrock.",
    ),
    (
        re.compile(r"^the provided model identifier is invalid", re.IGNORECASE),
        "The model is not served in the Bedrock region this deployment calls: set imagegen:bedrockRegion "
        "(and imagegen:inferenceProfilePrefix) to where the model is offered, and deploy again.",
    ),
    (
        # "Invocation of model ID ... with on-demand throughput isn't supported. Retry your request
        # with the ID or ARN of an inference profile that contains this model."
        re.compile(r"with on-demand throughput isn.t supported", re.IGNORECASE),
        "The model cannot be called on demand by its bare id in this region: it needs an inference profile. "
        "Set imagegen:inferenceProfilePrefix (e.g. us.) or imagegen:bedrockRegion, and deploy again.",
    ),
)


def account_problem(message: str) -> str | None:
    """What to fix, when a ValidationException's message names an account or configuration problem."""
    for pattern, advice in ACCOUNT_PROBLEMS:
        if pattern.search(message.strip()):
            return advice
    return None


def _from_client_error(error: ClientError) -> ImageServiceError:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "") or code
    if code in ("ThrottlingException", "ServiceQuotaExceededException"):
        return Throttled("The model is receiving too many requests; try again later.")
    if code == "ModelTimeoutException":
        return ModelTimeout("The model took too long to generate the image.")
    if code in ("ModelErrorException", "InternalServerException"):
        return ModelError("The model failed to generate the image.")
    if code in ("ModelNotReadyException", "ServiceUnavailableException"):
        return ModelUnavailable("The model is not available right now; try again later.")
    if code in ("AccessDeniedException", "ResourceNotFoundException"):
        # Not worth queueing again: the model's AWS Marketplace subscription in this account (or
        # the role's permission) is missing, which takes someone to fix.
        return ModelUnavailable(
            "This deployment cannot use the model (is its AWS Marketplace subscription in place?).",
            retryable=False,
        )
    if code == "ValidationException":
        problem = account_problem(message)
        if problem is not None:
            # Not the caller's request: the account or the deployment's configuration, which
            # takes someone to fix, so a job does not queue it again.
            return ModelUnavailable(problem, retryable=False)
        return ValidationFailed(f"The model rejected the request: {message}", details={"source": "model"})
    return InternalError(f"Unexpected Bedrock error {code or 'without a code'}.")


def _from_botocore_error(error: BotoCoreError) -> ImageServiceError:
    if isinstance(error, ReadTimeoutError):
        return ModelTimeout("The model did not answer within the client's timeout.")
    if isinstance(error, (ConnectTimeoutError, ConnectionError)):
        return ModelUnavailable("Could not reach Amazon Bedrock.")
    return InternalError("Unexpected error calling Amazon Bedrock.")


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
    events.register(_RETRY_EVENT, decide, unique_id="imagegen-bedrock-retries")
    return cast("BedrockRuntimeClient", client)


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
        # The modelId sent for each alias (a bare id or an inference profile); else the bare id.
        self._model_ids = dict(model_ids or {})

    @tracer.capture_method(capture_response=False)
    def generate(
        self,
        *,
        spec: ModelSpec,
        prompt: str,
        negative_prompt: str | None,
        aspect_ratio: str,
        seed: int,
        output_format: str,
        deadline: float | None = None,
    ) -> ModelImage:
        """One image; with `deadline` (time.monotonic()), no retry starts after it."""
        # Only the fields the model documents: Bedrock rejects extraneous keys.
        body: dict[str, Any] = {
            "prompt": prompt,
            "aspect_ratio": aspect_ratio,
            "seed": seed,
            "output_format": output_format,
        }
        if negative_prompt:
            body["negative_prompt"] = negative_prompt
        model_id = self._model_ids.get(spec.alias, spec.model_id)
        _CALL.deadline = deadline
        try:
            response = self._client.invoke_model(
                modelId=model_id, body=json.dumps(body), contentType="application/json", accept="application/json"
            )
            raw = response["body"].read()
        except ClientError as exc:
            error = _from_client_error(exc)
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
            error = _from_botocore_error(exc)
            logger.warning(
                "Bedrock call failed",
                extra={"model_id": model_id, "error_code": error.code, "exception": type(exc).__name__},
            )
            raise error from exc
        finally:
            _CALL.deadline = None
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ModelError("The model returned a response that is not JSON.") from exc
        return _parse_response(payload, output_format)
