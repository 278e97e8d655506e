"""Alarms on errors, throttles and dead letters, all sent to the alarm topic."""

from __future__ import annotations

import json

from imagegen.models.catalog import SERVICE_MODELS

from infra.functions import API_HANDLER, WORKER_HANDLER
from tests.infra.conftest import synth as synthesize


def _alarms(synth):
    return {
        (alarm["Namespace"], alarm["MetricName"], tuple(synth.render(d["Value"]) for d in alarm["Dimensions"])): alarm
        for alarm in synth.resources("AWS::CloudWatch::Alarm").values()
    }


def test_what_a_deployer_must_hear_about_raises_an_alarm(default):
    api_name = default.resources("AWS::ApiGateway::RestApi")[default.logical_id(default.stack.api.api)]["Name"]
    api_function = f"${{{default.function(API_HANDLER)[0]}}}"
    worker_function = f"${{{default.function(WORKER_HANDLER)[0]}}}"
    queue = f"${{{default.logical_id(default.stack.jobs.queue)}.QueueName}}"
    dead_letters = f"${{{default.logical_id(default.stack.jobs.dead_letter_queue)}.QueueName}}"
    alarms = _alarms(default)

    assert set(alarms) == {
        ("AWS/Lambda", "Errors", (api_function,)),
        ("AWS/Lambda", "Throttles", (api_function,)),
        ("AWS/Lambda", "Errors", (worker_function,)),
        ("AWS/Lambda", "Throttles", (worker_function,)),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", (dead_letters,)),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage", (queue,)),
        ("AWS/ApiGateway", "5XXError", (api_name,)),
    }


def test_one_dead_letter_is_enough_to_alarm(default):
    dead_letters = f"${{{default.logical_id(default.stack.jobs.dead_letter_queue)}.QueueName}}"
    alarm = _alarms(default)[("AWS/SQS", "ApproximateNumberOfMessagesVisible", (dead_letters,))]

    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


def test_every_alarm_notifies_the_topic(any_deployment):
    topic_id, _ = any_deployment.only("AWS::SNS::Topic")

    for alarm in any_deployment.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


def test_the_topic_takes_tls_only_and_mails_the_configured_address(default, browser_api_key):
    _, policy = default.only("AWS::SNS::TopicPolicy")
    [denial] = [statement for statement in policy["PolicyDocument"]["Statement"] if statement["Effect"] == "Deny"]

    assert denial["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert default.resources("AWS::SNS::Subscription") == {}
    _, subscription = browser_api_key.only("AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@example.com")


def test_cloudwatch_may_publish_the_stacks_alarms_and_only_those(any_deployment):
    # The topic policy replaces SNS's default one: without this statement no alarm arrives.
    topic_id, _ = any_deployment.only("AWS::SNS::Topic")
    _, policy = any_deployment.only("AWS::SNS::TopicPolicy")
    alarms = {f"${{{logical_id}.Arn}}" for logical_id in any_deployment.resources("AWS::CloudWatch::Alarm")}
    [allow] = [statement for statement in policy["PolicyDocument"]["Statement"] if statement["Effect"] == "Allow"]

    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert set(map(any_deployment.render, allow["Condition"]["ArnEquals"]["aws:SourceArn"])) == alarms
    assert len(alarms) == 7
    assert policy["Topics"] == [{"Ref": topic_id}]


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(default):
    # The AWS-managed key (alias/aws/sns) would refuse CloudWatch, and every alarm would be lost.
    _, topic = default.only("AWS::SNS::Topic")
    key_id, key = default.only("AWS::KMS::Key")
    statements = key["KeyPolicy"]["Statement"]

    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert key["EnableKeyRotation"] is True
    assert {
        "Sid": "AllowCloudWatchAlarmsToPublishToTheTopic",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    } in statements
    # Deleted with the stack (after KMS's waiting period), like the topic it encrypts.
    assert default.template["Resources"][key_id]["DeletionPolicy"] == "Delete"


def _dashboard(synth) -> dict:
    _, dashboard = synth.only("AWS::CloudWatch::Dashboard")
    return json.loads(synth.render(dashboard["DashboardBody"]))


def _metrics(body: dict) -> set[tuple[str, str]]:
    """(namespace, metric name) of every metric graphed."""
    return {
        (metric[0], metric[1])
        for widget in body["widgets"]
        for metric in widget["properties"].get("metrics", [])
        if not metric[0].startswith(".")
    }


def test_the_dashboard_shows_the_api_functions_queues_models_and_service_metrics(default):
    metrics = _metrics(_dashboard(default))

    assert {
        ("AWS/ApiGateway", "Count"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Duration"),
        ("AWS/Lambda", "ConcurrentExecutions"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/Bedrock", "Invocations"),
        ("AWS/Bedrock", "InvocationThrottles"),
        ("ImageGeneration", "ImagesGenerated"),
        ("ImageGeneration", "JobsDeadLettered"),
    } <= metrics
    # One metric per contract error code, as the API counts them.
    assert {name for namespace, name in metrics if namespace == "ImageGeneration"} >= {
        "ValidationError", "NotFound", "RequestInProgress", "PayloadTooLarge", "UnsupportedMediaType",
        "IdempotencyKeyReused", "ContentFiltered", "Throttled", "InternalError", "ModelError", "ModelUnavailable",
        "ModelTimeout",
    }  # fmt: skip


def _bedrock_metrics(synth) -> list[list]:
    return [
        metric
        for widget in _dashboard(synth)["widgets"]
        for metric in widget["properties"].get("metrics", [])
        if metric[0] == "AWS/Bedrock"
    ]


def test_the_dashboard_graphs_each_model_called_by_the_id_it_is_invoked_with(default, inference_profile):
    def model_ids(synth) -> set[str]:
        return {metric[metric.index("ModelId") + 1] for metric in _bedrock_metrics(synth)}

    # The Image Services of the enabled operations are always called through their us. profiles.
    services = {f"us.{spec.model_id}" for spec in SERVICE_MODELS.values()}
    assert model_ids(default) == {"stability.stable-image-core-v1:1", *services}
    assert model_ids(inference_profile) == {
        "us.stability.stable-image-core-v1:1",
        "us.stability.stable-image-ultra-v1:1",
        *services,
    }
    images_only = synthesize({"imagegen:enabledOperations": ["images"]})
    assert model_ids(images_only) == {"stability.stable-image-core-v1:1"}


def test_the_dashboard_reads_bedrocks_metrics_in_the_bedrock_region(default, inference_profile):
    # Bedrock publishes them where it is called; the stack (and the dashboard) may be elsewhere.
    for synth, region in ((default, "us-west-2"), (inference_profile, "us-east-1")):
        assert {metric[-1]["region"] for metric in _bedrock_metrics(synth)} == {region}
        model_widgets = [
            widget
            for widget in _dashboard(synth)["widgets"]
            if any(metric[0] == "AWS/Bedrock" for metric in widget["properties"].get("metrics", []))
        ]
        assert {widget["properties"]["region"] for widget in model_widgets} == {region}
