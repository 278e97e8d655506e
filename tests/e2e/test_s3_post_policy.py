"""Browser-style uploads to the local bucket, presigned by boto3's own generate_presigned_post as
the service presigns them, are refused by the local moto server exactly where S3 refuses them:
a green offline run cannot hide a POST policy that S3 would not honour."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from offline.aws_services import CREDENTIALS, Resources, provision, start_moto

OWNER = "arn:aws:iam::123456789012:user/alice"
KEY = "uploads/0f6c1c1e-upload"
MAX_BYTES = 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56


@pytest.fixture(scope="module")
def resources() -> Iterator[Resources]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_moto("127.0.0.1", port)
    try:
        r = Resources(endpoint_url=f"http://127.0.0.1:{port}")
        provision(r)
        yield r
    finally:
        server.stop()


def s3_client(resources: Resources, **credentials: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=resources.endpoint_url,
        region_name="us-east-1",
        config=Config(signature_version="s3v4"),
        **(credentials or CREDENTIALS),
    )


def presign(
    resources: Resources,
    *,
    key: str = KEY,
    content_type: list[Any] | None = None,
    fields: dict[str, str] | None = None,
    conditions: list[Any] | None = None,
    expires_in: int = 600,
    **credentials: str,
) -> dict[str, Any]:
    """A presigned POST as POST /uploads answers it: the exact key, a size range, a content type
    and the owner's metadata."""
    type_condition = content_type or ["eq", "$Content-Type", "image/png"]
    return s3_client(resources, **credentials).generate_presigned_post(
        resources.bucket,
        key,
        Fields={"Content-Type": "image/png", "x-amz-meta-owner": OWNER, **(fields or {})},
        Conditions=[
            ["content-length-range", 1, MAX_BYTES],
            type_condition,
            {"x-amz-meta-owner": OWNER},
            *(conditions or []),
        ],
        ExpiresIn=expires_in,
    )


def upload(post: dict[str, Any], content: bytes = PNG, **changes: str | None) -> requests.Response:
    """Posts the file as a browser form does (fields first, the file last), with `changes` to the
    fields (None drops one)."""
    fields = {**post["fields"], **changes}
    data = {name: value for name, value in fields.items() if value is not None}
    return requests.post(post["url"], data=data, files={"file": ("image.png", content, "image/png")}, timeout=30)


def error(response: requests.Response) -> dict[str, str]:
    assert response.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text or "" for child in root}


def stored(resources: Resources, key: str = KEY) -> bool:
    return s3_client(resources).list_objects_v2(Bucket=resources.bucket, Prefix=key).get("KeyCount", 0) > 0


@pytest.fixture(autouse=True)
def empty_uploads(resources: Resources) -> None:
    s3 = s3_client(resources)
    for item in s3.list_objects_v2(Bucket=resources.bucket, Prefix="uploads/").get("Contents", []):
        s3.delete_object(Bucket=resources.bucket, Key=item["Key"])


def test_an_accepted_upload_is_stored_with_its_metadata_and_content_type(resources):
    response = upload(presign(resources))
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["ETag"] == '"' + hashlib.md5(PNG).hexdigest() + '"'
    assert response.headers["Location"].endswith(f"/{resources.bucket}/{KEY}")
    head = s3_client(resources).head_object(Bucket=resources.bucket, Key=KEY)
    assert head["ContentType"] == "image/png"
    assert head["Metadata"] == {"owner": OWNER}
    assert head["ContentLength"] == len(PNG)


def test_a_content_type_prefix_condition_takes_any_image_type(resources):
    post = presign(resources, content_type=["starts-with", "$Content-Type", "image/"])
    assert upload(post, **{"Content-Type": "image/webp"}).status_code == 204
    assert s3_client(resources).head_object(Bucket=resources.bucket, Key=KEY)["ContentType"] == "image/webp"


@pytest.mark.parametrize("status", ["200", "201"])
def test_success_action_status_is_honoured_as_s3_does(resources, status):
    post = presign(resources, fields={"success_action_status": status}, conditions=[{"success_action_status": status}])
    response = upload(post)
    assert response.status_code == int(status)
    if status == "200":
        assert response.content == b""
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "PostResponse"
        assert {child.tag: child.text for child in root} == {
            "Location": response.headers["Location"],
            "Bucket": resources.bucket,
            "Key": KEY,
            "ETag": response.headers["ETag"],
        }


def test_a_file_over_the_limit_is_entity_too_large(resources):
    response = upload(presign(resources), content=b"x" * (MAX_BYTES + 1))
    assert response.status_code == 400
    body = error(response)
    assert body["Code"] == "EntityTooLarge"
    assert body["Message"] == "Your proposed upload exceeds the maximum allowed size"
    assert (body["ProposedSize"], body["MaxSizeAllowed"]) == (str(MAX_BYTES + 1), str(MAX_BYTES))
    assert not stored(resources)


def test_an_empty_file_is_entity_too_small(resources):
    response = upload(presign(resources), content=b"")
    assert response.status_code == 400
    body = error(response)
    assert (body["Code"], body["ProposedSize"], body["MinSizeAllowed"]) == ("EntityTooSmall", "0", "1")
    assert not stored(resources)


def assert_condition_failed(response: requests.Response, condition: list[Any]) -> None:
    assert response.status_code == 403
    body = error(response)
    assert body["Code"] == "AccessDenied"
    assert body["Message"] == f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}"


def test_a_wrong_content_type_fails_its_condition(resources):
    response = upload(presign(resources), **{"Content-Type": "text/html"})
    assert_condition_failed(response, ["eq", "$Content-Type", "image/png"])
    prefixed = presign(resources, content_type=["starts-with", "$Content-Type", "image/"])
    assert_condition_failed(
        upload(prefixed, **{"Content-Type": "text/html"}), ["starts-with", "$Content-Type", "image/"]
    )
    assert not stored(resources)


def test_a_changed_key_fails_its_condition(resources):
    response = upload(presign(resources), key="uploads/someone-elses")
    assert_condition_failed(response, ["eq", "$key", KEY])
    assert not stored(resources, "uploads/")


def test_a_missing_owner_field_fails_its_condition(resources):
    response = upload(presign(resources), **{"x-amz-meta-owner": None})
    assert_condition_failed(response, ["eq", "$x-amz-meta-owner", OWNER])
    assert_condition_failed(
        upload(presign(resources), **{"x-amz-meta-owner": "mallory"}), ["eq", "$x-amz-meta-owner", OWNER]
    )
    assert not stored(resources)


def test_another_bucket_fails_the_bucket_condition(resources):
    post = presign(resources)
    post["url"] = post["url"].rsplit("/", 1)[0] + "/another-bucket"
    assert_condition_failed(upload(post), ["eq", "$bucket", resources.bucket])


def test_a_field_no_condition_covers_is_refused_except_x_ignore_ones(resources):
    response = upload(presign(resources), **{"x-amz-meta-owner-2": "mallory"})
    assert response.status_code == 403
    body = error(response)
    assert (body["Code"], body["Message"]) == (
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-owner-2",
    )
    assert not stored(resources)
    assert upload(presign(resources), **{"x-ignore-note": "anything"}).status_code == 204


def test_an_expired_policy_is_refused(resources):
    response = upload(presign(resources, expires_in=-1))
    assert response.status_code == 403
    assert error(response)["Message"] == "Invalid according to Policy: Policy expired."
    assert not stored(resources)


def assert_signature_does_not_match(response: requests.Response, policy: str) -> None:
    assert response.status_code == 403
    body = error(response)
    assert body["Code"] == "SignatureDoesNotMatch"
    assert body["Message"].startswith("The request signature we calculated does not match the signature you provided.")
    assert (body["AWSAccessKeyId"], body["StringToSign"]) == (CREDENTIALS["aws_access_key_id"], policy)


def test_a_tampered_policy_no_longer_matches_its_signature(resources):
    post = presign(resources)
    document = json.loads(base64.b64decode(post["fields"]["policy"]))
    document["conditions"][0] = ["content-length-range", 1, 10 * MAX_BYTES]
    tampered = base64.b64encode(json.dumps(document).encode()).decode()
    response = upload(post, content=b"x" * (2 * MAX_BYTES), policy=tampered)
    assert_signature_does_not_match(response, tampered)
    assert not stored(resources)


def test_a_bad_signature_is_refused(resources):
    post = presign(resources)
    response = upload(post, **{"x-amz-signature": "0" * 64})
    assert_signature_does_not_match(response, post["fields"]["policy"])
    wrong_secret = presign(resources, aws_access_key_id="testing", aws_secret_access_key="not the secret")
    assert_signature_does_not_match(upload(wrong_secret), wrong_secret["fields"]["policy"])
    assert not stored(resources)


def test_an_unknown_access_key_is_refused(resources):
    post = presign(resources, aws_access_key_id="AKIDUNKNOWN", aws_secret_access_key="x")
    response = upload(post)
    assert response.status_code == 403
    assert (error(response)["Code"], error(response)["AWSAccessKeyId"]) == ("InvalidAccessKeyId", "AKIDUNKNOWN")


def test_a_form_without_a_key_or_unsigned_is_refused(resources):
    response = upload(presign(resources), key=None)
    assert response.status_code == 400
    assert (error(response)["Code"], error(response)["ArgumentName"]) == ("InvalidArgument", "key")
    unsigned = requests.post(
        presign(resources)["url"], data={"key": KEY}, files={"file": ("a.png", PNG, "image/png")}, timeout=30
    )
    assert (unsigned.status_code, error(unsigned)["Code"]) == (403, "AccessDenied")
    assert not stored(resources)


def test_fields_after_the_file_are_ignored_as_s3_ignores_them(resources):
    post = presign(resources)
    boundary = "----form-boundary"
    parts = [(name, value.encode()) for name, value in post["fields"].items()]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in parts
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + b"\r\n"
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="x-unlisted"\r\n\r\nlate\r\n--{boundary}--\r\n'.encode()
    )
    response = requests.post(
        post["url"], data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=30
    )
    assert response.status_code == 204
    assert stored(resources)


def test_the_bucket_lets_browser_pages_post_and_keeps_uploads_for_the_retention_days(resources):
    s3 = s3_client(resources)
    [cors] = s3.get_bucket_cors(Bucket=resources.bucket)["CORSRules"]
    assert "POST" in cors["AllowedMethods"]
    assert cors["AllowedOrigins"] == ["*"]
    rules = {
        rule["Filter"].get("Prefix"): rule
        for rule in s3.get_bucket_lifecycle_configuration(Bucket=resources.bucket)["Rules"]
    }
    for prefix in ("uploads/", "inputs/"):
        assert rules[prefix]["Expiration"] == {"Days": resources.retention_days}
    refused = upload(presign(resources), key="uploads/elsewhere")
    assert refused.headers.get("Access-Control-Allow-Origin") is None
    from_page = requests.post(
        presign(resources)["url"],
        data={"key": KEY},
        files={"file": ("a.png", PNG)},
        headers={"Origin": "http://page"},
        timeout=30,
    )
    assert from_page.headers["Access-Control-Allow-Origin"] == "*"
