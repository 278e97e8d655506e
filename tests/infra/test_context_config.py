"""The deployment settings: cdk.json's defaults, CLI strings, and the errors a deployer sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from imagegen.models.operations import OPERATIONS
from pydantic.alias_generators import to_camel

import infra.config
from infra.application import CDK_JSON, build_app
from infra.config import CONTEXT_PREFIX, ConfigError, StackConfig

ROOT = Path(__file__).resolve().parents[2]


def test_cdk_json_holds_every_setting_at_its_default():
    context = json.loads(CDK_JSON.read_text())["context"]
    settings = {key: value for key, value in context.items() if key.startswith(CONTEXT_PREFIX)}

    assert sorted(settings) == sorted(CONTEXT_PREFIX + to_camel(name) for name in StackConfig.model_fields)
    assert StackConfig.from_mapping(settings) == StackConfig()


def test_cdk_json_lists_every_operation_of_the_catalog_for_deployers_to_prune():
    context = json.loads(CDK_JSON.read_text())["context"]

    assert context["imagegen:enabledOperations"] == list(OPERATIONS)


def test_every_setting_is_documented_with_its_key():
    for name in StackConfig.model_fields:
        assert f"`{CONTEXT_PREFIX}{to_camel(name)}`" in infra.config.__doc__


def test_cdk_json_runs_the_app_with_the_projects_python_and_carries_feature_flags():
    cdk_json = json.loads(CDK_JSON.read_text())
    assert cdk_json["app"].endswith("python app.py")
    assert cdk_json["context"]["@aws-cdk/aws-iam:minimizePolicies"] is True
    assert cdk_json["context"]["@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"] is True


def test_command_line_strings_are_parsed():
    config = StackConfig.from_mapping(
        {
            "imagegen:enabledModels": "core, ultra",
            "imagegen:corsAllowOrigins": '["https://app.example.com"]',
            "imagegen:retentionDays": "14",
            "imagegen:throttleRateLimit": "2.5",
            "imagegen:snapStart": "true",
            "imagegen:enabledOperations": "upscale/fast, images",
        }
    )

    assert config.enabled_models == ["core", "ultra"]
    assert config.cors_allow_origins == ["https://app.example.com"]
    assert config.retention_days == 14
    assert config.throttle_rate_limit == 2.5
    assert config.snap_start is True
    assert config.enabled_operations == ["upscale/fast", "images"]


def test_model_ids_come_from_the_runtime_catalog():
    config = StackConfig.from_mapping({"imagegen:enabledModels": ["ultra", "sd3.5-large"]})

    assert config.model_ids == ["stability.stable-image-ultra-v1:1", "stability.sd3-5-large-v1:0"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("presignExpirySeconds", 7200, "temporary credentials"),
        ("presignExpirySeconds", 30, "greater than or equal to 60"),
        ("enabledModels", ["core", "dall-e"], "unknown model aliases ['dall-e']"),
        ("enabledModels", [], "at least 1 item"),
        ("enabledModels", ["core", "core"], "repeat"),
        ("enabledOperations", ["images", "upscale/slow"], "unknown operations ['upscale/slow']"),
        ("enabledOperations", ["/upscale/fast"], "unknown operations ['/upscale/fast']"),
        ("enabledOperations", [], "at least 1 item"),
        ("enabledOperations", ["images", "images"], "repeat"),
        ("authMode", "cognito", "'iam' or 'api_key'"),
        ("retentionDays", True, "valid integer"),
        ("retentionDays", 0, "greater than or equal to 1"),
        ("workerMaxConcurrency", 1, "greater than or equal to 2"),
        ("workerBatchSize", 11, "less than or equal to 10"),
        ("inferenceProfilePrefix", "us", "should match pattern"),
        ("corsAllowOrigins", ["*", "https://app.example.com"], "must stand alone"),
        ("corsAllowOrigins", ["https://app.example.com/"], "no path, no trailing slash"),
        ("alarmEmail", "ops-at-example.com", "not an email address"),
        ("logRetentionDays", 31, "CloudWatch Logs accepts one of"),
        ("bedrockRegion", "oregon", "should match pattern"),
        ("apiTimeoutSeconds", 19, "greater than or equal to 20"),
        ("apiTimeoutSeconds", 901, "less than or equal to 900"),
    ],
)
def test_a_bad_value_names_the_key_and_the_reason(key, value, expected):
    with pytest.raises(ConfigError) as error:
        StackConfig.from_mapping({CONTEXT_PREFIX + key: value})

    assert f"{CONTEXT_PREFIX}{key}=" in str(error.value)
    assert expected in str(error.value)


def test_a_misspelt_key_is_an_error_not_a_silent_default():
    with pytest.raises(ConfigError, match=r"Unknown CDK context keys \['imagegen:retentionDay'\]"):
        StackConfig.from_mapping({"imagegen:retentionDay": 30})


def test_the_app_refuses_to_synthesize_a_bad_configuration():
    with pytest.raises(ConfigError, match="temporary credentials"):
        build_app({"imagegen:presignExpirySeconds": 7200})


def test_a_region_that_does_not_serve_the_models_is_refused_naming_the_key():
    with pytest.raises(ConfigError) as error:
        build_app({"imagegen:bedrockRegion": "us-east-1"})

    message = str(error.value)
    assert "imagegen:bedrockRegion='us-east-1'" in message
    assert "'core'" in message
    # The catalog's explanation: where the model is served.
    assert "on demand in us-west-2" in message
    assert "imagegen:inferenceProfilePrefix" not in message


def test_a_profile_prefix_the_models_do_not_have_is_refused_naming_both_keys():
    with pytest.raises(ConfigError) as error:
        StackConfig.from_mapping(
            {"imagegen:inferenceProfilePrefix": "us.", "imagegen:enabledModels": ["core", "ultra"]}
        )

    message = str(error.value)
    assert "imagegen:bedrockRegion='us-west-2' with imagegen:inferenceProfilePrefix='us.'" in message
    assert "no 'us.' inference profile" in message


def test_the_models_are_called_by_their_bare_ids_in_us_west_2_by_default():
    invocations = StackConfig.from_mapping(
        {"imagegen:enabledModels": ["core", "ultra", "sd3.5-large"], "imagegen:enabledOperations": ["images"]}
    ).invocations

    assert {alias: (i.model_id, i.region, i.profile_prefix) for alias, i in invocations.items()} == {
        "core": ("stability.stable-image-core-v1:1", "us-west-2", ""),
        "ultra": ("stability.stable-image-ultra-v1:1", "us-west-2", ""),
        "sd3.5-large": ("stability.sd3-5-large-v1:0", "us-west-2", ""),
    }


def test_the_image_services_are_called_through_the_us_profile_whatever_the_prefix_setting():
    invocations = StackConfig.from_mapping(
        {
            "imagegen:enabledOperations": ["upscale/creative", "edit/remove-background"],
            "imagegen:bedrockRegion": "us-east-2",
        }
    ).invocations

    assert {alias: (i.model_id, i.region, i.serving_regions) for alias, i in invocations.items()} == {
        "upscale/creative": (
            "us.stability.stable-creative-upscale-v1:0",
            "us-east-2",
            ("us-east-1", "us-east-2", "us-west-2"),
        ),
        "edit/remove-background": (
            "us.stability.stable-image-remove-background-v1:0",
            "us-east-2",
            ("us-east-1", "us-east-2", "us-west-2"),
        ),
    }


def test_only_the_models_of_the_enabled_operations_are_called():
    config = StackConfig.from_mapping({"imagegen:enabledOperations": ["upscale/fast"]})

    # images is off: the enabled model is never called, so nothing needs it served.
    assert set(config.invocations) == {"upscale/fast"}
    assert set(StackConfig().invocations) == {"core", *(name for name in OPERATIONS if name != "images")}


def test_a_region_that_does_not_serve_an_enabled_operation_is_refused_naming_the_keys():
    with pytest.raises(ConfigError) as error:
        build_app(
            {
                "imagegen:bedrockRegion": "eu-west-1",
                "imagegen:enabledOperations": ["upscale/fast"],
            }
        )

    message = str(error.value)
    assert "imagegen:bedrockRegion='eu-west-1'" in message
    assert "enabled operation 'upscale/fast'" in message
    assert "through the us. profile from us-east-1, us-east-2, us-west-2" in message
    assert "imagegen:enabledOperations" in message
    assert "imagegen:enabledModels" not in message  # images is off: core is not the problem


def test_every_model_a_region_cannot_serve_is_named_at_once():
    with pytest.raises(ConfigError) as error:
        StackConfig.from_mapping({"imagegen:bedrockRegion": "eu-west-1"})

    message = str(error.value)
    assert "enabled model 'core'" in message
    for name in OPERATIONS:
        if name != "images":
            assert f"enabled operation {name!r}" in message


def test_the_profile_prefix_setting_does_not_apply_to_the_image_services():
    # Core has no us. profile: refused; the services, reached through theirs anyway, are not.
    with pytest.raises(ConfigError) as error:
        StackConfig.from_mapping({"imagegen:inferenceProfilePrefix": "us.", "imagegen:enabledModels": ["core"]})

    assert "enabled model 'core'" in str(error.value)
    assert "enabled operation" not in str(error.value)


def test_the_worker_waits_for_the_slowest_enabled_operation_and_its_timeout_follows_when_needed():
    slowest = max(op.read_timeout_seconds for op in OPERATIONS.values())
    assert StackConfig().worker_read_timeout_seconds == max(60, slowest)
    assert StackConfig().worker_timeout_seconds == max(300, slowest + 60)
    fast = StackConfig.from_mapping({"imagegen:enabledOperations": ["upscale/fast"]})
    assert (fast.worker_read_timeout_seconds, fast.worker_timeout_seconds) == (60, 300)


def test_the_function_times_out_one_second_before_api_gateway_gives_up():
    assert StackConfig().api_timeout_seconds == 29
    assert StackConfig().function_timeout_seconds == 28
    assert StackConfig.from_mapping({"imagegen:apiTimeoutSeconds": "120"}).function_timeout_seconds == 119


def test_synth_refuses_a_bedrock_region_that_does_not_serve_the_models_naming_the_key(tmp_path):
    # As `cdk synth -c imagegen:bedrockRegion=us-east-1` runs the app: context in CDK_CONTEXT_JSON.
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"imagegen:bedrockRegion": "us-east-1"}),
        "CDK_OUTDIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1
    assert "imagegen:bedrockRegion='us-east-1'" in done.stderr
    assert "served on demand in us-west-2" in done.stderr
    assert "Traceback" not in done.stderr  # the message, not a trace
