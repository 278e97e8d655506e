"""Synthesizes the stack once per configuration for the whole session (a synth costs seconds),
and gives the tests a small reader for the CloudFormation template."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk.assertions import Template
from imagegen.models.catalog import MODELS, InferenceProfile

from infra.application import build_app
from infra.stack import ImageGenStack

# Unit tests never bundle: the asset is the source directory. test_asset_bundling builds it for real.
SKIP_BUNDLING = {"aws:cdk:bundling-stacks": []}

# A deployment for browsers with API keys, two models and a bucket kept longer.
BROWSER_API_KEY = {
    "imagegen:authMode": "api_key",
    "imagegen:enabledModels": ["core", "ultra"],
    "imagegen:corsAllowOrigins": ["https://app.example.com"],
    "imagegen:alarmEmail": "ops@example.com",
    "imagegen:retentionDays": 30,
    "imagegen:presignExpirySeconds": 900,
    "imagegen:throttleRateLimit": 5,
    "imagegen:throttleBurstLimit": 8,
    "imagegen:apiKeyQuotaPerDay": 250,
    "imagegen:workerMaxConcurrency": 3,
    "imagegen:workerBatchSize": 2,
    "imagegen:maxReceiveCount": 3,
    "imagegen:logRetentionDays": 14,
}
# Two models called in the Bedrock region named explicitly, browsers on two origins, and an
# integration timeout raised past 29 s (what a Regional API may have after a quota increase).
TWO_ORIGINS = {
    "imagegen:enabledModels": ["sd3.5-large", "core"],
    "imagegen:bedrockRegion": "us-west-2",
    "imagegen:corsAllowOrigins": ["https://a.example.com", "http://localhost:3000"],
    "imagegen:apiTimeoutSeconds": 60,
}

# No text-to-image model of the catalog is reached through an inference profile today (the Image
# Services are, always): the prefix setting is synthesized with Core and Ultra standing in for
# text models that are, through "us." profiles.
US_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2"})
US_PROFILE = InferenceProfile(sources=US_REGIONS, destinations=US_REGIONS)
PROFILE_ALIASES = ("core", "ultra")
INFERENCE_PROFILE = {
    "imagegen:enabledModels": list(PROFILE_ALIASES),
    "imagegen:bedrockRegion": "us-east-1",
    "imagegen:inferenceProfilePrefix": "us.",
}

# Cold starts resumed from snapshots: versions behind "live" aliases.
SNAP_START = {"imagegen:snapStart": True}


@dataclass
class Synth:
    """One synthesized stack: the assertions Template, its JSON, and readers for it."""

    stack: ImageGenStack
    assertions: Template
    template: dict[str, Any]

    @staticmethod
    def render(value: Any) -> str:
        return render(value)

    @staticmethod
    def as_list(value: Any) -> list[Any]:
        return as_list(value)

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == resource_type
        }

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        return self.stack.resolve(construct.node.default_child.logical_id)

    def function(self, handler: str) -> tuple[str, dict[str, Any]]:
        matches = {
            logical_id: props
            for logical_id, props in self.resources("AWS::Lambda::Function").items()
            if props.get("Handler") == handler
        }
        assert len(matches) == 1, f"expected one function with handler {handler}"
        return next(iter(matches.items()))

    def role_statements(self, function_props: dict[str, Any]) -> list[dict[str, Any]]:
        """Every statement that applies to the function's role: inline policies and attached ones."""
        role_id = function_props["Role"]["Fn::GetAtt"][0]
        role = self.template["Resources"][role_id]["Properties"]
        assert not role.get("ManagedPolicyArns"), "project roles carry no managed policy"
        statements = [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
        # The role's default policy, and the overflow policies CDK splits off it when it would pass
        # IAM's size limit of an inline policy (customer managed policies of the stack's own).
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for policy in self.resources(kind).values():
                if {"Ref": role_id} in policy.get("Roles", []):
                    statements += policy["PolicyDocument"]["Statement"]
        return statements

    def allowed(self, function_props: dict[str, Any]) -> set[tuple[str, str]]:
        """(action, rendered resource) pairs the function's role allows without a condition."""
        return {
            (action, render(resource))
            for statement in self.role_statements(function_props)
            if statement["Effect"] == "Allow" and "Condition" not in statement
            for action in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])
        }

    def policy_documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every policy document in the template: identity policies and resource policies."""
        for logical_id, resource in self.template["Resources"].items():
            props = resource.get("Properties", {})
            if "PolicyDocument" in props:
                yield logical_id, props["PolicyDocument"]
            for policy in props.get("Policies", []) if resource["Type"] == "AWS::IAM::Role" else []:
                yield logical_id, policy["PolicyDocument"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def render(value: Any) -> str:
    """A CloudFormation value as readable text: {"Ref": "X"} -> ${X}, GetAtt -> ${X.Attr}."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), *_ = value.items()
        if function == "Ref":
            return f"${{{argument}}}"
        if function == "Fn::GetAtt":
            return f"${{{argument[0]}.{argument[1]}}}"
        if function == "Fn::Join":
            return argument[0].join(render(part) for part in argument[1])
        if function == "Fn::Select" and isinstance(argument[1], dict) and "Fn::Split" in argument[1]:
            delimiter, source = argument[1]["Fn::Split"]
            return f"${{Split({delimiter!r},{render(source)})[{argument[0]}]}}"
    return json.dumps(value, sort_keys=True)


def synth_now(context: dict[str, Any] | None = None, **build: Any) -> Synth:
    _app, stack = build_app({**SKIP_BUNDLING, **(context or {})}, **build)
    # Synthesizes the app, cdk-nag included: an unacknowledged finding raises here.
    assertions = Template.from_stack(stack)
    return Synth(stack=stack, assertions=assertions, template=assertions.to_json())


@functools.cache
def _synth(context_json: str) -> Synth:
    return synth_now(json.loads(context_json))


def synth(context: dict[str, Any] | None = None) -> Synth:
    return _synth(json.dumps(context or {}, sort_keys=True))


def with_us_profiles(*aliases: str) -> Any:
    """The catalog with `aliases` also served through "us." inference profiles, while the
    block runs (the stack reads the catalog when it is built)."""
    return mock.patch.dict(
        MODELS, {alias: dataclasses.replace(MODELS[alias], profiles={"us.": US_PROFILE}) for alias in aliases}
    )


@pytest.fixture(scope="session")
def default() -> Synth:
    """cdk.json's settings: IAM auth, Stable Image Core only, no CORS."""
    return synth()


@pytest.fixture(scope="session")
def browser_api_key() -> Synth:
    return synth(BROWSER_API_KEY)


@pytest.fixture(scope="session")
def two_origins() -> Synth:
    return synth(TWO_ORIGINS)


@pytest.fixture(scope="session")
def inference_profile() -> Synth:
    """Calls through "us." profiles from us-east-1, with a catalog whose models have them.

    Not one of `any_deployment`: the runtime's own settings check the catalog too, and it
    has no such models outside this fixture."""
    with with_us_profiles(*PROFILE_ALIASES):
        return synth_now(INFERENCE_PROFILE)


@pytest.fixture(scope="session")
def snap_start() -> Synth:
    return synth(SNAP_START)


DEPLOYMENTS = ["default", "browser_api_key", "two_origins", "snap_start"]
# Every configuration the infrastructure tests synthesize: what the scanners check.
SCANNED_DEPLOYMENTS = [*DEPLOYMENTS, "inference_profile"]


@pytest.fixture(scope="session", params=DEPLOYMENTS)
def any_deployment(request: pytest.FixtureRequest) -> Synth:
    return request.getfixturevalue(request.param)
