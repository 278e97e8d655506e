"""The two Lambda functions, sharing one asset: the API function behind API Gateway and the
worker that consumes the jobs queue."""

from __future__ import annotations

from aws_cdk import Annotations, Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen.contract import (
    API_HANDLER,
    EVENT_SOURCE,
    METRICS_NAMESPACE,
    NO_PYDANTIC_PLUGINS,
    SERVICE_NAME,
    WORKER_HANDLER,
    Env,
)

from infra.bundling import lambda_code
from infra.config import StackConfig

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_14
MEMORY_MB = 1024
# The API function's timeout comes from imagegen:apiTimeoutSeconds, as API Gateway's
# integration timeout does (infra/api.py): one second less, so the function answers first.
# The worker's comes from the slowest enabled operation (StackConfig.worker_timeout_seconds).
RETRY_BACKOFF_SECONDS = 30
IDEMPOTENCY_TTL_SECONDS = 86_400


class ImageFunctions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        bucket: s3.IBucket,
        table: dynamodb.ITable,
        queue: sqs.IQueue,
        event_bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._code = lambda_code(LAMBDA_RUNTIME)
        shared = {
            Env.POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
            Env.POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            Env.POWERTOOLS_LOG_LEVEL: "INFO",
            Env.PYDANTIC_DISABLE_PLUGINS: NO_PYDANTIC_PLUGINS,
            Env.IMAGE_BUCKET: bucket.bucket_name,
            Env.JOBS_TABLE: table.table_name,
            Env.ENABLED_MODELS: ",".join(config.enabled_models),
            Env.ENABLED_OPERATIONS: ",".join(config.enabled_operations),
            Env.BEDROCK_REGION: config.bedrock_region,
            Env.MODEL_ID_PREFIX: config.inference_profile_prefix,
            Env.PRESIGN_EXPIRY_SECONDS: str(config.presign_expiry_seconds),
            Env.RETENTION_DAYS: str(config.retention_days),
        }
        self.api_function = self._function(
            "ApiFunction",
            description="Image generation API: synchronous generation, job submission and status",
            handler=API_HANDLER,
            timeout=Duration.seconds(config.function_timeout_seconds),
            environment={
                **shared,
                Env.JOBS_QUEUE_URL: queue.queue_url,
                # Within the function's timeout (20 s of its default 28 s); the attempts after
                # the first exist for fast failures such as throttling, as a read timeout is
                # never retried.
                Env.BEDROCK_READ_TIMEOUT_SECONDS: str(config.api_read_timeout_seconds),
                Env.BEDROCK_MAX_ATTEMPTS: "3",
                Env.IDEMPOTENCY_TTL_SECONDS: str(IDEMPOTENCY_TTL_SECONDS),
                Env.CORS_ALLOW_ORIGINS: ",".join(config.cors_allow_origins),
            },
        )
        self.worker_function = self._function(
            "WorkerFunction",
            description="Image generation worker: jobs from the queue (API jobs, S3 drops, EventBridge events)",
            handler=WORKER_HANDLER,
            timeout=Duration.seconds(config.worker_timeout_seconds),
            environment={
                **shared,
                # The worker delays a job's redelivery with ChangeMessageVisibility on this queue.
                Env.JOBS_QUEUE_URL: queue.queue_url,
                Env.EVENT_BUS_NAME: event_bus.event_bus_name,
                Env.EVENT_SOURCE: EVENT_SOURCE,
                # The slowest enabled operation's model call (at least 60 s); an operation too slow
                # for the API function's timeout answers 504 there and is meant for POST /jobs.
                Env.BEDROCK_READ_TIMEOUT_SECONDS: str(config.worker_read_timeout_seconds),
                Env.BEDROCK_MAX_ATTEMPTS: "4",
                Env.MAX_RECEIVE_COUNT: str(config.max_receive_count),
                Env.RETRY_BACKOFF_SECONDS: str(RETRY_BACKOFF_SECONDS),
            },
        )
        self.both = (self.api_function, self.worker_function)
        # What the API and the queue invoke: with SnapStart, the published version behind an
        # alias (SnapStart applies to published versions only); else the function itself.
        self.api_target: lambda_.IFunction = self._target(self.api_function)
        self.worker_target: lambda_.IFunction = self._target(self.worker_function)

    def _target(self, function: lambda_.Function) -> lambda_.IFunction:
        if not self._config.snap_start:
            return function
        Annotations.of(function).acknowledge_warning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish", "published through current_version, behind the live alias"
        )
        return lambda_.Alias(self, f"{function.node.id}Live", alias_name="live", version=function.current_version)

    def _function(
        self, construct_id: str, *, description: str, handler: str, timeout: Duration, environment: dict[str, str]
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=self._config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # A role of our own: the default one carries AWSLambdaBasicExecutionRole, which may
        # create and write any log group; this one may write only its own.
        role = iam.Role(self, f"{construct_id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            construct_id,
            description=description,
            runtime=LAMBDA_RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            code=self._code,
            handler=handler,
            memory_size=MEMORY_MB,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=role,
            environment=environment,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if self._config.snap_start else None,
            # A retained version keeps its snapshot cached, and billed: each deployment's
            # version replaces the previous one.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if self._config.snap_start
            else None,
        )


def foundation_model_arn(region: str, model_id: str) -> str:
    return f"arn:{Aws.PARTITION}:bedrock:{region}::foundation-model/{model_id}"


def inference_profile_arn(region: str, profile_id: str) -> str:
    return f"arn:{Aws.PARTITION}:bedrock:{region}:{Aws.ACCOUNT_ID}:inference-profile/{profile_id}"


def invoke_model_statements(config: StackConfig) -> list[iam.PolicyStatement]:
    """`bedrock:InvokeModel` on exactly what the calls use, in `imagegen:bedrockRegion` (never
    the stack's own region), for the models of the enabled operations only: a model called by
    its bare id, its foundation-model ARN; a model called through an inference profile (every
    Image Service), the profile's ARN and, only through that profile, the model in each region
    the profile routes to."""
    direct: list[str] = []
    profiles: list[str] = []
    routed: list[str] = []
    for invocation in config.invocations.values():
        if invocation.through_profile:
            profiles.append(inference_profile_arn(invocation.region, invocation.model_id))
            model_id = invocation.model_id.removeprefix(invocation.profile_prefix)
            routed += [foundation_model_arn(region, model_id) for region in invocation.serving_regions]
        else:
            direct.append(foundation_model_arn(invocation.region, invocation.model_id))
    statements = [iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[*direct, *profiles])]
    if profiles:
        # The routed-to region's model must allow the call too; the condition limits this to
        # calls made through this deployment's own profiles.
        statements.append(
            iam.PolicyStatement(
                actions=["bedrock:InvokeModel"],
                resources=sorted(set(routed)),
                conditions={"StringEquals": {"bedrock:InferenceProfileArn": profiles}},
            )
        )
    return statements
