"""The events and context AWS Lambda hands to the handlers, built for local runs and tests:
an API Gateway REST proxy event from an HTTP request, and an SQS batch from received messages."""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# The access key id of a SigV4 signature: the first part of its credential scope
# (<key id>/<date>/<region>/<service>/aws4_request), in the Authorization header or, presigned,
# in the X-Amz-Credential query parameter.
_AUTHORIZATION_CREDENTIAL = re.compile(r"^\s*AWS4-HMAC-SHA256\s+(?:.*[\s,])?Credential=([^/,\s]+)/", re.IGNORECASE)
_IDENTITY_FIELDS = (
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "apiKey",
    "apiKeyId",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "user",
)


@dataclass
class LambdaContext:
    """Mirrors the attributes of the context object the Lambda runtime passes."""

    function_name: str
    timeout_seconds: float = 29.0
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _last(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in pairs if key.lower() == name.lower()]
    return values[-1] if values else None


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key, value in pairs:
        result.setdefault(key, []).append(value)
    return result


def sigv4_access_key(headers: list[tuple[str, str]], query_pairs: list[tuple[str, str]]) -> str | None:
    """The access key id a request is signed with (header or presigned form), or None if unsigned.
    Like the local S3 and unlike API Gateway, the signature itself is not checked."""
    for name, value in headers:
        if name.lower() == "authorization" and (match := _AUTHORIZATION_CREDENTIAL.match(value)):
            return match.group(1)
    for name, value in query_pairs:
        if name.lower() == "x-amz-credential" and (key_id := value.split("/", 1)[0].strip()):
            return key_id
    return None


_PARAMETERS = ("Credential", "Signature", "SignedHeaders")


def _scope_problem(credential: str) -> str | None:
    scope = credential.split("/")
    if len(scope) != 5 or not scope[0] or scope[4] != "aws4_request":
        return "Credential should be scoped to a valid key id, date, region and service."
    if scope[3] != "execute-api":
        return "Credential should be scoped to correct service: 'execute-api'."
    if scope[2] != REGION:
        return f"Credential should be scoped to a valid region, not '{scope[2]}'."
    return None


def sigv4_problem(headers: list[tuple[str, str]], query_pairs: list[tuple[str, str]]) -> str | None:
    """Why API Gateway's IAM authorization would refuse the request's signature outright (it answers
    403), or None: an unsigned request, or one signed in due form. The form is checked as API
    Gateway checks it (parameters, credential scope, a date); the signature itself is not."""
    names = {name.lower() for name, _ in headers}
    authorizations = [value for name, value in headers if name.lower() == "authorization"]
    if authorizations:
        algorithm, _, rest = authorizations[-1].strip().partition(" ")
        parameters = dict(
            part.strip().split("=", 1) for part in rest.split(",") if "=" in part and part.strip().split("=", 1)[1]
        )
        missing = [
            f"Authorization header requires '{name}' parameter." for name in _PARAMETERS if name not in parameters
        ]
        if algorithm != "AWS4-HMAC-SHA256" or missing:
            return " ".join(missing) or "Unsupported Authorization header: sign with AWS4-HMAC-SHA256."
        if not names & {"x-amz-date", "date"}:
            return "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        return _scope_problem(parameters["Credential"])
    query = {name.lower(): value for name, value in query_pairs}
    if "x-amz-credential" in query:
        required = ("X-Amz-Algorithm", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")
        missing = [name for name in required if not query.get(name.lower())]
        if missing:
            return f"The presigned request lacks {', '.join(missing)}."
        if query["x-amz-algorithm"] != "AWS4-HMAC-SHA256":
            return "Unsupported X-Amz-Algorithm: sign with AWS4-HMAC-SHA256."
        return _scope_problem(query["x-amz-credential"])
    return None


def principal_id(access_key: str) -> str:
    """A stable unique id for the local IAM user named by `access_key`, shaped like the ones IAM
    gives users (AIDA + 17 characters), as API Gateway puts it in `caller` and `user`."""
    digest = base64.b32encode(hashlib.sha256(access_key.encode()).digest()).decode()
    return "AIDA" + digest[:17]


def caller_identity(
    headers: list[tuple[str, str]], query_pairs: list[tuple[str, str]], *, source_ip: str, user_agent: str | None
) -> dict[str, Any]:
    """`requestContext.identity` as API Gateway's IAM authorizer sets it: for a signed request, the
    IAM user `arn:aws:iam::<account>:user/<access key id>` of the local account; for an unsigned
    one, an anonymous caller (every field null except the source IP and user agent)."""
    identity: dict[str, Any] = dict.fromkeys(_IDENTITY_FIELDS)
    identity.update(sourceIp=source_ip, userAgent=user_agent)
    if (access_key := sigv4_access_key(headers, query_pairs)) is not None:
        principal = principal_id(access_key)
        identity.update(
            accountId=ACCOUNT_ID,
            caller=principal,
            user=principal,
            userArn=f"arn:aws:iam::{ACCOUNT_ID}:user/{access_key}",
            accessKey=access_key,
        )
    return identity


def api_gateway_event(
    *,
    method: str,
    path: str,
    headers: list[tuple[str, str]] | None = None,
    query: str = "",
    body: bytes | None = None,
    source_ip: str = "127.0.0.1",
    stage: str = "local",
) -> dict[str, Any]:
    """An API Gateway REST API (v1) Lambda proxy event, as API Gateway builds it.
    Bodies that are not UTF-8 text arrive base64-encoded, as with binary media types. The caller
    is identified from the request's SigV4 signature, as with IAM authorization (see caller_identity)."""
    header_pairs = headers or []
    query_pairs = [(k, v) for k, values in parse_qs(query, keep_blank_values=True).items() for v in values]
    multi_headers, multi_query = _multi(header_pairs), _multi(query_pairs)
    is_base64 = False
    text_body: str | None = None
    if body is not None:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode(), True
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": path,
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": "localhost",
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": caller_identity(
                header_pairs, query_pairs, source_ip=source_ip, user_agent=_last(header_pairs, "User-Agent")
            ),
            "domainName": "localhost",
            "apiId": "local",
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def sqs_event(messages: list[dict[str, Any]], *, queue_arn: str) -> dict[str, Any]:
    """The batch the Lambda SQS event source hands the function, from ReceiveMessage results
    (received with AttributeNames=["All"] and MessageAttributeNames=["All"])."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value["DataType"],
                    }
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }
