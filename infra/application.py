"""Builds the CDK app: the stack from the context, with cdk-nag's AWS Solutions checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, Environment, Tags

from infra.checkov_findings import acknowledge_checkov_findings
from infra.config import StackConfig
from infra.nag import acknowledge_findings, add_nag_checks
from infra.stack import ImageGenStack

STACK_NAME = "ImageGenStack"
CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def cdk_json_context() -> dict[str, Any]:
    """The `context` of cdk.json (feature flags and imagegen: settings).

    The cdk CLI passes it to the app, `python app.py` does not: given to App() as well, it
    makes both synthesize the same template (what the CLI passes still wins).
    """
    return json.loads(CDK_JSON.read_text())["context"]


def build_app(
    context: Mapping[str, Any] | None = None, outdir: str | None = None, env: Environment | None = None
) -> tuple[App, ImageGenStack]:
    """The app and its stack; without `env` the stack is region-agnostic, as `cdk synth` makes it."""
    app = App(context={**cdk_json_context(), **(context or {})}, outdir=outdir)
    config = StackConfig.from_context(app.node)
    stack = ImageGenStack(
        app,
        STACK_NAME,
        config=config,
        env=env,
        description="Image generation on Amazon Bedrock (Stability AI): API, S3, async jobs and events",
    )
    Tags.of(stack).add("project", "imagegen")
    add_nag_checks(app)
    acknowledge_findings(stack)
    acknowledge_checkov_findings(stack)
    return app, stack
