"""The two functions: runtime, architecture, tracing, timeouts and the environment the
runtime code reads."""

from __future__ import annotations

import dataclasses
from unittest import mock

import pytest
from imagegen.models.operations import OPERATIONS
from imagegen.models.settings import ApiSettings, WorkerSettings

from infra.functions import API_HANDLER, WORKER_HANDLER
from tests.infra.conftest import synth, synth_now

API_GATEWAY_DEFAULT_INTEGRATION_LIMIT_SECONDS = 29


def test_the_stack_has_only_the_two_project_functions(any_deployment):
    handlers = sorted(props["Handler"] for props in any_deployment.resources("AWS::Lambda::Function").values())

    # No CDK custom-resource handler (bucket notifications, log retention) rides along.
    assert handlers == sorted([API_HANDLER, WORKER_HANDLER])


@pytest.mark.parametrize("handler", [API_HANDLER, WORKER_HANDLER])
def test_functions_run_python_3_14_on_arm64_traced(default, handler):
    _, function = default.function(handler)

    assert function["Runtime"] == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["MemorySize"] == 1024


def _integration_timeouts_ms(synth) -> set[int]:
    return {
        method["Integration"].get("TimeoutInMillis")
        for method in synth.resources("AWS::ApiGateway::Method").values()
        if method["Integration"]["Type"] == "AWS_PROXY"
    }


def test_the_api_function_answers_within_api_gateways_limit_and_the_worker_gets_longer(default):
    api_timeout = default.function(API_HANDLER)[1]["Timeout"]
    worker_timeout = default.function(WORKER_HANDLER)[1]["Timeout"]

    # The integration timeout is set, not left to API Gateway's default, and the function ends first.
    assert _integration_timeouts_ms(default) == {API_GATEWAY_DEFAULT_INTEGRATION_LIMIT_SECONDS * 1000}
    assert api_timeout == API_GATEWAY_DEFAULT_INTEGRATION_LIMIT_SECONDS - 1
    assert worker_timeout == 300
    assert worker_timeout > api_timeout


def test_raising_the_api_timeout_raises_the_function_and_the_integration_together(two_origins):
    # imagegen:apiTimeoutSeconds=60: a Regional API after a quota increase.
    assert _integration_timeouts_ms(two_origins) == {60_000}
    assert two_origins.function(API_HANDLER)[1]["Timeout"] == 59
    assert two_origins.function(WORKER_HANDLER)[1]["Timeout"] == 300
    # ...and the time a model may take: the read timeout grows with the function's timeout
    api_env = two_origins.function(API_HANDLER)[1]["Environment"]["Variables"]
    assert api_env["BEDROCK_READ_TIMEOUT_SECONDS"] == "51"


def test_the_worker_waits_for_the_slowest_enabled_operation(default):
    slowest = max(OPERATIONS.values(), key=lambda op: op.read_timeout_seconds)
    worker = default.function(WORKER_HANDLER)[1]
    api_env = default.function(API_HANDLER)[1]["Environment"]["Variables"]

    assert worker["Environment"]["Variables"]["BEDROCK_READ_TIMEOUT_SECONDS"] == str(
        max(60, slowest.read_timeout_seconds)
    )
    # Its call and a minute for the rest fit in the default 300 s.
    assert slowest.read_timeout_seconds + 60 <= 300
    assert worker["Timeout"] == 300
    # The API function keeps its own: a slow operation's 504 tells the caller to use POST /jobs.
    assert api_env["BEDROCK_READ_TIMEOUT_SECONDS"] == "20"
    # Without the slow operations, the worker waits a minute, as before them.
    fast = synth({"imagegen:enabledOperations": ["images", "upscale/fast"]})
    assert fast.function(WORKER_HANDLER)[1]["Environment"]["Variables"]["BEDROCK_READ_TIMEOUT_SECONDS"] == "60"


def test_an_operation_slower_than_the_workers_timeout_allows_raises_it_and_the_queues_visibility():
    creative = OPERATIONS["upscale/creative"]
    with mock.patch.dict(OPERATIONS, {creative.name: dataclasses.replace(creative, read_timeout_seconds=400)}):
        slow = synth_now({"imagegen:enabledOperations": ["images", "upscale/creative"]})

    worker = slow.function(WORKER_HANDLER)[1]
    queue = slow.resources("AWS::SQS::Queue")[slow.logical_id(slow.stack.jobs.queue)]
    assert worker["Environment"]["Variables"]["BEDROCK_READ_TIMEOUT_SECONDS"] == "400"
    assert worker["Timeout"] == 460
    assert queue["VisibilityTimeout"] == 2 * 460
    assert slow.function(API_HANDLER)[1]["Timeout"] == 28


def test_both_functions_know_the_enabled_operations(default):
    for handler in (API_HANDLER, WORKER_HANDLER):
        env = default.function(handler)[1]["Environment"]["Variables"]
        assert env["ENABLED_OPERATIONS"] == ",".join(OPERATIONS)
    pruned = synth({"imagegen:enabledOperations": ["upscale/fast", "images"]})
    for handler in (API_HANDLER, WORKER_HANDLER):
        env = pruned.function(handler)[1]["Environment"]["Variables"]
        assert env["ENABLED_OPERATIONS"] == "upscale/fast,images"


def test_both_functions_share_one_asset(default):
    codes = [props["Code"] for props in default.resources("AWS::Lambda::Function").values()]

    assert codes[0] == codes[1]
    assert codes[0]["S3Key"].endswith(".zip")


@pytest.mark.parametrize("handler", [API_HANDLER, WORKER_HANDLER])
def test_each_function_logs_to_its_own_group_with_the_configured_retention(browser_api_key, handler):
    _, function = browser_api_key.function(handler)
    log_group_id = function["LoggingConfig"]["LogGroup"]["Ref"]

    assert browser_api_key.resources("AWS::Logs::LogGroup")[log_group_id]["RetentionInDays"] == 14


def test_environment_names_the_stacks_resources(default):
    bucket = default.logical_id(default.stack.storage.bucket)
    table = default.logical_id(default.stack.jobs.table)
    queue = default.logical_id(default.stack.jobs.queue)
    bus = default.logical_id(default.stack.jobs.event_bus)
    api_env = default.function(API_HANDLER)[1]["Environment"]["Variables"]
    worker_env = default.function(WORKER_HANDLER)[1]["Environment"]["Variables"]

    for env in (api_env, worker_env):
        assert env["IMAGE_BUCKET"] == {"Ref": bucket}
        assert env["JOBS_TABLE"] == {"Ref": table}
        assert env["POWERTOOLS_SERVICE_NAME"] == "imagegen"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ImageGeneration"
        assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert env["PYDANTIC_DISABLE_PLUGINS"] == "__all__"  # no plugin scan at the cold start
    # The API queues jobs; the worker delays their redelivery on the same queue.
    assert api_env["JOBS_QUEUE_URL"] == worker_env["JOBS_QUEUE_URL"] == {"Ref": queue}
    assert worker_env["EVENT_BUS_NAME"] == {"Ref": bus}
    assert worker_env["EVENT_SOURCE"] == "imagegen"


def test_environment_carries_the_deployment_settings(browser_api_key, two_origins, inference_profile):
    api_env = browser_api_key.function(API_HANDLER)[1]["Environment"]["Variables"]
    worker_env = browser_api_key.function(WORKER_HANDLER)[1]["Environment"]["Variables"]
    two_origins_env = two_origins.function(WORKER_HANDLER)[1]["Environment"]["Variables"]

    assert api_env["ENABLED_MODELS"] == worker_env["ENABLED_MODELS"] == "core,ultra"
    assert api_env["PRESIGN_EXPIRY_SECONDS"] == "900"
    assert api_env["RETENTION_DAYS"] == "30"
    assert api_env["CORS_ALLOW_ORIGINS"] == "https://app.example.com"
    assert api_env["MODEL_ID_PREFIX"] == ""
    assert two_origins_env["ENABLED_MODELS"] == "sd3.5-large,core"
    for handler in (API_HANDLER, WORKER_HANDLER):
        assert browser_api_key.function(handler)[1]["Environment"]["Variables"]["BEDROCK_REGION"] == "us-west-2"
        profile_env = inference_profile.function(handler)[1]["Environment"]["Variables"]
        assert (profile_env["BEDROCK_REGION"], profile_env["MODEL_ID_PREFIX"]) == ("us-east-1", "us.")


def test_the_worker_knows_the_queues_max_receive_count(browser_api_key):
    worker_env = browser_api_key.function(WORKER_HANDLER)[1]["Environment"]["Variables"]
    queue_id = browser_api_key.logical_id(browser_api_key.stack.jobs.queue)
    queue = browser_api_key.resources("AWS::SQS::Queue")[queue_id]

    assert worker_env["MAX_RECEIVE_COUNT"] == str(queue["RedrivePolicy"]["maxReceiveCount"]) == "3"


@pytest.mark.parametrize(("handler", "settings_class"), [(API_HANDLER, ApiSettings), (WORKER_HANDLER, WorkerSettings)])
def test_the_runtime_settings_model_accepts_the_environment(any_deployment, handler, settings_class):
    env = any_deployment.function(handler)[1]["Environment"]["Variables"]
    # What CloudFormation resolves at deploy time, stood in for by plausible values.
    resolved = {name: value if isinstance(value, str) else f"resolved-{name.lower()}" for name, value in env.items()}

    settings = settings_class.from_environment(resolved)

    assert list(settings.enabled_models) == any_deployment.stack.config.enabled_models
    assert list(settings.enabled_operations) == any_deployment.stack.config.enabled_operations
    assert settings.presign_expiry_seconds == any_deployment.stack.config.presign_expiry_seconds
    # Each variable the stack sets is one the runtime reads (or Powertools or pydantic does).
    read_by_runtime = {field.alias for field in settings_class.model_fields.values()}
    read_by_libraries = {"PYDANTIC_DISABLE_PLUGINS"}
    assert {name for name in env if not name.startswith("POWERTOOLS_")} <= read_by_runtime | read_by_libraries


def test_without_snap_start_the_functions_are_invoked_directly(default):
    assert default.resources("AWS::Lambda::Alias") == {}
    for _, function in default.resources("AWS::Lambda::Function").items():
        assert "SnapStart" not in function


def test_with_snap_start_the_api_and_the_queue_invoke_a_published_version_through_an_alias(snap_start):
    functions = snap_start.resources("AWS::Lambda::Function")
    aliases = snap_start.resources("AWS::Lambda::Alias")
    versions = snap_start.resources("AWS::Lambda::Version")

    assert all(f["SnapStart"] == {"ApplyOn": "PublishedVersions"} for f in functions.values())
    # An old version would keep its snapshot cached and billed: each deployment deletes it.
    assert all(
        resource["DeletionPolicy"] == "Delete"
        for resource in snap_start.template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Version"
    )
    assert sorted(snap_start.render(a["FunctionName"]) for a in aliases.values()) == sorted(
        f"${{{logical_id}}}" for logical_id in functions
    )
    assert {a["Name"] for a in aliases.values()} == {"live"}
    assert {snap_start.render(a["FunctionVersion"]) for a in aliases.values()} == {
        f"${{{logical_id}.Version}}" for logical_id in versions
    }
    api_alias, worker_alias = (
        snap_start.logical_id(alias)
        for alias in (snap_start.stack.functions.api_target, snap_start.stack.functions.worker_target)
    )
    uris = {
        snap_start.render(method["Integration"]["Uri"])
        for method in snap_start.resources("AWS::ApiGateway::Method").values()
        if method.get("Integration", {}).get("Type") == "AWS_PROXY"
    }
    assert uris and all(f"${{{api_alias}}}" in uri for uri in uris)
    [mapping] = snap_start.resources("AWS::Lambda::EventSourceMapping").values()
    function_name = snap_start.render(mapping["FunctionName"])  # the function's name, qualified by the alias
    assert f"${{{worker_alias}}}" in function_name
    assert function_name.endswith(":live")


def test_the_synth_warns_about_nothing(any_deployment):
    from aws_cdk.assertions import Annotations, Match

    assert Annotations.from_stack(any_deployment.stack).find_warning("*", Match.any_value()) == []
