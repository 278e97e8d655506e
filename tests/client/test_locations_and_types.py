"""Where the client finds the API, and its types: generated from the OpenAPI document the service
serves, so that a change of the service's models that is not regenerated here fails."""

from __future__ import annotations

import json

import pytest
import requests
from imagegen_client import _codegen, _generated, resolve_api_url, resolve_deployment
from imagegen_client.images import IMAGE_FIELDS
from imagegen_client.locations import LOCAL_API_URL


def test_the_generated_module_is_what_the_service_document_generates(service):
    document = requests.get(f"{service.api_url}/openapi.json", timeout=30).json()
    assert _codegen.generate(document) == _codegen.GENERATED.read_text(), (
        "client/imagegen_client/_generated.py is out of date with the service's models: regenerate it with "
        "`.venv/bin/python -m imagegen_client._codegen` against make run"
    )


def test_every_operation_of_the_document_has_its_request_model(service):
    document = requests.get(f"{service.api_url}/openapi.json", timeout=30).json()
    assert set(_generated.OPERATION_REQUESTS) == set(_codegen.operation_requests(document))
    assert len(_generated.OPERATION_REQUESTS) == 14
    assert {"image", "mask", "init_image", "style_image"} == IMAGE_FIELDS


def test_the_api_url_comes_from_the_option_the_environment_the_outputs_file_then_the_local_run(monkeypatch, tmp_path):
    outputs = tmp_path / "outputs.json"
    deployed = "https://abc123defg.execute-api.eu-central-1.amazonaws.com/prod/"
    outputs.write_text(
        json.dumps({"ImageGenStack": {"ApiUrl": deployed, "BucketName": "the-bucket", "EventBusName": "the-bus"}})
    )
    monkeypatch.delenv("IMAGEGEN_API_URL")
    monkeypatch.delenv("IMAGEGEN_AWS_ENDPOINT_URL")
    monkeypatch.setenv("IMAGEGEN_OUTPUTS_FILE", str(outputs))

    deployment = resolve_deployment()
    assert deployment.api_url == deployed.rstrip("/")
    assert (deployment.bucket, deployment.event_bus, deployment.aws_endpoint_url) == ("the-bucket", "the-bus", None)
    assert deployment.region == "eu-central-1" and not deployment.local

    monkeypatch.setenv("IMAGEGEN_API_URL", "https://api.example.com/v1")
    assert resolve_api_url() == "https://api.example.com/v1"
    assert resolve_deployment().bucket is None  # another API than the outputs file's
    assert resolve_api_url("https://explicit.example.com") == "https://explicit.example.com"

    monkeypatch.delenv("IMAGEGEN_API_URL")
    monkeypatch.setenv("IMAGEGEN_OUTPUTS_FILE", str(tmp_path / "none.json"))
    local = resolve_deployment()
    assert local.api_url == LOCAL_API_URL and local.local and local.region == "us-east-1"
    assert (local.bucket, local.event_bus, local.aws_endpoint_url) == (
        "imagegen-local",
        "imagegen",
        "http://127.0.0.1:3001",
    )


def test_a_request_refused_before_sending_names_each_field_once():
    # POST /images's schema is a union (prompt or text_prompts): its branches are not reported.
    from imagegen_client import check_request
    from imagegen_client.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        check_request("images", {"prompt": "a lighthouse", "count": 9})
    assert [error["field"] for error in refused.value.details["errors"]] == ["count"]
    with pytest.raises(ValidationError) as refused:
        check_request("upscale/conservative", {"image": {"upload_id": "0" * 32}})
    assert [error["field"] for error in refused.value.details["errors"]] == ["prompt"]
