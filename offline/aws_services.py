"""The embedded AWS services of the local run: one moto server answering S3, DynamoDB, SQS
and EventBridge on one port, provisioned like the deployed stack (bucket, jobs table, queue
with its dead-letter queue, event bus and rule, S3 notification on requests/*.json, the bucket's
lifecycle rules and CORS). Browser-style uploads to the bucket are checked against their POST
policy as S3 checks them, which moto alone does not do.

What the stack declares is data here (the constants and the *_configuration functions), which
tests/infra/test_offline_matches_stack.py compares with the synthesized template."""

from __future__ import annotations

import copy
import json
import logging
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3
from imagegen.contract import (
    EVENT_SOURCE,
    IMAGES_PREFIX,
    INPUTS_PREFIX,
    OWNER_INDEX,
    OWNER_INDEX_PARTITION_KEY,
    OWNER_INDEX_SORT_KEY,
    REQUEST_SUFFIX,
    REQUESTED_DETAIL_TYPE,
    REQUESTS_PREFIX,
    RESULTS_PREFIX,
    UPLOADS_PREFIX,
)
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from offline.lambda_events import REGION
from offline.s3_post_policy import PostPolicyEnforcer

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# The jobs table: job records and Powertools idempotency records, expired by TTL.
TABLE_KEY_SCHEMA = ({"AttributeName": "pk", "KeyType": "HASH"},)
TABLE_ATTRIBUTE_DEFINITIONS = (
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": OWNER_INDEX_PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": OWNER_INDEX_SORT_KEY, "AttributeType": "S"},
)
TABLE_BILLING_MODE = "PAY_PER_REQUEST"
TABLE_TTL_ATTRIBUTE = "expiration"
# GET /jobs: the index of API jobs by owner, newest first.
TABLE_OWNER_INDEX = {
    "IndexName": OWNER_INDEX,
    "KeySchema": [
        {"AttributeName": OWNER_INDEX_PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": OWNER_INDEX_SORT_KEY, "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "ALL"},
}
# The rule that turns ImageGenerationRequested events on the bus into jobs, and how it delivers
# them to the jobs queue (what it cannot deliver goes to the dead-letter queue).
GENERATION_REQUESTED_RULE = "image-generation-requested"
GENERATION_REQUESTED_PATTERN = {"detail-type": [REQUESTED_DETAIL_TYPE]}
GENERATION_REQUESTED_RETRY_POLICY = {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}
# Requests dropped into the bucket: the objects whose creation S3 sends to the jobs queue.
REQUEST_DROP_EVENTS = ("s3:ObjectCreated:*",)
REQUEST_DROP_FILTER = (("prefix", REQUESTS_PREFIX), ("suffix", REQUEST_SUFFIX))
# The bucket: what the service keeps expires after the retention days (the stack's imagegen:retentionDays,
# also the functions' RETENTION_DAYS); multipart uploads left incomplete are aborted after a day.
RETENTION_DAYS = 7
BUCKET_EXPIRING_PREFIXES = (IMAGES_PREFIX, RESULTS_PREFIX, REQUESTS_PREFIX, UPLOADS_PREFIX, INPUTS_PREFIX)
BUCKET_ABORT_INCOMPLETE_UPLOAD_DAYS = 1
# Browser code reads images through presigned URLs and posts uploads (POST /uploads) to the bucket:
# locally from any origin, as the stack allows when no API origin is configured.
BUCKET_CORS_RULES = ({"AllowedMethods": ["GET", "HEAD", "POST"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 3600},)
# Local only: outcome events (from the service's own event source) copied to a queue to read them.
OUTCOMES_RULE = "image-generation-outcomes"


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
    event_source: str = EVENT_SOURCE
    # Deliveries of a job before it moves to the dead-letter queue. Locally 3 (the stack's default
    # is 5, imagegen:maxReceiveCount), so that a failing job reaches the dead-letter queue sooner.
    max_receive_count: int = 3
    # As the stack sets it: twice the worker's 300 s timeout, so a message never comes back while
    # a delivery of it may still be running (infra/jobs.py says why not more).
    visibility_timeout: int = 600
    retention_days: int = RETENTION_DAYS

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION, **CREDENTIALS)

    def queue_url(self, name: str) -> str:
        return self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]

    def queue_arn(self, name: str) -> str:
        attributes = self.client("sqs").get_queue_attributes(QueueUrl=self.queue_url(name), AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]


class _PostPolicyMotoServer(ThreadedMotoServer):
    """moto's threaded server with S3's POST policy checks in front of it: moto stores any
    browser-style upload, S3 refuses one its policy does not allow (offline/s3_post_policy.py).
    Its serving thread is moto's own, with the application wrapped."""

    def _server_entry(self) -> None:
        secrets_by_key = {CREDENTIALS["aws_access_key_id"]: CREDENTIALS["aws_secret_access_key"]}
        app = PostPolicyEnforcer(DomainDispatcherApplication(create_backend_app), secrets_by_key)
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


def start_moto(host: str, port: int) -> ThreadedMotoServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # it would print every request
    server = _PostPolicyMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    # moto keeps its state per process, not per server: a server started after another one in
    # the same process (a test session) starts from nothing only once that state is reset.
    urllib.request.urlopen(
        urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"), timeout=30
    ).close()
    return server


def table_configuration(resources: Resources) -> dict[str, Any]:
    """CreateTable's arguments for the jobs table."""
    return {
        "TableName": resources.table,
        "KeySchema": [dict(key) for key in TABLE_KEY_SCHEMA],
        "AttributeDefinitions": [dict(attribute) for attribute in TABLE_ATTRIBUTE_DEFINITIONS],
        "GlobalSecondaryIndexes": [json.loads(json.dumps(TABLE_OWNER_INDEX))],
        "BillingMode": TABLE_BILLING_MODE,
    }


def table_ttl_configuration() -> dict[str, Any]:
    return {"Enabled": True, "AttributeName": TABLE_TTL_ATTRIBUTE}


def jobs_queue_attributes(resources: Resources, *, dead_letter_queue_arn: str) -> dict[str, str]:
    """The jobs queue's attributes: its visibility timeout and its redrive to the dead-letter queue."""
    redrive = {"deadLetterTargetArn": dead_letter_queue_arn, "maxReceiveCount": str(resources.max_receive_count)}
    return {"VisibilityTimeout": str(resources.visibility_timeout), "RedrivePolicy": json.dumps(redrive)}


def generation_requested_targets(*, jobs_queue_arn: str, dead_letter_queue_arn: str) -> list[dict[str, Any]]:
    return [
        {
            "Id": "queue",
            "Arn": jobs_queue_arn,
            "RetryPolicy": dict(GENERATION_REQUESTED_RETRY_POLICY),
            "DeadLetterConfig": {"Arn": dead_letter_queue_arn},
        }
    ]


def request_drop_notification(*, jobs_queue_arn: str) -> dict[str, Any]:
    """The bucket's notification configuration: requests/*.json creations to the jobs queue."""
    rules = [{"Name": name, "Value": value} for name, value in REQUEST_DROP_FILTER]
    return {
        "QueueConfigurations": [
            {"QueueArn": jobs_queue_arn, "Events": list(REQUEST_DROP_EVENTS), "Filter": {"Key": {"FilterRules": rules}}}
        ]
    }


def bucket_lifecycle_configuration(resources: Resources) -> dict[str, Any]:
    """The bucket's lifecycle rules, as the stack names them (moto keeps them; it expires nothing)."""
    rules: list[dict[str, Any]] = [
        {
            "ID": f"expire-{prefix.rstrip('/')}",
            "Filter": {"Prefix": prefix},
            "Status": "Enabled",
            "Expiration": {"Days": resources.retention_days},
        }
        for prefix in BUCKET_EXPIRING_PREFIXES
    ]
    rules.append(
        {
            "ID": "abort-incomplete-uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": BUCKET_ABORT_INCOMPLETE_UPLOAD_DAYS},
        }
    )
    return {"Rules": rules}


def bucket_cors_configuration() -> dict[str, Any]:
    return {"CORSRules": copy.deepcopy(list(BUCKET_CORS_RULES))}


def provision(resources: Resources) -> None:
    """Creates the resources the functions use, as the CDK stack does in AWS."""
    s3, sqs, events = resources.client("s3"), resources.client("sqs"), resources.client("events")
    dynamodb = resources.client("dynamodb")
    s3.create_bucket(Bucket=resources.bucket)
    s3.put_bucket_lifecycle_configuration(
        Bucket=resources.bucket, LifecycleConfiguration=bucket_lifecycle_configuration(resources)
    )
    s3.put_bucket_cors(Bucket=resources.bucket, CORSConfiguration=bucket_cors_configuration())
    dynamodb.create_table(**table_configuration(resources))
    dynamodb.update_time_to_live(TableName=resources.table, TimeToLiveSpecification=table_ttl_configuration())
    sqs.create_queue(QueueName=resources.dead_letter_queue_name)
    dead_letter_queue_arn = resources.queue_arn(resources.dead_letter_queue_name)
    sqs.create_queue(
        QueueName=resources.queue_name,
        Attributes=jobs_queue_attributes(resources, dead_letter_queue_arn=dead_letter_queue_arn),
    )
    sqs.create_queue(QueueName=resources.outcomes_queue_name)
    jobs_queue_arn = resources.queue_arn(resources.queue_name)
    events.create_event_bus(Name=resources.event_bus)
    bus = resources.event_bus
    events.put_rule(
        Name=GENERATION_REQUESTED_RULE, EventBusName=bus, EventPattern=json.dumps(GENERATION_REQUESTED_PATTERN)
    )
    events.put_targets(
        Rule=GENERATION_REQUESTED_RULE,
        EventBusName=bus,
        Targets=generation_requested_targets(
            jobs_queue_arn=jobs_queue_arn, dead_letter_queue_arn=dead_letter_queue_arn
        ),
    )
    events.put_rule(Name=OUTCOMES_RULE, EventBusName=bus, EventPattern=json.dumps({"source": [resources.event_source]}))
    outcomes_arn = resources.queue_arn(resources.outcomes_queue_name)
    events.put_targets(Rule=OUTCOMES_RULE, EventBusName=bus, Targets=[{"Id": "queue", "Arn": outcomes_arn}])
    s3.put_bucket_notification_configuration(
        Bucket=resources.bucket, NotificationConfiguration=request_drop_notification(jobs_queue_arn=jobs_queue_arn)
    )
