"""Accepting an asynchronous job: record it as queued, then queue it for the worker.

With an Idempotency-Key the same key and body give back the first answer (Powertools
idempotency, stored in the jobs table); the same key with another body is refused."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen import dependencies as deps
from imagegen.models.catalog import MODELS
from imagegen.models.errors import IdempotencyKeyReused, InternalError, RequestInProgress
from imagegen.models.jobs import JobStatus
from imagegen.models.request import ImageRequest
from imagegen.observability import logger


def _submit(*, submission: dict[str, Any]) -> dict[str, Any]:
    job_id = uuid.uuid4().hex
    request = submission["request"]
    jobs = deps.jobs()
    jobs.create(
        job_id=job_id,
        trigger="api",
        request_id=job_id,
        model=MODELS[request["model"]].model_id,
        request=request,
        owner=submission["caller"],
    )
    try:
        deps.sqs_client().send_message(
            QueueUrl=deps.settings().jobs_queue_url,
            MessageBody=json.dumps({"job_id": job_id}),
        )
    except (ClientError, BotoCoreError) as exc:
        logger.exception("Could not queue the job", extra={"job_id": job_id})
        claimed = jobs.claim(job_id, lease_seconds=60)
        if claimed:
            # Not retryable: a redrive must never run a job its caller was told failed.
            jobs.fail(claimed, InternalError("The job could not be queued.", retryable=False))
        raise InternalError("The job could not be queued; try again.") from exc
    logger.info("Job queued", extra={"job_id": job_id})
    # Names the invocation that queued the job: a repeated key gets this answer back from
    # another invocation, and then reads the job's current status.
    return {"job_id": job_id, "queued_by": submission["invocation"]}


# Powertools idempotency is imported on first use: it is only needed by POST /jobs with a key,
# and importing it costs every cold start of the API tens of milliseconds.


@functools.cache
def _idempotency_config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        # The key is scoped to the caller, so two callers never share a key.
        event_key_jmespath="[caller, idempotency_key]",
        payload_validation_jmespath="request",
        expires_after_seconds=deps.settings().idempotency_ttl_seconds,
    )


@functools.cache
def _idempotent_submit() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    persistence = DynamoDBPersistenceLayer(
        table_name=deps.settings().jobs_table,
        key_attr="pk",
        expiry_attr="expiration",
        boto3_client=deps.dynamodb_client(),
    )
    return idempotent_function(
        data_keyword_argument="submission", persistence_store=persistence, config=_idempotency_config()
    )(_submit)


def submit_job(
    request: ImageRequest, *, idempotency_key: str | None, caller: str, lambda_context: Any
) -> tuple[str, JobStatus]:
    """Queues the request (owned by `caller`) and returns the job id and its status: queued, or,
    for an Idempotency-Key seen before, the status the job has now."""
    invocation = lambda_context.aws_request_id
    submission: dict[str, Any] = {
        "request": request.model_dump(mode="json", exclude_none=True),
        "caller": caller,
        "invocation": invocation,
    }
    if idempotency_key is None:
        return _submit(submission=submission)["job_id"], "queued"
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    # Lets a record left in progress by a timed-out invocation expire with it.
    _idempotency_config().register_lambda_context(lambda_context)
    try:
        result = _idempotent_submit()(submission={**submission, "idempotency_key": idempotency_key})
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body.",
            details={"header": "Idempotency-Key"},
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise RequestInProgress("A request with this Idempotency-Key is still being processed; retry shortly.") from exc
    job_id: str = result["job_id"]
    if result.get("queued_by") == invocation:
        return job_id, "queued"
    job = deps.jobs().get(job_id)
    return job_id, job.status if job is not None else "queued"
