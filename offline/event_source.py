"""A local stand-in for Lambda's SQS event source mapping: long-polls the queue, hands each
batch to the function, deletes what succeeded and leaves the reported failures to come back
(and, past maxReceiveCount, to move to the dead-letter queue)."""

from __future__ import annotations

import threading
from typing import Any

from offline.lambda_events import sqs_event
from offline.local_lambda import LocalFunction

# As the stack's event source mapping: the function reports failed items (batchItemFailures), and
# only those come back; a function error brings the whole batch back.
FUNCTION_RESPONSE_TYPES = ("ReportBatchItemFailures",)


class SqsEventSource:
    def __init__(
        self, *, sqs: Any, queue_url: str, queue_arn: str, function: LocalFunction, batch_size: int, concurrency: int
    ):
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._function = function
        self._batch_size = batch_size
        self._stopping = threading.Event()
        self._enabled = threading.Event()
        self._enabled.set()
        self._pollers = [
            threading.Thread(target=self._poll, name=f"sqs-poller-{i}", daemon=True) for i in range(concurrency)
        ]

    def start(self) -> None:
        for poller in self._pollers:
            poller.start()

    def stop(self) -> None:
        self._stopping.set()
        for poller in self._pollers:
            poller.join(timeout=5)

    def enable(self) -> None:
        self._enabled.set()

    def disable(self) -> None:
        """Stops delivering new batches (like disabling the event source mapping)."""
        self._enabled.clear()

    def _poll(self) -> None:
        while not self._stopping.is_set():
            if not self._enabled.wait(timeout=0.5):
                continue
            try:
                self.poll_once(wait_seconds=1)
            except Exception:
                if self._stopping.wait(1):
                    return

    def poll_once(self, *, wait_seconds: int = 0) -> list[str] | None:
        """Receives one batch and delivers it. Returns the ids of the messages the function
        reported as failed, or None when there was nothing to deliver."""
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return None
        try:
            response = self._function.invoke(sqs_event(messages, queue_arn=self._queue_arn))
        except Exception:
            # A function error fails the whole batch: every message comes back.
            return [m["MessageId"] for m in messages]
        failed = [item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])]
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return failed
