"""Least privilege: what each function may do, on which resources, and no wildcard actions."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Environment
from imagegen.models.catalog import DEFAULT_BEDROCK_REGION, MODELS, SERVICE_MODELS

from infra.functions import API_HANDLER, WORKER_HANDLER
from tests.infra.conftest import PROFILE_ALIASES, US_REGIONS, render, synth, synth_now, with_us_profiles

ACCOUNT = "${AWS::AccountId}"
SPECS = {**MODELS, **SERVICE_MODELS}
SERVICES = tuple(SERVICE_MODELS)
HANDLERS = [API_HANDLER, WORKER_HANDLER]


def _bedrock(synth, function):
    """The Bedrock resources the function may call without a condition."""
    return {resource for action, resource in synth.allowed(function) if action.startswith("bedrock:")}


def _routed(synth, function) -> tuple[set[str], set[str]]:
    """(the foundation models allowed only through a profile, the profiles the condition names)."""
    statements = [
        statement
        for statement in synth.role_statements(function)
        if statement["Action"] == "bedrock:InvokeModel" and "Condition" in statement
    ]
    if not statements:
        return set(), set()
    [statement] = statements
    profiles = statement["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
    return set(map(synth.render, statement["Resource"])), set(map(synth.render, profiles))


def _foundation_model(alias: str, region: str = DEFAULT_BEDROCK_REGION) -> str:
    return f"arn:${{AWS::Partition}}:bedrock:{region}::foundation-model/{SPECS[alias].model_id}"


def _profile(prefix: str, alias: str, region: str) -> str:
    return f"arn:${{AWS::Partition}}:bedrock:{region}:{ACCOUNT}:inference-profile/{prefix}{SPECS[alias].model_id}"


def _through_us_profile(aliases, region: str) -> tuple[set[str], set[str], set[str]]:
    """(profiles in `region`, the models in every region the profile routes to, the profiles again)."""
    profiles = {_profile("us.", alias, region) for alias in aliases}
    routed = {_foundation_model(alias, destination) for alias in aliases for destination in sorted(US_REGIONS)}
    return profiles, routed, profiles


@pytest.mark.parametrize("handler", HANDLERS)
def test_bedrock_is_limited_to_the_models_of_the_enabled_operations_in_the_bedrock_region(
    default, browser_api_key, handler
):
    # Every operation: the enabled text-to-image models by their bare ids, and each Image
    # Service through its us. profile from us-west-2, routed to the three US regions.
    profiles, routed, condition = _through_us_profile(SERVICES, "us-west-2")
    function = default.function(handler)[1]
    assert _bedrock(default, function) == {_foundation_model("core"), *profiles}
    assert _routed(default, function) == (routed, condition)

    function = browser_api_key.function(handler)[1]
    assert _bedrock(browser_api_key, function) == {_foundation_model("core"), _foundation_model("ultra"), *profiles}
    assert _routed(browser_api_key, function) == (routed, condition)


@pytest.mark.parametrize("handler", HANDLERS)
def test_one_enabled_service_allows_its_profile_and_through_it_its_model_and_nothing_else(handler):
    fast = synth({"imagegen:enabledOperations": ["upscale/fast"]})
    function = fast.function(handler)[1]

    assert _bedrock(fast, function) == {_profile("us.", "upscale/fast", "us-west-2")}
    assert _routed(fast, function) == (
        {
            "arn:${AWS::Partition}:bedrock:us-east-1::foundation-model/stability.stable-fast-upscale-v1:0",
            "arn:${AWS::Partition}:bedrock:us-east-2::foundation-model/stability.stable-fast-upscale-v1:0",
            "arn:${AWS::Partition}:bedrock:us-west-2::foundation-model/stability.stable-fast-upscale-v1:0",
        },
        {
            "arn:${AWS::Partition}:bedrock:us-west-2:${AWS::AccountId}:inference-profile/"
            "us.stability.stable-fast-upscale-v1:0"
        },
    )
    # The text-to-image model stays in ENABLED_MODELS, but nothing calls it: no right to.
    assert _foundation_model("core") not in json.dumps(fast.role_statements(function))


@pytest.mark.parametrize("handler", HANDLERS)
def test_images_alone_allows_the_enabled_models_and_no_service(handler):
    images = synth({"imagegen:enabledOperations": ["images"], "imagegen:enabledModels": ["ultra", "core"]})
    function = images.function(handler)[1]

    assert _bedrock(images, function) == {_foundation_model("ultra"), _foundation_model("core")}
    assert _routed(images, function) == (set(), set())


def test_a_stack_in_another_region_still_calls_the_models_where_bedrock_serves_them():
    elsewhere = synth_now(env=Environment(account="111122223333", region="eu-west-1"))

    in_us_west_2 = re.compile(
        r"arn:(aws|\$\{AWS::Partition\}):bedrock:us-west-2:(|\$\{AWS::AccountId\}|111122223333):"
        r"(foundation-model|inference-profile)/(us\.)?stability\.\S+"
    )
    for handler in HANDLERS:
        function = elsewhere.function(handler)[1]
        resources = _bedrock(elsewhere, function)
        assert resources, handler
        assert all(in_us_west_2.fullmatch(resource) for resource in resources), resources
        assert function["Environment"]["Variables"]["BEDROCK_REGION"] == "us-west-2"
        statements = [s for s in elsewhere.role_statements(function) if "bedrock:InvokeModel" in s["Action"]]
        assert "eu-west-1" not in json.dumps(statements)


@pytest.mark.parametrize("handler", HANDLERS)
def test_an_inference_profile_allows_the_profiles_and_only_through_them_the_models_where_they_route(
    inference_profile, handler
):
    function = inference_profile.function(handler)[1]
    profiles, routed, condition = _through_us_profile([*PROFILE_ALIASES, *SERVICES], "us-east-1")

    # Without a condition: the profiles in the Bedrock region, and no foundation model at all.
    assert _bedrock(inference_profile, function) == profiles
    # The model in each region the profile routes to, named explicitly (no region wildcard),
    # only through this deployment's profiles.
    assert _routed(inference_profile, function) == (routed, condition)


def test_a_region_served_only_through_a_profile_calls_the_model_through_it():
    with with_us_profiles("core"):
        through = synth_now({"imagegen:bedrockRegion": "us-east-2"})

    function = through.function(API_HANDLER)[1]
    assert _bedrock(through, function) == {_profile("us.", alias, "us-east-2") for alias in ("core", *SERVICES)}
    assert function["Environment"]["Variables"]["BEDROCK_REGION"] == "us-east-2"
    assert function["Environment"]["Variables"]["MODEL_ID_PREFIX"] == ""


def test_no_bedrock_action_but_invoke_model(any_deployment):
    for handler in (API_HANDLER, WORKER_HANDLER):
        statements = any_deployment.role_statements(any_deployment.function(handler)[1])
        actions = {a for s in statements for a in any_deployment.as_list(s["Action"]) if a.startswith("bedrock:")}
        assert actions == {"bedrock:InvokeModel"}


def _by_service(synth, handler, service):
    bucket = synth.logical_id(synth.stack.storage.bucket)
    pairs = {
        (action, resource.replace(f"${{{bucket}.Arn}}", "bucket"))
        for action, resource in synth.allowed(synth.function(handler)[1])
        if action.startswith(f"{service}:")
    }
    return pairs


def test_s3_rights_cover_only_the_prefixes_each_function_uses(default):
    images = {
        ("s3:PutObject", "bucket/images/*"),
        ("s3:GetObject", "bucket/images/*"),
        ("s3:DeleteObject", "bucket/images/*"),
    }

    # The API signs upload forms (S3 checks PutObject under uploads/ against its role) and reads
    # uploads; it keeps an API job's inline images under inputs/, which only the worker reads.
    assert _by_service(default, API_HANDLER, "s3") == images | {
        ("s3:PutObject", "bucket/uploads/*"),
        ("s3:GetObject", "bucket/uploads/*"),
        ("s3:PutObject", "bucket/inputs/*"),
    }
    # The worker only reads the images a job names.
    assert _by_service(default, WORKER_HANDLER, "s3") == images | {
        ("s3:GetObject", "bucket/requests/*"),
        ("s3:PutObject", "bucket/results/*"),
        ("s3:GetObject", "bucket/uploads/*"),
        ("s3:GetObject", "bucket/inputs/*"),
    }


def test_table_rights_are_item_level_on_the_jobs_table(default):
    table = f"${{{default.logical_id(default.stack.jobs.table)}.Arn}}"

    assert _by_service(default, API_HANDLER, "dynamodb") == {
        *((f"dynamodb:{action}", table) for action in ("GetItem", "PutItem", "UpdateItem", "DeleteItem")),
        ("dynamodb:Query", f"{table}/index/by-owner"),  # GET /jobs: the owner index only, never a Scan
    }
    assert _by_service(default, WORKER_HANDLER, "dynamodb") == {
        (f"dynamodb:{action}", table) for action in ("GetItem", "PutItem", "UpdateItem")
    }


def test_the_api_sends_jobs_and_the_worker_consumes_them_and_publishes_events(default):
    queue = f"${{{default.logical_id(default.stack.jobs.queue)}.Arn}}"
    bus = f"${{{default.logical_id(default.stack.jobs.event_bus)}.Arn}}"
    api_sqs = {action for action, _ in _by_service(default, API_HANDLER, "sqs")}
    worker_sqs = {action for action, _ in _by_service(default, WORKER_HANDLER, "sqs")}

    assert "sqs:SendMessage" in api_sqs
    assert not {"sqs:ReceiveMessage", "sqs:DeleteMessage"} & api_sqs
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= worker_sqs
    assert {resource for _, resource in _by_service(default, WORKER_HANDLER, "sqs")} == {queue}
    assert _by_service(default, WORKER_HANDLER, "events") == {("events:PutEvents", bus)}
    assert _by_service(default, API_HANDLER, "events") == set()


@pytest.mark.parametrize("handler", [API_HANDLER, WORKER_HANDLER])
def test_a_function_writes_only_its_own_log_group(default, handler):
    _, function = default.function(handler)
    log_group = function["LoggingConfig"]["LogGroup"]["Ref"]

    assert _by_service(default, handler, "logs") == {
        ("logs:CreateLogStream", f"${{{log_group}.Arn}}"),
        ("logs:PutLogEvents", f"${{{log_group}.Arn}}"),
    }


def test_no_allow_statement_anywhere_has_a_wildcard_action(any_deployment):
    for logical_id, document in any_deployment.policy_documents():
        for statement in document["Statement"]:
            actions = any_deployment.as_list(statement.get("Action", []))
            if statement["Effect"] == "Allow":
                assert not [a for a in actions if "*" in a], f"wildcard action in {logical_id}: {statement}"
            else:
                # The only denials: TLS enforcement, which must cover every action.
                assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, logical_id


def test_only_xray_is_granted_on_every_resource(any_deployment):
    for logical_id, document in any_deployment.policy_documents():
        for statement in document["Statement"]:
            if statement["Effect"] == "Allow" and "*" in any_deployment.as_list(statement.get("Resource", [])):
                assert set(statement["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, logical_id


def test_roles_can_be_assumed_only_by_their_service(default):
    principals = {
        logical_id: role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
        for logical_id, role in default.resources("AWS::IAM::Role").items()
    }

    # The functions' roles only: no API Gateway CloudWatch role (execution logging is off).
    assert sorted(principals.values()) == ["lambda.amazonaws.com", "lambda.amazonaws.com"]


# IAM's quotas, counted without whitespace: a role's inline policies together, and each managed
# policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
INLINE_POLICIES_PER_ROLE = 10_240
MANAGED_POLICY = 6_144
# What CloudFormation puts in place of the template's references, at their longest.
_DEPLOYED = {
    "${AWS::Partition}": "aws-us-gov",
    "${AWS::AccountId}": "123456789012",
    "${AWS::Region}": "ap-southeast-3",
}


def _deployed_size(document: dict) -> int:
    """The policy's length as IAM counts it, its references replaced by what they become (a
    bucket, table or queue reference by a name of CloudFormation's longest, 63 characters)."""

    def resolve(value):
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
            text = render(value)
            for reference, replacement in _DEPLOYED.items():
                text = text.replace(reference, replacement)
            return re.sub(r"\$\{[^}]+\}", "x" * 63, text)
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    return len(re.sub(r"\s", "", json.dumps(resolve(document), separators=(",", ":"))))


def test_every_policy_fits_iams_size_quotas_with_every_operation_enabled(any_deployment):
    # Every Image Service's profile and its three routed models: CDK moves what does not fit in
    # the role's default policy to managed policies of the stack, each within IAM's quota.
    template = any_deployment.template["Resources"]
    inline: dict[str, int] = {}
    for resource in template.values():
        if resource["Type"] == "AWS::IAM::Policy":
            for role in resource["Properties"]["Roles"]:
                inline[render(role)] = inline.get(render(role), 0) + _deployed_size(
                    resource["Properties"]["PolicyDocument"]
                )
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            assert _deployed_size(resource["Properties"]["PolicyDocument"]) <= MANAGED_POLICY
    assert inline and max(inline.values()) <= INLINE_POLICIES_PER_ROLE
