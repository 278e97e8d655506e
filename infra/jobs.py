"""What the asynchronous paths run on: the jobs table, the jobs queue and its dead-letter
queue, and the event bus whose `ImageGenerationRequested` events become jobs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen.contract import OWNER_INDEX, OWNER_INDEX_PARTITION_KEY, OWNER_INDEX_SORT_KEY
from imagegen.contract import REQUESTED_DETAIL_TYPE as GENERATION_REQUESTED

# Visibility timeout per worker timeout. A message is never handed out again while an invocation
# holding it may still run, and one retry of a throttled invocation still fits. AWS advises 6x
# for an SQS event source; 2x here because a worker that crashes mid-batch leaves the batch's
# other jobs waiting for this timeout (10 minutes rather than 30), the event source's maximum
# concurrency keeps Lambda from throttling the worker by its own scale-out, and a message that
# does come back early is harmless: its job is held (a lease) or finished, by conditional writes.
VISIBILITY_PER_WORKER_TIMEOUT = 2


class JobPlumbing(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, worker_timeout: Duration, max_receive_count: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.max_receive_count = max_receive_count

        # Job records and Powertools idempotency records; both transient, expired by TTL.
        self.table = dynamodb.Table(
            self,
            "Jobs",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            time_to_live_attribute="expiration",
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        # GET /jobs: a caller's own jobs, newest first, by a Query on this index (never a Scan).
        # Sparse: only API jobs have an owner, so drops, events and idempotency records stay out.
        self.table.add_global_secondary_index(
            index_name=OWNER_INDEX,
            partition_key=dynamodb.Attribute(name=OWNER_INDEX_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=OWNER_INDEX_SORT_KEY, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )

        # SSE-SQS rather than the AWS-managed KMS key: S3 notifications cannot publish to a
        # queue encrypted with that key.
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(worker_timeout.to_seconds() * VISIBILITY_PER_WORKER_TIMEOUT),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=max_receive_count),
        )

        # The bus on which requests arrive and the worker announces completions.
        self.event_bus = events.EventBus(self, "Bus")
        self.generation_requested_rule = events.Rule(
            self,
            "GenerationRequested",
            event_bus=self.event_bus,
            description=f"{GENERATION_REQUESTED} events become generation jobs",
            event_pattern=events.EventPattern(detail_type=[GENERATION_REQUESTED]),
            targets=[
                targets.SqsQueue(
                    self.queue,
                    # An event the queue does not take within an hour (a broken queue policy, a
                    # deleted queue) goes to the dead-letter queue instead of being dropped.
                    dead_letter_queue=self.dead_letter_queue,
                    retry_attempts=10,
                    max_event_age=Duration.hours(1),
                )
            ],
        )
