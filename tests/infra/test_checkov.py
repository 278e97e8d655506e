"""checkov finds nothing unacknowledged in any synthesized configuration, and each finding the
stack keeps is acknowledged on its resource with a reason (infra/checkov_findings.py).

checkov runs from its own venv (`make test` creates it: it pins an old boto3 that the
project's venv cannot have)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from infra.checkov_findings import METADATA_KEY
from tests.infra.conftest import SCANNED_DEPLOYMENTS

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"

# (resource type, check) acknowledged in every configuration, per resource of that type.
ACKNOWLEDGED = {
    ("AWS::Lambda::Function", "CKV_AWS_115"),
    ("AWS::Lambda::Function", "CKV_AWS_116"),
    ("AWS::Lambda::Function", "CKV_AWS_117"),
    ("AWS::Lambda::Function", "CKV_AWS_173"),
    ("AWS::Logs::LogGroup", "CKV_AWS_158"),
    ("AWS::SQS::Queue", "CKV_AWS_27"),
    ("AWS::DynamoDB::Table", "CKV_AWS_119"),
    ("AWS::S3::Bucket", "CKV_AWS_21"),
    ("AWS::ApiGateway::Stage", "CKV_AWS_120"),
}
# Only the access log bucket: the images bucket logs to it.
ACCESS_LOG_BUCKET_ONLY = ("AWS::S3::Bucket", "CKV_AWS_18")


def _skips(template: dict) -> dict[tuple[str, str], str]:
    """{(logical id, check id): reason} from the template's metadata."""
    return {
        (logical_id, entry["id"]): entry["comment"]
        for logical_id, resource in template["Resources"].items()
        for entry in resource.get("Metadata", {}).get(METADATA_KEY, {}).get("skip", [])
    }


def _checkov(template: dict, directory: Path) -> dict:
    if not CHECKOV.exists():
        pytest.skip(f"checkov is not installed in {CHECKOV.parent.parent}: `make test` (or `make infra`) creates it")
    path = directory / "template.json"
    path.write_text(json.dumps(template))
    completed = subprocess.run(
        [str(CHECKOV), "-f", str(path), "--framework", "cloudformation", "--output", "json", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # checkov exits 1 when a check fails; anything else but 0 is checkov failing to run.
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("deployment", SCANNED_DEPLOYMENTS)
def test_checkov_reports_no_unacknowledged_finding(request, deployment, tmp_path):
    template = request.getfixturevalue(deployment).template

    report = _checkov(template, tmp_path)

    failed = [
        f"{check['check_id']} {check['resource']}: {check['check_name']}"
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] == len(template["Resources"])
    # checkov read every acknowledgement the template carries (none is misspelt or misplaced).
    skipped = {(check["resource"].split(".", 1)[1], check["check_id"]) for check in report["results"]["skipped_checks"]}
    assert skipped == set(_skips(template))


@pytest.mark.parametrize("deployment", SCANNED_DEPLOYMENTS)
def test_the_acknowledged_findings_are_exactly_these_each_with_a_reason(request, deployment):
    template = request.getfixturevalue(deployment).template
    types = {logical_id: resource["Type"] for logical_id, resource in template["Resources"].items()}
    skips = _skips(template)

    expected = {
        (logical_id, check)
        for logical_id, resource_type in types.items()
        for acknowledged_type, check in ACKNOWLEDGED
        if resource_type == acknowledged_type
    }
    stack = request.getfixturevalue(deployment).stack
    access_logs = stack.resolve(stack.storage.access_logs_bucket.node.default_child.logical_id)
    assert set(skips) == expected | {(access_logs, ACCESS_LOG_BUCKET_ONLY[1])}
    for (logical_id, check), reason in skips.items():
        assert len(reason) > 80, f"{logical_id} {check}: give the reason, not a label"
