"""The playground's local server, against a fake API: what it forwards, how it signs, and that
nothing of the user's credentials reaches the browser."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from imagegen_client.playground import PlaygroundServer, SigV4Signer, region_of, signer_for

ACCESS_KEY, SECRET_KEY, TOKEN = "AKIDPLAYGROUNDTEST", "secret/of/the/user+42", "session-token-of-the-user"
REGION = "eu-west-1"
# What the page sends that the API reads.
SENT = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": "key-1"}


class _FakeApi(BaseHTTPRequestHandler):
    """Records each request; answers with a body, headers the page needs and headers it must
    never see (the request's own Authorization echoed, a cookie)."""

    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((self.command, self.path, dict(self.headers.items()), body))
        answer = self.server.answer or json.dumps({"id": "x", "images": []}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "3")
        self.send_header("X-Echo-Authorization", self.headers.get("Authorization", ""))
        self.send_header("Set-Cookie", f"token={self.headers.get('X-Amz-Security-Token', '')}")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST


@pytest.fixture
def upstream() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeApi)
    server.received, server.status, server.answer = [], 200, None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _playground(upstream: Any, signer: Any = None, stage: str = "/prod") -> PlaygroundServer:
    server = PlaygroundServer(f"http://127.0.0.1:{upstream.server_address[1]}{stage}", signer=signer)
    server.start()
    return server


@pytest.fixture
def signed(upstream: Any) -> Iterator[PlaygroundServer]:
    server = _playground(upstream, SigV4Signer.from_keys(ACCESS_KEY, SECRET_KEY, REGION, token=TOKEN))
    yield server
    server.stop()


def test_a_forwarded_request_carries_the_sigv4_signature_botocore_computes_for_it(signed, upstream):
    body = b'{"prompt": "A lighthouse", "operation": "images"}'
    response = requests.post(
        f"{signed.url}/api/jobs?note=a%20b",
        data=body,
        headers={**SENT, "Cookie": "session=browser", "User-Agent": "browser"},
        timeout=10,
    )
    assert response.status_code == 200
    [(method, path, headers, received_body)] = upstream.received
    assert (method, path, received_body) == ("POST", "/prod/jobs?note=a%20b", body)
    assert "Cookie" not in headers and headers.get("User-Agent") != "browser"  # the browser's stay here
    # What botocore's SigV4Auth computes for the same request at the same instant.
    expected = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{upstream.server_address[1]}/prod/jobs?note=a%20b",
        headers=SENT,
        data=body,
    )
    signed_at = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), "execute-api", REGION).add_auth(expected)
    assert headers["Authorization"] == expected.headers["Authorization"]
    assert headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert f"/{REGION}/execute-api/aws4_request" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == TOKEN


def test_the_browser_gets_the_answer_but_never_the_credentials(signed, upstream):
    upstream.status, upstream.answer = 429, b'{"error": {"code": "throttled", "message": "Slow down"}}'
    response = requests.post(f"{signed.url}/api/images", json={"prompt": "x"}, timeout=10)
    assert (response.status_code, response.json()["error"]["code"]) == (429, "throttled")
    assert response.headers["Retry-After"] == "3"
    seen = json.dumps(dict(response.headers)) + response.text
    for secret in (ACCESS_KEY, SECRET_KEY, TOKEN, "AWS4-HMAC-SHA256", "Signature="):
        assert secret not in seen
    assert "Set-Cookie" not in response.headers


def test_unsigned_forwarding_sends_no_authorization(upstream):
    server = _playground(upstream, stage="")
    try:
        response = requests.get(f"{server.url}/api/openapi.json", timeout=10)
    finally:
        server.stop()
    assert response.status_code == 200
    [(method, path, headers, _)] = upstream.received
    assert (method, path, "Authorization" in headers) == ("GET", "/openapi.json", False)


def test_requests_from_other_sites_or_names_are_refused_before_anything_is_signed(signed, upstream):
    evil_origin = requests.post(
        f"{signed.url}/api/images", json={"prompt": "x"}, headers={"Origin": "http://evil.example"}, timeout=10
    )
    rebound_host = {"Host": f"evil.example:{signed.port}"}
    rebound = requests.get(f"{signed.url}/api/openapi.json", headers=rebound_host, timeout=10)
    assert evil_origin.status_code == rebound.status_code == 403
    assert evil_origin.json()["error"]["code"] == "forbidden"
    assert upstream.received == []
    own_page = requests.post(
        f"{signed.url}/api/images", json={"prompt": "x"}, headers={"Origin": signed.url}, timeout=10
    )
    assert own_page.status_code == 200


def test_the_page_is_served_and_nothing_outside_it(signed):
    page = requests.get(f"{signed.url}/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    script = requests.get(f"{signed.url}/js/main.js", timeout=10)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    for path in ("/../server.py", "/%2e%2e/server.py", "/js/../../signing.py", "/nothing.html"):
        assert requests.get(f"{signed.url}{path}", timeout=10).status_code == 404


def test_the_upload_relay_posts_only_to_forms_the_api_created(signed, upstream):
    unknown = requests.post(f"{signed.url}/upload/0123", data=b"x", timeout=10)
    assert unknown.status_code == 404 and upstream.received == []
    form_url = f"http://127.0.0.1:{upstream.server_address[1]}/bucket-name"
    upstream.status, upstream.answer = 201, json.dumps({"upload_id": "abc", "url": form_url, "fields": {}}).encode()
    assert requests.post(f"{signed.url}/api/uploads", json={}, timeout=10).status_code == 201
    upstream.status, upstream.answer = 204, b""
    relayed = requests.post(f"{signed.url}/upload/abc", files={"file": ("a.png", b"png")}, timeout=10)
    assert relayed.status_code == 204
    method, path, headers, body = upstream.received[-1]
    assert (method, path, "Authorization" in headers) == ("POST", "/bucket-name", False)
    assert headers["Content-Type"].startswith("multipart/form-data") and b"png" in body


def test_an_unreachable_api_is_answered_in_the_error_shape():
    server = PlaygroundServer("http://127.0.0.1:9")  # nothing listens on the discard port
    server.start()
    try:
        response = requests.get(f"{server.url}/api/health", timeout=10)
    finally:
        server.stop()
    assert (response.status_code, response.json()["error"]["code"]) == (502, "upstream_unreachable")


def test_it_listens_on_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        PlaygroundServer("http://127.0.0.1:3000", host="0.0.0.0")


def test_the_region_comes_from_the_api_url():
    assert region_of("https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod") == "eu-west-1"
    assert region_of("http://127.0.0.1:3000", default="us-west-2") == "us-west-2"


def test_what_serve_accepts_as_its_client():
    signer = SigV4Signer.from_keys(ACCESS_KEY, SECRET_KEY, REGION)
    assert signer_for(None) is None
    assert signer_for(signer) is signer
    with_key = signer_for(lambda method, url, headers, body: {**headers, "x-api-key": "k"})
    assert with_key is not None and with_key.sign("GET", "http://h/", {}, b"") == {"x-api-key": "k"}
    with pytest.raises(TypeError, match="sign"):
        signer_for(object())


def test_the_clis_client_signs_what_the_playground_forwards(upstream):
    """`imagegen playground` hands its ImageGenClient to the server: the forwarded request
    carries the user's SigV4 signature, computed by botocore from the client's credentials."""
    from botocore.session import Session
    from imagegen_client import ImageGenClient

    session = Session()
    session.set_credentials(ACCESS_KEY, SECRET_KEY, TOKEN)
    url = f"http://127.0.0.1:{upstream.server_address[1]}/prod"
    client = ImageGenClient(url, auth="sigv4", session=session, region=REGION)
    server = PlaygroundServer(url, signer=signer_for(client))
    server.start()
    try:
        body = b'{"prompt": "A lighthouse"}'
        assert requests.post(f"{server.url}/api/images", data=body, headers=SENT, timeout=10).status_code == 200
    finally:
        server.stop()
    [(_, _, headers, _)] = upstream.received
    # The client signs the headers the API reads (Accept travels unsigned, which SigV4 allows).
    covered = {name: value for name, value in SENT.items() if name != "Accept"}
    expected = AWSRequest(method="POST", url=f"{url}/images", headers=covered, data=body)
    signed_at = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), "execute-api", REGION).add_auth(expected)
    assert headers["Authorization"] == expected.headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == TOKEN


@pytest.mark.parametrize(
    ("fetch_site", "status"), [("same-origin", 200), ("none", 200), ("same-site", 403), ("cross-site", 403)]
)
def test_only_the_pages_own_origin_may_call_through_it(signed, upstream, fetch_site, status):
    # Another app on another port of localhost is "same-site", and its no-cors requests carry no Origin.
    response = requests.post(
        f"{signed.url}/api/jobs", data=b"{}", headers={**SENT, "Sec-Fetch-Site": fetch_site}, timeout=10
    )
    assert response.status_code == status
    assert len(upstream.received) == (1 if status == 200 else 0)
