"""The jobs queue: POST /jobs queues a job on it; the worker delays a message's next delivery."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

from botocore.config import Config

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_sqs import SQSClient


def create_client(session: Session) -> SQSClient:
    return cast("SQSClient", session.create_client("sqs", config=Config(retries={"mode": "standard"})))


class JobQueue:
    def __init__(self, client: SQSClient, *, queue_url: str):
        self._client = client
        self._queue_url = queue_url

    def send(self, job_id: str) -> None:
        """Queues a job recorded in the job store (the message names it, nothing more)."""
        self._client.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps({"job_id": job_id}))

    def deliver_again_in(self, receipt_handle: str, seconds: int) -> None:
        """The message comes back after `seconds` (0: at once, and on its last delivery, to the
        dead-letter queue) instead of after the queue's visibility timeout."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
