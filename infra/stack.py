"""The stack: composes the units and wires the permissions between them."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct
from imagegen.contract import (
    IMAGES_PREFIX,
    INPUTS_PREFIX,
    METRICS_NAMESPACE,
    OWNER_INDEX,
    REQUEST_SUFFIX,
    REQUESTS_PREFIX,
    RESULTS_PREFIX,
    SERVICE_NAME,
    UPLOADS_PREFIX,
)

from infra.api import ImageApi
from infra.config import StackConfig
from infra.functions import ImageFunctions, invoke_model_statements
from infra.jobs import JobPlumbing
from infra.monitoring import Monitoring
from infra.storage import ImageStorage


class ImageGenStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.storage = ImageStorage(
            self, "Storage", retention_days=config.retention_days, cors_allow_origins=config.cors_allow_origins
        )
        self.jobs = JobPlumbing(
            self,
            "Jobs",
            worker_timeout=Duration.seconds(config.worker_timeout_seconds),
            max_receive_count=config.max_receive_count,
        )
        # The service writes only images/, results/ and inputs/, and callers upload under uploads/:
        # nothing but a dropped request comes back here.
        self.storage.notify_on_object_created(self.jobs.queue, prefix=REQUESTS_PREFIX, suffix=REQUEST_SUFFIX)
        self.functions = ImageFunctions(
            self,
            "Generation",
            config=config,
            bucket=self.storage.bucket,
            table=self.jobs.table,
            queue=self.jobs.queue,
            event_bus=self.jobs.event_bus,
        )
        self.api = ImageApi(self, "Api", config=config, handler=self.functions.api_target)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            alarm_email=config.alarm_email,
            api=self.api.api,
            functions=self.functions.both,
            jobs_queue=self.jobs.queue,
            dead_letter_queue=self.jobs.dead_letter_queue,
            # Bedrock's ModelId dimension is the id each call sends: the bare id or the profile's.
            model_ids=[invocation.model_id for invocation in config.invocations.values()],
            bedrock_region=config.bedrock_region,
            metrics_namespace=METRICS_NAMESPACE,
            service_name=SERVICE_NAME,
        )
        self._grant_api(self.functions.api_function)
        self._grant_worker(self.functions.worker_function, self.functions.worker_target)
        self._add_outputs()

    def _grant_common(self, function: lambda_.Function) -> None:
        for statement in invoke_model_statements(self.config):
            function.add_to_role_policy(statement)
        self._grant_objects(function, ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], IMAGES_PREFIX)

    def _grant_api(self, function: lambda_.Function) -> None:
        self._grant_common(function)
        # Job records and the Powertools idempotency records share the table.
        self._grant_items(
            function, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"
        )
        # GET /jobs queries the owner index, and nothing else of the table.
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query"], resources=[f"{self.jobs.table.table_arn}/index/{OWNER_INDEX}"]
            )
        )
        self.jobs.queue.grant_send_messages(function)
        # A presigned POST is signed with the function's role, so S3 checks the upload against
        # it: PutObject under uploads/. An API job's inline images wait for the worker under
        # inputs/, which only the worker reads. Reading uploads: an upload's owner, size and bytes.
        self._grant_objects(function, ["s3:PutObject", "s3:GetObject"], UPLOADS_PREFIX)
        self._grant_objects(function, ["s3:PutObject"], INPUTS_PREFIX)

    def _grant_items(self, function: lambda_.Function, *actions: str) -> None:
        """Item actions on the jobs table itself. Table.grant would add every index too
        (table/index/*), which item actions cannot use."""
        function.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[self.jobs.table.table_arn]))

    def _grant_worker(self, function: lambda_.Function, target: lambda_.IFunction) -> None:
        self._grant_common(function)
        self._grant_objects(function, ["s3:GetObject"], REQUESTS_PREFIX)
        # Jobs name their images under uploads/ or inputs/; the worker only reads them.
        for prefix in (UPLOADS_PREFIX, INPUTS_PREFIX):
            self._grant_objects(function, ["s3:GetObject"], prefix)
        self._grant_objects(function, ["s3:PutObject"], RESULTS_PREFIX)
        self._grant_items(function, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
        self.jobs.event_bus.grant_put_events_to(function)
        # Grants the worker the queue's receive, delete and visibility actions.
        target.add_event_source(
            event_sources.SqsEventSource(
                self.jobs.queue,
                batch_size=self.config.worker_batch_size,
                report_batch_item_failures=True,
                max_concurrency=self.config.worker_max_concurrency,
            )
        )

    def _grant_objects(self, function: lambda_.Function, actions: list[str], prefix: str) -> None:
        iam.Grant.add_to_principal(
            grantee=function, actions=actions, resource_arns=[self.storage.bucket.arn_for_objects(f"{prefix}*")]
        )

    def _add_outputs(self) -> None:
        outputs = {
            "ApiUrl": (self.api.url, "Base URL of the API (stage included)"),
            "BucketName": (
                self.storage.bucket.bucket_name,
                "Bucket of the images; drop requests at requests/<name>.json",
            ),
            "EventBusName": (self.jobs.event_bus.event_bus_name, "Bus for ImageGenerationRequested events"),
            "JobsQueueUrl": (self.jobs.queue.queue_url, "Queue of generation jobs"),
            "DeadLetterQueueUrl": (self.jobs.dead_letter_queue.queue_url, "Jobs and events that failed for good"),
            "AlarmTopicArn": (self.monitoring.topic.topic_arn, "SNS topic of the alarms"),
        }
        if self.api.api_key is not None:
            outputs["ApiKeyId"] = (
                self.api.api_key.key_id,
                "API key id; its value: aws apigateway get-api-key --include-value --api-key <id>",
            )
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
