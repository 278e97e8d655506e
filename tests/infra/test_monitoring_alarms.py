"""Alarms on errors, throttles and dead letters, all sent to the alarm topic."""

from __future__ import annotations

import json

from infra.generation import API_HANDLER, WORKER_HANDLER


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
    [denial] = policy["PolicyDocument"]["Statement"]

    assert denial["Effect"] == "Deny"
    assert denial["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert default.resources("AWS::SNS::Subscription") == {}
    _, subscription = browser_api_key.only("AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@example.com")


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


def test_the_dashboard_graphs_each_enabled_model_by_the_id_it_is_invoked_with(default, inference_profile):
    def model_ids(synth) -> set[str]:
        return {
            metric[metric.index("ModelId") + 1]
            for widget in _dashboard(synth)["widgets"]
            for metric in widget["properties"].get("metrics", [])
            if "ModelId" in metric
        }

    assert model_ids(default) == {"stability.stable-image-core-v1:1"}
    assert model_ids(inference_profile) == {"eu.stability.sd3-5-large-v1:0", "eu.stability.stable-image-core-v1:1"}
