"""How the playground server authenticates what it forwards: the browser never holds AWS
credentials, so the server signs each request to the API itself, just before sending it.

The server needs one thing from whoever starts it: a `RequestSigner`, whose `sign` returns the
headers to send. `SigV4Signer` is the one for a deployed API (IAM authorization, service
`execute-api`); an API-key deployment can pass any object whose `sign` adds `x-api-key`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.session import Session

SERVICE = "execute-api"
DEFAULT_REGION = "us-east-1"
# https://{api-id}.execute-api.{region}.amazonaws.com/{stage}: the region is part of the host.
_REGION_IN_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


@runtime_checkable
class RequestSigner(Protocol):
    """Whatever authenticates a forwarded request: given the request as it will be sent, the
    complete headers to send with it (the given ones plus the authentication ones)."""

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]: ...


class _FunctionSigner:
    """A plain function offered as a signer."""

    def __init__(self, function: Callable[[str, str, Mapping[str, str], bytes], Mapping[str, str]]):
        self._function = function

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return dict(self._function(method, url, headers, body))


def region_of(api_url: str, default: str | None = None) -> str:
    """The region an API Gateway URL names in its host, else `default` (else us-east-1)."""
    host = re.sub(r"^[a-z]+://", "", api_url).split("/", 1)[0].split(":", 1)[0]
    match = _REGION_IN_HOST.search(host)
    return match.group(1) if match else (default or DEFAULT_REGION)


class SigV4Signer:
    """SigV4 for API Gateway. Credentials are read afresh for every request, so that temporary
    ones (an assumed role, SSO) that botocore refreshes keep working for a long session."""

    def __init__(self, credentials: Callable[[], ReadOnlyCredentials], region: str, service: str = SERVICE):
        self._credentials = credentials
        self.region = region
        self.service = service

    @classmethod
    def from_keys(cls, access_key: str, secret_key: str, region: str, token: str | None = None) -> SigV4Signer:
        """Fixed keys (the local run's test credentials, or tests)."""
        frozen = Credentials(access_key, secret_key, token).get_frozen_credentials()
        return cls(lambda: frozen, region)

    @classmethod
    def from_default_chain(cls, api_url: str, profile: str | None = None) -> SigV4Signer:
        """The standard AWS credential chain (environment, profile, SSO, instance role), for the
        region the API's URL names (else the profile's region)."""
        session = Session(profile=profile)
        credentials = session.get_credentials()
        if credentials is None:
            raise RuntimeError("No AWS credentials found (environment, profile, SSO or instance role)")
        return cls(credentials.get_frozen_credentials, region_of(api_url, session.get_config_variable("region")))

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        SigV4Auth(self._credentials(), self.service, self.region).add_auth(request)
        return dict(request.headers.items())


def signer_for(client: object | None) -> RequestSigner | None:
    """What `serve` accepts as its `client`: nothing (forward unsigned, as for the local run), an
    object with a `sign(method, url, headers, body) -> headers` method, or such a function."""
    if client is None:
        return None
    if isinstance(client, RequestSigner):
        return client
    if callable(client):
        return _FunctionSigner(client)
    raise TypeError(
        f"{type(client).__name__} cannot sign the playground's requests: pass an object with a "
        "sign(method, url, headers, body) -> headers method (e.g. imagegen_client.playground.SigV4Signer) or None"
    )
