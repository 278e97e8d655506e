"""Each class of error exits with its own code and prints the service's code and message on
stderr: validation 3, content filtered 4, throttled 5 (after the retries), model failure 6,
not found 8, auth 9, the rest 7; usage errors are Typer's 2."""

from __future__ import annotations

import json
import socket
import sys

import imagegen_client
import pytest
from imagegen_client import transport

from tests.client.conftest import imagegen, picture


@pytest.fixture
def waits(monkeypatch):
    """The client's waits between retries, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(transport, "pause", recorded.append)
    return recorded


def test_help_documents_the_exit_codes():
    result = imagegen("--help")
    assert result.exit_code == 0
    for text in ("3 validation", "4 content filtered", "5 throttled", "6 model failure", "8 not found", "9 auth"):
        assert text in " ".join(result.stdout.split())


def test_a_usage_error_is_2(tmp_path):
    assert imagegen("upscale", "fast").exit_code == 2
    assert imagegen("upscale", "fast", tmp_path / "missing.png").exit_code == 2


def test_a_request_that_breaks_the_schema_is_3_before_anything_is_sent(waits):
    result = imagegen("generate", "a cat", "--count", "9")
    assert result.exit_code == 3
    assert "validation_error" in result.stderr and "count" in result.stderr


def test_an_input_the_service_refuses_is_3_with_its_field(tmp_path):
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(picture(16, 16))  # fast upscale takes at least 32 px a side
    result = imagegen("upscale", "fast", tiny, "--json")
    assert result.exit_code == 3
    error = json.loads(result.stderr)["error"]
    assert error["status"] == 400 and error["code"] == "validation_error"
    assert [item["field"] for item in error["details"]["errors"]] == ["image"]
    assert result.stdout == ""  # --json: nothing but the result on stdout


def test_a_filtered_prompt_is_4(emulator):
    emulator.fault("filter_prompt", 1)
    result = imagegen("generate", "something filtered")
    assert result.exit_code == 4
    assert "content_filtered" in result.stderr


def test_throttling_that_outlasts_the_retries_is_5_after_waiting_retry_after(emulator, waits):
    emulator.fault("throttle", 50)
    result = imagegen("generate", "a cat", "--retries", "1")
    assert result.exit_code == 5
    assert "throttled" in result.stderr
    # One retry, after the service's Retry-After (5 s) and less than a second of jitter.
    assert len(waits) == 1 and 5 <= waits[0] < 6


def test_a_model_failure_is_6_and_not_retried(emulator, waits):
    emulator.fault("model_error", 3)
    result = imagegen("generate", "a cat")
    assert result.exit_code == 6
    assert "model_error" in result.stderr
    assert waits == []


def test_an_unknown_job_is_8():
    result = imagegen("jobs", "status", "no-such-job")
    assert result.exit_code == 8
    assert "not_found" in result.stderr


def test_missing_credentials_and_a_missing_api_key_are_9(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = imagegen("jobs", "list-mine", "--auth", "sigv4")
    assert result.exit_code == 9 and "no_credentials" in result.stderr
    result = imagegen("jobs", "list-mine", "--auth", "api-key")
    assert result.exit_code == 9 and "no_api_key" in result.stderr


def test_an_api_that_does_not_answer_is_7():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = imagegen("jobs", "list-mine", "--api-url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 7 and "connection_failed" in result.stderr


def test_the_playground_command_says_when_the_playground_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "imagegen_client.playground", None)
    monkeypatch.delattr(imagegen_client, "playground", raising=False)
    result = imagegen("playground", "--no-browser")
    assert result.exit_code == 7
    assert "playground" in result.stderr


def test_the_playground_command_serves_the_page_for_the_resolved_api(monkeypatch, service):
    from imagegen_client import playground

    calls = []
    monkeypatch.setattr(playground, "serve", lambda *args, **kwargs: calls.append((args, kwargs)))
    result = imagegen("playground", "--no-browser", "--port", "8999")
    assert result.exit_code == 0, result.stderr
    [((api_url, client), options)] = calls
    assert api_url == service.api_url and client.api_url == service.api_url
    assert options == {"host": "127.0.0.1", "port": 8999, "open_browser": False}
