"""A local stand-in for API Gateway's REST proxy integration: turns each HTTP request into the
proxy event, invokes the function and writes back the response it returns.

What API Gateway answers itself, before any function runs, is answered here in the contract's
error shape `{"error": {"code", "message"}}` (as the deployed stack's gateway responses do):
a signature not in due form (403, as IAM authorization answers it), a malformed request line or
header, a request line or headers over API Gateway's limits, a bad Content-Length or chunked
body, and a function that failed (502).

Requests too large are the exception: API Gateway does not apply a customized REQUEST_TOO_LARGE
gateway response, so they get its own answers, as seen from deployed REST APIs
(https://github.com/koki-develop/lgtm-generator/issues/10): a body over 10 MB, 413 with the text
"HTTP content length exceeded 10485760 bytes."; a body API Gateway takes but whose proxy event is
over Lambda's 6 MB invocation payload limit, 413 `{"message": "Request Too Long"}`
(x-amzn-ErrorType BadRequestException), the function never running."""

from __future__ import annotations

import base64
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from offline.lambda_events import api_gateway_event, sigv4_access_key, sigv4_problem
from offline.local_lambda import LocalFunction, PayloadTooLarge

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit
# API Gateway's own answers to requests too large (not customizable by gateway responses).
BODY_TOO_LARGE = (b"HTTP content length exceeded 10485760 bytes.", "text; charset=utf-8", ())
EVENT_TOO_LARGE = (
    b'{"message": "Request Too Long"}',
    "application/json",
    (("x-amzn-ErrorType", "BadRequestException"),),
)
# API Gateway (REST, regional): "Length, in characters, of the URL for a regional API: 10240" and
# "Total combined size of request line and header values: 10240 bytes".
MAX_URL_CHARACTERS = 10_240
MAX_REQUEST_LINE_AND_HEADER_VALUES_BYTES = 10_240
# The longest request line read: a URL of the maximum length, a method and the version.
_MAX_REQUEST_LINE = MAX_URL_CHARACTERS + 64
# A connection that sends nothing (or stops half-way through a body) for this long is closed.
IDLE_TIMEOUT_SECONDS = 60

# RFC 9110 token: what a method name may be made of.
_METHOD = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_DIGITS = re.compile(r"^[0-9]+$")
_HEX = re.compile(rb"^[0-9A-Fa-f]+$")

# The contract's code for each status the gateway answers itself (the deployed stack maps API
# Gateway's DEFAULT_4XX family to client_error and DEFAULT_5XX to internal_error).
_GATEWAY_CODES = {
    HTTPStatus.FORBIDDEN: "forbidden",
    HTTPStatus.BAD_GATEWAY: "internal_error",
}
_GATEWAY_MESSAGES = {
    HTTPStatus.BAD_REQUEST: "Bad request",
    HTTPStatus.REQUEST_URI_TOO_LONG: "Request URI too long",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "Request header fields too large",
}


class _BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _BodyTooLarge(Exception):
    """The body is over API Gateway's 10 MB: it answers 413 before reading the rest."""


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm the body would wait
    # for the client's delayed ACK of the headers (about 40 ms on every keep-alive request).
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT_SECONDS
    server: ApiGatewayServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the function's own logs say what happened

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _gateway_error(self, status: int, message: str, *, close: bool = False) -> None:
        if close:
            self.close_connection = True
        if self.request_version in ("", "HTTP/0.9"):
            self.request_version = "HTTP/1.1"  # so that the status line and headers are written
        code = _GATEWAY_CODES.get(HTTPStatus(status), "client_error" if status < 500 else "internal_error")
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self._send(status, [("Content-Type", "application/json")], body)

    def _too_large(self, answer: tuple[bytes, str, tuple[tuple[str, str], ...]], *, close: bool = False) -> None:
        body, content_type, headers = answer
        if close:
            self.close_connection = True
        self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, [("Content-Type", content_type), *headers], body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every error the HTTP parsing itself answers (BaseHTTPRequestHandler calls this), in the
        contract's JSON shape instead of an HTML page. Whatever the parser objected to is the
        client's doing: a version it cannot speak is a bad request too, as API Gateway answers it."""
        status = HTTPStatus(code) if code < 500 else HTTPStatus.BAD_REQUEST
        self._gateway_error(status, _GATEWAY_MESSAGES.get(status, status.phrase), close=True)

    def handle_one_request(self) -> None:
        """BaseHTTPRequestHandler's, with API Gateway's limits, and every method (a token)
        handed to the function: the function answers methods it does not serve."""
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE)
            if not self.raw_requestline:
                self.close_connection = True
                return
            self.command, self.request_version, self.requestline = "", "HTTP/1.1", ""
            if not self.raw_requestline.endswith(b"\n"):  # cut at the limit, or by the end of the stream
                too_long = len(self.raw_requestline) >= _MAX_REQUEST_LINE
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG if too_long else HTTPStatus.BAD_REQUEST)
                return
            if not self.parse_request():
                return  # the error has been sent
            try:
                self._check_request()
            except _BadRequest as bad:
                self._gateway_error(bad.status, bad.message, close=True)
                return
            self._proxy()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def _check_request(self) -> None:
        words = self.requestline.split()
        if self.request_version == "HTTP/0.9" or len(words) != 3 or not _METHOD.match(self.command):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, _GATEWAY_MESSAGES[HTTPStatus.BAD_REQUEST])
        if len(self.path) > MAX_URL_CHARACTERS:
            raise _BadRequest(HTTPStatus.REQUEST_URI_TOO_LONG, _GATEWAY_MESSAGES[HTTPStatus.REQUEST_URI_TOO_LONG])
        values = sum(len(value.encode("latin-1", "replace")) for value in self.headers.values())
        if len(self.requestline) + values > MAX_REQUEST_LINE_AND_HEADER_VALUES_BYTES:
            status = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            raise _BadRequest(status, _GATEWAY_MESSAGES[status])

    def _read_chunked(self) -> bytes:
        body = b""
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            if not _HEX.match(size_line):
                raise _BadRequest(HTTPStatus.BAD_REQUEST, "Malformed chunked body")
            if not (size := int(size_line, 16)):
                break
            if len(body) + size > MAX_PAYLOAD_BYTES:
                raise _BodyTooLarge
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _BadRequest(HTTPStatus.BAD_REQUEST, "Malformed chunked body")
            body += chunk
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return body

    def _read_body(self) -> bytes | None:
        """The request body, as API Gateway accepts it: sized or chunked, at most 10 MB."""
        encodings = [e.strip().lower() for v in self.headers.get_all("Transfer-Encoding") or [] for e in v.split(",")]
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if encodings:
            if encodings != ["chunked"] or lengths:
                raise _BadRequest(HTTPStatus.BAD_REQUEST, "Unsupported Transfer-Encoding")
            return self._read_chunked()
        if not lengths:
            return None
        if len(lengths) != 1 or not _DIGITS.match(length_text := lengths.pop()):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "Malformed Content-Length")
        if (length := int(length_text)) > MAX_PAYLOAD_BYTES:
            raise _BodyTooLarge
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "The body is shorter than its Content-Length")
        return body or None

    def _proxy(self) -> None:
        try:
            body = self._read_body()
        except _BadRequest as bad:
            self._gateway_error(bad.status, bad.message, close=True)
            return
        except _BodyTooLarge:
            self._too_large(BODY_TOO_LARGE, close=True)
            return
        url = urlsplit(self.path)
        headers = [*self.headers.items(), ("X-Forwarded-Proto", "http")]
        query_pairs = [(k, v) for k, values in parse_qs(url.query, keep_blank_values=True).items() for v in values]
        if problem := sigv4_problem(headers, query_pairs):  # IAM authorization refuses it
            self._gateway_error(HTTPStatus.FORBIDDEN, problem)
            return
        if self.server.require_signature and sigv4_access_key(headers, query_pairs) is None:
            self._gateway_error(HTTPStatus.FORBIDDEN, "Missing authentication token or unknown route")
            return
        event = api_gateway_event(
            method=self.command,
            path=url.path or "/",
            query=url.query,
            headers=headers,
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            result = self.server.function.invoke(event)
        except PayloadTooLarge:  # Lambda refused the event: API Gateway answers 413
            self._too_large(EVENT_TOO_LARGE)
            return
        except Exception:  # the function crashed: API Gateway answers 502
            self._gateway_error(HTTPStatus.BAD_GATEWAY, "Internal server error")
            return
        headers = [(k, v) for k, values in (result.get("multiValueHeaders") or {}).items() for v in values]
        headers += [(k, v) for k, v in (result.get("headers") or {}).items()]
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        self._send(int(result["statusCode"]), headers, payload)


class ApiGatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], function: LocalFunction, *, require_signature: bool = False):
        super().__init__(address, _ProxyHandler)
        self.function = function
        # As IAM authorization does: an unsigned request is refused (else it runs as the anonymous caller).
        self.require_signature = require_signature
        self._thread = threading.Thread(target=self.serve_forever, name="api-gateway", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
