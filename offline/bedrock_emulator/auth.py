"""The credential check AWS's front door makes before Bedrock Runtime runs an operation."""

from __future__ import annotations

from .errors import BedrockError

SIGNING_NAME = "bedrock"
# The region a Bedrock API key (bearer token) calls: real clients reach the regional
# endpoint named in the URL, which the emulator, on its own address, cannot see.
API_KEY_REGION = "us-west-2"
_SIGV4 = "AWS4-HMAC-SHA256"
_SIGV4_PARAMETERS = ("Credential", "SignedHeaders", "Signature")


def check_authorization(header: str | None) -> str:
    """Accept a SigV4 header scoped to bedrock, or a Bedrock API key (bearer token), and
    return the region the request is for: the SigV4 credential scope's region, as a real
    regional endpoint would serve it, or API_KEY_REGION for an API key.

    Signatures are not verified: the emulator has no secret to check them against.
    The error types are those AWS answers before any operation runs, all 403 as
    rest-json services send them: MissingAuthenticationTokenException when there is
    no Authorization header (an unsigned request), IncompleteSignatureException when
    it is not a complete SigV4 header, InvalidSignatureException when its credential
    scope is wrong (a client signing for another service). UnrecognizedClientException
    would mean an unknown access key, which the emulator cannot judge.
    """
    if not header or not header.strip():
        raise BedrockError("MissingAuthenticationTokenException", "Missing Authentication Token")
    scheme, _, params = header.strip().partition(" ")
    # botocore sends a Bedrock API key as a bearer token when AWS_BEARER_TOKEN_BEDROCK is set.
    if scheme == "Bearer" and params.strip():
        return API_KEY_REGION
    parts = dict(part.strip().partition("=")[::2] for part in params.split(",")) if scheme == _SIGV4 else {}
    missing = [name for name in _SIGV4_PARAMETERS if not parts.get(name)]
    if missing:
        raise BedrockError(
            "IncompleteSignatureException",
            " ".join(f"Authorization header requires '{name}' parameter." for name in missing),
            status=403,
        )
    # Credential=<access key>/<date>/<region>/<service>/aws4_request
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not all(scope):
        raise BedrockError(
            "InvalidSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.",
        )
    if scope[3] != SIGNING_NAME:
        raise BedrockError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{SIGNING_NAME}'."
        )
    return scope[2]
