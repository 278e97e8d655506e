"""Error details name field paths; settings are validated once from the environment."""

from __future__ import annotations

import dataclasses

import pytest
from imagegen.models.catalog import MODELS, InferenceProfile
from imagegen.models.settings import ApiSettings, ConfigurationError, Settings, WorkerSettings
from imagegen.models.validation import field_path, validation_error
from pydantic import ValidationError


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("body", "seed"), "seed"),
        (("body", "text_prompts", 0, "weight"), "text_prompts[0].weight"),
        (("text_prompts", 2), "text_prompts[2]"),
        (("body",), ""),
        ((), ""),
    ],
)
def test_field_paths(loc, path):
    assert field_path(loc) == path


def test_validation_error_lists_every_field():
    error = validation_error(
        [
            {"loc": ("body", "seed"), "msg": "Input should be a valid integer", "type": "int_type"},
            {"loc": (), "msg": "Value error, prompt is required", "type": "value_error", "ctx": {"field": "prompt"}},
            {
                "loc": ("body", 12),
                "msg": "JSON decode error",
                "type": "json_invalid",
                "ctx": {"error": "Expecting value"},
            },
        ]
    )
    assert error.status == 400
    assert error.details == {
        "errors": [
            {"field": "seed", "message": "Input should be a valid integer"},
            {"field": "prompt", "message": "prompt is required"},
            {"field": "body", "message": "The body is not valid JSON: Expecting value"},
        ]
    }


def test_settings_from_the_environment():
    settings = ApiSettings.from_environment(
        {
            "IMAGE_BUCKET": "bkt",
            "JOBS_TABLE": "jobs",
            "JOBS_QUEUE_URL": "https://sqs/jobs",
            "ENABLED_MODELS": "ultra, core",
            "PRESIGN_EXPIRY_SECONDS": "7200",
            "CORS_ALLOW_ORIGINS": "",
        }
    )
    assert settings.enabled_models == ("ultra", "core")
    assert settings.effective_presign_expiry == 3600  # capped: the role's credentials would not outlive it
    assert settings.cors_allow_origins == ()


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": "core,dall-e"},
        {"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": ""},
        {"IMAGE_BUCKET": "bkt", "BEDROCK_RETRY_MODE": "legacy"},
        {"IMAGE_BUCKET": "bkt", "MODEL_ID_PREFIX": "us"},
    ],
)
def test_bad_settings_fail_fast(env):
    with pytest.raises((ValidationError, ValueError)):
        Settings.model_validate(env)


@pytest.mark.parametrize(
    ("settings_class", "env", "named"),
    [
        (ApiSettings, {"IMAGE_BUCKET": "bkt", "JOBS_TABLE": "jobs"}, "JOBS_QUEUE_URL"),
        (WorkerSettings, {"IMAGE_BUCKET": "bkt", "JOBS_TABLE": "jobs", "JOBS_QUEUE_URL": "q"}, "EVENT_BUS_NAME"),
        (WorkerSettings, {"JOBS_TABLE": "jobs", "JOBS_QUEUE_URL": "q", "EVENT_BUS_NAME": "bus"}, "IMAGE_BUCKET"),
        (ApiSettings, {"IMAGE_BUCKET": "b", "JOBS_TABLE": "t", "JOBS_QUEUE_URL": "q"}, "IMAGE_BUCKET"),
    ],
)
def test_each_function_names_the_variable_it_lacks(settings_class, env, named):
    with pytest.raises(ConfigurationError) as caught:
        settings_class.from_environment(env)
    assert str(caught.value).startswith(f"{settings_class.__name__}: {named}: ")


def test_a_bad_environment_fails_the_cold_start_with_a_log_line_naming_the_variable(monkeypatch, caplog):
    from imagegen.handlers import api_wiring

    monkeypatch.delenv("IMAGE_BUCKET")
    with pytest.raises(ConfigurationError):
        api_wiring.api_wiring()
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.getMessage() == "The function's configuration is invalid"
    assert "IMAGE_BUCKET: Field required" in record.problem


def test_models_are_called_in_the_bedrock_region_by_the_catalogs_id():
    settings = Settings.model_validate({"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": "core,ultra"})
    assert settings.bedrock_region == "us-west-2"
    assert settings.invocation_id(MODELS["core"]) == "stability.stable-image-core-v1:1"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BEDROCK_REGION": "us-east-1"}, "not served in us-east-1"),
        ({"MODEL_ID_PREFIX": "us."}, "no 'us.' inference profile"),
    ],
)
def test_a_model_not_served_where_it_would_be_called_fails_at_cold_start(env, named):
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": "core", **env})
    assert "BEDROCK_REGION" in str(caught.value)
    assert named in str(caught.value)


def test_a_model_served_through_a_profile_is_called_by_it_from_its_source_regions(monkeypatch):
    profile = InferenceProfile(
        sources=frozenset({"us-east-1", "us-west-2"}), destinations=frozenset({"us-east-1", "us-east-2", "us-west-2"})
    )
    monkeypatch.setitem(
        MODELS, "core", dataclasses.replace(MODELS["core"], on_demand_regions=frozenset(), profiles={"us.": profile})
    )
    for env in ({"BEDROCK_REGION": "us-east-1"}, {"BEDROCK_REGION": "us-west-2", "MODEL_ID_PREFIX": "us."}):
        settings = Settings.model_validate({"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": "core", **env})
        assert settings.invocation_id(MODELS["core"]) == "us.stability.stable-image-core-v1:1"
    with pytest.raises(ValidationError):
        Settings.model_validate({"IMAGE_BUCKET": "bkt", "ENABLED_MODELS": "core", "BEDROCK_REGION": "eu-west-1"})
