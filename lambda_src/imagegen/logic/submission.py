"""Accepting an asynchronous job: record it as queued, then queue it for the worker.

With an Idempotency-Key the same key and body give back the first answer (Powertools
idempotency, stored in the jobs table); the same key with another body is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen.adapters.job_queue import JobQueue
from imagegen.adapters.job_store import JobStore
from imagegen.models.errors import IdempotencyKeyReused, InternalError, RequestInProgress
from imagegen.models.jobs import JobStatus
from imagegen.models.operations import IMAGES
from imagegen.models.request import OperationRequest
from imagegen.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class IdempotencyStore:
    """Where Powertools idempotency keeps its records (the jobs table), and for how long."""

    client: DynamoDBClient
    table: str
    ttl_seconds: int


IDEMPOTENCY_KEY_PREFIX = "imagegen.submit-job"


class JobSubmission:
    """Records and queues jobs, once per Idempotency-Key and caller."""

    def __init__(self, *, jobs: JobStore, queue: JobQueue, idempotency: IdempotencyStore):
        self._jobs = jobs
        self._queue = queue
        self._idempotency = idempotency
        self._idempotent: tuple[IdempotencyConfig, Callable[..., dict[str, Any]]] | None = None

    def submit(
        self,
        request: OperationRequest,
        *,
        operation: str,
        inputs: dict[str, str],
        idempotency_key: str | None,
        caller: str,
        lambda_context: Any,
    ) -> tuple[str, JobStatus]:
        """Queues `operation`'s request (owned by `caller`), its images named by their keys
        (`inputs`, by field), and returns the job id and its status: queued, or, for an
        Idempotency-Key seen before, the status the job has now."""
        invocation = lambda_context.aws_request_id
        document = request.to_document()
        document.update({name: {"s3_key": key} for name, key in inputs.items()})
        if operation != IMAGES:  # absent means images, as in requests recorded before operations
            document = {"operation": operation, **document}
        submission: dict[str, Any] = {
            "request": document,
            "operation": operation,
            "model_id": request.model_spec.model_id,
            "inputs": inputs,
            "caller": caller,
            "invocation": invocation,
        }
        if idempotency_key is None:
            return self._submit(submission=submission)["job_id"], "queued"
        result = self._submit_once(submission, idempotency_key, lambda_context)
        job_id: str = result["job_id"]
        if result.get("queued_by") == invocation:
            return job_id, "queued"
        job = self._jobs.get(job_id)
        return job_id, job.status if job is not None else "queued"

    def _submit(self, *, submission: dict[str, Any]) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        self._jobs.create(
            job_id=job_id,
            trigger="api",
            request_id=job_id,
            model=submission["model_id"],
            request=submission["request"],
            owner=submission["caller"],
            operation=submission["operation"],
            inputs=submission["inputs"],
        )
        try:
            self._queue.send(job_id)
        except (ClientError, BotoCoreError) as exc:
            logger.exception("Could not queue the job", extra={"job_id": job_id})
            claimed = self._jobs.claim(job_id, lease_seconds=60)
            if claimed:
                # Not retryable: a redrive must never run a job its caller was told failed.
                self._jobs.fail(claimed, InternalError("The job could not be queued.", retryable=False))
            raise InternalError("The job could not be queued; try again.") from exc
        logger.info("Job queued", extra={"job_id": job_id})
        # Names the invocation that queued the job: a repeated key gets this answer back from
        # another invocation, and then reads the job's current status.
        return {"job_id": job_id, "queued_by": submission["invocation"]}

    def _submit_once(self, submission: dict[str, Any], idempotency_key: str, lambda_context: Any) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        config, idempotent = self._idempotent_submit()
        # Lets a record left in progress by a timed-out invocation expire with it.
        config.register_lambda_context(lambda_context)
        try:
            return idempotent(submission={**submission, "idempotency_key": idempotency_key})
        except IdempotencyValidationError as exc:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used with a different request body.",
                details={"header": "Idempotency-Key"},
            ) from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise RequestInProgress(
                "A request with this Idempotency-Key is still being processed; retry shortly."
            ) from exc

    def _idempotent_submit(self) -> tuple[IdempotencyConfig, Callable[..., dict[str, Any]]]:
        """Powertools idempotency around _submit, imported on first use: only POST /jobs with a
        key needs it, and importing it would cost every cold start of the API tens of milliseconds."""
        if self._idempotent is None:
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
                idempotent_function,
            )

            config = IdempotencyConfig(
                # The key is scoped to the caller, so two callers never share a key.
                event_key_jmespath="[caller, idempotency_key]",
                payload_validation_jmespath="request",
                expires_after_seconds=self._idempotency.ttl_seconds,
            )
            persistence = DynamoDBPersistenceLayer(
                table_name=self._idempotency.table,
                key_attr="pk",
                expiry_attr="expiration",
                boto3_client=self._idempotency.client,
            )
            submit = idempotent_function(
                data_keyword_argument="submission",
                persistence_store=persistence,
                config=config,
                # Records are keyed by this name, not by the function's module path, so that moving
                # the code never forgets the keys callers have used.
                key_prefix=IDEMPOTENCY_KEY_PREFIX,
            )(self._submit)
            self._idempotent = (config, submit)
        return self._idempotent
