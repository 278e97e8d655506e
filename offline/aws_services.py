"""The embedded AWS services of the local run: one moto server answering S3, DynamoDB, SQS
and EventBridge on one port, provisioned like the deployed stack (bucket, jobs table, queue
with its dead-letter queue, event bus and rule, S3 notification on requests/*.json)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from offline.lambda_events import REGION

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True)
class Resources:
    endpoint_url: str
    bucket: str = "imagegen-local"
    table: str = "imagegen-jobs"
    queue_name: str = "imagegen-jobs"
    dead_letter_queue_name: str = "imagegen-jobs-dlq"
    # Completed/Failed events are copied here so they can be read locally.
    outcomes_queue_name: str = "imagegen-outcomes"
    event_bus: str = "imagegen"
    event_source: str = "imagegen"
    max_receive_count: int = 3
    # As the stack sets it: six times the worker's 300 s timeout, so a message never comes back
    # while a delivery of it may still be running.
    visibility_timeout: int = 1800

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION, **CREDENTIALS)

    def queue_url(self, name: str) -> str:
        return self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]

    def queue_arn(self, name: str) -> str:
        attributes = self.client("sqs").get_queue_attributes(QueueUrl=self.queue_url(name), AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]


def start_moto(host: str, port: int) -> ThreadedMotoServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # it would print every request
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def provision(resources: Resources) -> None:
    """Creates the resources the functions use, as the CDK stack does in AWS."""
    s3, sqs, events = resources.client("s3"), resources.client("sqs"), resources.client("events")
    dynamodb = resources.client("dynamodb")
    s3.create_bucket(Bucket=resources.bucket)
    dynamodb.create_table(
        TableName=resources.table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=resources.table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
    )
    sqs.create_queue(QueueName=resources.dead_letter_queue_name)
    redrive = {
        "deadLetterTargetArn": resources.queue_arn(resources.dead_letter_queue_name),
        "maxReceiveCount": str(resources.max_receive_count),
    }
    sqs.create_queue(
        QueueName=resources.queue_name,
        Attributes={"VisibilityTimeout": str(resources.visibility_timeout), "RedrivePolicy": json.dumps(redrive)},
    )
    sqs.create_queue(QueueName=resources.outcomes_queue_name)
    queue_arn = resources.queue_arn(resources.queue_name)
    events.create_event_bus(Name=resources.event_bus)
    for rule, pattern, target in (
        ("image-generation-requested", {"detail-type": ["ImageGenerationRequested"]}, queue_arn),
        (
            "image-generation-outcomes",
            {"source": [resources.event_source]},
            resources.queue_arn(resources.outcomes_queue_name),
        ),
    ):
        events.put_rule(Name=rule, EventBusName=resources.event_bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=rule, EventBusName=resources.event_bus, Targets=[{"Id": "queue", "Arn": target}])
    s3.put_bucket_notification_configuration(
        Bucket=resources.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "prefix", "Value": "requests/"},
                                {"Name": "suffix", "Value": ".json"},
                            ]
                        }
                    },
                }
            ]
        },
    )
