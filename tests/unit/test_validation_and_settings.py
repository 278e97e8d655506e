"""Error details name field paths; settings are validated once from the environment."""

from __future__ import annotations

import pytest
from imagegen.settings import Settings
from imagegen.validation import field_path, validation_error
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
    settings = Settings.model_validate(
        {
            "IMAGE_BUCKET": "bkt",
            "ENABLED_MODELS": "ultra, core",
            "PRESIGN_EXPIRY_SECONDS": "7200",
            "CORS_ALLOW_ORIGINS": "",
        }
    )
    assert settings.enabled_models == ("ultra", "core")
    assert settings.default_model == "ultra"
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
