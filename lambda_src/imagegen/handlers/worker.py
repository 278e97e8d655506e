"""SQS batch handler of the asynchronous worker (jobs from the API, S3 drops, EventBridge events).
Failures are reported per record, so only failed messages come back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegen import dependencies as deps
from imagegen.handlers import snapstart
from imagegen.logic import job_runner
from imagegen.logic.generation import deadline_for
from imagegen.logic.triggers import PoisonMessage, parse_message
from imagegen.observability import logger, metrics, tracer

snapstart.register()

# Time a job may need: a model call (read timeout) plus storing, writing and publishing.
_JOB_HEADROOM_SECONDS = 30

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _delay_redelivery(record: SQSRecord, seconds: int) -> None:
    try:
        deps.sqs_client().change_message_visibility(
            QueueUrl=deps.settings().jobs_queue_url, ReceiptHandle=record.receipt_handle, VisibilityTimeout=seconds
        )
    except Exception:
        # The message still comes back, after the queue's visibility timeout instead.
        logger.exception("Could not set the retry delay", extra={"message_id": record.message_id})


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    receive_count = int(record.attributes.approximate_receive_count)
    remaining = lambda_context.get_remaining_time_in_millis() / 1000
    try:
        items = parse_message(record.body, bucket=deps.settings().image_bucket)
    except PoisonMessage:
        logger.error("Unreadable message; it will reach the dead-letter queue", extra={"message_id": record.message_id})
        metrics.add_metric(name="PoisonMessages", unit=MetricUnit.Count, value=1)
        _delay_redelivery(record, 0)  # waiting will not help: on to the dead-letter queue
        raise
    # Too little time left to finish a job in this invocation: hand it back untouched.
    enough_time = remaining >= deps.settings().bedrock_read_timeout + _JOB_HEADROOM_SECONDS
    # The lease outlives this invocation: a job still 'running' after it belongs to a dead worker.
    lease_seconds = int(remaining) + 5
    for item in items:
        logger.append_keys(job_id=item.job_id, trigger=item.trigger)
        try:
            if enough_time:
                job_runner.run(
                    item,
                    receive_count=receive_count,
                    lease_seconds=lease_seconds,
                    deadline=deadline_for(lambda_context, reserve_seconds=_JOB_HEADROOM_SECONDS),
                )
            else:
                job_runner.hand_back(item, receive_count=receive_count)
        except job_runner.RetryLater as later:
            metrics.add_metric(name="JobRetries", unit=MetricUnit.Count, value=1)
            logger.warning("Job will be retried", extra={"error_code": later.error.code, "delay": later.delay_seconds})
            _delay_redelivery(record, later.delay_seconds)
            raise
        except job_runner.RetriesExhausted:
            metrics.add_metric(name="JobsDeadLettered", unit=MetricUnit.Count, value=1)
            logger.error("Job failed after its last delivery; the message goes to the dead-letter queue")
            _delay_redelivery(record, 0)  # its next receive moves it there
            raise
        finally:
            logger.remove_keys(["job_id", "trigger"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
