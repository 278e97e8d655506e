"""Where Bedrock serves each model: the region comes from the SigV4 credential scope, and an
id not served there is a ValidationException, as a real regional endpoint answers it."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from offline.bedrock_emulator.errors import BedrockError
from offline.bedrock_emulator.models import MODELS, US_PROFILE, ModelSpec, resolve_model

from .support import CORE, invoke

INVALID = "The provided model identifier is invalid."
# The models served on demand by their bare ids (the Image Services are tested in
# test_emulator_services_regions.py).
STABILITY = sorted(model_id for model_id, spec in MODELS.items() if spec.on_demand_regions)
BODY = {"prompt": "where", "seed": 7}


def rejection(client, model_id: str) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        invoke(client, BODY, model_id)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


@pytest.mark.parametrize("model_id", STABILITY)
def test_every_stability_model_is_served_in_us_west_2_by_its_bare_id(make_client, model_id):
    response, payload = invoke(make_client(region="us-west-2"), BODY, model_id)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload["seeds"] == [7]


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "eu-central-1", "ap-northeast-1"])
@pytest.mark.parametrize("model_id", STABILITY)
def test_a_call_signed_for_another_region_is_an_invalid_identifier(make_client, invocations, region, model_id):
    assert rejection(make_client(region=region), model_id) == ("ValidationException", 400, INVALID)
    log = invocations()
    assert (log["count"], log["rejected"]) == (0, 1)


@pytest.mark.parametrize("region", ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"])
@pytest.mark.parametrize("prefix", ["us.", "eu.", "apac.", "global."])
def test_no_inference_profile_exists_for_the_on_demand_models(make_client, region, prefix):
    client = make_client(region=region)

    for model_id in STABILITY:
        assert rejection(client, prefix + model_id) == ("ValidationException", 400, INVALID)
        arn = f"arn:aws:bedrock:{region}:123456789012:inference-profile/{prefix}{model_id}"
        assert rejection(client, arn) == ("ValidationException", 400, INVALID)


@pytest.mark.parametrize(
    ("region", "arn_region"), [("us-west-2", "us-east-1"), ("us-west-2", "eu-central-1"), ("us-east-1", "us-west-2")]
)
def test_an_arn_of_another_region_is_an_invalid_identifier(make_client, region, arn_region):
    arn = f"arn:aws:bedrock:{arn_region}::foundation-model/{CORE}"

    assert rejection(make_client(region=region), arn) == ("ValidationException", 400, INVALID)


def test_an_arn_of_the_region_called_is_served(make_client):
    arn = f"arn:aws:bedrock:us-west-2::foundation-model/{CORE}"

    assert invoke(make_client(region="us-west-2"), BODY, arn)[1]["seeds"] == [7]


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_an_arn_of_another_partition_is_an_invalid_identifier(bedrock, partition):
    arn = f"arn:{partition}:bedrock:us-west-2::foundation-model/{CORE}"

    assert rejection(bedrock, arn) == ("ValidationException", 400, INVALID)


def test_a_region_refusal_does_not_consume_a_fault(make_client, control, invocations):
    control("POST", "faults", json={"fault": "throttle", "times": 1}).raise_for_status()

    assert rejection(make_client(region="us-east-1"), CORE)[0] == "ValidationException"

    assert control("GET", "faults").json()["remaining"] == 1
    assert invocations()["count"] == 0


@pytest.mark.parametrize(("region", "status"), [("us-west-2", 200), ("us-east-1", 400)])
def test_the_region_is_read_from_the_credential_scope(emulator, region, status):
    authorization = (
        f"AWS4-HMAC-SHA256 Credential=AKID/20261130/{region}/bedrock/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=ab"
    )

    response = requests.post(
        f"{emulator.url}/model/{CORE}/invoke", json=BODY, headers={"Authorization": authorization}, timeout=10
    )

    assert response.status_code == status
    if status == 400:
        assert response.headers["x-amzn-ErrorType"].startswith("ValidationException:")
        assert response.json() == {"message": INVALID}


def test_a_bedrock_api_key_calls_us_west_2(emulator):
    for model_id, status in ((CORE, 200), (f"arn:aws:bedrock:us-east-1::foundation-model/{CORE}", 400)):
        response = requests.post(
            f"{emulator.url}/model/{model_id}/invoke",
            json=BODY,
            headers={"Authorization": "Bearer ABSKexample"},
            timeout=10,
        )
        assert response.status_code == status


# A model served only through the US cross-region profile, as Bedrock serves the Stability
# Image Services: the table takes such models without a change to the lookup.
PROFILE_ONLY = "stability.example-profile-only-v1:0"
CATALOG = {PROFILE_ONLY: ModelSpec(PROFILE_ONLY, profiles=(US_PROFILE,))}


def resolve_error(identifier: str, region: str) -> str:
    with pytest.raises(BedrockError) as caught:
        resolve_model(identifier, region, CATALOG)
    assert (caught.value.error_type, caught.value.status) == ("ValidationException", 400)
    return caught.value.message


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2"])
def test_a_profile_only_model_is_served_through_its_profile_from_each_source(region):
    assert resolve_model(f"us.{PROFILE_ONLY}", region, CATALOG).model_id == PROFILE_ONLY
    arn = f"arn:aws:bedrock:{region}:123456789012:inference-profile/us.{PROFILE_ONLY}"
    assert resolve_model(arn, region, CATALOG).model_id == PROFILE_ONLY


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_a_profile_only_model_by_its_bare_id_needs_the_profile(region):
    expected = (
        "Invocation of model ID {} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model."
    )

    assert resolve_error(PROFILE_ONLY, region) == expected.format(PROFILE_ONLY)
    arn = f"arn:aws:bedrock:{region}::foundation-model/{PROFILE_ONLY}"
    assert resolve_error(arn, region) == expected.format(arn)


@pytest.mark.parametrize(
    ("identifier", "region"),
    [
        (f"us.{PROFILE_ONLY}", "eu-central-1"),
        (PROFILE_ONLY, "eu-central-1"),
        (f"eu.{PROFILE_ONLY}", "us-east-1"),
        (f"arn:aws:bedrock:us-east-2:123456789012:inference-profile/us.{PROFILE_ONLY}", "us-east-1"),
    ],
)
def test_a_profile_only_model_elsewhere_is_an_invalid_identifier(identifier, region):
    assert resolve_error(identifier, region) == INVALID
