"""Alarms on what a deployer must hear about, sent to one SNS topic, and a dashboard of the
service: the API, the functions, the queues, the Bedrock models and the service's own metrics."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen.models.errors import error_codes, metric_name

PERIOD = Duration.minutes(5)
# A job normally starts within seconds; one still waiting after 15 minutes means the
# worker is failing, throttled, or too few for the load.
OLDEST_JOB_SECONDS = 900
# The service's own metrics (Powertools, embedded metric format), by contract error code too.
SERVICE_METRICS = ("ImagesGenerated", "JobRetries", "JobsDeadLettered", "PoisonMessages")
ERROR_METRICS = tuple(metric_name(code) for code in error_codes())
WIDGET_WIDTH = 8
CLOUDWATCH = "cloudwatch.amazonaws.com"


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_email: str,
        api: apigw.RestApi,
        functions: Sequence[lambda_.Function],
        jobs_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        model_ids: Sequence[str],
        bedrock_region: str,
        metrics_namespace: str,
        service_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # The AWS-managed SNS key cannot be used by CloudWatch, whose alarms would then publish
        # nothing: a key of the topic's own, whose policy lets CloudWatch encrypt for it.
        self.key = kms.Key(
            self,
            "AlarmTopicKey",
            description="Encrypts the image generation alarm topic",
            enable_key_rotation=True,
            pending_window=Duration.days(7),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublishToTheTopic",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name="Image generation alarms", enforce_ssl=True, master_key=self.key
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))

        self.alarms: list[cloudwatch.Alarm] = []
        self._alarm(
            "Api5xx",
            api.metric_server_error(period=PERIOD, statistic=cloudwatch.Stats.SUM),
            "The API answered with 5XX errors",
        )
        for function in functions:
            name = function.node.id
            self._alarm(f"{name}Errors", function.metric_errors(period=PERIOD), f"{name} invocations failed")
            self._alarm(f"{name}Throttles", function.metric_throttles(period=PERIOD), f"{name} invocations throttled")
        self._alarm(
            "DeadLetters",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            "Jobs or events failed for good and wait in the dead-letter queue",
        )
        self._alarm(
            "OldestJob",
            jobs_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
            f"A job has waited more than {OLDEST_JOB_SECONDS} s in the queue",
            threshold=OLDEST_JOB_SECONDS,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        self._let_the_alarms_publish()
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(3))
        self.dashboard.add_widgets(*self._api_widgets(api))
        self.dashboard.add_widgets(*self._function_widgets(functions))
        self.dashboard.add_widgets(*self._queue_widgets(jobs_queue, dead_letter_queue))
        self.dashboard.add_widgets(*self._model_widgets(model_ids, bedrock_region))
        self.dashboard.add_widgets(*self._service_widgets(metrics_namespace, service_name))

    def _let_the_alarms_publish(self) -> None:
        """The topic's policy replaces SNS's default one, which let the account's CloudWatch
        publish: allow it again, for this stack's alarms only (their exact ARNs)."""
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowThisStacksAlarmsToPublish",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnEquals": {"aws:SourceArn": [alarm.alarm_arn for alarm in self.alarms]},
                },
            )
        )

    @staticmethod
    def _graph(title: str, metrics: Sequence[cloudwatch.IMetric], region: str | None = None) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(title=title, left=list(metrics), width=WIDGET_WIDTH, region=region)

    def _api_widgets(self, api: apigw.RestApi) -> list[cloudwatch.IWidget]:
        return [
            self._graph("API requests", [api.metric_count(period=PERIOD)]),
            self._graph(
                "API latency",
                [api.metric_latency(period=PERIOD, statistic=stat, label=stat) for stat in ("p50", "p99")],
            ),
            self._graph("API errors", [api.metric_client_error(period=PERIOD), api.metric_server_error(period=PERIOD)]),
        ]

    def _function_widgets(self, functions: Sequence[lambda_.Function]) -> list[cloudwatch.IWidget]:
        def each(metric: str, statistic: str) -> list[cloudwatch.IMetric]:
            return [
                function.metric(metric, period=PERIOD, statistic=statistic, label=function.node.id)
                for function in functions
            ]

        return [
            self._graph("Function errors and throttles", each("Errors", "Sum") + each("Throttles", "Sum")),
            self._graph("Function duration (p99)", each("Duration", "p99")),
            self._graph("Function concurrency (max)", each("ConcurrentExecutions", "Maximum")),
        ]

    def _queue_widgets(self, jobs_queue: sqs.IQueue, dead_letter_queue: sqs.IQueue) -> list[cloudwatch.IWidget]:
        return [
            self._graph("Jobs waiting", [jobs_queue.metric_approximate_number_of_messages_visible(period=PERIOD)]),
            self._graph(
                "Oldest job (s)",
                [jobs_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")],
            ),
            self._graph(
                "Dead letters",
                [dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")],
            ),
        ]

    def _model_widgets(self, model_ids: Sequence[str], region: str) -> list[cloudwatch.IWidget]:
        """Bedrock publishes its metrics in the region called, not in the stack's."""

        def each(metric: str, statistic: str) -> list[cloudwatch.IMetric]:
            return [
                cloudwatch.Metric(
                    namespace="AWS/Bedrock",
                    metric_name=metric,
                    dimensions_map={"ModelId": model_id},
                    period=PERIOD,
                    statistic=statistic,
                    label=f"{metric} {model_id}",
                    region=region,
                )
                for model_id in model_ids
            ]

        return [
            self._graph(f"Model invocations ({region})", each("Invocations", "Sum"), region),
            self._graph(f"Model latency (p99, ms, {region})", each("InvocationLatency", "p99"), region),
            self._graph(
                f"Model throttles and errors ({region})",
                each("InvocationThrottles", "Sum")
                + each("InvocationClientErrors", "Sum")
                + each("InvocationServerErrors", "Sum"),
                region,
            ),
        ]

    def _service_widgets(self, namespace: str, service_name: str) -> list[cloudwatch.IWidget]:
        def each(names: Sequence[str]) -> list[cloudwatch.IMetric]:
            return [
                cloudwatch.Metric(
                    namespace=namespace,
                    metric_name=name,
                    dimensions_map={"service": service_name},
                    period=PERIOD,
                    statistic="Sum",
                )
                for name in names
            ]

        return [
            self._graph("Images generated", each(SERVICE_METRICS[:1])),
            self._graph("Job retries and dead letters", each(SERVICE_METRICS[1:])),
            self._graph("API errors by code", each(ERROR_METRICS)),
        ]

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        threshold: float = 1,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
