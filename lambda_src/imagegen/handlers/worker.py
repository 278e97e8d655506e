"""SQS batch handler of the asynchronous worker (jobs from the API, S3 drops, EventBridge events).
Each message's outcome becomes what SQS does with it; failures are reported per record, so only
failed messages come back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegen.handlers import snapstart
from imagegen.handlers.worker_wiring import WorkerWiring, worker_wiring
from imagegen.logic.generation import deadline_for
from imagegen.logic.triggers import PoisonMessage, parse_message
from imagegen.models.outcomes import DONE, DeadLetter, Done, Outcome, RetryAfter, Unreadable
from imagegen.observability import logger, metrics, tracer

snapstart.register()

# Time a job may need besides its model calls: storing, writing and publishing.
JOB_HEADROOM_SECONDS = 30

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class MessageFailed(Exception):
    """Reports the record as failed to the batch processor (SQS keeps the message)."""


def _outcome(wiring: WorkerWiring, record: SQSRecord, lambda_context: LambdaContext) -> Outcome:
    """What became of one message: the first of its jobs that did not finish, else done."""
    receive_count = int(record.attributes.approximate_receive_count)
    remaining = lambda_context.get_remaining_time_in_millis() / 1000
    try:
        items = parse_message(record.body, bucket=wiring.settings.image_bucket)
    except PoisonMessage as exc:
        return Unreadable(str(exc))
    # Too little time left to finish a job in this invocation: hand it back untouched.
    enough_time = remaining >= wiring.settings.bedrock_read_timeout + JOB_HEADROOM_SECONDS
    # The lease outlives this invocation: a job still 'running' after it belongs to a dead worker.
    lease_seconds = int(remaining) + 5
    for item in items:
        logger.append_keys(job_id=item.job_id, trigger=item.trigger)
        try:
            if enough_time:
                outcome = wiring.runner.run(
                    item,
                    receive_count=receive_count,
                    lease_seconds=lease_seconds,
                    deadline=deadline_for(lambda_context, reserve_seconds=JOB_HEADROOM_SECONDS),
                )
            else:
                outcome = wiring.runner.hand_back(item, receive_count=receive_count)
        finally:
            logger.remove_keys(["job_id", "trigger"])
        if not isinstance(outcome, Done):
            return outcome
    return DONE


def _deliver_again_in(wiring: WorkerWiring, record: SQSRecord, seconds: int) -> None:
    try:
        wiring.queue.deliver_again_in(record.receipt_handle, seconds)
    except Exception:
        # The message still comes back, after the queue's visibility timeout instead.
        logger.exception("Could not set the retry delay", extra={"message_id": record.message_id})


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    wiring = worker_wiring()
    outcome = _outcome(wiring, record, lambda_context)
    if isinstance(outcome, Done):
        return
    if isinstance(outcome, RetryAfter):
        metrics.add_metric(name="JobRetries", unit=MetricUnit.Count, value=1)
        logger.warning("Job will be retried", extra={"error_code": outcome.error.code, "delay": outcome.seconds})
        _deliver_again_in(wiring, record, outcome.seconds)
    elif isinstance(outcome, DeadLetter):
        metrics.add_metric(name="JobsDeadLettered", unit=MetricUnit.Count, value=1)
        logger.error("Job failed on its last delivery; the message goes to the dead-letter queue",
                     extra={"reason": outcome.reason})  # fmt: skip
        _deliver_again_in(wiring, record, 0)  # its next receive moves it there
    else:
        metrics.add_metric(name="PoisonMessages", unit=MetricUnit.Count, value=1)
        logger.error("Unreadable message; it will reach the dead-letter queue",
                     extra={"message_id": record.message_id, "reason": outcome.reason})  # fmt: skip
        _deliver_again_in(wiring, record, 0)  # waiting will not help: on to the dead-letter queue
    raise MessageFailed(type(outcome).__name__)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
