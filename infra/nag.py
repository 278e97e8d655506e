"""cdk-nag's AWS Solutions checks, and every finding acknowledged, each with its reason.

Acknowledgements sit on the narrowest construct that carries the finding; a finding on
wildcard resources names the exact resource, so a new wildcard fails the synth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct
from imagegen.contract import IMAGES_PREFIX, INPUTS_PREFIX, REQUESTS_PREFIX, RESULTS_PREFIX, UPLOADS_PREFIX

if TYPE_CHECKING:
    from infra.stack import ImageGenStack

# Validations ids are "<plugin>::<finding>", as cdk-nag's report names them.
PLUGIN = "AwsSolutions"

XRAY = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords act on no resource and take only '*' (added by CDK for "
    "Tracing.ACTIVE)."
)
OBJECT_KEYS = (
    "Object keys are generated per request, so access is granted on the object prefix this function uses, "
    "with explicit actions; nothing outside the prefix."
)
NO_EXECUTION_LOGS = (
    "Execution logging is off on purpose: API Gateway writes it to a log group it creates outside the stack, kept "
    "forever and left by cdk destroy, and it needs an account-wide CloudWatch role the stack should not own. The "
    "stage's access log records every request with its status, error type and message and the integration's status "
    "and error, in a log group of the stack's with the configured retention."
)
NO_COGNITO = (
    "The API authenticates callers with IAM (SigV4) by default, or with API keys and a usage plan when the deployer "
    "chooses imagegen:authMode=api_key; it has no user pool."
)
API_KEY_MODE = (
    "The deployer chose imagegen:authMode=api_key: every method requires an API key of the usage plan, which "
    "throttles and caps each key. The default mode, iam, authorizes every method with SigV4."
)
NO_WAF = (
    "A WAF web ACL costs a fixed monthly fee that this sample's callers, already authenticated and throttled per "
    "stage (and per key), do not need; a deployer can associate one with the stage without changing the stack."
)


def add_nag_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PLUGIN}::{finding}", reason=reason))


def acknowledge_findings(stack: ImageGenStack) -> None:
    generation, api = stack.functions, stack.api.api
    api_role, worker_role = generation.api_function.role, generation.worker_function.role
    bucket_arn = f"<{Stack.of(stack).get_logical_id(stack.storage.bucket.node.default_child)}.Arn>"
    object_prefixes = {
        api_role: [IMAGES_PREFIX, UPLOADS_PREFIX, INPUTS_PREFIX],
        worker_role: [IMAGES_PREFIX, REQUESTS_PREFIX, RESULTS_PREFIX, UPLOADS_PREFIX, INPUTS_PREFIX],
    }
    for role, prefixes in object_prefixes.items():
        acknowledge(role, "AwsSolutions-IAM5[Resource::*]", XRAY)
        for prefix in prefixes:
            acknowledge(role, f"AwsSolutions-IAM5[Resource::{bucket_arn}/{prefix}*]", OBJECT_KEYS)
    acknowledge(api, "AwsSolutions-COG4", NO_COGNITO)
    if stack.config.auth_mode == "api_key":
        acknowledge(api, "AwsSolutions-APIG4", API_KEY_MODE)
    acknowledge(api.deployment_stage, "AwsSolutions-APIG3", NO_WAF)
    acknowledge(api.deployment_stage, "AwsSolutions-APIG6", NO_EXECUTION_LOGS)
