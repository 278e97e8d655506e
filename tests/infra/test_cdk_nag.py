"""cdk-nag's AWS Solutions checks run on every synth; each acknowledged finding is named
exactly and carries a reason."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from infra.application import build_app
from tests.infra.conftest import SCANNED_DEPLOYMENTS

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


def _acknowledgements(synth):
    """{(construct path relative to the stack, finding): reason}."""
    found = {}
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACKNOWLEDGED:
                path = construct.node.path.removeprefix(f"{synth.stack.node.path}/")
                found.update({(path, finding): reason for finding, reason in entry.data.items()})
    return found


def test_the_acknowledged_findings_are_exactly_these(default, inference_profile, browser_api_key, two_origins):
    bucket = default.logical_id(default.stack.storage.bucket)
    roles = ("Generation/ApiFunctionRole", "Generation/WorkerFunctionRole")
    expected = {
        *((role, "AwsSolutions::AwsSolutions-IAM5[Resource::*]") for role in roles),
        *(
            (role, f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}/*]")
            for role in roles
            for prefix in ("images", "uploads", "inputs")
        ),
        ("Generation/WorkerFunctionRole", f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket}.Arn>/requests/*]"),
        ("Generation/WorkerFunctionRole", f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket}.Arn>/results/*]"),
        ("Api/Api", "AwsSolutions::AwsSolutions-COG4"),
        ("Api/Api/DeploymentStage.v1", "AwsSolutions::AwsSolutions-APIG3"),
        # Execution logging is off; the access log records every request.
        ("Api/Api/DeploymentStage.v1", "AwsSolutions::AwsSolutions-APIG6"),
    }

    assert set(_acknowledgements(default)) == expected
    assert set(_acknowledgements(two_origins)) == expected
    assert set(_acknowledgements(browser_api_key)) == expected | {("Api/Api", "AwsSolutions::AwsSolutions-APIG4")}
    # Calls through inference profiles name each routed-to region: no wildcard to acknowledge.
    assert set(_acknowledgements(inference_profile)) == expected


@pytest.mark.parametrize("deployment", SCANNED_DEPLOYMENTS)
def test_every_acknowledgement_gives_a_reason(request, deployment):
    for (path, finding), reason in _acknowledgements(request.getfixturevalue(deployment)).items():
        assert re.fullmatch(r"AwsSolutions::AwsSolutions-[A-Z]+\d+(\[.+\])?", finding), finding
        assert len(reason) > 60, f"{path} {finding}: give the reason, not a label"


def test_an_unacknowledged_finding_fails_the_synth():
    _app, stack = build_app({"aws:cdk:bundling-stacks": []})
    s3.Bucket(stack, "Careless")  # no access logs, no TLS enforcement

    with pytest.raises(RuntimeError, match="ValidationFailed") as error:
        Template.from_stack(stack)

    report_path = re.search(r"found in: (\S+)", str(error.value)).group(1)
    with open(report_path) as report:
        violations = json.load(report)["pluginReports"][0]["violations"]
    assert {(v["ruleName"], c["constructPath"]) for v in violations for c in v["violatingConstructs"]} == {
        ("AwsSolutions-S1", "ImageGenStack/Careless/Resource"),
        ("AwsSolutions-S10", "ImageGenStack/Careless/Resource"),
    }
