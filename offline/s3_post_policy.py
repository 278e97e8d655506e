"""S3's checks of browser-based uploads (POST Object with a SigV4 POST policy), in front of the
local moto server, which stores whatever it is posted. Without them, an upload the real bucket
would refuse (a policy signed wrong, expired, or whose conditions the form does not meet) would
pass locally.

What S3 does, and what is reproduced here (Amazon S3 API Reference, "POST Policy" and "Browser-based
uploads using POST"; the answers' wording as S3 gives it, seen in public reports):
- the signature is HMAC-SHA256 of the base64 `policy` field, keyed with the SigV4 signing key of
  the secret of `x-amz-credential`'s access key and scope: unknown key 403 InvalidAccessKeyId,
  wrong signature 403 SignatureDoesNotMatch;
- past its `expiration`, 403 AccessDenied "Invalid according to Policy: Policy expired.";
- each condition (`{"field": value}`, `["eq", "$field", value]`, `["starts-with", "$field",
  prefix]`) must hold, a field the form lacks failing it: 403 AccessDenied "Invalid according to
  Policy: Policy Condition failed: [...]"; `bucket` is the bucket posted to;
- each form field needs a condition, except x-amz-signature, file, policy and x-ignore-*: 403
  AccessDenied "Invalid according to Policy: Extra input fields: <field>";
- `["content-length-range", min, max]` bounds the file's size: 400 EntityTooLarge / EntityTooSmall;
- fields after the file are ignored; `key` and the file are required (400 InvalidArgument);
- success: 204 with no body, or the `success_action_status` asked for (200, or 201 with a
  PostResponse document); ETag and Location headers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from werkzeug.http import parse_options_header

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

EXEMPT_FIELDS = frozenset({"x-amz-signature", "file", "policy"})
IGNORED_FIELD_PREFIX = "x-ignore-"
SIGNING_FIELDS = ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
SUCCESS_STATUSES = frozenset({"200", "201", "204"})
# A bucket addressed virtual-host style: <bucket>.s3.<region>.amazonaws.com or <bucket>.localhost.
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.(?:s3[.-][^:]*|localhost)(?::\d+)?$")
_PATH_BUCKET = re.compile(r"^/(?P<bucket>[a-z0-9][a-z0-9.-]*)/?$")


class Refusal(Exception):
    """An upload S3 refuses, with the status, error code, message and details it answers."""

    def __init__(self, status: HTTPStatus, code: str, message: str, **details: str | int):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _policy_refusal(reason: str) -> Refusal:
    return Refusal(HTTPStatus.FORBIDDEN, "AccessDenied", f"Invalid according to Policy: {reason}")


def _missing_field(name: str) -> Refusal:
    message = (
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields."
    )
    return Refusal(HTTPStatus.BAD_REQUEST, "InvalidArgument", message, ArgumentName=name, ArgumentValue="")


@dataclass
class PostForm:
    """The form as S3 reads it: the fields before the file (names are case-insensitive; the first
    of a repeated name counts), in order, and the file's content."""

    fields: dict[str, str] = field(default_factory=dict)
    file: bytes | None = None


def parse_form(body: bytes, content_type: str) -> PostForm:
    _, options = parse_options_header(content_type)
    if not (boundary := options.get("boundary")):
        raise Refusal(HTTPStatus.BAD_REQUEST, "MalformedPOSTRequest", _MALFORMED)
    form = PostForm()
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, separator, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise Refusal(HTTPStatus.BAD_REQUEST, "MalformedPOSTRequest", _MALFORMED)
        content = content.removesuffix(b"\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for line in head.decode("latin-1").split("\r\n")
            if ":" in line
            for name, value in [line.split(":", 1)]
        )
        _, disposition = parse_options_header(headers.get("content-disposition", ""))
        name = disposition.get("name", "").lower()
        if name == "file":
            form.file = content
            break  # S3 ignores whatever follows the file
        form.fields.setdefault(name, content.decode("utf-8", "replace"))
    return form


_MALFORMED = "The body of your POST request is not well-formed multipart/form-data."


def signature(secret: str, credential_scope: list[str], policy: str) -> str:
    """SigV4's POST signature: the policy (as sent, base64) signed with the scope's signing key."""
    key = ("AWS4" + secret).encode()
    for part in credential_scope:  # date, region, service, "aws4_request"
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()


def _check_signature(fields: Mapping[str, str], secrets_by_key: Mapping[str, str]) -> None:
    access_key, *scope = fields["x-amz-credential"].split("/")
    if (secret := secrets_by_key.get(access_key)) is None:
        message = "The AWS Access Key Id you provided does not exist in our records."
        raise Refusal(HTTPStatus.FORBIDDEN, "InvalidAccessKeyId", message, AWSAccessKeyId=access_key)
    provided = fields["x-amz-signature"]
    if len(scope) != 4 or not hmac.compare_digest(signature(secret, scope, fields["policy"]), provided):
        raise Refusal(
            HTTPStatus.FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            AWSAccessKeyId=access_key,
            StringToSign=fields["policy"],
            SignatureProvided=provided,
        )


def _decode_policy(policy: str) -> tuple[datetime, list[Any]]:
    invalid = Refusal(HTTPStatus.BAD_REQUEST, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise invalid from exc
    if not isinstance(document, dict) or not isinstance(conditions := document.get("conditions", []), list):
        raise invalid
    if "expiration" not in document:
        raise Refusal(HTTPStatus.BAD_REQUEST, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    try:
        expiration = datetime.fromisoformat(str(document["expiration"]))
    except ValueError as exc:
        message = "Invalid Policy: Invalid 'expiration' value: " + json.dumps(document["expiration"])
        raise Refusal(HTTPStatus.BAD_REQUEST, "InvalidPolicyDocument", message) from exc
    return expiration if expiration.tzinfo else expiration.replace(tzinfo=UTC), conditions


def _normalized(condition: Any) -> list[Any]:
    """[operator, "$field", value], or ["content-length-range", min, max]."""
    if isinstance(condition, dict) and len(condition) == 1:
        [(name, value)] = condition.items()
        return ["eq", "$" + name, str(value)]
    if isinstance(condition, list) and len(condition) == 3:
        operator = str(condition[0]).lower()
        if operator == "content-length-range" and all(isinstance(n, int) for n in condition[1:]):
            return [operator, *condition[1:]]
        if operator in ("eq", "starts-with") and str(condition[1]).startswith("$"):
            return [operator, condition[1], str(condition[2])]
    message = "Invalid Policy: Invalid Condition: " + json.dumps(condition)
    raise Refusal(HTTPStatus.BAD_REQUEST, "InvalidPolicyDocument", message)


def check(form: PostForm, *, bucket: str, secrets_by_key: Mapping[str, str], now: datetime) -> None:
    """Raises the Refusal S3 would answer to `form` posted to `bucket`, or returns if S3 takes it."""
    fields = form.fields
    if "policy" not in fields and "x-amz-signature" not in fields:
        raise Refusal(HTTPStatus.FORBIDDEN, "AccessDenied", "Access Denied")  # anonymous: the bucket is private
    for name in ("key", "policy", *SIGNING_FIELDS):
        if name not in fields:
            raise _missing_field(name)
    if form.file is None:
        message = "POST requires exactly one file upload per request."
        raise Refusal(HTTPStatus.BAD_REQUEST, "InvalidArgument", message, ArgumentName="file", ArgumentValue=0)
    _check_signature(fields, secrets_by_key)
    expiration, conditions = _decode_policy(fields["policy"])
    if now >= expiration:
        raise _policy_refusal("Policy expired.")
    covered: set[str] = set()
    ranges = []
    for condition in map(_normalized, conditions):
        if condition[0] == "content-length-range":
            ranges.append(condition[1:])
            continue
        operator, name, expected = condition
        name = name[1:].lower()
        covered.add(name)
        actual = bucket if name == "bucket" else fields.get(name)
        if actual is None or not (actual == expected if operator == "eq" else actual.startswith(expected)):
            raise _policy_refusal("Policy Condition failed: " + json.dumps(condition))
    extra = [n for n in fields if n not in covered | EXEMPT_FIELDS and not n.startswith(IGNORED_FIELD_PREFIX)]
    if extra:
        raise _policy_refusal("Extra input fields: " + extra[0])
    size = len(form.file)
    for low, high in ranges:
        if size > high:
            message = "Your proposed upload exceeds the maximum allowed size"
            raise Refusal(HTTPStatus.BAD_REQUEST, "EntityTooLarge", message, ProposedSize=size, MaxSizeAllowed=high)
        if size < low:
            message = "Your proposed upload is smaller than the minimum allowed size"
            raise Refusal(HTTPStatus.BAD_REQUEST, "EntityTooSmall", message, ProposedSize=size, MinSizeAllowed=low)


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def _xml(root: str, elements: Mapping[str, Any]) -> bytes:
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in elements.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{inner}</{root}>'.encode()


class PostPolicyEnforcer:
    """WSGI middleware: browser-style POSTs to a bucket are checked as S3 checks them; everything
    else, and every POST S3 would take (its body unchanged), goes to `app`."""

    def __init__(self, app: WsgiApp, secrets_by_key: Mapping[str, str], clock: Callable[[], datetime] | None = None):
        self.app = app
        self.secrets_by_key = dict(secrets_by_key)
        self.clock = clock or (lambda: datetime.now(UTC))

    @staticmethod
    def posted_bucket(environ: Mapping[str, Any]) -> str | None:
        """The bucket a browser-style upload is posted to, or None for any other request."""
        content_type = environ.get("CONTENT_TYPE", "")
        if environ.get("REQUEST_METHOD") != "POST" or not content_type.lower().startswith("multipart/form-data"):
            return None
        if environ.get("QUERY_STRING") or not environ.get("CONTENT_LENGTH"):
            return None  # an API call, or a POST without a length: moto answers it
        path = environ.get("PATH_INFO", "")
        if virtual := _VIRTUAL_HOST.match(environ.get("HTTP_HOST", "").lower()):
            return virtual["bucket"] if path in ("", "/") else None
        return match["bucket"] if (match := _PATH_BUCKET.match(path)) else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (bucket := self.posted_bucket(environ)) is None:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            form = parse_form(body, environ["CONTENT_TYPE"])
            check(form, bucket=bucket, secrets_by_key=self.secrets_by_key, now=self.clock())
        except Refusal as refusal:
            details = {"Code": refusal.code, "Message": refusal.message, **refusal.details}
            details.update(RequestId=secrets.token_hex(8).upper(), HostId=base64.b64encode(secrets.token_bytes(48)))
            payload = _xml("Error", {k: v.decode() if isinstance(v, bytes) else v for k, v in details.items()})
            headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(payload)))]
            start_response(_status_line(refusal.status), headers + self._cors(environ))
            return [payload]
        return self._stored(environ, start_response, form, bucket)

    @staticmethod
    def _cors(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
        # As moto's own answers carry it (the local bucket lets any origin post).
        return [("Access-Control-Allow-Origin", "*")] if environ.get("HTTP_ORIGIN") else []

    def _stored(
        self, environ: dict[str, Any], start_response: Callable[..., Any], form: PostForm, bucket: str
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            answer.update(status=status, headers=headers)
            return lambda _: None

        result = self.app(environ, capture)
        try:
            moto_body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if not answer["status"].startswith("2"):  # moto refused it: its answer stands
            start_response(answer["status"], answer["headers"])
            return [moto_body]
        key = form.fields["key"]
        location = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}/{bucket}/{quote(key)}"
        etag = '"' + hashlib.md5(form.file or b"", usedforsecurity=False).hexdigest() + '"'
        headers = [(k, v) for k, v in answer["headers"] if k.lower() not in ("content-length", "content-type")]
        headers += [("ETag", etag), ("Location", location)]
        if form.fields.get("success_action_redirect"):
            start_response(answer["status"], answer["headers"])
            return [moto_body]
        status = form.fields.get("success_action_status")
        status = status if status in SUCCESS_STATUSES else "204"
        payload = b""
        if status == "201":
            payload = _xml("PostResponse", {"Location": location, "Bucket": bucket, "Key": key, "ETag": etag})
            headers.append(("Content-Type", "application/xml"))
        start_response(_status_line(int(status)), [*headers, ("Content-Length", str(len(payload)))])
        return [payload]
