"""cfn-lint finds no error in the synthesized templates.

W3005 (a DependsOn already implied by a GetAtt) is ignored: CDK itself makes each function
depend on its role explicitly."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint

from tests.infra.conftest import SCANNED_DEPLOYMENTS

TOLERATED = {"W3005"}


@pytest.mark.parametrize("deployment", SCANNED_DEPLOYMENTS)
def test_cfn_lint_reports_nothing_but_cdks_redundant_depends_on(request, deployment):
    template = request.getfixturevalue(deployment).template

    matches = lint(json.dumps(template), regions=["us-west-2", "us-east-1"])

    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id not in TOLERATED] == []
