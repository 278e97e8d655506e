"""The Stability Image Services are served only through the US cross-region profile, from
us-east-1, us-east-2 and us-west-2; the bare id there needs the profile, elsewhere it is unknown."""

from __future__ import annotations

import pytest

from offline.bedrock_emulator.models import MODELS, US_PROFILE

from .support import MINIMAL, SERVICES, bare, invoke, profile, rejection

US_REGIONS = ("us-east-1", "us-east-2", "us-west-2")
INVALID = ("ValidationException", 400, "The provided model identifier is invalid.")


def on_demand_refusal(model_id: str) -> tuple[str, int, str]:
    return (
        "ValidationException",
        400,
        f"Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model.",
    )


def test_the_catalog_holds_the_thirteen_services_behind_the_us_profile():
    services = {spec.model_id for spec in MODELS.values() if spec.profiles}

    assert services == {bare(name) for name in SERVICES}
    assert all(MODELS[model_id].profiles == (US_PROFILE,) for model_id in services)
    assert all(not MODELS[model_id].on_demand_regions for model_id in services)
    assert US_PROFILE.sources == frozenset(US_REGIONS)


@pytest.mark.parametrize("region", US_REGIONS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_served_through_the_profile_from_each_us_region(make_client, invocations, region, name):
    response, payload = invoke(make_client(region=region), MINIMAL[name], profile(name))

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert payload["finish_reasons"] == [None]
    assert len(payload["images"]) == 1
    (call,) = invocations()["calls"]
    assert (call["model_id"], call["model"], call["region"], call["status"]) == (profile(name), bare(name), region, 200)


@pytest.mark.parametrize("region", US_REGIONS)
def test_the_profile_arn_of_the_region_called_is_served(make_client, region):
    name = "stable-image-remove-background"
    arn = f"arn:aws:bedrock:{region}:123456789012:inference-profile/{profile(name)}"

    assert invoke(make_client(region=region), MINIMAL[name], arn)[1]["finish_reasons"] == [None]


@pytest.mark.parametrize("region", US_REGIONS)
@pytest.mark.parametrize("name", SERVICES)
def test_the_bare_id_in_a_us_region_needs_the_profile(make_client, invocations, region, name):
    client = make_client(region=region)

    assert rejection(client, MINIMAL[name], bare(name)) == on_demand_refusal(bare(name))
    arn = f"arn:aws:bedrock:{region}::foundation-model/{bare(name)}"
    assert rejection(client, MINIMAL[name], arn) == on_demand_refusal(arn)
    assert invocations()["count"] == 0


@pytest.mark.parametrize("region", ["eu-central-1", "ap-northeast-1", "ca-central-1"])
@pytest.mark.parametrize("name", SERVICES)
def test_elsewhere_neither_id_is_served(make_client, invocations, region, name):
    client = make_client(region=region)

    assert rejection(client, MINIMAL[name], bare(name)) == INVALID
    assert rejection(client, MINIMAL[name], profile(name)) == INVALID
    assert invocations()["count"] == 0


@pytest.mark.parametrize("identifier", ["eu.{}", "apac.{}", "global.{}", "us.us.{}", "US.{}"])
def test_no_other_profile_contains_a_service(make_client, identifier):
    name = "stable-fast-upscale"

    assert rejection(make_client(region="us-east-1"), MINIMAL[name], identifier.format(bare(name))) == INVALID


def test_a_profile_arn_of_another_region_is_an_invalid_identifier(make_client):
    name = "stable-fast-upscale"
    arn = f"arn:aws:bedrock:us-east-2:123456789012:inference-profile/{profile(name)}"

    assert rejection(make_client(region="us-east-1"), MINIMAL[name], arn) == INVALID
