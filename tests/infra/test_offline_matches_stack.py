"""The offline run (`make run`) provisions by hand what the stack declares. Each test compares one
part of it, as the offline run really provisions it (read back from its moto server), with the
synthesized default stack, so that a change to either side alone fails here. Where the local run
differs on purpose, the difference is listed below with its reason."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from offline.aws_services import GENERATION_REQUESTED_RULE, Resources, provision, start_moto
from offline.event_source import FUNCTION_RESPONSE_TYPES
from offline.service import FUNCTIONS, FunctionSpec, OfflineConfig, function_environment

README = Path(__file__).resolve().parents[2] / "README.md"

# Variables the stack sets that the offline run leaves out because they only make sense in AWS.
# None today: add a name here only with the reason it cannot apply locally.
AWS_ONLY_VARIABLES: dict[str, str] = {}
# Variables only the offline run sets: in AWS, Lambda provides them (region, the role's
# credentials) or the SDK's default endpoints apply; locally they point at the local services.
LOCAL_ONLY_VARIABLES = {
    "AWS_REGION": "set by Lambda itself",
    "AWS_DEFAULT_REGION": "set by Lambda itself",
    "AWS_ACCESS_KEY_ID": "Lambda sets the role's credentials",
    "AWS_SECRET_ACCESS_KEY": "Lambda sets the role's credentials",
    "AWS_ENDPOINT_URL": "the local moto server",
    "AWS_ENDPOINT_URL_S3": "the local moto server",
    "AWS_ENDPOINT_URL_DYNAMODB": "the local moto server",
    "AWS_ENDPOINT_URL_SQS": "the local moto server",
    "AWS_ENDPOINT_URL_EVENTBRIDGE": "the local moto server",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "the Bedrock Runtime emulator",
    "POWERTOOLS_TRACE_DISABLED": "no X-Ray daemon runs locally",
    "POWERTOOLS_METRICS_DISABLED": "no CloudWatch locally: the metrics' EMF lines would only repeat the logs",
}
# Settings whose local value differs from the default stack's on purpose (the README says so).
LOCAL_VALUES = {
    "ENABLED_MODELS": "every model locally, to try each one",
    "RETRY_BACKOFF_SECONDS": "retries show in seconds locally",
    "MAX_RECEIVE_COUNT": "the queue's maxReceiveCount, smaller locally (checked with the queue)",
}


@dataclass
class Provisioned:
    """What the offline run provisions, as its moto server reports it."""

    resources: Resources
    queue_arn: str
    dead_letter_queue_arn: str
    queue_attributes: dict[str, str]
    table: dict[str, Any]
    ttl: dict[str, Any]
    rule: dict[str, Any]
    rule_targets: list[dict[str, Any]]
    notification: dict[str, Any]


@pytest.fixture(scope="module")
def offline() -> Iterator[Provisioned]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_moto("127.0.0.1", port)
    try:
        r = Resources(endpoint_url=f"http://127.0.0.1:{port}")
        provision(r)
        sqs, dynamodb, events, s3 = (r.client(name) for name in ("sqs", "dynamodb", "events", "s3"))
        queue_url = r.queue_url(r.queue_name)
        yield Provisioned(
            resources=r,
            queue_arn=r.queue_arn(r.queue_name),
            dead_letter_queue_arn=r.queue_arn(r.dead_letter_queue_name),
            queue_attributes=sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"],
            table=dynamodb.describe_table(TableName=r.table)["Table"],
            ttl=dynamodb.describe_time_to_live(TableName=r.table)["TimeToLiveDescription"],
            rule=events.describe_rule(Name=GENERATION_REQUESTED_RULE, EventBusName=r.event_bus),
            rule_targets=events.list_targets_by_rule(Rule=GENERATION_REQUESTED_RULE, EventBusName=r.event_bus)[
                "Targets"
            ],
            notification=s3.get_bucket_notification_configuration(Bucket=r.bucket),
        )
    finally:
        server.stop()


def get_att(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


@dataclass
class Stack:
    """The parts of the default template the offline run mirrors."""

    queue_id: str
    queue: dict[str, Any]
    dead_letter_queue_id: str
    rule: dict[str, Any]
    event_source_mapping: dict[str, Any]
    table: dict[str, Any]
    notification: dict[str, Any]


@pytest.fixture(scope="module")
def stack(default) -> Stack:
    [(queue_id, queue)] = [
        (logical_id, props)
        for logical_id, props in default.resources("AWS::SQS::Queue").items()
        if "RedrivePolicy" in props
    ]
    [rule] = [
        props
        for props in default.resources("AWS::Events::Rule").values()
        if props.get("EventPattern", {}).get("detail-type") == ["ImageGenerationRequested"]
    ]
    [notification] = [
        props["NotificationConfiguration"]
        for props in default.resources("AWS::S3::Bucket").values()
        if "NotificationConfiguration" in props
    ]
    return Stack(
        queue_id=queue_id,
        queue=queue,
        dead_letter_queue_id=queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        rule=rule,
        event_source_mapping=default.only("AWS::Lambda::EventSourceMapping")[1],
        table=default.only("AWS::DynamoDB::Table")[1],
        notification=notification,
    )


# --- the functions -------------------------------------------------------------------------------


def local_environment(function: FunctionSpec) -> dict[str, str]:
    resources = Resources(endpoint_url="http://127.0.0.1:3001")
    return function_environment(function, resources, queue_url="http://queue", bedrock_url="http://bedrock")


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_the_offline_function_sets_every_variable_the_stack_sets_and_nothing_else(default, function):
    _, props = default.function(function.handler)
    in_stack = set(props["Environment"]["Variables"])
    local = set(local_environment(function))
    assert set(AWS_ONLY_VARIABLES) <= in_stack, "an AWS-only variable the stack no longer sets"
    assert in_stack - set(AWS_ONLY_VARIABLES) - local == set(), "set by the stack, missing offline"
    assert local - in_stack - set(LOCAL_ONLY_VARIABLES) == set(), "set offline, unknown to the stack"


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_the_offline_function_has_the_stacks_fixed_values_except_the_listed_ones(default, function):
    _, props = default.function(function.handler)
    local = local_environment(function)
    for name, value in props["Environment"]["Variables"].items():
        if isinstance(value, str) and name not in LOCAL_VALUES and name not in AWS_ONLY_VARIABLES:
            assert local[name] == value, name
    # The resource names differ; they must be the ones the stack points at too.
    assert set(function.resources) == {
        name
        for name, value in props["Environment"]["Variables"].items()
        if not isinstance(value, str) or name in ("EVENT_SOURCE", "MAX_RECEIVE_COUNT")
    }


def test_offline_functions_have_the_stacks_handlers_and_timeouts(default):
    for function in FUNCTIONS:
        _, props = default.function(function.handler)
        assert (function.timeout, props["Handler"]) == (props["Timeout"], function.handler)


# --- the queue, the rule, the notification, the table, the event source -------------------------


def test_the_jobs_queue_has_the_stacks_visibility_timeout_and_redrive(stack, offline):
    assert int(offline.queue_attributes["VisibilityTimeout"]) == stack.queue["VisibilityTimeout"]
    local = json.loads(offline.queue_attributes["RedrivePolicy"])
    assert local["deadLetterTargetArn"] == offline.dead_letter_queue_arn
    assert stack.queue["RedrivePolicy"]["deadLetterTargetArn"] == get_att(stack.dead_letter_queue_id)
    assert set(local) == set(stack.queue["RedrivePolicy"])


def test_the_local_max_receive_count_is_the_functions_and_documented_where_it_differs(default, stack, offline):
    local = int(json.loads(offline.queue_attributes["RedrivePolicy"])["maxReceiveCount"])
    in_stack = stack.queue["RedrivePolicy"]["maxReceiveCount"]
    # Each side's worker knows its own queue's count (it fails a job on the last delivery).
    [worker] = [f for f in FUNCTIONS if "MAX_RECEIVE_COUNT" in f.resources]
    assert local_environment(worker)["MAX_RECEIVE_COUNT"] == str(local)
    _, props = default.function(worker.handler)
    assert props["Environment"]["Variables"]["MAX_RECEIVE_COUNT"] == str(in_stack)
    if local != in_stack:
        assert f"maxReceiveCount {local} locally" in README.read_text()


def test_the_rule_has_the_stacks_pattern_and_target(stack, offline):
    assert json.loads(offline.rule["EventPattern"]) == stack.rule["EventPattern"]
    [in_stack] = stack.rule["Targets"]
    [local] = offline.rule_targets
    assert in_stack["Arn"] == get_att(stack.queue_id) and local["Arn"] == offline.queue_arn
    assert in_stack["DeadLetterConfig"] == {"Arn": get_att(stack.dead_letter_queue_id)}
    assert local["DeadLetterConfig"] == {"Arn": offline.dead_letter_queue_arn}
    assert local["RetryPolicy"] == in_stack["RetryPolicy"]
    assert set(local) - {"Id"} == set(in_stack) - {"Id"}


def test_the_request_drop_notification_has_the_stacks_filter_and_queue(stack, offline):
    [in_stack] = stack.notification["QueueConfigurations"]
    [local] = offline.notification["QueueConfigurations"]
    assert in_stack["Queue"] == get_att(stack.queue_id) and local["QueueArn"] == offline.queue_arn
    assert local["Events"] == [in_stack["Event"]]
    local_rules = {rule["Name"].lower(): rule["Value"] for rule in local["Filter"]["Key"]["FilterRules"]}
    assert local_rules == {rule["Name"].lower(): rule["Value"] for rule in in_stack["Filter"]["S3Key"]["Rules"]}
    assert set(local_rules) == {"prefix", "suffix"}


def test_the_jobs_table_has_the_stacks_key_and_ttl_attribute(stack, offline):
    assert offline.table["KeySchema"] == stack.table["KeySchema"]
    definitions = [sorted(table["AttributeDefinitions"], key=str) for table in (offline.table, stack.table)]
    assert definitions[0] == definitions[1]
    # GET /jobs's index: its name, keys and projection
    [offline_index] = offline.table["GlobalSecondaryIndexes"]
    [stack_index] = stack.table["GlobalSecondaryIndexes"]
    assert {k: offline_index[k] for k in ("IndexName", "KeySchema", "Projection")} == stack_index
    assert offline.table["BillingModeSummary"]["BillingMode"] == stack.table["BillingMode"]
    assert stack.table["TimeToLiveSpecification"] == {"AttributeName": offline.ttl["AttributeName"], "Enabled": True}
    assert offline.ttl["TimeToLiveStatus"] == "ENABLED"


def test_the_event_source_has_the_stacks_batch_size_concurrency_and_response_types(default, stack):
    mapping = stack.event_source_mapping
    config = OfflineConfig()
    assert config.worker_batch_size == mapping["BatchSize"]
    assert config.worker_concurrency == mapping["ScalingConfig"]["MaximumConcurrency"]
    assert list(FUNCTION_RESPONSE_TYPES) == mapping["FunctionResponseTypes"]
    assert mapping["EventSourceArn"] == get_att(stack.queue_id)
    [worker] = [f for f in FUNCTIONS if "EVENT_BUS_NAME" in f.resources]
    worker_id, _ = default.function(worker.handler)
    assert mapping["FunctionName"] == {"Ref": worker_id}
